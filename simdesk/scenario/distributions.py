"""Duration distributions for handle times and patience, by mean and coefficient of variation.

Each distribution is a frozen schema model (``dist:`` selects it in YAML) that knows its
mean and draws samples in vectorized chunks from a ``numpy.random.Generator``. Samples
are in minutes and never negative; nothing is clipped.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, PositiveFloat, model_validator

from simdesk.scenario.base import SpecModel
from simdesk.scenario.types import Duration, PositiveDuration

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]


class Exponential(SpecModel):
    """Exponential: memoryless; the M in M/M/c."""

    dist: Literal["exponential"]
    mean: PositiveDuration

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.exponential(self.mean, n)

    @property
    def expected(self) -> float:
        return self.mean

    @property
    def cv(self) -> float:
        return 1.0


class Lognormal(SpecModel):
    """Lognormal by mean and cv: the usual shape of measured handle times."""

    dist: Literal["lognormal"]
    mean: PositiveDuration
    cv: PositiveFloat

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), n)

    @property
    def expected(self) -> float:
        return self.mean


class Gamma(SpecModel):
    """Gamma by mean and cv (shape 1/cv², scale mean·cv²); cv=1 is exponential."""

    dist: Literal["gamma"]
    mean: PositiveDuration
    cv: PositiveFloat

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.gamma(1 / self.cv**2, self.mean * self.cv**2, n)

    @property
    def expected(self) -> float:
        return self.mean


def _digamma(z: float) -> float:
    """ψ(z) for z > 0: the recurrence up to 6, then the asymptotic series."""
    total = 0.0
    while z < 6:
        total -= 1 / z
        z += 1
    f = 1 / (z * z)
    return total + math.log(z) - 0.5 / z - f * (
        1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))


def weibull_shape(cv: float) -> float:
    """The Weibull shape ``k`` whose coefficient of variation is ``cv``.

    Solves Γ(1 + 2/k) / Γ(1 + 1/k)² = 1 + cv² by Newton's method on
    ``x = 1/k`` with log-gamma (the left side grows with ``x``), from Justus' estimate
    ``k ≈ cv^−1.086``; a handful of steps reach machine precision.
    """
    target = math.log1p(cv * cv)
    x = math.pow(cv, 1.086)
    for _ in range(60):
        excess = math.lgamma(1 + 2 * x) - 2 * math.lgamma(1 + x) - target
        slope = 2 * (_digamma(1 + 2 * x) - _digamma(1 + x))
        step = excess / slope
        x = max(x - step, x / 2)  # never past zero
        if abs(step) <= 4e-16 * x:
            break
    return 1 / x


class Weibull(SpecModel):
    """Weibull by mean and cv: a common fit for customer patience."""

    dist: Literal["weibull"]
    mean: PositiveDuration
    cv: Annotated[float, Field(gt=0.05, le=10)]

    @cached_property
    def _shape_scale(self) -> tuple[float, float]:
        shape = weibull_shape(self.cv)
        return shape, self.mean / math.exp(math.lgamma(1 + 1 / shape))

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        shape, scale = self._shape_scale
        return scale * rng.weibull(shape, n)

    @property
    def expected(self) -> float:
        return self.mean


class Deterministic(SpecModel):
    """Always the same duration."""

    dist: Literal["deterministic"]
    value: Duration

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.full(n, self.value)

    @property
    def expected(self) -> float:
        return self.value

    @property
    def cv(self) -> float:
        return 0.0


class Uniform(SpecModel):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.uniform(self.low, self.high, n)

    @property
    def expected(self) -> float:
        return (self.low + self.high) / 2

    @property
    def cv(self) -> float:
        mean = self.expected
        return (self.high - self.low) / math.sqrt(12) / mean if mean > 0 else 0.0


class Empirical(SpecModel):
    """Resampled from observed values, each equally likely (a bootstrap)."""

    dist: Literal["empirical"]
    values: Annotated[list[Duration], Field(min_length=1)]

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.asarray(self.values, dtype=float)[rng.integers(0, len(self.values), n)]

    @property
    def expected(self) -> float:
        return float(np.mean(self.values))

    @property
    def cv(self) -> float:
        mean = self.expected
        return float(np.std(self.values)) / mean if mean > 0 else 0.0


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Weibull | Deterministic | Uniform | Empirical,
    Field(discriminator="dist"),
]
"""Any supported duration distribution, chosen by its ``dist`` key."""
