"""The runner's shortcuts change no answer: an extension's values stack onto the run's,
its parts join into the run of all replications, and a search on the compiled loop runs
in this process."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.plan.compile import compile_plan
from simdesk.staffing.grid import WeekGrid
from simdesk.staffing.judge import batches_per_replication, per_replication
from simdesk.staffing.runner import Runner, joined
from simdesk.staffing.search import erlang_levels, goals_for
from simdesk.staffing.seats import staffed_scenario


def _desk(**routing: Any) -> simdesk.Scenario:
    data: dict[str, Any] = {
        "name": "chat", "horizon": "2w", "warmup": "1d",
        "channels": {"chat": {"sla": {"within": "2m", "target": "80%"},
                              "patience": {"dist": "exponential", "mean": "10m"}}},
        "arrivals": [{"channel": "chat", "volume": "300/d", "profile": "consumer"}],
        "tiers": {"L1": {"agents": 4, "handle": {"dist": "exponential", "mean": "12m"}}},
    }
    if routing:
        data["routing"] = routing
    return simdesk.load_scenario(data)


def test_an_extension_joins_and_stacks_into_the_run_of_all_replications() -> None:
    scenario = _desk()
    plan = compile_plan(scenario)
    goal = goals_for(plan, None, 60.0, WeekGrid(60))[0]
    batches = batches_per_replication(plan, goal)
    whole = simdesk.simulate(scenario, seed=3, replications=5)
    parts = [simdesk.simulate(scenario, seed=3, replications=2),
             simdesk.simulate(scenario, seed=3, replications=3, first=2)]
    together = joined(parts)
    assert together.replications == 5 and together.scenario.replications == 5
    for name in ("tickets", "visits", "duty", "replies", "queue_area", "actions", "fixes"):
        pd.testing.assert_frame_equal(getattr(together, name), getattr(whole, name))
    stacked = [per_replication(part, goal, batches) for part in parts]
    for channel, values in per_replication(whole, goal, batches).items():
        np.testing.assert_array_equal(
            np.vstack([stacked[0][channel], stacked[1][channel]]), values)


@pytest.mark.parametrize(("routing", "in_process"), [({}, True),
                                                     ({"policy": "newest-first"}, False)])
def test_a_search_runs_in_process_where_the_compiled_loop_covers_it(
        routing: dict[str, str], in_process: bool) -> None:
    pytest.importorskip("numba")
    scenario = _desk(**routing)
    plan = compile_plan(scenario)
    grid = WeekGrid(60)
    goals = goals_for(plan, None, 60.0, grid)
    runner = Runner(scenario, plan, grid, goals, seed=5, start=2, most=8)
    levels = {goal.tier: erlang_levels(plan, goal, grid)[0] for goal in goals}
    evaluation = runner.evaluate(levels, "Erlang")
    assert runner.in_process is in_process
    assert len(evaluation.parts) > 1  # extended: the stacking is exercised
    for goal in goals:  # the values stacked over the extensions are those of the run
        whole = per_replication(evaluation.result, goal, runner.batches[goal.tier])
        for channel, values in evaluation.values[goal.tier].items():
            np.testing.assert_array_equal(values, whole[channel])
    assert evaluation.replications == evaluation.result.replications
    # in process the run is lean (past its first replication, run before the search
    # knew where it runs), and its result the run simulated again with every table
    assert all(part.visits.empty for part in evaluation.parts[1:]) is in_process
    assert (evaluation.rerun is not None) is in_process
    staffed = staffed_scenario(scenario, evaluation.levels, grid, plan)
    again = simdesk.simulate(staffed, seed=5, replications=evaluation.replications)
    for name in ("tickets", "visits", "duty", "replies", "queue_area", "actions", "fixes"):
        pd.testing.assert_frame_equal(getattr(evaluation.result, name), getattr(again, name))
