"""Simulation-based staffing against Erlang: equal where Erlang's assumptions hold,
better where they do not (time-varying load, abandonment, escalations)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import simdesk
from simdesk.plan.compile import compile_plan
from simdesk.staffing.grid import WeekGrid
from simdesk.staffing.search import staff, staffed_scenario
from tests.helpers import scenario_dict


def test_the_week_grid_turns_levels_into_shifts() -> None:
    grid = WeekGrid(60)
    levels = np.zeros(168, dtype=np.int64)
    levels[8:12] = 2  # Mon 08:00-12:00: two agents
    levels[10] = 3
    levels[24 + 23] = 1  # Tue 23:00-24:00, then Wed 00:00-01:00
    levels[48] = 1
    shifts = grid.shifts(levels)
    assert shifts == [
        {"shift": "Mon 08:00-12:00; Tue 23:00-24:00; Wed 00:00-01:00", "count": 1},
        {"shift": "Mon 08:00-12:00", "count": 1},
        {"shift": "Mon 10:00-11:00", "count": 1},
    ]
    assert grid.label(24 + 23) == "Tue 23:00"


def test_constant_load_single_tier_fifo_matches_erlang_within_one_agent() -> None:
    scenario = simdesk.load_scenario(scenario_dict(
        horizon="3w", warmup="1d",
        channels={"phone": {"sla": {"within": "1m", "target": "80%"}}},
        arrivals=[{"channel": "phone", "rate": "30/h"}],
        tiers={"L1": {"agents": 5, "handle": {"dist": "exponential", "mean": "10m"}}},
    ))
    result = staff(scenario, interval=240, seed=3, replications=6)
    difference = result.levels["L1"] - result.erlang["L1"]
    assert np.abs(difference).max() <= 1
    assert (result.erlang["L1"] == 8).all()  # Erlang C: 30/h × 10 min, 80 % in 1 min


def _lagging_desk() -> Any:
    hours = [0] * 7 + [0.2, 1, 1, 1, 0.15, 0.15, 1, 1, 1, 0.2, 0.1] + [0] * 6
    return simdesk.load_scenario(scenario_dict(
        horizon="3w", warmup="1d",
        channels={"chat": {"sla": {"within": "5m", "target": "80%"},
                           "patience": {"dist": "exponential", "mean": "10m"}}},
        arrivals=[{"channel": "chat", "rate": "40/h",
                   "profile": {"weekdays": [1, 1, 1, 1, 1, 0, 0], "hours": hours}}],
        tiers={"L1": {"agents": 5, "handle": {"dist": "lognormal", "mean": "25m", "cv": 1.5},
                      "resolves": "70%", "escalate_to": "L2"},
               "L2": {"agents": 3, "handle": {"dist": "gamma", "mean": "45m", "cv": 1}}},
    ))


def test_time_varying_load_erlang_misses_after_the_peak_and_the_simulated_plan_does_not() -> None:
    result = staff(_lagging_desk(), interval=60, seed=1, replications=6)
    table = result.table()
    missed = table.loc[~table["erlang_met"]]
    assert len(missed) > 0  # Erlang ignores the backlog a peak leaves behind ...
    assert set(missed["when"].str[-5:]) & {"11:00", "17:00"}  # ... in the hour after it
    assert table["simulated_met"].all()  # the simulated plan meets every interval
    eleven = table.loc[table["when"] == "Mon 11:00"].iloc[0]
    assert eleven["simulated"] > eleven["erlang"]


def test_the_staffed_scenario_puts_the_levels_on_duty() -> None:
    scenario = _lagging_desk()
    grid = WeekGrid(60)
    levels = {"L1": np.tile(np.r_[np.zeros(8), np.full(10, 4), np.zeros(6)], 7).astype(int)}
    staffed = staffed_scenario(scenario, levels, grid)
    plan = compile_plan(staffed)
    on_duty = sum(agent.duty_minutes for agent in plan.tiers[0].agents)
    assert on_duty == pytest.approx(4 * 10 * 60 * 21)  # 4 agents, 10 h a day, 21 days
