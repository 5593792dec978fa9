"""One channel's daily volume: a negative-binomial regression with trend, weekday and
yearly seasonality and holidays, and its predictive distribution.

``log E[tickets on day t] = level + growth · t/7 + weekday[t] + yearly(t) + holiday[t]``

fitted by maximum likelihood (``statsmodels`` ``NegativeBinomial``, NB2: variance
``m + α m²``; Poisson when the days vary no more than that). ``yearly`` is a Fourier
series of :data:`YEARLY_HARMONICS` harmonics, used only when the history spans
:data:`YEARLY_DAYS` days or more. Weekdays without a ticket in the whole history are
*closed* (forecast 0), and so are holidays when every holiday of the history was empty.
Days far above the model (a surge: upper-tail probability below 1 % / days and 20 %
above) are left out and the model refitted, as the arrivals fit does.

The predictive distribution is drawn: coefficients from their asymptotic normal
distribution (so the error of the level and of the trend widens the interval with the
horizon), then gamma-Poisson counts around each draw.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

YEARLY_DAYS = 730
"""Days of history needed to fit a yearly season (two cycles, so a season is told from a
trend)."""
YEARLY_HARMONICS = 3
SURGE_ALPHA = 0.01
SURGE_RATIO = 1.2
DRAWS = 4000


@dataclass(frozen=True)
class Design:
    """Which terms the model has."""

    open_days: tuple[int, ...]
    """Weekdays (0 = Monday) with tickets in the history."""
    trend: bool
    """A growth term (kept when it lowers the AIC)."""
    yearly: bool
    holiday: bool
    """A holiday term (holidays in the history, with tickets)."""
    holiday_closed: bool
    """Every holiday of the history had no ticket: holidays are forecast closed."""
    origin: dt.date

    def matrix(self, days: pd.DatetimeIndex, holidays: Collection[dt.date]) -> np.ndarray:
        """The regressors of ``days`` (rows of closed days included; they are masked)."""
        t = np.asarray((days - pd.Timestamp(self.origin)).days, dtype=float)
        columns = [np.ones_like(t), t / 7] if self.trend else [np.ones_like(t)]
        weekday = np.asarray(days.day_of_week)
        columns += [(weekday == d).astype(float) for d in self.open_days[1:]]
        if self.yearly:
            angle = 2 * math.pi * np.asarray(days.day_of_year, dtype=float) / 365.25
            for k in range(1, YEARLY_HARMONICS + 1):
                columns += [np.sin(k * angle), np.cos(k * angle)]
        if self.holiday:
            columns.append(np.array([d.date() in holidays for d in days], dtype=float))
        return np.column_stack(columns)

    def closed(self, days: pd.DatetimeIndex, holidays: Collection[dt.date]) -> np.ndarray:
        shut = ~np.isin(np.asarray(days.day_of_week), self.open_days)
        if self.holiday_closed:
            shut |= np.array([d.date() in holidays for d in days], dtype=bool)
        return shut


@dataclass(frozen=True)
class ChannelModel:
    """The fitted model of one channel."""

    channel: str
    design: Design
    params: np.ndarray
    cov: np.ndarray
    alpha: float
    """NB2 overdispersion (0: Poisson)."""
    alpha_se: float
    surges: tuple[dt.date, ...]
    """Days left out as surges."""
    days_used: int

    aic: tuple[float, float]
    """AIC with the trend and without it."""

    @property
    def inflation(self) -> float:
        """n / (n − k): the small-sample widening of the coefficients' covariance and of
        the overdispersion (as a regression's s² uses n − k; the maximum-likelihood α is
        biased low by about that much), so a short history's interval is not too narrow."""
        k = len(self.params) + (1 if self.alpha > 0 else 0)
        return self.days_used / max(self.days_used - k, 1)

    @property
    def growth(self) -> tuple[float, float, float] | None:
        """Weekly growth (×1.02 is 0.02) with its 95 % interval; None without a trend."""
        if not self.design.trend:
            return None
        se = math.sqrt(max(float(self.cov[1, 1]), 0.0))
        beta = float(self.params[1])
        return (math.expm1(beta), math.expm1(beta - 1.96 * se), math.expm1(beta + 1.96 * se))

    @property
    def holiday_effect(self) -> tuple[float, float, float] | None:
        """The holiday factor (0.3: 70 % fewer tickets) with its 95 % interval."""
        if not self.design.holiday:
            return None
        beta, se = float(self.params[-1]), math.sqrt(max(float(self.cov[-1, -1]), 0.0))
        return (math.exp(beta), math.exp(beta - 1.96 * se), math.exp(beta + 1.96 * se))

    def draws(self, days: pd.DatetimeIndex, holidays: Collection[dt.date],
              rng: np.random.Generator, count: int = DRAWS) -> tuple[np.ndarray, np.ndarray]:
        """(mean per draw, tickets per draw): two ``count × len(days)`` arrays."""
        x = self.design.matrix(days, holidays)
        beta = rng.multivariate_normal(self.params, self.cov * self.inflation, size=count,
                                       method="eigh")
        mean = np.exp(np.clip(beta @ x.T, -50, 50))
        mean[:, self.design.closed(days, holidays)] = 0.0
        if self.alpha > 0:
            # the overdispersion's own error too: log α normal (delta method)
            spread = self.alpha_se / self.alpha
            alpha = self.alpha * self.inflation * np.exp(
                rng.normal(-spread**2 / 2, spread, size=(count, 1)))
            shape = 1 / alpha
            rate = mean * rng.gamma(shape, 1 / shape, size=mean.shape)
        else:
            rate = mean
        return mean, rng.poisson(rate).astype(float)

    def expected(self, days: pd.DatetimeIndex, holidays: Collection[dt.date]) -> np.ndarray:
        """The fitted mean (at the estimate) of ``days``."""
        mean = np.exp(self.design.matrix(days, holidays) @ self.params)
        mean[self.design.closed(days, holidays)] = 0.0
        return np.asarray(mean, dtype=float)


@dataclass(frozen=True)
class _Estimate:
    params: np.ndarray
    cov: np.ndarray
    alpha: float
    alpha_se: float
    aic: float


def _fit_glm(y: np.ndarray, x: np.ndarray) -> _Estimate:
    """NB2 by maximum likelihood; Poisson when the days vary no more than that."""
    from statsmodels.discrete.discrete_model import NegativeBinomial, Poisson
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        poisson = Poisson(y, x).fit(disp=0, maxiter=200, method="newton")
        p_params = np.asarray(poisson.params, dtype=float)
        p_cov = np.asarray(poisson.cov_params(), dtype=float)
        mean = np.exp(x @ p_params)
        # moment check first: NB2's alpha has its maximum at 0 when the days are Poisson
        excess = float(np.sum((y - mean) ** 2 - y)) / float(np.sum(mean**2))
        poisson_fit = _Estimate(p_params, p_cov, 0.0, 0.0,
                                2 * x.shape[1] - 2 * float(poisson.llf))
        if excess <= 0:
            return poisson_fit
        start = np.append(p_params, max(excess, 1e-4))
        try:
            nb = NegativeBinomial(y, x, loglike_method="nb2").fit(
                start_params=start, disp=0, maxiter=300, method="bfgs")
            params = np.asarray(nb.params, dtype=float)
            cov = np.asarray(nb.cov_params(), dtype=float)
        except (np.linalg.LinAlgError, ValueError):
            return poisson_fit
    alpha = float(params[-1])
    k = x.shape[1]
    if not (np.all(np.isfinite(cov)) and alpha > 1e-8 and np.all(np.diag(cov)[:k] >= 0)):
        return poisson_fit
    return _Estimate(params[:k], cov[:k, :k], alpha, math.sqrt(max(float(cov[k, k]), 0.0)),
                     2 * (k + 1) - 2 * float(nb.llf))


def _tails(y: np.ndarray, expected: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Each day's upper-tail probability under a negative binomial whose overdispersion is
    estimated (by moments) from the *other* kept days, so a surge does not hide itself."""
    from scipy import stats

    spread = np.where(keep, (y - expected) ** 2 - y, 0.0)
    weight = np.where(keep, expected**2, 0.0)
    rest = np.maximum((spread.sum() - spread) / np.maximum(weight.sum() - weight, 1e-300), 0)
    tails = np.ones(len(y))
    for day in np.flatnonzero(keep & (expected > 0)):
        mean, alpha = float(expected[day]), float(rest[day])
        if alpha <= 1e-9:
            tails[day] = float(stats.poisson.sf(y[day] - 1, mean))
        else:
            size = 1 / alpha
            tails[day] = float(stats.nbinom.sf(y[day] - 1, size, size / (size + mean)))
    return tails


def fit_channel(channel: str, counts: pd.Series, holidays: Collection[dt.date],
                *, yearly: bool | None = None) -> ChannelModel:
    """Fit one channel's daily counts (indexed by local midnight, every day present)."""
    days = pd.DatetimeIndex(counts.index)
    y = counts.to_numpy(dtype=float)
    weekday = np.asarray(days.day_of_week)
    open_days = tuple(int(d) for d in range(7) if y[weekday == d].sum() > 0)
    is_holiday = np.array([d.date() in holidays for d in days], dtype=bool)
    holiday_seen = bool(is_holiday.any())
    holiday_closed = holiday_seen and float(y[is_holiday].sum()) == 0.0
    span = len(days)
    designs = [Design(open_days, trend, (span >= YEARLY_DAYS) if yearly is None else yearly,
                      holiday_seen and not holiday_closed, holiday_closed, days[0].date())
               for trend in (True, False)]
    usable = ~designs[0].closed(days, holidays)
    surge = np.zeros(len(y), dtype=bool)
    while True:
        keep = usable & ~surge
        estimates = [_fit_glm(y[keep], d.matrix(days, holidays)[keep]) for d in designs]
        chosen = 0 if estimates[0].aic < estimates[1].aic else 1
        design, estimate = designs[chosen], estimates[chosen]
        expected = np.exp(design.matrix(days, holidays) @ estimate.params)
        tails = _tails(y, expected, keep)
        candidates = keep & (tails < SURGE_ALPHA / len(y)) & (y >= SURGE_RATIO * expected)
        if not candidates.any() or surge.sum() >= len(y) // 4:
            break
        surge[np.flatnonzero(candidates)[np.argmin(tails[candidates])]] = True
    return ChannelModel(channel, design, estimate.params, estimate.cov, estimate.alpha,
                        estimate.alpha_se, tuple(d.date() for d in days[surge]),
                        int((usable & ~surge).sum()), (estimates[0].aic, estimates[1].aic))


__all__ = ["DRAWS", "YEARLY_DAYS", "ChannelModel", "Design", "fit_channel"]
