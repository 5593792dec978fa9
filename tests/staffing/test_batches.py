"""Week batches: a desk that forgets within a day gives one sample of every pool per week
of each replication; one whose clock stops at night (or whose customers wait longer
than a day) gives one per replication."""

from __future__ import annotations

import numpy as np

import simdesk
from simdesk.staffing.grid import WeekGrid
from simdesk.staffing.judge import batches_per_replication, per_replication
from simdesk.staffing.search import goals_for
from tests.helpers import scenario_dict


def _desk(sla: dict[str, str] | None = None, **channel: object) -> simdesk.Scenario:
    return simdesk.load_scenario(scenario_dict(
        start="2026-01-05", horizon="3w", warmup="1d",
        channels={"chat": {"sla": {"within": "2m", "target": "80%"} | (sla or {})}
                  | channel},
        arrivals=[{"channel": "chat", "rate": "20/h"}],
        tiers={"L1": {"agents": 4, "handle": {"dist": "exponential", "mean": "10m"}}},
    ))


def test_weeks_are_samples_on_a_desk_that_forgets_within_a_day() -> None:
    scenario = _desk(patience={"dist": "exponential", "mean": "10m"})
    result = simdesk.simulate(scenario, seed=4, replications=2)
    goal = goals_for(result.plan, None, 60.0, WeekGrid(60))[0]
    batches = batches_per_replication(result.plan, goal)
    assert batches == 3  # Tue of week 1 (after the warm-up day) to Sun of week 3
    weekly = per_replication(result, goal, batches)["chat"]
    whole = per_replication(result, goal)["chat"]
    assert weekly.shape == (2 * batches, whole.shape[1])
    # Monday pools miss the first week (warm-up); every other pool has a value each week
    monday = set(goal.demand.classes[:24].tolist())
    others = [p for p in range(whole.shape[1]) if p not in monday]
    assert not np.isnan(weekly[:, others]).any()
    # the weeks' tickets make up the replication's: the weekly means bracket its mean
    for replication in range(2):
        rows = weekly[replication * batches:(replication + 1) * batches, others]
        assert (rows.min(axis=0) <= whole[replication, others] + 1e-12).all()
        assert (rows.max(axis=0) >= whole[replication, others] - 1e-12).all()


def test_one_sample_per_replication_where_backlogs_last() -> None:
    hours = _desk({"hours": "Mon-Fri 08:00-18:00"})
    plan = simdesk.simulate(hours, seed=1, replications=1).plan
    goal = goals_for(plan, None, 60.0, WeekGrid(60))[0]
    assert batches_per_replication(plan, goal) == 1
    patient = _desk(patience={"dist": "exponential", "mean": "2d"})
    plan = simdesk.simulate(patient, seed=1, replications=1).plan
    goal = goals_for(plan, None, 60.0, WeekGrid(60))[0]
    assert batches_per_replication(plan, goal) == 1
