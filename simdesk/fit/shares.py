"""Segment and topic mixes, and the service level the history shows.

**Mixes.** The share of each segment (topic) over all tickets, with counts; per channel
too when the channels clearly differ (χ² test of homogeneity, p < 0.1 %), in which case
the scenario gives each channel's arrivals its own mix.

**Observed SLA**, counted as the simulator counts it: a ticket meets the target when its
first response came within ``within``; a customer who gave up missed it; a ticket still
waiting at the end of the export missed it once it had waited longer than ``within`` and
is left out before that; tickets turned away are left out. With business hours
(``sla.hours``), waits are counted on that clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simdesk.fit.routing import DIFFERENCE_P
from simdesk.scenario.calendar import Clock, WorkingTime, parse_shift


@dataclass(frozen=True)
class Mix:
    """How tickets split over the values of one field (segment or topic)."""

    field: str
    counts: dict[str, int]
    by_channel: dict[str, dict[str, int]]
    p_value: float
    """χ² test that every channel has the same mix (NaN with one channel)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def shares(self, channel: str | None = None) -> dict[str, float]:
        counts = self.counts if channel is None else self.by_channel[channel]
        total = sum(counts.values())
        return {k: v / total for k, v in counts.items() if total}

    @property
    def per_channel(self) -> bool:
        return not math.isnan(self.p_value) and self.p_value < DIFFERENCE_P


def fit_mix(tickets: pd.DataFrame, field: str) -> Mix | None:
    """The mix of ``field`` (``None`` when the export has no such column)."""
    values = tickets[field]
    if values.isna().all():
        return None
    table = pd.crosstab(tickets["channel"], values.astype(str))
    order = values.astype(str).value_counts().index
    table = table[order]
    counts = {str(k): int(v) for k, v in table.sum(axis=0).items()}
    by_channel = {str(c): {str(k): int(v) for k, v in row.items()}
                  for c, row in table.iterrows()}
    p_value = math.nan
    if table.shape[0] > 1 and table.shape[1] > 1:
        p_value = float(stats.chi2_contingency(table.to_numpy(), correction=False).pvalue)
    return Mix(field, counts, by_channel, p_value)


def share_texts(shares: dict[str, float]) -> dict[str, str]:
    """Shares as ``27.35%`` texts that add up to exactly 100 % (the largest absorbs the
    rounding)."""
    hundredths = {k: round(v * 10000) for k, v in shares.items()}
    largest = max(hundredths, key=lambda k: hundredths[k])
    hundredths[largest] += 10000 - sum(hundredths.values())
    return {k: f"{v / 100:g}%" for k, v in hundredths.items()}


@dataclass(frozen=True)
class ObservedSla:
    """The service level one channel got in the history."""

    channel: str
    within: float
    target: float
    source: str
    """Where the target came from: ``--sla``, ``--staff``, ``preset`` or ``placeholder``."""
    hours: str | None
    met: int
    decided: int
    weekly: tuple[float, ...]
    """The share met in each whole week of the history."""
    abandonment: float
    """Share who gave up among tickets answered or abandoned."""
    wait_mean: float
    wait_p90: float

    @property
    def share(self) -> float:
        return self.met / self.decided if self.decided else math.nan


def sla_outcomes(tickets: pd.DataFrame, within: float, hours: str | None,
                 first_day: pd.Timestamp, days: int) -> pd.Series:
    """Per ticket: True (met), False (missed) or <NA> (not decided or turned away)."""
    waited = tickets["response_wait"].to_numpy(dtype=float)
    open_for = tickets["open_for"].to_numpy(dtype=float)
    if hours is not None:
        clock = Clock(first_day.to_pydatetime())
        horizon = (days + 1) * 1440.0
        working = WorkingTime.within(parse_shift(hours).intervals(clock, horizon))
        start = ((tickets["created"] - first_day).dt.total_seconds() / 60).to_numpy()
        begun = working.elapsed(start)
        waited = working.elapsed(start + waited) - begun
        open_for = working.elapsed(start + open_for) - begun
    state = tickets["state"].array
    answered = np.asarray(state == "answered", dtype=bool)
    met = answered & (waited <= within)
    decided = (answered & ~np.isnan(waited)) | np.asarray(state == "abandoned", dtype=bool) | (
        np.asarray(state == "waiting", dtype=bool) & (open_for > within))
    result = pd.array(met, dtype="boolean")
    result[~decided] = pd.NA
    return pd.Series(result, index=tickets.index)


def observed_sla(tickets: pd.DataFrame, channel: str, within: float, target: float,
                 source: str, hours: str | None, first_day: pd.Timestamp, days: int
                 ) -> ObservedSla:
    """The observed SLA of ``channel`` over ``tickets``."""
    mine = tickets.loc[tickets["channel"] == channel]
    outcome = sla_outcomes(mine, within, hours, first_day, days)
    decided = outcome.notna()
    week = ((mine["created"] - first_day).dt.days // 7).to_numpy()
    weekly = []
    for number in range(days // 7):
        this = decided.to_numpy() & (week == number)
        if this.any():
            weekly.append(float(outcome[this].astype(bool).mean()))
    answered = mine["state"] == "answered"
    gave_up = mine["state"] == "abandoned"
    waits = mine.loc[answered, "response_wait"].dropna()
    settled = int(answered.sum() + gave_up.sum())
    return ObservedSla(
        channel, within, target, source, hours, int(outcome[decided].astype(bool).sum()),
        int(decided.sum()), tuple(weekly),
        float(gave_up.sum() / settled) if settled else math.nan,
        float(waits.mean()) if len(waits) else math.nan,
        float(waits.quantile(0.9)) if len(waits) else math.nan)
