"""Work and ratings per agent and per topic, on hand-built tickets and visits: who gets
the rating, minutes per ticket, escalations, and the good share on the same tickets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.metrics.agents import effort_metrics
from simdesk.metrics.ratings import RATINGS
from simdesk.plan.model import DeskPlan
from tests.helpers import plan_for


def _plan() -> DeskPlan:
    return plan_for(
        topics={"easy": "50%", "hard": "50%"},
        tiers={"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"},
                      "resolves": "80%", "escalate_to": "L2"},
               "L2": {"agents": 1, "handle": {"dist": "exponential", "mean": "20m"}}},
        satisfaction={})


def _tables(plan: DeskPlan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five tickets of one replication:

    0  easy, L1#1 resolves it in 10 min, rated good;
    1  hard, L1#2 works 5 min and escalates, L2#1 resolves it in 20 min, rated bad;
    2  easy, a conversation: L1#1 replies (3 min), L1#2 replies and resolves (3 min), okay;
    3  easy, the customer left before anyone answered: no visit by an agent, no rating;
    4  easy, arrived in the warm-up: not measured.
    """
    def cat(values: list[str | None], names: list[str]) -> pd.Categorical:
        return pd.Categorical(values, categories=names)

    paths = ["", "L1", "L1>L2"]
    tickets = pd.DataFrame({
        "replication": np.zeros(5, dtype=np.int32),
        "ticket": np.arange(5),
        "channel": cat(["phone"] * 5, ["phone"]),
        "topic": cat(["easy", "hard", "easy", "easy", "easy"], ["easy", "hard"]),
        "arrived": [10.0, 11.0, 12.0, 13.0, 1.0],
        "resolved": [20.0, 36.0, 30.0, math.nan, 5.0],
        "path": cat(["L1", "L1>L2", "L1", "L1", "L1"], paths),
        "warmup": [False, False, False, False, True],
        "refused": [False] * 5,
        "satisfaction": pd.Categorical(["good", "bad", "okay", None, "good"],
                                       categories=list(RATINGS), ordered=True),
    })
    agents = [a.name for a in plan.agents]
    visits = pd.DataFrame({
        "replication": np.zeros(7, dtype=np.int32),
        "ticket": [0, 1, 1, 2, 2, 3, 4],
        "tier": cat(["L1", "L1", "L2", "L1", "L1", "L1", "L1"], ["L1", "L2"]),
        "agent": cat(["L1#1", "L1#2", "L2#1", "L1#1", "L1#2", None, "L1#1"], agents),
        "queued": [10.0, 11.0, 16.0, 12.0, 24.0, 13.0, 1.0],
        "start": [10.0, 11.0, 16.0, 12.0, 27.0, math.nan, 1.0],
        "end": [20.0, 16.0, 36.0, 15.0, 30.0, 15.0, 5.0],
    })
    return tickets, visits


def _values(frame: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    return {(s, g, m): v for s, g, m, v in
            frame[["scope", "group", "metric", "value"]].itertuples(index=False)}


def test_work_and_ratings_per_agent() -> None:
    plan = _plan()
    tickets, visits = _tables(plan)
    values = _values(effort_metrics(plan, tickets, visits))
    expected = {
        # worked, resolved, minutes per ticket worked, escalated, good, bad, rated
        "L1#1": (2, 1, (10 + 3) / 2, 0.0, 1.0, 0.0, 1),
        "L1#2": (2, 1, (5 + 3) / 2, 0.5, 0.0, 0.0, 1),
        "L2#1": (1, 1, 20.0, 0.0, 0.0, 1.0, 1),
    }
    for agent, (worked, resolved, handle, escalated, good, bad, rated) in expected.items():
        got = [values[("agent", agent, m)] for m in
               ("worked", "resolved", "handle_mean", "escalated", "csat", "bad", "rated")]
        assert got == pytest.approx([worked, resolved, handle, escalated, good, bad, rated]), agent
    # same tickets: the easy L1-only tickets (0 good, 2 okay) rate 50 % good; ticket 1's
    # kind (hard, L1>L2) 0 %
    assert values[("agent", "L1#1", "csat_expected")] == pytest.approx(0.5)
    assert values[("agent", "L1#1", "csat_vs_mix")] == pytest.approx(0.5)
    assert values[("agent", "L1#2", "csat_vs_mix")] == pytest.approx(-0.5)
    assert values[("agent", "L2#1", "csat_expected")] == pytest.approx(0.0)
    assert values[("agent", "L2#1", "csat_vs_mix")] == pytest.approx(0.0)


def test_effort_per_topic_and_overall() -> None:
    plan = _plan()
    tickets, visits = _tables(plan)
    values = _values(effort_metrics(plan, tickets, visits))
    assert values[("overall", "all", "resolved")] == 3
    assert values[("overall", "all", "handle_mean")] == pytest.approx((10 + 25 + 6) / 3)
    assert values[("overall", "all", "escalated")] == pytest.approx(1 / 3)
    assert values[("topic", "easy", "resolved")] == 2
    assert values[("topic", "easy", "handle_mean")] == pytest.approx(8.0)
    assert values[("topic", "easy", "escalated")] == 0.0
    assert values[("topic", "hard", "handle_mean")] == pytest.approx(25.0)
    assert values[("topic", "hard", "escalated")] == 1.0


def test_the_order_of_the_visits_does_not_matter() -> None:
    plan = _plan()
    tickets, visits = _tables(plan)
    shuffled = visits.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(effort_metrics(plan, tickets, visits),
                                  effort_metrics(plan, tickets, shuffled))


def test_a_dispatcher_hands_on_and_is_never_rated() -> None:
    data = {
        "name": "dispatch", "horizon": "2d", "warmup": "4h",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"}}},
        "arrivals": [{"channel": "phone", "rate": "6/h"}],
        "tiers": {"dispatcher": {"agents": 1, "handle": {"dist": "exponential", "mean": "1m"},
                                 "channels": ["phone"]},
                  "L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "10m"}}},
        "satisfaction": {},
    }
    result = simdesk.simulate(data, seed=2, replications=2)
    values = _values(result.metrics.groupby(["scope", "group", "metric"], as_index=False)[
        "value"].mean())
    assert values[("agent", "dispatcher#1", "worked")] > 100
    assert values[("agent", "dispatcher#1", "resolved")] == 0
    assert math.isnan(values[("agent", "dispatcher#1", "escalated")])
    assert math.isnan(values[("agent", "dispatcher#1", "csat")])
    # a hand-over by the dispatcher is no escalation, for the ticket nor for L1
    assert values[("overall", "all", "escalated")] == 0.0
    assert values[("agent", "L1#1", "escalated")] == 0.0
    resolved = sum(values[("agent", f"L1#{i}", "resolved")] for i in (1, 2))
    assert resolved == pytest.approx(values[("overall", "all", "resolved")])
