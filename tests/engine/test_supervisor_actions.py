"""The supervisor's other actions: switch the routing policy, prioritize a channel for
blended agents — scripted tickets, exact event orders (:mod:`simdesk.engine.supervisor`)."""

from __future__ import annotations

from typing import Any

import pytest

import simdesk
from simdesk.errors import ScenarioError
from simdesk.metrics.actions import action_table
from tests.helpers import Scripted, events, plan_for, run_scripted

LONG = 100.0


def _switching(rule: dict[str, Any]) -> Any:
    return plan_for(horizon="400m",
                    tiers={"L1": {"agents": 1, "handle": {"dist": "exponential",
                                                            "mean": "5m"}}},
                    policies={"newest": {"policy": "newest-first"}},
                    supervisor={"every": "10m", "rules": [{"tier": "L1", **rule}]})


def test_a_policy_switch_holds_until_the_next_review() -> None:
    """One agent busy until 100; tickets 1-3 queue. At 10 the queue (3) is above 2, so the
    tier picks newest first until 20; at 20 the queue is still 3 — above 2 — so it holds
    until 30, and so on until the reviews see the queue at 2 or less. At 100 the agent
    takes the newest (3) under the switch; at 110 the queue is 2: no switch, so at 200
    the agent takes the oldest (1), FIFO again."""
    plan = _switching({"queue_above": 2, "policy": "newest"})
    tickets = [Scripted(at=1 + k, handles=[LONG]) for k in range(4)]
    record = run_scripted(plan, tickets)
    assert events(record, "start") == [(1, "start", 0, "L1#1"), (101, "start", 3, "L1#1"),
                                       (201, "start", 1, "L1#1"), (301, "start", 2, "L1#1")]
    switches = events(record, "policy")
    assert switches[0] == (10, "policy", None, "L1:newest")
    assert switches[-1] == (110, "policy", None, "L1:own")
    actions = action_table(plan, record, 0)
    assert actions["time"].tolist() == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert set(actions["action"]) == {"policy newest"}


def test_a_switch_back_lets_idle_agents_look_again() -> None:
    plan = _switching({"queue_above": 0, "policy": "newest"})
    record = run_scripted(plan, [Scripted(at=1 + k, handles=[LONG]) for k in range(3)])
    # newest first from 10 on while anything waits: 2 before 1
    assert [ticket for _, _, ticket, _ in events(record, "start")] == [0, 2, 1]


def _blended(rule: dict[str, Any]) -> Any:
    return plan_for(
        horizon="300m",
        channels={"phone": {"sla": {"within": "1m", "target": "80%"}},
                  "email": {"sla": {"within": "1h", "target": "80%"}}},
        arrivals=[{"channel": "phone", "rate": "1/h"}, {"channel": "email", "rate": "1/h"}],
        tiers={"L1": {"agents": [{"shift": "24x7", "count": 1, "channels": ["email",
                                                                             "phone"]}],
                      "handle": {"dist": "exponential", "mean": "5m"}}},
        supervisor={"every": "10m", "rules": [{"tier": "L1", **rule}]})


def test_prioritize_puts_a_channel_first_for_blended_agents_until_the_next_review() -> None:
    """The agent takes email before phone. With a phone SLA below 50 % at a review, phone
    comes first until the next review."""
    plan = _blended({"channel": "phone", "sla_below": "50%", "prioritize": "phone"})
    tickets = [Scripted(at=0, handles=[15.0], channel=1),       # email, busy until 15
               Scripted(at=1, handles=[5.0], channel=0),        # phone, waits
               Scripted(at=2, handles=[5.0], channel=1),        # email, waits
               Scripted(at=3, handles=[5.0], channel=0)]        # phone, waits
    record = run_scripted(plan, tickets)
    # at 10 the phone tickets have waited over 1 m: running SLA 0 % → phone first to 20
    assert events(record, "prioritize")[0] == (10, "prioritize", None, "L1:phone")
    assert events(record, "start") == [(0, "start", 0, "L1#1"), (15, "start", 1, "L1#1"),
                                       (20, "start", 3, "L1#1"), (25, "start", 2, "L1#1")]


def test_without_the_rule_email_comes_first() -> None:
    plan = _blended({"channel": "phone", "sla_below": "0%", "prioritize": "phone"})
    tickets = [Scripted(at=0, handles=[15.0], channel=1), Scripted(at=1, handles=[5.0]),
               Scripted(at=2, handles=[5.0], channel=1), Scripted(at=3, handles=[5.0])]
    record = run_scripted(plan, tickets)
    assert [ticket for _, _, ticket, _ in events(record, "start")] == [0, 2, 1, 3]


@pytest.mark.parametrize(("rule", "message"), [
    ({"queue_above": 1, "policy": "fastest"}, "unknown policy 'fastest'"),
    ({"queue_above": 1}, "give one action"),
    ({"queue_above": 1, "call": 1, "policy": "newest"}, "give one action"),
    ({"queue_above": 1, "prioritize": "fax"}, "unknown channel 'fax'"),
])
def test_bad_actions_are_one_clear_line(rule: dict[str, Any], message: str) -> None:
    data = {"name": "d", "horizon": "1d",
            "channels": {"phone": {"sla": {"within": "30s", "target": "80%"}}},
            "arrivals": [{"channel": "phone", "rate": "10/h"}],
            "tiers": {"L1": {"agents": 1, "handle": {"dist": "exponential", "mean": "5m"}}},
            "policies": {"newest": {"policy": "newest-first"}},
            "supervisor": {"rules": [{"tier": "L1", **rule}]}}
    with pytest.raises(ScenarioError) as caught:
        simdesk.load_scenario(data)
    assert message in str(caught.value)
