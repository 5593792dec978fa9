"""Arrival rates per channel by weekday × hour, and the surges that stand out.

**Exposure.** Each weekday × hour cell has been observed for some hours: the number of
times that local hour occurred in the history (a day when clocks go forward lacks one
hour, a day when they go back has one twice). The rate of a cell is its tickets over its
hours of exposure — the Poisson maximum-likelihood estimate.

**Two models**, chosen by AIC: a free 7 × 24 table (one rate per cell, 168 parameters),
or weekday × hour-of-day factors (``rate = a[weekday] × b[hour]``, 30 parameters, fitted
by iterative proportional fitting, which gives the Poisson MLE). Many weeks of history,
or days of the week with different opening hours, favour the table; a few weeks of a
regular pattern favour the factors, which pool the hours across days.

**Surges.** A day whose count is far above what the fitted profile predicts for it —
upper-tail probability below 1 % / (number of days) under a negative binomial with the
day-to-day overdispersion of the other days (Poisson when there is none), and at least
20 % above — is a surge: it is reported, left out of the base rate, and the fit repeats
until the set of surge days is stable. Within a surge day the surge's hours are the run
of hours that maximises the Poisson scan statistic ``n·log(n/μ) − (n − μ)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from scipy import stats

from simdesk.fit.times import local_slots

SLOT_MINUTES = 15
FAMILY_ALPHA = 0.01
"""Chance of calling any ordinary day of a channel a surge (Bonferroni over days)."""
SURGE_RATIO = 1.2
"""A surge day has at least this many times the tickets expected."""
MODELS = ("auto", "matrix", "product")
MODEL_NAMES = {"matrix": "a free weekday × hour table",
               "product": "weekday factors × hour-of-day factors"}


@dataclass(frozen=True)
class Surge:
    """A day far above the profile, and the run of hours that made it so."""

    channel: str
    day: pd.Timestamp
    tickets: int
    expected: float
    p_value: float
    start_hour: int
    hours: int
    window_tickets: int
    window_expected: float

    @property
    def multiplier(self) -> float:
        """Tickets over those expected within the surge's hours."""
        if self.window_expected <= 0:
            return math.inf
        return self.window_tickets / self.window_expected

    @property
    def at(self) -> str:
        """The surge's start as a scenario moment."""
        return f"{self.day:%Y-%m-%d} {self.start_hour:02d}:00"


@dataclass(frozen=True)
class ChannelArrivals:
    """The fitted arrivals of one channel."""

    channel: str
    tickets: int
    """Every ticket of the channel in the history, surge days included."""
    counts: np.ndarray
    """7 × 24 tickets per cell, over the days used (surge days left out)."""
    exposure: np.ndarray
    """7 × 24 hours each cell was observed, over the days used."""
    rates: np.ndarray
    """7 × 24 fitted tickets per hour (the chosen model)."""
    model: str
    """``matrix`` or ``product``."""
    aic: dict[str, float]
    daily: pd.DataFrame
    """``day, tickets, expected, p_value, surge`` for every day of the history."""
    surges: tuple[Surge, ...]
    dispersion: float
    """Negative-binomial overdispersion of daily counts (0: Poisson)."""

    @property
    def weekly(self) -> float:
        """Fitted tickets per week outside surges."""
        return float(self.rates.sum())

    @property
    def weekly_se(self) -> float:
        """Standard error of :attr:`weekly` (Poisson, inflated by the overdispersion)."""
        used = float(self.counts.sum())
        if used <= 0:
            return math.nan
        days = float(self.exposure.sum()) / 24
        mean_day = used / max(days, 1e-9)
        return self.weekly / math.sqrt(used) * math.sqrt(1 + self.dispersion * mean_day)

    def observed_rates(self) -> np.ndarray:
        """7 × 24 tickets per hour observed (NaN where never observed)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.exposure > 0, self.counts / self.exposure, np.nan)


def _cells(times: pd.Series) -> np.ndarray:
    """Cell of the week (Monday 00:00 is 0) of each local time."""
    cells: np.ndarray = (times.dt.weekday * 24 + times.dt.hour).to_numpy(dtype=np.int64)
    return cells


def _product(counts: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """Poisson MLE of ``rate[w, h] = a[w] · b[h]`` with exposures (iterative proportional
    fitting: each step matches the fitted weekday or hour totals to the observed)."""
    a = np.ones(7)
    b = np.ones(24)
    for _ in range(500):
        with np.errstate(invalid="ignore", divide="ignore"):
            a_new = np.nan_to_num(counts.sum(axis=1) / (exposure * b[None, :]).sum(axis=1))
            b_new = np.nan_to_num(counts.sum(axis=0) / (exposure * a_new[:, None]).sum(axis=0))
        done = np.allclose(a_new[:, None] * b_new[None, :], a[:, None] * b[None, :],
                           rtol=1e-12, atol=1e-12)
        a, b = a_new, b_new
        if done:
            break
    return np.outer(a, b)


def _log_likelihood(counts: np.ndarray, exposure: np.ndarray, rates: np.ndarray) -> float:
    mean = rates * exposure
    seen = counts > 0
    if np.any(seen & (mean <= 0)):
        return -math.inf
    return float(np.sum(counts[seen] * np.log(mean[seen])) - mean.sum()
                 - np.sum([math.lgamma(n + 1) for n in counts[seen]]))


def _fit_rates(counts: np.ndarray, exposure: np.ndarray, model: str
               ) -> tuple[np.ndarray, str, dict[str, float]]:
    observed = exposure > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(observed, counts / exposure, 0.0)
    product = _product(counts, exposure)
    matrix = np.where(observed, matrix, product)  # a cell never observed takes the factors'
    rows = int(np.sum(exposure.sum(axis=1) > 0))
    columns = int(np.sum(exposure.sum(axis=0) > 0))
    aic = {
        "matrix": 2 * int(observed.sum()) - 2 * _log_likelihood(counts, exposure, matrix),
        "product": 2 * (rows + columns - 1) - 2 * _log_likelihood(counts, exposure, product),
    }
    chosen = model if model != "auto" else min(aic, key=lambda k: aic[k])
    return (matrix if chosen == "matrix" else product), chosen, aic


def _dispersion(tickets: np.ndarray, expected: np.ndarray) -> float:
    """Moment estimate of the negative-binomial α in ``var = μ + α μ²`` (0 if none)."""
    used = expected > 0
    if used.sum() < 3:
        return 0.0
    excess = np.sum((tickets[used] - expected[used]) ** 2 - tickets[used])
    return max(0.0, float(excess / np.sum(expected[used] ** 2)))


def _upper_tail(count: int, mean: float, alpha: float) -> float:
    """P(X ≥ count) for a day expecting ``mean`` tickets."""
    if mean <= 0:
        return 0.0 if count > 0 else 1.0
    if alpha < 1e-9:
        return float(stats.poisson.sf(count - 1, mean))
    size = 1 / alpha
    return float(stats.nbinom.sf(count - 1, size, size / (size + mean)))


def _window(hour_counts: np.ndarray, hour_expected: np.ndarray) -> tuple[int, int]:
    """(first hour, hours) of the run with the largest Poisson scan statistic."""
    best, where = -1.0, (0, len(hour_counts))
    for first in range(len(hour_counts)):
        n, mu = 0.0, 0.0
        for last in range(first, len(hour_counts)):
            n += hour_counts[last]
            mu += hour_expected[last]
            if n <= mu:
                continue
            score = n * math.log(n / max(mu, 1e-9)) - (n - mu)
            if score > best + 1e-9:
                best, where = score, (first, last - first + 1)
    return where


def fit_channel(channel: str, created: pd.Series, first_day: pd.Timestamp, days: int,
                zone: ZoneInfo | None, model: str = "auto") -> ChannelArrivals:
    """Fit one channel's weekday × hour rates from its tickets' local creation times."""
    slots = local_slots(first_day, days, zone, SLOT_MINUTES)
    slot_cell = _cells(pd.Series(slots))
    slot_day = (slots.normalize() - first_day.normalize()).days.to_numpy()
    ticket_cell = _cells(created)
    ticket_day = (created.dt.normalize() - first_day.normalize()).dt.days.to_numpy()
    per_day = np.bincount(ticket_day, minlength=days)[:days]
    excluded = np.zeros(days, dtype=bool)
    hours = SLOT_MINUTES / 60
    for _ in range(10):
        used_slots = ~excluded[slot_day]
        used_tickets = ~excluded[ticket_day]
        exposure = np.bincount(slot_cell[used_slots], minlength=168).reshape(7, 24) * hours
        counts = np.bincount(ticket_cell[used_tickets], minlength=168).reshape(7, 24)
        rates, chosen, aic = _fit_rates(counts.astype(float), exposure, model)
        expected = np.bincount(slot_day, weights=rates.reshape(-1)[slot_cell] * hours,
                               minlength=days)[:days]
        alpha = _dispersion(per_day[~excluded], expected[~excluded])
        tails = np.array([_upper_tail(int(n), float(m), alpha)
                          for n, m in zip(per_day, expected, strict=True)])
        surge = (tails < FAMILY_ALPHA / days) & (per_day >= SURGE_RATIO * expected)
        if np.array_equal(surge, excluded):
            break
        excluded = surge
    surges = []
    for day in np.flatnonzero(excluded):
        in_day = slot_day == day
        hour_of = pd.Series(slots[in_day]).dt.hour.to_numpy()
        hour_expected = np.bincount(hour_of, weights=rates.reshape(-1)[slot_cell[in_day]]
                                    * hours, minlength=24)
        hour_counts = np.bincount(created[ticket_day == day].dt.hour.to_numpy(),
                                  minlength=24).astype(float)
        first, length = _window(hour_counts, hour_expected)
        window = slice(first, first + length)
        surges.append(Surge(channel, first_day.normalize() + pd.Timedelta(days=int(day)),
                            int(per_day[day]), float(expected[day]), float(tails[day]),
                            first, length, int(hour_counts[window].sum()),
                            float(hour_expected[window].sum())))
    daily = pd.DataFrame({
        "day": first_day.normalize() + pd.to_timedelta(np.arange(days), unit="D"),
        "tickets": per_day, "expected": expected, "p_value": tails, "surge": excluded})
    return ChannelArrivals(channel, len(created), counts, exposure, rates, chosen, aic, daily,
                           tuple(surges), alpha)


def fit_arrivals(tickets: pd.DataFrame, first_day: pd.Timestamp, days: int,
                 zone: ZoneInfo | None, model: str = "auto") -> dict[str, ChannelArrivals]:
    """Every channel's arrivals, busiest channel first."""
    order = tickets["channel"].value_counts(sort=True).index
    return {str(c): fit_channel(str(c), tickets.loc[tickets["channel"] == c, "created"],
                                first_day, days, zone, model) for c in order}
