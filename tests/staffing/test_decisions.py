"""Staffing decisions a manager can act on: identical demand gets identical staffing,
idle intervals get nobody, the plan is locally minimal (checked by simulating every
cut on its own), the channel goal never asks for more than the interval goal, and
agent groups keep the teams that policies name."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simdesk
from simdesk.plan.compile import compile_plan
from simdesk.staffing.calculator import figures
from simdesk.staffing.demand import demand_for
from simdesk.staffing.grid import WeekGrid
from simdesk.staffing.judge import Goal, Verdict, judge, per_replication, pool_verdict
from simdesk.staffing.search import goals_for, staff
from simdesk.staffing.seats import staffed_scenario
from tests.helpers import scenario_dict

WEEKDAYS = [1, 1, 1, 1, 1, 0, 0]


def weekday_desk(first: int = 8, last: int = 18, horizon: str = "3w") -> Any:
    """30 calls/h every weekday hour ``first``–``last``, 6-min handle, 3-min patience,
    80 % within 30 s."""
    hours = [1 if first <= h < last else 0 for h in range(24)]
    return simdesk.load_scenario(scenario_dict(
        start="2026-01-05", horizon=horizon, warmup="2d",
        channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                            "patience": {"dist": "exponential", "mean": "3m"}}},
        arrivals=[{"channel": "phone", "rate": "30/h",
                   "profile": {"weekdays": WEEKDAYS, "hours": hours}}],
        tiers={"L1": {"agents": 5, "handle": {"dist": "exponential", "mean": "6m"}}},
    ))


def test_erlang_a_says_five_agents_and_four_clearly_fail() -> None:
    five = figures(0.5, 6.0, 0.5, 5, patience=3.0)
    four = figures(0.5, 6.0, 0.5, 4, patience=3.0)
    assert five.p_wait == pytest.approx(0.167, abs=0.001)
    assert five.service_level > 0.8 > four.service_level


def test_identical_hours_get_identical_staffing() -> None:
    result = staff(weekday_desk(), seed=1, replications=5, most=20, compare_today=False)
    levels = result.levels["L1"].reshape(7, 24)
    assert (levels[:5, 8:18] == 5).all()  # every weekday hour: Erlang A's 5
    assert (levels[:5, :8] == 0).all() and (levels[:5, 18:] == 0).all()
    assert (levels[5:] == 0).all()
    assert result.minimal


def test_intervals_counting_no_work_get_no_agents() -> None:
    scenario = simdesk.load_scenario(scenario_dict(
        start="2026-01-05", horizon="2w", warmup="1d",
        channels={"email": {"sla": {"within": "4h", "target": "90%",
                                    "hours": "Mon-Fri 08:00-18:00"}}},
        arrivals=[{"channel": "email", "rate": "3/h"}],  # around the clock
        tiers={"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "15m"}}},
    ))
    plan = compile_plan(scenario)
    grid = WeekGrid(60)
    demand = demand_for(plan, plan.tiers[0], (0,), grid)
    idle = demand.idle.reshape(7, 24)
    assert idle[:5, :8].all() and idle[:5, 18:].all() and idle[5:].all()
    assert not idle[:5, 8:18].any()
    by_hour = demand.rate.reshape(7, 24) * 60
    # The night's mail (14 h × 3/h) counts at 08:00, Monday's the weekend's too
    assert by_hour[1, 8] == pytest.approx(3 + 14 * 3)
    assert by_hour[0, 8] == pytest.approx(3 + (14 + 48) * 3)
    assert by_hour[1, 9] == pytest.approx(3)
    # Monday and Tuesday 08:00 differ; Tuesday to Friday 10:00 are one pool
    assert demand.classes[8] != demand.classes[24 + 8]
    assert len({int(demand.classes[d * 24 + 10]) for d in range(1, 5)}) == 1
    result = staff(scenario, seed=2, replications=4, most=8, compare_today=False)
    assert (result.levels["L1"][demand.idle] == 0).all()


def _verdicts(scenario: Any, goal: Goal, seed: int, replications: int) -> list[Verdict]:
    result = simdesk.simulate(scenario, seed=seed, replications=replications)
    found = judge(per_replication(result, goal), goal, result.plan)
    return [pool_verdict(v) if v else Verdict.MET for v in found]


def test_the_plan_is_locally_minimal_by_simulation() -> None:
    """Each pool in turn loses one agent, the rest unchanged: some pool is then not
    clearly met — simulated on its own, not by the search."""
    scenario = weekday_desk(8, 16, horizon="2w")
    grid = WeekGrid(240)
    result = staff(scenario, interval=240, seed=5, replications=5, most=20,
                   compare_today=False)
    goal = result.goals[0]
    pools = result.levels["L1"]
    assert result.minimal
    assert _verdicts(staffed_scenario(scenario, result.levels, grid), goal, 5, 20).count(
        Verdict.MISSED) == 0
    live = [p for p in range(goal.demand.pools) if pools[goal.demand.members(p)[0]] > 0]
    assert len(live) == 2  # weekdays 08-12 and 12-16 (phone keeps no backlog overnight)
    for pool in live:
        cut = pools.copy()
        cut[goal.demand.members(pool)] -= 1
        verdicts = _verdicts(staffed_scenario(scenario, {"L1": cut}, grid), goal, 5, 20)
        assert any(v is not Verdict.MET for v in verdicts), goal.demand.members(pool)


@pytest.mark.slow
def test_the_channel_goal_never_exceeds_the_interval_goal() -> None:
    scenario = simdesk.load_scenario("scenarios/saas-startup.yaml")
    result = staff(scenario, seed=1, goal="channel", replications=4, most=8)
    assert result.channel_levels is not None
    interval = sum(result.agent_hours("simulated").values())
    channel = sum(result.agent_hours("channel").values())
    assert channel <= interval
    assert (result.channel_levels["L1"] <= result.levels["L1"]).all()


def test_the_channel_goal_on_a_small_desk() -> None:
    result = staff(weekday_desk(8, 16, horizon="2w"), interval=240, seed=5, goal="channel",
                   replications=4, most=8, compare_today=False)
    assert result.channel_levels is not None
    assert (result.channel_levels["L1"] <= result.levels["L1"]).all()
    assert sum(result.agent_hours("channel").values()) <= sum(
        result.agent_hours("simulated").values())


def test_staffed_agents_keep_the_teams_policies_name() -> None:
    scenario = simdesk.load_scenario("scenarios/freemium-outage.yaml")
    grid = WeekGrid(60)
    levels = np.tile(np.r_[np.zeros(7), np.full(16, 3), np.zeros(1)], 7).astype(np.int64)
    staffed = staffed_scenario(scenario, {"L1": levels}, grid)
    groups = staffed.tiers["L1"].agents
    evening = [g for g in groups if g.team == "evening"]
    assert evening and sum(g.count for g in evening) >= 1
    assert "07:00-23:00" in evening[0].shift
    plan = compile_plan(staffed)
    on = sum(a.duty_minutes for a in plan.tiers[0].agents)
    assert on == pytest.approx(3 * 16 * 60 * 7 * (plan.horizon / 10080), rel=0.01)
    goals = goals_for(compile_plan(scenario), None, 60.0, grid)
    assert [g.tier for g in goals] == ["L1"]
