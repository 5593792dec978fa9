"""Maximum-likelihood fits of duration distributions, with standard errors and AIC.

Exponential, lognormal and gamma, each fitted by maximum likelihood with its location at
zero; the mean and the coefficient of variation (what a scenario writes) come with
standard errors from the inverse Fisher information (the delta method):

* exponential: mean = x̄, SE = x̄/√n; cv = 1.
* lognormal: μ̂ = mean of log x, σ̂² = their variance (1/n); mean = exp(μ + σ²/2) with
  Var(log mean) = σ²/n + σ⁴/(2n); cv = √(exp σ² − 1) with Var(σ̂²) = 2σ⁴/n.
* gamma: shape k solves log k − ψ(k) = log x̄ − mean(log x) (Newton), scale x̄/k; mean
  = x̄ with SE x̄·cv/√n; cv = 1/√k with Var(k̂) = k / (n (k ψ'(k) − 1)).

Goodness of fit is the Kolmogorov–Smirnov distance to the data and its p-value. With
the parameters estimated from the same data the p-value is conservative (too large), so a
small one is a trustworthy rejection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special, stats

FAMILIES = ("exponential", "lognormal", "gamma")
FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]


class Scored:
    """A maximum-likelihood fit scored by AIC: one parameter for the exponential, two
    for the others."""

    family: str
    log_likelihood: float

    @property
    def parameters(self) -> int:
        return 1 if self.family == "exponential" else 2

    @property
    def aic(self) -> float:
        return 2 * self.parameters - 2 * self.log_likelihood


@dataclass(frozen=True)
class FamilyFit(Scored):
    """One family fitted to one sample."""

    family: str
    params: tuple[float, ...]
    """exponential (mean,); lognormal (μ, σ) of the log; gamma (shape, scale)."""
    n: int
    log_likelihood: float
    mean: float
    mean_se: float
    cv: float
    cv_se: float
    ks_statistic: float
    ks_p: float

    def frozen(self) -> Any:
        """The scipy distribution."""
        if self.family == "exponential":
            return stats.expon(scale=self.params[0])
        if self.family == "lognormal":
            return stats.lognorm(self.params[1], scale=math.exp(self.params[0]))
        return stats.gamma(self.params[0], scale=self.params[1])

    def cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(self.frozen().cdf(x), dtype=float)

    def pdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(self.frozen().pdf(x), dtype=float)

    def ppf(self, q: FloatArray) -> FloatArray:
        return np.asarray(self.frozen().ppf(q), dtype=float)

    def logpdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(self.frozen().logpdf(x), dtype=float)

    def interval(self, what: str = "mean", z: float = 1.96) -> tuple[float, float]:
        """A 95 % interval of the mean (on the log scale) or of the cv."""
        if what == "mean":
            spread = z * self.mean_se / self.mean
            return self.mean * math.exp(-spread), self.mean * math.exp(spread)
        return max(self.cv - z * self.cv_se, 0.0), self.cv + z * self.cv_se


EXACT_KS_UP_TO = 10_000
"""Samples above this size get the asymptotic Kolmogorov distribution (exact to far
better than the test needs there, and ~1000× cheaper than scipy's exact one)."""


def _goodness(family: str, params: tuple[float, ...], x: FloatArray) -> tuple[float, float]:
    dummy = FamilyFit(family, params, len(x), 0, 0, 0, 0, 0, 0, 0)
    method = "asymp" if len(x) > EXACT_KS_UP_TO else "auto"
    result = stats.kstest(x, dummy.frozen().cdf, method=method)
    return float(result.statistic), float(result.pvalue)


def fit_exponential(x: FloatArray) -> FamilyFit:
    n, mean = len(x), float(np.mean(x))
    log_likelihood = -n * math.log(mean) - n
    d, p = _goodness("exponential", (mean,), x)
    return FamilyFit("exponential", (mean,), n, log_likelihood, mean, mean / math.sqrt(n),
                     1.0, 0.0, d, p)


def fit_lognormal(x: FloatArray) -> FamilyFit:
    logs = np.log(x)
    n = len(x)
    mu = float(np.mean(logs))
    sigma2 = max(float(np.mean((logs - mu) ** 2)), 1e-12)
    sigma = math.sqrt(sigma2)
    log_likelihood = float(-np.sum(logs) - n * math.log(sigma) - n / 2 * math.log(2 * math.pi)
                           - n / 2)
    mean = math.exp(mu + sigma2 / 2)
    mean_se = mean * math.sqrt(sigma2 / n + sigma2**2 / (2 * n))
    cv = math.sqrt(math.expm1(sigma2))
    cv_se = math.exp(sigma2) / (2 * cv) * math.sqrt(2 * sigma2**2 / n)
    d, p = _goodness("lognormal", (mu, sigma), x)
    return FamilyFit("lognormal", (mu, sigma), n, log_likelihood, mean, mean_se, cv, cv_se,
                     d, p)


def gamma_shape(x: FloatArray) -> float:
    """The MLE of the gamma shape: the root of log k − ψ(k) = log x̄ − mean(log x)."""
    s = math.log(float(np.mean(x))) - float(np.mean(np.log(x)))
    if s <= 1e-12:
        return 1e6
    k = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    for _ in range(100):
        step = (math.log(k) - float(special.digamma(k)) - s) / (
            1 / k - float(special.polygamma(1, k)))
        k_new = k - step
        if k_new <= 0:
            k_new = k / 2
        if abs(k_new - k) < 1e-12 * k:
            return k_new
        k = k_new
    return k


def fit_gamma(x: FloatArray) -> FamilyFit:
    n = len(x)
    mean = float(np.mean(x))
    shape = gamma_shape(x)
    scale = mean / shape
    log_likelihood = float((shape - 1) * np.sum(np.log(x)) - np.sum(x) / scale
                           - n * shape * math.log(scale) - n * math.lgamma(shape))
    cv = 1 / math.sqrt(shape)
    shape_var = shape / (n * max(shape * float(special.polygamma(1, shape)) - 1, 1e-300))
    cv_se = 0.5 * shape**-1.5 * math.sqrt(shape_var)
    d, p = _goodness("gamma", (shape, scale), x)
    return FamilyFit("gamma", (shape, scale), n, log_likelihood, mean, mean * cv / math.sqrt(n),
                     cv, cv_se, d, p)


FITTERS = {"exponential": fit_exponential, "lognormal": fit_lognormal, "gamma": fit_gamma}


def fit_families(x: FloatArray, families: tuple[str, ...] = FAMILIES) -> dict[str, FamilyFit]:
    """Every family fitted to ``x`` (positive values)."""
    return {family: FITTERS[family](x) for family in families}


def best_by_aic(fits: dict[str, FamilyFit]) -> FamilyFit:
    """The fit with the smallest AIC (the simpler family on a tie)."""
    return min(fits.values(), key=lambda f: (round(f.aic, 9), f.parameters))
