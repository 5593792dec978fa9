"""The ``calendar:`` section: a closed date has no arrivals and no duty; a dated
multiplier scales that date's arrivals only; bad dates are refused with the usual line."""

from __future__ import annotations

import numpy as np
import pytest

import simdesk
from simdesk.errors import ScenarioError
from simdesk.plan.compile import compile_plan
from simdesk.scenario.load import load_scenario
from tests.helpers import scenario_dict

DAY = 1440.0


def _desk(calendar: dict[str, object], start: str = "2026-01-05 06:00") -> dict[str, object]:
    return scenario_dict(
        start=start, horizon="14d", calendar=calendar,
        arrivals=[{"channel": "phone", "rate": "6/h", "profile": "business-hours"}],
        tiers={"L1": {"agents": [{"shift": "Mon-Fri 08:00-18:00", "count": 2}],
                      "handle": {"dist": "exponential", "mean": "5m"}}})


def test_a_closed_date_has_no_arrivals_and_no_duty() -> None:
    # The scenario starts on Monday at 06:00, so Wednesday's midnight is 42 h in.
    spec = _desk({"closed": [{"date": "2026-01-07", "name": "holiday"}]})
    plan = compile_plan(load_scenario(spec))
    wednesday = (2 * DAY - 6 * 60, 3 * DAY - 6 * 60)
    stream = plan.streams[0]
    assert stream.expected_between(*wednesday) == 0
    assert stream.expected_between(wednesday[0] + 7 * DAY, wednesday[1] + 7 * DAY) > 0
    for agent in plan.agents:
        assert all(end <= wednesday[0] or begin >= wednesday[1] for begin, end in agent.duty)
        assert any(begin >= wednesday[0] + 7 * DAY and end <= wednesday[1] + 7 * DAY
                   for begin, end in agent.duty)
    result = simdesk.simulate(load_scenario(spec), seed=3, replications=2)
    arrived = result.tickets["arrived"].to_numpy()
    assert not ((arrived >= wednesday[0]) & (arrived < wednesday[1])).any()
    duty = result.duty
    assert not ((duty["on"] < wednesday[1]) & (duty["off"] > wednesday[0])).any()
    assert ((arrived >= wednesday[0] + 7 * DAY) & (arrived < wednesday[1] + 7 * DAY)).any()


@pytest.mark.parametrize(("closed", "arrivals", "staff"),
                         [("arrivals", False, True), ("staff", True, False)])
def test_a_date_may_close_to_arrivals_or_staff_only(closed: str, arrivals: bool,
                                                     staff: bool) -> None:
    plan = compile_plan(load_scenario(_desk({"closed": [{"date": "day 3",
                                                         "closed": closed}]})))
    wednesday = (2 * DAY - 6 * 60, 3 * DAY - 6 * 60)
    assert (plan.streams[0].expected_between(*wednesday) > 0) == arrivals
    assert any(b < wednesday[1] and e > wednesday[0] for b, e in plan.agents[0].duty) == staff


def test_a_dated_multiplier_scales_that_date_only() -> None:
    launch = {"date": "2026-01-07", "multiplier": "250%"}
    plan = compile_plan(load_scenario(_desk({"multipliers": [launch]})))
    base = compile_plan(load_scenario(_desk({})))
    stream, plain = plan.streams[0], base.streams[0]
    for day in range(14):
        window = (day * DAY - 6 * 60, (day + 1) * DAY - 6 * 60)
        factor = 2.5 if day == 2 else 1.0
        assert stream.expected_between(*window) == pytest.approx(
            factor * plain.expected_between(*window))
    assert np.array_equal(plan.agents[0].duty, base.agents[0].duty)


def test_a_bad_date_is_one_clear_line() -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario(_desk({"closed": [{"date": "Christmas"}]}))
    assert "calendar.closed[0].date: 'Christmas' is not a day" in str(error.value)
