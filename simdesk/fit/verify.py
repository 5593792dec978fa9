"""Does the fitted scenario reproduce the history? Simulate it and compare.

The history is one realisation of the desk; so is each replication. For each channel the
observed SLA attainment and abandonment (over the tickets created after the scenario's
warm-up, as the simulation measures them) are set against the 95 % **prediction
interval** for one more replication, ``mean ± t(R−1) · s · √(1 + 1/R)`` over the R
replications. Inside: the fitted desk behaves like the real one. Outside: some part
(usually the staffing, which tickets do not show) does not match.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simdesk.fit.fit import Fit
from simdesk.fit.shares import sla_outcomes
from simdesk.simulation import SimulationResult, simulate


@dataclass(frozen=True)
class Check:
    """One metric of one channel: the history against the fitted scenario's replications."""

    channel: str
    metric: str
    """``sla`` or ``abandonment``."""
    observed: float
    simulated: float
    low: float
    high: float
    """The 95 % prediction interval for one replication."""

    @property
    def consistent(self) -> bool:
        if math.isnan(self.low):
            return True
        return self.low <= self.observed <= self.high


@dataclass(frozen=True)
class Verification:
    """The fitted scenario simulated, and each channel's checks."""

    result: SimulationResult
    checks: tuple[Check, ...]

    @property
    def consistent(self) -> bool:
        return all(check.consistent for check in self.checks)


def _prediction(values: np.ndarray) -> tuple[float, float, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if len(values) < 2:
        return mean, math.nan, math.nan
    spread = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1)
                   * math.sqrt(1 + 1 / len(values)))
    return mean, max(mean - spread, 0.0), min(mean + spread, 1.0)


def observed_after_warmup(fit: Fit) -> dict[str, tuple[float, float]]:
    """channel → (SLA, abandonment) of the history's tickets created after the warm-up."""
    history = fit.history
    since = history.first_day + pd.Timedelta(minutes=fit.scenario.warmup)
    tickets = history.tickets.loc[history.tickets["created"] >= since]
    values = {}
    for channel in fit.arrivals:
        mine = tickets.loc[tickets["channel"] == channel]
        observed = fit.sla[channel]
        outcome = sla_outcomes(mine, observed.within, observed.hours, history.first_day,
                               history.days).dropna().astype(bool)
        settled = mine["state"].isin(("answered", "abandoned"))
        gave_up = (mine["state"] == "abandoned").sum()
        values[channel] = (float(outcome.mean()) if len(outcome) else math.nan,
                           float(gave_up / settled.sum()) if settled.any() else math.nan)
    return values


def verify(fit: Fit, replications: int = 5, seed: int = 1, workers: int = 1) -> Verification:
    """Simulate the fitted scenario and compare each channel with the history."""
    result = simulate(fit.scenario, seed=seed, replications=replications, workers=workers)
    metrics = result.metrics
    observed = observed_after_warmup(fit)
    checks = []
    for channel, (sla, abandonment) in observed.items():
        for metric, value in (("sla", sla), ("abandonment", abandonment)):
            if metric == "abandonment" and channel not in fit.patience:
                continue
            rows = metrics.loc[(metrics["scope"] == "channel") & (metrics["group"] == channel)
                               & (metrics["metric"] == metric), "value"]
            mean, low, high = _prediction(rows.to_numpy(dtype=float))
            checks.append(Check(channel, metric, value, mean, low, high))
    return Verification(result, tuple(checks))
