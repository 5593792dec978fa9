"""Customers' patience, from who gave up and who was answered first.

A customer's patience is seen only when they give up: the wait of an **abandoned**
ticket is an event, a draw of patience. A customer who was **answered** after waiting
``t`` had a patience longer than ``t`` — a right-censored observation — and so does one
still waiting when the export was taken. Averaging the abandoned tickets' waits ignores
the censored ones and is biased low: the only patience values it sees are those short
enough to run out before an agent came. The fit maximises the censored likelihood

    L(θ) = ∏ f(tᵢ; θ)^δᵢ · S(tᵢ; θ)^(1−δᵢ)

(δᵢ = 1 if ticket i was abandoned; f the density, S the survival function). For the
exponential this has a closed form: the mean patience is the total waiting time of all
tickets over the number who gave up, ``Σ tᵢ / Σ δᵢ``, with standard error ``mean/√d``.
Weibull and lognormal are fitted numerically (standard errors from the observed
information, by finite differences), and AIC chooses. The Kaplan–Meier estimate of the
survival curve is the distribution-free check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from simdesk.fit.families import Scored
from simdesk.fit.handles import minutes_text

MIN_EVENTS = 10
"""Abandoned tickets needed before a two-parameter family is tried."""
FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
TINY = 1e-9


@dataclass(frozen=True)
class CensoredFit(Scored):
    """One family fitted to censored waits."""

    family: str
    params: tuple[float, ...]
    """exponential (mean,); weibull (shape, scale); lognormal (μ, σ)."""
    log_likelihood: float
    mean: float
    mean_se: float
    cv: float
    cv_se: float

    def survival(self, t: FloatArray) -> FloatArray:
        t = np.asarray(t, dtype=float)
        if self.family == "exponential":
            return np.exp(-t / self.params[0])
        if self.family == "weibull":
            shape, scale = self.params
            return np.exp(-((t / scale) ** shape))
        mu, sigma = self.params
        with np.errstate(divide="ignore"):
            return np.asarray(special.ndtr(-(np.log(t) - mu) / sigma), dtype=float)

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        spread = z * self.mean_se / self.mean
        return self.mean * math.exp(-spread), self.mean * math.exp(spread)


def _weibull_moments(theta: FloatArray) -> tuple[float, float]:
    shape, scale = math.exp(theta[0]), math.exp(theta[1])
    g1 = special.gammaln(1 + 1 / shape)
    g2 = special.gammaln(1 + 2 / shape)
    return scale * math.exp(g1), math.sqrt(max(math.exp(g2 - 2 * g1) - 1, 0.0))


def _lognormal_moments(theta: FloatArray) -> tuple[float, float]:
    mu, sigma2 = theta[0], math.exp(2 * theta[1])
    return math.exp(mu + sigma2 / 2), math.sqrt(math.expm1(sigma2))


def _weibull_loglik(theta: FloatArray, t: FloatArray, events: FloatArray,
                    weights: FloatArray | None = None) -> float:
    shape, scale = math.exp(theta[0]), math.exp(theta[1])
    logt = np.log(np.maximum(t, TINY))
    z = (t / scale) ** shape
    if weights is not None:
        return float(np.sum(weights * events * (theta[0] - theta[1] + (shape - 1) * (
            logt - theta[1]))) - np.sum(weights * z))
    return float(np.sum(events * (theta[0] - theta[1] + (shape - 1) * (logt - theta[1])))
                 - np.sum(z))


def _lognormal_loglik(theta: FloatArray, t: FloatArray, events: FloatArray,
                      weights: FloatArray | None = None) -> float:
    mu, sigma = theta[0], math.exp(theta[1])
    logt = np.log(np.maximum(t, TINY))
    z = (logt - mu) / sigma
    dens = -logt - theta[1] - 0.5 * math.log(2 * math.pi) - z**2 / 2
    surv = special.log_ndtr(-z)
    if weights is not None:
        return float(np.sum(weights * np.where(events > 0, dens, surv)))
    return float(np.sum(np.where(events > 0, dens, surv)))


COMPRESS_ABOVE = 50_000
"""Waits above which the likelihood is summed over distinct (wait, gave up) pairs with
their counts: the same likelihood, far fewer terms (exports keep whole seconds)."""


def _compressed(t: FloatArray, events: FloatArray
                ) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    if len(t) <= COMPRESS_ABOVE:
        return t, events, None
    parts = [np.unique(t[events == value], return_counts=True) for value in (0.0, 1.0)]
    distinct = np.concatenate([parts[0][0], parts[1][0]])
    ended = np.concatenate([np.zeros(len(parts[0][0])), np.ones(len(parts[1][0]))])
    counts = np.concatenate([parts[0][1], parts[1][1]]).astype(float)
    return distinct, ended, counts


def _hessian(function: Callable[[FloatArray], float], theta: FloatArray) -> np.ndarray:
    """Finite-difference Hessian of ``function`` at ``theta``."""
    size = len(theta)
    hessian = np.zeros((size, size))
    steps = 1e-4 * np.maximum(np.abs(theta), 1.0)
    for i in range(size):
        for j in range(size):
            ei = np.eye(size)[i] * steps[i]
            ej = np.eye(size)[j] * steps[j]
            hessian[i, j] = (function(theta + ei + ej) - function(theta + ei - ej)
                             - function(theta - ei + ej) + function(theta - ei - ej)) / (
                4 * steps[i] * steps[j])
    return hessian


def _numeric_fit(family: str, t: FloatArray, events: FloatArray, start: FloatArray,
                 moments: Callable[[FloatArray], tuple[float, float]],
                 loglik: Callable[[FloatArray, FloatArray, FloatArray, FloatArray | None],
                                  float]
                 ) -> CensoredFit | None:
    distinct, ended, weights = _compressed(t, events)

    def negative(theta: FloatArray) -> float:
        value = -loglik(theta, distinct, ended, weights)
        return value if math.isfinite(value) else 1e300

    result = optimize.minimize(negative, start, method="Nelder-Mead",
                               options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 4000})
    theta = np.asarray(result.x, dtype=float)
    result = optimize.minimize(negative, theta, method="BFGS")
    if np.all(np.isfinite(result.x)) and result.fun <= negative(theta):
        theta = np.asarray(result.x, dtype=float)
    try:
        covariance = np.linalg.inv(_hessian(negative, theta))
    except np.linalg.LinAlgError:
        return None
    if not np.all(np.isfinite(covariance)) or np.any(np.diag(covariance) < 0):
        return None
    mean, cv = moments(theta)
    gradients = []
    for index in range(2):
        step = np.eye(2)[index] * 1e-6
        upper, lower = moments(theta + step), moments(theta - step)
        gradients.append([(upper[k] - lower[k]) / 2e-6 for k in range(2)])
    jacobian = np.array(gradients).T  # rows: mean, cv
    spread = jacobian @ covariance @ jacobian.T
    params = ((math.exp(theta[0]), math.exp(theta[1])) if family == "weibull"
              else (float(theta[0]), math.exp(theta[1])))
    return CensoredFit(family, params, -negative(theta), mean,
                       math.sqrt(max(spread[0, 0], 0.0)), cv, math.sqrt(max(spread[1, 1], 0.0)))


def fit_exponential(t: FloatArray, events: FloatArray) -> CensoredFit:
    """Closed form: mean = Σt / d, SE = mean / √d."""
    d = float(events.sum())
    total = float(t.sum())
    mean = total / d
    return CensoredFit("exponential", (mean,), -d * math.log(mean) - total / mean, mean,
                       mean / math.sqrt(d), 1.0, 0.0)


@dataclass(frozen=True)
class KaplanMeier:
    """The Kaplan–Meier survival curve with Greenwood's 95 % band."""

    times: FloatArray
    survival: FloatArray
    low: FloatArray
    high: FloatArray


def kaplan_meier(t: FloatArray, events: FloatArray) -> KaplanMeier:
    """Survival of patience at each event time (events before censorings at ties)."""
    order = np.lexsort((1 - events, t))
    t, events = t[order], events[order]
    unique, first = np.unique(t, return_index=True)
    deaths = np.add.reduceat(events, first) if len(t) else np.array([])
    at_risk = len(t) - first
    keep = deaths > 0
    times, d, n = unique[keep], deaths[keep], at_risk[keep]
    survival = np.cumprod(1 - d / n).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(d / (n * (n - d)))
    spread = 1.96 * np.sqrt(greenwood)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(survival)
        # the log-log band stays within [0, 1]
        low = survival ** np.exp(spread / np.abs(log_s))
        high = survival ** np.exp(-spread / np.abs(log_s))
    low = np.where(np.isfinite(low), low, 0.0)
    high = np.where(np.isfinite(high), high, 1.0)
    return KaplanMeier(times, survival, low, high)


@dataclass(frozen=True)
class ChannelPatience:
    """The fitted patience of one channel's customers."""

    channel: str
    tickets: int
    """Tickets answered, abandoned or still waiting."""
    abandoned: int
    fits: dict[str, CensoredFit]
    naive_mean: float
    """The average wait of the abandoned tickets (biased low; for comparison)."""
    naive_se: float
    longest_wait: float
    curve: KaplanMeier

    @property
    def best(self) -> CensoredFit:
        return min(self.fits.values(), key=lambda f: (round(f.aic, 9), f.parameters))

    @property
    def distance(self) -> float:
        """Largest gap between the fitted survival and the Kaplan–Meier curve."""
        if len(self.curve.times) == 0:
            return math.nan
        fitted = self.best.survival(self.curve.times)
        return float(np.max(np.abs(fitted - self.curve.survival)))

    def distribution(self) -> dict[str, object]:
        best = self.best
        spec: dict[str, object] = {"dist": best.family, "mean": minutes_text(best.mean)}
        if best.family != "exponential":
            spec["cv"] = round(min(max(best.cv, 0.051), 10.0), 3)
        return spec


def fit_channel(channel: str, t: FloatArray, events: FloatArray) -> ChannelPatience:
    """Fit patience from the waits ``t`` (minutes) and whether each ended in abandonment."""
    t = np.asarray(t, dtype=float)
    events = np.asarray(events, dtype=float)
    t = np.where((events > 0) & (t <= 0), TINY, np.maximum(t, 0.0))
    fits = {"exponential": fit_exponential(t, events)}
    d = int(events.sum())
    if d >= MIN_EVENTS:
        mean = fits["exponential"].mean
        logt = np.log(np.maximum(t[events > 0], TINY))
        candidates = [
            ("weibull", np.array([0.0, math.log(mean)]), _weibull_moments, _weibull_loglik),
            ("lognormal", np.array([float(np.mean(logt)) + 0.5, math.log(max(float(
                np.std(logt)), 0.3))]), _lognormal_moments, _lognormal_loglik),
        ]
        for family, start, moments, loglik in candidates:
            fitted = _numeric_fit(family, t, events, start, moments, loglik)
            if fitted is not None and math.isfinite(fitted.mean) and 0.05 < fitted.cv <= 10:
                fits[family] = fitted
    waits = t[events > 0]
    naive = float(np.mean(waits))
    naive_se = float(np.std(waits, ddof=1) / math.sqrt(len(waits))) if len(waits) > 1 else 0.0
    return ChannelPatience(channel, len(t), d, fits, naive, naive_se,
                           float(t.max()) if len(t) else 0.0, kaplan_meier(t, events))


def fit_patience(tickets: pd.DataFrame) -> dict[str, ChannelPatience]:
    """Patience for each channel where customers gave up."""
    fits = {}
    channels = tickets["channel"]
    state = tickets["state"]
    waits = {key: tickets[key].to_numpy(dtype=float)
             for key in ("pickup_wait", "abandon_wait", "open_for")}
    # one channel at a time, in order of appearance: the tickets are never copied whole
    for channel in pd.unique(channels.dropna()):
        rows = np.flatnonzero(np.asarray((channels == channel) & (state != "refused"),
                                         dtype=bool))
        said = state.array.take(rows)
        events = np.asarray(said == "abandoned", dtype=bool)
        if not events.any():
            continue
        t = np.select([np.asarray(said == "answered", dtype=bool), events],
                      [waits["pickup_wait"][rows], waits["abandon_wait"][rows]],
                      default=waits["open_for"][rows])
        known = ~np.isnan(t)
        fits[str(channel)] = fit_channel(str(channel), t[known], events[known].astype(float))
    return fits
