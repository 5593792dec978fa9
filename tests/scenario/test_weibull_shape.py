"""The Weibull shape is solved without scipy, and agrees with scipy's root finder."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import gamma

from simdesk.scenario.distributions import Weibull, weibull_shape


def _scipy_shape(cv: float) -> float:
    def excess(shape: float) -> float:
        return float(gamma(1 + 2 / shape) / gamma(1 + 1 / shape) ** 2) - 1 - cv**2

    return float(brentq(excess, 0.05, 200.0, xtol=1e-14, rtol=1e-15))


@pytest.mark.parametrize("cv", [0.051, 0.1, 0.3, 0.5, 0.7, 0.8, 1.0, 1.5, 2.0, 3.7, 5.0, 10.0])
def test_the_shape_matches_scipy(cv: float) -> None:
    assert weibull_shape(cv) == pytest.approx(_scipy_shape(cv), rel=1e-10)


def test_cv_one_is_the_exponential() -> None:
    assert weibull_shape(1.0) == pytest.approx(1.0, rel=1e-14)


@pytest.mark.parametrize("cv", [0.3, 0.8, 2.0])
def test_the_distribution_has_its_mean_and_cv(cv: float) -> None:
    weibull = Weibull.model_validate({"dist": "weibull", "mean": "10m", "cv": cv})
    shape, scale = weibull._shape_scale
    mean = scale * math.gamma(1 + 1 / shape)
    spread = scale * math.sqrt(math.gamma(1 + 2 / shape) - math.gamma(1 + 1 / shape) ** 2)
    assert mean == pytest.approx(10.0, rel=1e-12)
    assert spread / mean == pytest.approx(cv, rel=1e-10)
    draws = weibull.sample(np.random.default_rng(1), 200_000)
    standard_error = spread / math.sqrt(len(draws))
    assert abs(draws.mean() - 10.0) < 4 * standard_error
