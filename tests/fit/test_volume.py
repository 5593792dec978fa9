"""Day-to-day volume: a history simulated with a gamma day factor gives it back (its cv
inside the bootstrap interval, shared across channels); one without gives none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simdesk.fit import fit_history, read_history
from simdesk.fit.arrivals import fit_arrivals
from simdesk.fit.times import zone_named
from simdesk.fit.volume import _alpha, fit_day_variation
from tests.fit.helpers import desk, simulated_export

BERLIN = zone_named("Europe/Berlin")


def _history(folder: Path, **overrides: object) -> object:
    _, path = simulated_export(folder, desk(horizon="8w", **overrides), seed=4,
                               preset="zendesk", zone="Europe/Berlin")
    return read_history(path, zone=BERLIN)


def test_a_gamma_day_factor_is_found_with_its_cv(tmp_path: Path) -> None:
    history = _history(tmp_path, volume={"day_factor": {"dist": "gamma", "cv": "25%"}})
    fit = fit_history(history)  # type: ignore[arg-type]
    days = fit.days
    assert days.significant and days.p_value < 1e-6
    assert days.interval[0] <= 0.25 <= days.interval[1], days
    assert days.shared
    assert fit.data["volume"] == {"day_factor": {"dist": "gamma", "cv": f"{days.cv:.1%}"},
                                  "shared": True, "trend": "0%/w"}
    assert "volume:" in fit.text and "day factor with cv" in fit.text


def test_one_factor_per_channel_is_told_from_a_shared_one(tmp_path: Path) -> None:
    history = _history(tmp_path, volume={"day_factor": {"dist": "gamma", "cv": "30%"},
                                         "shared": False})
    days = fit_day_variation(fit_arrivals(history.tickets, history.first_day,  # type: ignore
                                          history.days, history.zone))  # type: ignore
    assert days.significant and not days.shared
    assert days.interval[0] <= 0.30 <= days.interval[1], days


def test_poisson_days_get_no_day_factor(tmp_path: Path) -> None:
    fit = fit_history(_history(tmp_path))  # type: ignore[arg-type]
    assert not fit.days.significant
    assert "volume" not in fit.data or fit.data["volume"] is None
    assert "no volume.day_factor" in fit.text


def test_the_moment_estimate_is_unbiased_for_negative_binomial_days() -> None:
    """Days of a weekday-shaped profile with a gamma factor of cv 0.2: the estimate of
    cv² averages 0.04 within 4 standard errors over many histories. The n/(n − k)
    correction (n = 42 days, k = 7 weekdays) restores the variance the fitted profile
    absorbs; without it the mean is about 20 % low."""
    rng = np.random.default_rng(1)
    weekday = np.array([100, 110, 105, 100, 90, 30, 20.0])
    estimates = []
    for _ in range(400):
        means = np.tile(weekday, 6) * rng.gamma(25, 1 / 25, size=42)
        counts = rng.poisson(means)
        # the fitted profile: each weekday's average of its six days
        fitted = np.tile(counts.reshape(6, 7).mean(axis=0), 6)
        estimates.append(_alpha(counts[None, :].astype(float), fitted[None, :],
                                np.tile(np.arange(7), 6)))
    mean, se = np.mean(estimates), np.std(estimates, ddof=1) / np.sqrt(len(estimates))
    assert mean == pytest.approx(0.04, abs=4 * se)
