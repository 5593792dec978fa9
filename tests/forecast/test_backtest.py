"""The back-test on synthetic histories: a trending history is forecast better than by
seasonal-naive, and the scores are what their definitions say."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simdesk.forecast.backtest import Score, _score, held_out_weeks
from simdesk.forecast.forecast import forecast_history
from tests.forecast.helpers import daily_draws, history_of, true_means


def test_scores_follow_their_definitions() -> None:
    actual = np.array([[10.0, 0.0], [0.0, 0.0], [5.0, 5.0]])
    forecast = np.array([[8.0, 0.0], [1.0, 0.0], [5.0, 6.0]])
    score = _score(actual, forecast)
    assert score == Score(mape=pytest.approx((0.2 + 0.1) / 2),
                          wape=pytest.approx((2 + 1 + 1) / 20),
                          hourly_wape=pytest.approx((2 + 1 + 1) / 20))


def test_held_out_weeks() -> None:
    assert held_out_weeks(42, 4) == 2
    assert held_out_weeks(26 * 7, 4) == 4
    assert held_out_weeks(14, 4) == 0
    assert held_out_weeks(21, 4) == 1


def test_a_trending_history_beats_seasonal_naive() -> None:
    """Over 12 histories the model's WAPE is below seasonal-naive's on average, by more
    than 3.5 standard errors of the paired differences."""
    differences, coverage = [], []
    for seed in range(12):
        rng = np.random.default_rng(seed)
        import pandas as pd

        days = pd.date_range("2025-09-01", periods=16 * 7, freq="D")
        counts = {"chat": daily_draws(true_means(days, growth=0.02), rng),
                  "email": daily_draws(true_means(days, level=60, growth=-0.01), rng)}
        found = forecast_history(history_of(counts, rng), 4, backtest_weeks=4)
        for test in found.backtests.values():
            differences.append(test.naive.wape - test.model.wape)
            coverage.append(test.coverage)
            assert test.weeks == 4
    gain = np.array(differences)
    assert gain.mean() > 3.5 * gain.std(ddof=1) / math.sqrt(len(gain))
    assert np.mean(coverage) > 0.75


def test_a_last_day_cut_short_is_left_out() -> None:
    """An export taken at noon: its last day holds half a day's tickets. It is left out
    (the forecast starts the day after it, as the day is already under way), and a
    complete last day is kept."""
    import pandas as pd

    rng = np.random.default_rng(8)
    days = pd.date_range("2025-09-01", periods=5 * 7 - 1, freq="D")  # ends on a Saturday
    counts = daily_draws(true_means(days, level=300, growth=0.0), rng)
    whole = forecast_history(history_of({"chat": counts}, rng), 1, backtest_weeks=0)
    assert not any("cut short" in note for note in whole.notes)
    counts[-1] //= 2
    cut = forecast_history(history_of({"chat": counts}, rng), 1, backtest_weeks=0)
    assert any("cut short" in note for note in cut.notes)
    assert cut.history_days == len(days) - 1
    assert cut.start == whole.start


def test_paired_verdict_needs_the_interval() -> None:
    """A hair's difference is undecided; a clear one is a verdict either way."""
    import numpy as np

    from simdesk.forecast.backtest import paired_verdict

    rng = np.random.default_rng(3)
    noise = rng.normal(0, 10, 14)
    assert paired_verdict(noise, noise + 0.1 * rng.normal(0, 1, 14)) == "undecided"
    assert paired_verdict(noise * 0.2, noise * 3 + 30) == "better"
    assert paired_verdict(noise * 3 + 30, noise * 0.2) == "worse"
    assert paired_verdict(np.array([1.0]), np.array([5.0])) == "undecided"
