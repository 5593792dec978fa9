"""Arrivals: exact non-homogeneous Poisson sampling against the profile and surges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simdesk.fates.streams import Streams
from simdesk.fates.tickets import arrival_times, draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.scenario.calendar import MINUTES_PER_WEEK
from simdesk.scenario.load import load_scenario
from tests.helpers import assert_close_to, scenario_dict

WEEKS = 30


def _weekly_cells(times: np.ndarray, week_offset: float) -> np.ndarray:
    """Counts per hour of the week (Monday 00:00 first)."""
    hour_of_week = (((times + week_offset) % MINUTES_PER_WEEK) // 60).astype(int)
    return np.bincount(hour_of_week, minlength=168)


def test_counts_per_hour_follow_the_weekday_by_hour_profile() -> None:
    rng = np.random.default_rng(5)
    matrix = np.round(rng.uniform(0, 2, size=(7, 24)), 2)
    matrix[5:, :6] = 0  # some hours with no arrivals at all
    # start on a Wednesday at 13:30 so the profile must follow the calendar, not t=0
    plan = compile_plan(load_scenario(scenario_dict(
        start="2024-01-03 13:30", horizon=f"{WEEKS}w",
        arrivals=[{"channel": "phone", "rate": "20/h", "profile": {"matrix": matrix.tolist()}}],
    )))
    times = arrival_times(plan.streams[0], Streams(21, 0).generator("test"))
    observed = _weekly_cells(times, plan.clock.week_offset)
    expected = 20 * matrix.reshape(-1) * WEEKS
    assert (observed[expected == 0] == 0).all()
    positive = expected > 0
    chi2 = float(np.sum((observed[positive] - expected[positive]) ** 2 / expected[positive]))
    p_value = stats.chi2.sf(chi2, df=int(positive.sum()))
    assert p_value > 1e-3, f"chi-square {chi2:.1f} on {positive.sum()} cells, p={p_value:.2g}"
    assert abs(observed.sum() - expected.sum()) < 4 * math.sqrt(expected.sum())


def test_volume_sets_the_weekly_mean_and_the_profile_only_shapes_it() -> None:
    plan = compile_plan(load_scenario(scenario_dict(
        horizon="2w", arrivals=[{"channel": "phone", "volume": "1000/w", "profile": "office"}],
    )))
    assert plan.streams[0].expected == pytest.approx(2000)


def test_a_surge_multiplies_the_rate_for_its_duration_only() -> None:
    scenario = scenario_dict(
        horizon="20d",
        channels={"email": {"sla": {"within": "4h", "target": "90%"}},
                  "phone": {"sla": {"within": "30s", "target": "80%"}}},
        arrivals=[{"channel": "email", "rate": "30/h"}, {"channel": "phone", "rate": "30/h"}],
        surges=[{"at": "day 10 09:00", "for": "3h", "multiplier": 4, "channels": ["email"]}],
    )
    plan = compile_plan(load_scenario(scenario))
    email, phone = plan.streams
    begin, end = 9 * 1440 + 540, 9 * 1440 + 720
    assert email.expected_between(begin, end) == pytest.approx(4 * 30 * 3)
    assert email.expected_between(end, end + 60) == pytest.approx(30)
    assert phone.expected_between(begin, end) == pytest.approx(30 * 3)
    counts = []
    for replication in range(40):
        batch = draw_tickets(plan, Streams(22, replication))
        emails = batch.arrived[batch.channel == 0]
        counts.append(np.sum((emails >= begin) & (emails < end)))
    assert_close_to(counts, 4 * 30 * 3, what="arrivals during the surge")


def test_inter_arrival_times_of_a_constant_rate_are_exponential() -> None:
    plan = compile_plan(load_scenario(scenario_dict(horizon="10w")))
    times = arrival_times(plan.streams[0], Streams(23, 0).generator("test"))
    gaps = np.diff(times)
    result = stats.kstest(gaps, "expon", args=(0, 6.0))
    assert result.pvalue > 1e-3


def test_a_higher_rate_keeps_the_same_draws_for_common_random_numbers() -> None:
    slow = compile_plan(load_scenario(scenario_dict(arrivals=[{"channel": "phone",
                                                                "rate": "10/h"}])))
    fast = compile_plan(load_scenario(scenario_dict(arrivals=[{"channel": "phone",
                                                                "rate": "20/h"}])))
    a = arrival_times(slow.streams[0], Streams(24, 0).generator("x"))
    b = arrival_times(fast.streams[0], Streams(24, 0).generator("x"))
    # doubling the rate halves every arrival time of the same unit-rate draws
    np.testing.assert_allclose(b[: len(a)] * 2, a[: len(b)], rtol=1e-9)
