"""Desk rules on scripted tickets: cross-tier help, pre-emption, occupancy caps — exact
event orders and records."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from simdesk.engine.occupancy import rest_needed, worked_within
from simdesk.engine.run import run_desk
from simdesk.plan.rules import OccupancyRule, desk_rules
from simdesk.policies import make_policy
from tests.helpers import Scripted, batch_of, events, plan_for, run_scripted

HANDLE = {"dist": "exponential", "mean": "5m"}

# -- cross-tier help ----------------------------------------------------------------------


def _two_tiers(rule: dict[str, Any], l1_agents: int = 1) -> Any:
    return plan_for(tiers={
        "L1": {"agents": l1_agents, "handle": HANDLE, "resolves": "50%", "escalate_to": "L2"},
        "L2": {"agents": 1, "handle": HANDLE, "helps": [rule]},
    })


TICKETS = [Scripted(0, [10], visits=1), Scripted(1, [4], visits=1),
           Scripted(2, [3], visits=1), Scripted(3, [5, 6])]


def test_an_idle_helper_takes_the_helped_tiers_ticket_on_arrival() -> None:
    record = run_scripted(_two_tiers({"tier": "L1"}), TICKETS)
    assert events(record, "start", "help", "done") == [
        (0, "start", 0, "L1#1"),
        (1, "help", 1, "L2#1"),  # L1#1 is busy, L2#1 idle: it helps at once
        (1, "start", 1, "L2#1"),
        (5, "done", 1, "L2#1"),
        (5, "help", 2, "L2#1"),  # nothing of its own: the next L1 ticket
        (5, "start", 2, "L2#1"),
        (8, "done", 2, "L2#1"),
        (8, "help", 3, "L2#1"),
        (8, "start", 3, "L2#1"),
        (10, "done", 0, "L1#1"),
        (13, "done", 3, "L2#1"),  # ticket 3 escalates from L1 (done by L2#1) to L2 ...
        (13, "start", 3, "L2#1"),  # ... where it is L2's own work
        (19, "done", 3, "L2#1"),
    ]
    # the helped visits are L1's (tier 0), handled by L2#1 (agent 1)
    visits = record.visits[np.lexsort((record.visits[:, 4], record.visits[:, 0]))]
    assert visits[:, :3].tolist() == [[0, 0, 0], [1, 0, 1], [2, 0, 1], [3, 0, 1], [3, 1, 1]]
    assert record.resolved.tolist() == [10, 5, 8, 19]


def test_own_work_comes_first() -> None:
    plan = _two_tiers({"tier": "L1"})
    record = run_scripted(plan, [
        Scripted(0, [10, 4]), Scripted(1, [3], visits=1), Scripted(2, [10], visits=1),
        Scripted(3, [1], visits=1), Scripted(5, [10], visits=1), Scripted(6, [10], visits=1)])
    # at 14 L2#1 is free with its own ticket 0 (escalated at 10) and L1's ticket 5
    # waiting: its own first, then it helps
    assert events(record, "start", "help") == [
        (0, "start", 0, "L1#1"), (1, "help", 1, "L2#1"), (1, "start", 1, "L2#1"),
        (4, "help", 2, "L2#1"), (4, "start", 2, "L2#1"), (10, "start", 3, "L1#1"),
        (11, "start", 4, "L1#1"), (14, "start", 0, "L2#1"), (18, "help", 5, "L2#1"),
        (18, "start", 5, "L2#1")]


def test_help_when_older_than_waits_for_the_crunch() -> None:
    record = run_scripted(_two_tiers({"tier": "L1", "older_than": "5m"}), TICKETS)
    assert events(record, "start", "help") == [
        (0, "start", 0, "L1#1"),
        (6, "help", 1, "L2#1"),  # ticket 1 has waited 5 minutes: the crunch begins
        (6, "start", 1, "L2#1"),
        (10, "start", 2, "L1#1"),
        (10, "help", 3, "L2#1"),  # ticket 3 has waited 7
        (10, "start", 3, "L2#1"),
        (15, "start", 3, "L2#1"),
    ]


def test_help_when_longer_than_counts_waiting_tickets() -> None:
    record = run_scripted(_two_tiers({"tier": "L1", "longer_than": 1}), TICKETS)
    # at 2 and at 6 two tickets wait at L1 (more than one): L2#1 takes the oldest; at 9
    # only one waits, and L2#1 stays idle
    assert events(record, "start", "help") == [
        (0, "start", 0, "L1#1"), (2, "help", 1, "L2#1"), (2, "start", 1, "L2#1"),
        (6, "help", 2, "L2#1"), (6, "start", 2, "L2#1"), (10, "start", 3, "L1#1"),
        (15, "start", 3, "L2#1")]


def test_first_puts_the_crunch_before_own_work() -> None:
    plan = plan_for(tiers={
        "L1": {"agents": 1, "handle": HANDLE, "resolves": "50%", "escalate_to": "L2"},
        "L2": {"agents": 1, "handle": HANDLE,
               "helps": [{"tier": "L1", "longer_than": 1, "first": True}]},
    })
    record = run_scripted(plan, [Scripted(0, [2, 10]), Scripted(1, [5, 1]),
                                 Scripted(3, [9], visits=1), Scripted(4, [9], visits=1),
                                 Scripted(5, [9], visits=1)])
    # at 12 L2#1 is free: its own ticket 1 (escalated at 7) waits, and two L1 tickets
    # (3 and 4) — a crunch, which goes first; at 21 the crunch is over: its own
    assert events(record, "start", "help") == [
        (0, "start", 0, "L1#1"), (2, "start", 0, "L2#1"), (2, "start", 1, "L1#1"),
        (7, "start", 2, "L1#1"), (12, "help", 3, "L2#1"), (12, "start", 3, "L2#1"),
        (16, "start", 4, "L1#1"), (21, "start", 1, "L2#1")]


# -- pre-emption --------------------------------------------------------------------------


def _blended(restart: str = "0m", agents: int = 1, **overrides: Any) -> Any:
    return plan_for(**overrides,
        channels={"phone": {"sla": {"within": "30s", "target": "80%"}},
                  "email": {"sla": {"within": "4h", "target": "80%"}}},
        arrivals=[{"channel": "phone", "rate": "10/h"}, {"channel": "email", "rate": "10/h"}],
        tiers={"L1": {"agents": [{"shift": "24x7", "count": agents,
                                  "channels": ["phone", "email"]}],
                      "handle": HANDLE,
                      "preempt": [{"channel": "phone", "interrupts": ["email"],
                                   "restart_cost": restart}]}})


PHONE, EMAIL = 0, 1


def test_a_call_interrupts_an_email_which_resumes_with_its_restart_cost() -> None:
    record = run_scripted(_blended("1m"), [
        Scripted(0, [10], channel=EMAIL), Scripted(4, [3]), Scripted(5, [2]),
        Scripted(6, [4], channel=EMAIL)])
    assert events(record, "start", "done", "interrupt", "resume") == [
        (0, "start", 0, "L1#1"),
        (4, "interrupt", 0, "L1#1"),  # 4 of the email's 10 minutes done, 6 left
        (4, "start", 1, "L1#1"),
        (7, "done", 1, "L1#1"),
        (7, "start", 2, "L1#1"),  # a call still waits: it goes before the email
        (9, "done", 2, "L1#1"),
        (9, "resume", 0, "L1#1"),  # 6 left + 1 to pick it up again
        (16, "done", 0, "L1#1"),
        (16, "start", 3, "L1#1"),  # the other email waited behind it
        (20, "done", 3, "L1#1"),
    ]
    rows = {int(r[0]): r.tolist() for r in record.visits}
    assert rows[0] == [0, 0, 0, 0, 5, 16, 0]  # 11 minutes of service end at 16
    assert record.first_response[0] == 0  # first picked up at 0
    assert record.resolved.tolist() == [16, 7, 9, 20]


def test_the_agent_who_started_last_is_pulled_off() -> None:
    record = run_scripted(_blended(agents=2), [
        Scripted(0, [10], channel=EMAIL), Scripted(1, [10], channel=EMAIL), Scripted(2, [3])])
    assert events(record, "interrupt", "resume") == [
        (2, "interrupt", 1, "L1#2"), (5, "resume", 1, "L1#2")]
    assert record.resolved.tolist() == [10, 14, 5]


def test_a_call_that_finds_an_idle_agent_interrupts_nobody() -> None:
    record = run_scripted(_blended(agents=2), [
        Scripted(0, [10], channel=EMAIL), Scripted(2, [3])])
    assert events(record, "interrupt") == []
    assert record.resolved.tolist() == [10, 5]


def test_a_call_does_not_interrupt_a_call() -> None:
    record = run_scripted(_blended(), [Scripted(0, [10]), Scripted(2, [3])])
    assert events(record, "interrupt") == []
    assert record.resolved.tolist() == [10, 13]


def test_work_set_aside_is_finished_after_the_shift() -> None:
    plan = plan_for(
        horizon="2d",
        channels={"phone": {"sla": {"within": "30s", "target": "80%"}},
                  "email": {"sla": {"within": "4h", "target": "80%"}}},
        arrivals=[{"channel": "phone", "rate": "10/h"}, {"channel": "email", "rate": "10/h"}],
        tiers={"L1": {"agents": [{"shift": "daily 09:00-10:00", "count": 1,
                                  "channels": ["phone", "email"]}],
                      "handle": HANDLE,
                      "preempt": [{"channel": "phone", "interrupts": ["email"]}]}})
    record = run_scripted(plan, [Scripted(590, [20], channel=EMAIL), Scripted(595, [10])])
    assert events(record, "interrupt", "resume", "done", "off") == [
        (595, "interrupt", 0, "L1#1"), (605, "done", 1, "L1#1"),
        (605, "resume", 0, "L1#1"), (620, "done", 0, "L1#1"), (620, "off", None, "L1#1"),
        (2040, "off", None, "L1#1")]  # the next day's shift, idle
    assert record.duty.tolist() == [[0, 540, 620], [0, 1980, 2040]]


def test_interrupted_work_at_the_horizon_is_recorded_as_unfinished() -> None:
    plan = _blended(horizon="1h")
    record = run_scripted(plan, [Scripted(40, [30], channel=EMAIL), Scripted(50, [30])])
    rows = sorted(record.visits.tolist())
    assert rows[0][:5] == [0, 0, 0, 40, 50] and math.isnan(rows[0][5])  # 10 min worked
    assert rows[1][:5] == [1, 0, 0, 50, 50] and math.isnan(rows[1][5])


# -- occupancy cap ------------------------------------------------------------------------


def _capped(occupancy: dict[str, Any]) -> Any:
    return plan_for(tiers={"L1": {"agents": [{"shift": "24x7", "count": 1,
                                              "occupancy": occupancy}], "handle": HANDLE}})


FOUR = [Scripted(0, [20]), Scripted(1, [20]), Scripted(2, [20]), Scripted(3, [20])]


def test_an_agent_above_the_cap_rests_until_back_under_it() -> None:
    record = run_scripted(_capped({"cap": "50%", "window": "1h"}), FOUR)
    # at 40, 40 of the last 60 minutes were busy (67 %): rest until the window
    # [t − 60, t] holds 30 busy minutes: t = 70
    assert events(record, "start", "rest", "on", "off") == [
        (0, "on", None, "L1#1"), (0, "start", 0, "L1#1"), (20, "start", 1, "L1#1"),
        (40, "rest", None, "L1#1"), (40, "off", None, "L1#1"),
        (70, "on", None, "L1#1"), (70, "start", 2, "L1#1"), (90, "start", 3, "L1#1"),
        (110, "rest", None, "L1#1"), (110, "off", None, "L1#1"), (140, "on", None, "L1#1"),
    ]
    assert record.duty.tolist() == [[0, 0, 40], [0, 70, 110], [0, 140, 1440]]


def test_a_fixed_rest_then_the_next_ticket_without_a_check() -> None:
    record = run_scripted(_capped({"cap": "50%", "window": "1h", "rest": "5m"}), FOUR)
    assert events(record, "start", "rest") == [
        (0, "start", 0, "L1#1"), (20, "start", 1, "L1#1"), (40, "rest", None, "L1#1"),
        (45, "start", 2, "L1#1"), (65, "rest", None, "L1#1"), (70, "start", 3, "L1#1"),
        (90, "rest", None, "L1#1")]


def test_rest_needed_is_exact() -> None:
    rule = OccupancyRule(cap=0.5, window=60.0, rest=None)
    spans = [(0.0, 40.0)]
    assert rest_needed(spans, 40.0, rule) == 30.0
    spans = [(0.0, 10.0), (20.0, 50.0), (50.0, 55.0)]  # 45 busy in [−5, 55]
    r = rest_needed(spans, 55.0, rule)
    assert worked_within(spans, 55.0 + r - 60.0) == pytest.approx(30.0)
    assert worked_within(spans, 55.0 + r - 60.0 - 1e-6) > 30.0


# -- off means identical ------------------------------------------------------------------


def test_a_plan_without_rules_has_none() -> None:
    assert not desk_rules(plan_for()).used


def test_rules_desk_matches_the_plain_desk_when_its_rules_never_fire() -> None:
    """A help rule whose crunch never comes changes nothing."""
    plan = _two_tiers({"tier": "L1", "longer_than": 1000})
    plain = plan_for(tiers={
        "L1": {"agents": 1, "handle": HANDLE, "resolves": "50%", "escalate_to": "L2"},
        "L2": {"agents": 1, "handle": HANDLE}})
    tickets = [Scripted(t * 3.0, [4, 6], visits=1 + (t % 2)) for t in range(40)]
    one = run_desk(plan, batch_of(plan, tickets), make_policy(plan.scenario.routing))
    two = run_desk(plain, batch_of(plain, tickets), make_policy(plain.scenario.routing))
    for name in ("first_response", "resolved", "visits", "duty"):
        assert np.array_equal(getattr(one, name), getattr(two, name), equal_nan=True), name
