"""Metrics of the engine's behaviour columns (deflected and reopens on tickets, contact on
visits), on hand-built tables: the engine side lands separately, so these tables stand
in for its output. Without the columns, the features count as off."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import simdesk
from simdesk.console.beyond_sla import behaviour_table
from simdesk.metrics.run import run_metrics
from simdesk.metrics.tickets import ticket_metrics, uses_deflection
from simdesk.metrics.tiers import tier_metrics
from simdesk.plan.model import DeskPlan
from tests.helpers import plan_for


def _tickets() -> pd.DataFrame:
    """Six measured tickets and one of the warm-up, one replication, two topics:

    0  easy, answered at once, resolved, no repeat contact;
    1  easy, deflected by self-service (no wait, no SLA outcome, resolved at arrival);
    2  hard, answered after 2 min (SLA missed), resolved after 2 repeat contacts;
    3  hard, answered, resolved after 1 repeat contact;
    4  hard, abandoned;
    5  easy, deflected;
    6  easy, warm-up (deflected: not counted).
    """
    nan = math.nan
    return pd.DataFrame({
        "replication": np.zeros(7, dtype=np.int32),
        "ticket": np.arange(7),
        "channel": pd.Categorical(["phone"] * 7, categories=["phone"]),
        "segment": pd.Categorical(["default"] * 7, categories=["default"]),
        "topic": pd.Categorical(["easy", "easy", "hard", "hard", "hard", "easy", "easy"],
                                categories=["easy", "hard"]),
        "arrived": [10.0, 11, 12, 13, 14, 15, 1],
        "first_response": [10.0, nan, 14, 13.5, nan, nan, nan],
        "wait": [0.0, nan, 2, 0.5, nan, nan, nan],
        "resolved": [20.0, 11, 300, 200, nan, 15, 1],
        "abandoned": [False, False, False, False, True, False, False],
        "sla_met": pd.array([True, None, False, True, False, None, None], dtype="boolean"),
        "path": pd.Categorical(["L1", "", "L1", "L1", "L1", "", ""], categories=["", "L1"]),
        "warmup": [False] * 6 + [True],
        "refused": [False] * 7,
        "deflected": [False, True, False, False, False, True, True],
        "reopens": [0, 0, 2, 1, 0, 0, 0],
    })


def _values(frame: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    return {(s, g, m): v for s, g, m, v in
            frame[["scope", "group", "metric", "value"]].itertuples(index=False)}


def test_deflected_tickets_count_but_have_no_service_outcome() -> None:
    values = _values(ticket_metrics(_tickets(), deflection=True, reopens=True))
    assert values[("overall", "all", "tickets")] == 6
    assert values[("overall", "all", "deflected")] == pytest.approx(2 / 6)
    assert values[("topic", "easy", "deflected")] == pytest.approx(2 / 3)
    assert values[("topic", "hard", "deflected")] == 0.0
    assert values[("overall", "all", "sla")] == pytest.approx(2 / 4)  # 0, 3 met; 2, 4 not
    assert values[("overall", "all", "wait_mean")] == pytest.approx(2.5 / 3)
    assert values[("overall", "all", "abandonment")] == pytest.approx(1 / 4)
    # resolution over the three tickets agents resolved, not the deflected ones
    assert values[("overall", "all", "resolution_mean")] == pytest.approx(
        (10 + 288 + 187) / 3)
    assert values[("overall", "all", "unresolved")] == 0


def test_repeat_contacts_per_resolved_ticket() -> None:
    values = _values(ticket_metrics(_tickets(), deflection=True, reopens=True))
    assert values[("overall", "all", "reopen_rate")] == pytest.approx(3 / 3)
    assert values[("topic", "hard", "reopen_rate")] == pytest.approx(3 / 2)
    assert values[("topic", "easy", "reopen_rate")] == 0.0


def test_the_metrics_come_only_when_asked() -> None:
    """run_metrics asks when the scenario deflects or reopens; the columns are always there."""
    tickets = _tickets()
    assert not {"deflected", "reopen_rate"} & set(ticket_metrics(tickets)["metric"])
    found = set(ticket_metrics(tickets, deflection=True, reopens=True)["metric"])
    assert {"deflected", "reopen_rate"} <= found
    # asked, but the table has no column: nothing was deflected or reopened
    bare = tickets.drop(columns=["deflected", "reopens"])
    values = _values(ticket_metrics(bare, deflection=True, reopens=True))
    assert values[("overall", "all", "deflected")] == 0.0


def _plan(**overrides: Any) -> DeskPlan:
    data: dict[str, Any] = {
        "horizon": "10h", "warmup": "1h", "topics": {"easy": "60%", "hard": "40%"},
        "tiers": {"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"},
                         "resolves": "80%", "escalate_to": "L2"},
                  "L2": {"agents": 1, "handle": {"dist": "exponential", "mean": "20m"}}}}
    return plan_for(**{**data, **overrides})


def _visits(plan: DeskPlan) -> pd.DataFrame:
    """L1: 10 min on first contacts, 5 on a repeat contact (one of them half before the
    warm-up ends at 60); L2: 20 min on a first contact."""
    agents = [a.name for a in plan.agents]
    return pd.DataFrame({
        "replication": np.zeros(5, dtype=np.int32),
        "ticket": [0, 1, 2, 3, 4],
        "tier": pd.Categorical(["L1", "L1", "L1", "L1", "L2"], categories=["L1", "L2"]),
        "agent": pd.Categorical(["L1#1", "L1#2", "L1#1", "L1#2", "L2#1"], categories=agents),
        "queued": [100.0, 110, 200, 50, 300],
        "start": [100.0, 110, 200, 55, 300],
        "end": [105.0, 115, 205, 65, 320],
        "contact": [0, 0, 1, 1, 0],
    })


def test_repeat_work_is_the_share_of_handling_time_on_repeat_contacts() -> None:
    plan = _plan()
    visits = _visits(plan)
    duty = pd.DataFrame({"replication": np.zeros(3, dtype=np.int32),
                         "tier": pd.Categorical(["L1", "L1", "L2"], categories=["L1", "L2"]),
                         "agent": pd.Categorical(["L1#1", "L1#2", "L2#1"],
                                                 categories=[a.name for a in plan.agents]),
                         "on": [0.0, 0, 0], "off": [600.0, 600, 600]})
    areas = pd.DataFrame({"replication": [0, 0], "tier": ["L1", "L2"], "area": [0.0, 0.0]})
    values = _values(tier_metrics(plan, visits, duty, areas, repeat_work=True))
    # L1 in the window (60–600): 5 + 5 + 5 (repeat) + 5 (repeat, from 60 to 65)
    assert values[("tier", "L1", "repeat_work")] == pytest.approx(10 / 20)
    assert values[("tier", "L2", "repeat_work")] == 0.0
    assert ("tier", "L1", "repeat_work") not in _values(tier_metrics(plan, visits, duty, areas))
    bare = _values(tier_metrics(plan, visits.drop(columns="contact"), duty, areas,
                                repeat_work=True))
    assert bare[("tier", "L1", "repeat_work")] == 0.0


def test_a_run_measures_what_its_scenario_uses() -> None:
    """The scenario decides: deflection and reopen metrics appear only when a topic (or
    tier) has them, whatever columns the tables hold."""
    plain = _plan()
    used = _plan(topics={"easy": {"share": "60%", "deflection": "30%"},
                         "hard": {"share": "40%", "reopens": {
                             "share": "20%", "after": {"dist": "exponential", "mean": "1d"}}}})
    assert not uses_deflection(plain.scenario) and uses_deflection(used.scenario)
    tickets = _tickets().assign(
        channel=lambda t: pd.Categorical(t["channel"].astype(str), categories=["phone"]))
    visits = _visits(plain)
    duty = visits.iloc[:0][["replication", "tier", "agent"]].assign(on=[], off=[])
    areas = pd.DataFrame({"replication": [0, 0], "tier": ["L1", "L2"], "area": [0.0, 0.0]})
    replies = pd.DataFrame()
    off = set(run_metrics(plain, tickets, visits, duty, replies, areas)["metric"])
    on = set(run_metrics(used, tickets, visits, duty, replies, areas)["metric"])
    assert not {"deflected", "reopen_rate", "repeat_work"} & off
    assert {"deflected", "reopen_rate", "repeat_work"} <= on


def test_the_console_table_appears_with_the_features() -> None:
    data = {
        "name": "self-service desk", "horizon": "1d",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"}}},
        "topics": {"easy": {"share": "60%", "deflection": "30%"}, "hard": "40%"},
        "arrivals": [{"channel": "phone", "rate": "6/h"}],
        "tiers": {"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"}}},
    }
    result = simdesk.simulate(data, seed=1, replications=2)
    table = behaviour_table(result)
    assert table is not None
    console = Console(width=160, record=True)
    console.print(table)
    text = console.export_text()
    assert "Self-service (deflected)" in text and "Repeat contacts" not in text
    data["topics"] = {"easy": "60%", "hard": "40%"}
    assert behaviour_table(simdesk.simulate(data, seed=1, replications=2)) is None
