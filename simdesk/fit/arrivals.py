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

**Surges.** Each day's count is compared with what the profile fitted *without that
day* expects for it (so a surge cannot raise its own expectation). A day whose
upper-tail probability is below 1 % / (number of days) under a negative binomial with
the day-to-day overdispersion of the other days (Poisson when there is none), and which
is at least 20 % above, is a surge: the most extreme one is left out of the base rate and
the search repeats until no day stands out (a day is never left out if no ticket
would remain: a channel seen on one day only has that day as its rate). Surges are
reported, not baked in. Within a surge day the surge's hours are the run of hours that
maximises the Poisson scan statistic ``n·log(n/μ) − (n − μ)``.
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
    cells: np.ndarray = (times.dt.day_of_week * 24 + times.dt.hour).to_numpy(dtype=np.int64)
    return cells


def _product(counts: np.ndarray, exposure: np.ndarray,
             start: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Poisson MLE of ``rate[w, h] = a[w] · b[h]`` with exposures (iterative proportional
    fitting: each step matches the fitted weekday or hour totals to the observed),
    optionally starting from factors ``start``."""
    a, b = (np.ones(7), np.ones(24)) if start is None else (start[0].copy(), start[1].copy())
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


def _day_tables(slot_day: np.ndarray, slot_cell: np.ndarray, ticket_day: np.ndarray,
                ticket_cell: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """(hours observed, tickets) per day and cell of the week: ``days × 168`` each."""
    exposure = np.zeros((days, 168))
    np.add.at(exposure, (slot_day, slot_cell), SLOT_MINUTES / 60)
    counts = np.zeros((days, 168))
    inside = (ticket_day >= 0) & (ticket_day < days)
    np.add.at(counts, (ticket_day[inside], ticket_cell[inside]), 1)
    return exposure, counts


def _left_out_expected(exposure: np.ndarray, counts: np.ndarray, excluded: np.ndarray,
                       model: str, start: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Each day's expected tickets from the rates fitted without it (and without the
    excluded days): a surge cannot raise the expectation it is judged against."""
    keep = ~excluded
    total_e, total_n = exposure[keep].sum(axis=0), counts[keep].sum(axis=0)
    expected = np.empty(len(exposure))
    for day in range(len(exposure)):
        e = total_e - exposure[day] if keep[day] else total_e
        n = total_n - counts[day] if keep[day] else total_n
        if model == "matrix":
            with np.errstate(invalid="ignore", divide="ignore"):
                rates = np.where(e > 0, n / e, 0.0)
        else:
            rates = _product(n.reshape(7, 24), e.reshape(7, 24), start).reshape(-1)
        expected[day] = float(np.sum(rates * exposure[day]))
    return expected


def fit_channel(channel: str, created: pd.Series, first_day: pd.Timestamp, days: int,
                zone: ZoneInfo | None, model: str = "auto") -> ChannelArrivals:
    """Fit one channel's weekday × hour rates from its tickets' local creation times."""
    slots = local_slots(first_day, days, zone, SLOT_MINUTES)
    slot_cell = _cells(pd.Series(slots))
    slot_day = (slots.normalize() - first_day.normalize()).days.to_numpy()
    ticket_cell = _cells(created)
    ticket_day = (created.dt.normalize() - first_day.normalize()).dt.days.to_numpy()
    day_exposure, day_counts = _day_tables(slot_day, slot_cell, ticket_day, ticket_cell, days)
    per_day = day_counts.sum(axis=1)
    excluded = np.zeros(days, dtype=bool)
    tails = np.ones(days)
    alpha = 0.0
    while True:
        keep = ~excluded
        exposure = day_exposure[keep].sum(axis=0).reshape(7, 24)
        counts = day_counts[keep].sum(axis=0).reshape(7, 24)
        rates, chosen, aic = _fit_rates(counts, exposure, model)
        start = (rates.max(axis=1), rates.max(axis=0) / max(rates.max(), 1e-300))
        expected = _left_out_expected(day_exposure, day_counts, excluded, chosen, start)
        spread = (per_day - expected) ** 2 - per_day
        weight = expected**2
        total_spread, total_weight = spread[keep].sum(), weight[keep].sum()
        tails = np.ones(days)
        for day in range(days):
            rest_spread = total_spread - (spread[day] if keep[day] else 0.0)
            rest_weight = total_weight - (weight[day] if keep[day] else 0.0)
            dispersion = max(0.0, rest_spread / rest_weight) if rest_weight > 0 else 0.0
            tails[day] = _upper_tail(int(per_day[day]), float(expected[day]), dispersion)
        alpha = _dispersion(per_day[keep], expected[keep])
        candidates = keep & (tails < FAMILY_ALPHA / days) & (per_day >= SURGE_RATIO * expected)
        # a day holding every remaining ticket is the channel's whole history, not a surge
        candidates &= per_day[keep].sum() - per_day > 0
        if not candidates.any() or excluded.sum() >= days // 2:
            break
        excluded[np.flatnonzero(candidates)[np.argmin(tails[candidates])]] = True
    fitted_expected = (day_exposure * rates.reshape(-1)[None, :]).sum(axis=1)
    surges = []
    for found in np.flatnonzero(excluded).tolist():
        in_day = slot_day == found
        hour_of = pd.Series(slots[in_day]).dt.hour.to_numpy()
        hours = SLOT_MINUTES / 60
        hour_expected = np.bincount(hour_of, weights=rates.reshape(-1)[slot_cell[in_day]]
                                    * hours, minlength=24)
        hour_counts = np.bincount(created[ticket_day == found].dt.hour.to_numpy(),
                                  minlength=24).astype(float)
        first, length = _window(hour_counts, hour_expected)
        window = slice(first, first + length)
        surges.append(Surge(channel, first_day.normalize() + pd.Timedelta(days=found),
                            int(per_day[found]), float(fitted_expected[found]), float(tails[found]),
                            first, length, int(hour_counts[window].sum()),
                            float(hour_expected[window].sum())))
    daily = pd.DataFrame({
        "day": first_day.normalize() + pd.to_timedelta(np.arange(days), unit="D"),
        "tickets": per_day.astype(int), "expected": fitted_expected, "p_value": tails,
        "surge": excluded})
    return ChannelArrivals(channel, len(created), counts, exposure, rates, chosen, aic, daily,
                           tuple(surges), alpha)


def fit_arrivals(tickets: pd.DataFrame, first_day: pd.Timestamp, days: int,
                 zone: ZoneInfo | None, model: str = "auto") -> dict[str, ChannelArrivals]:
    """Every channel's arrivals, busiest channel first."""
    order = tickets["channel"].value_counts(sort=True).index
    return {str(c): fit_channel(str(c), tickets.loc[tickets["channel"] == c, "created"],
                                first_day, days, zone, model) for c in order}
