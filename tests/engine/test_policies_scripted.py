"""Routing policies and conversations on scripted tickets: exact event orders."""

from __future__ import annotations

import sys
from typing import Any

from tests.helpers import Scripted, events, plan_for, run_scripted

TOPICS = {"easy": {"share": "50%", "effort": 0.5}, "hard": {"share": "50%", "effort": 2}}
EASY, HARD = 0, 1


def _desk(routing: dict[str, Any], agents: Any = 1, **overrides: Any) -> Any:
    tiers = {"L1": {"agents": agents, "handle": {"dist": "exponential", "mean": "5m"}}}
    return plan_for(routing=routing, tiers=tiers, **overrides)


def _starts(record: Any) -> list[tuple[float, int | None, str]]:
    return [(time, ticket, where) for time, _, ticket, where in events(record, "start")]


def test_newest_first_takes_the_latest_arrival() -> None:
    plan = _desk({"policy": "newest-first"})
    record = run_scripted(plan, [Scripted(0, [10]), Scripted(1, [1]), Scripted(2, [1]),
                                 Scripted(3, [1])])
    assert [ticket for _, ticket, _ in _starts(record)] == [0, 3, 2, 1]


def test_cherry_pick_takes_the_easiest_estimate_then_the_oldest() -> None:
    plan = _desk({"policy": "cherry-pick"}, topics=TOPICS)
    record = run_scripted(plan, [
        Scripted(0, [10]), Scripted(1, [1], topic=HARD), Scripted(2, [1], topic=EASY),
        Scripted(3, [1], topic=HARD), Scripted(4, [1], topic=EASY),
    ])
    assert [ticket for _, ticket, _ in _starts(record)] == [0, 2, 4, 1, 3]


def test_cherry_pick_noise_uses_each_tickets_own_error() -> None:
    plan = _desk({"policy": "cherry-pick", "noise": "100%"}, topics=TOPICS)
    # the hard ticket looks easy (large negative error), the easy one looks hard
    record = run_scripted(plan, [Scripted(0, [10]), Scripted(1, [1], topic=EASY, error=3),
                                 Scripted(2, [1], topic=HARD, error=-3)])
    assert [ticket for _, ticket, _ in _starts(record)] == [0, 2, 1]


def test_sla_deadline_serves_the_nearest_breach_first() -> None:
    plan = _desk({"policy": "sla-deadline"},
                 channels={"email": {"sla": {"within": "4h", "target": "90%"}},
                           "chat": {"sla": {"within": "5m", "target": "80%"}}},
                 arrivals=[{"channel": "email", "rate": "1/h"},
                           {"channel": "chat", "rate": "1/h"}])
    record = run_scripted(plan, [Scripted(0, [30]), Scripted(1, [1], channel=0),
                                 Scripted(20, [1], channel=1)])
    # at 30: the email is due at 241, the chat at 25 (already late, still first)
    assert [ticket for _, ticket, _ in _starts(record)] == [0, 2, 1]


def test_paid_first_with_promotion_and_restriction() -> None:
    plan = _desk({"policy": "paid-first", "order": ["paid", "free"], "promote_after": "1h",
                  "restrict": {"email": ["paid"]}},
                 segments={"paid": "30%", "free": "70%"},
                 channels={"phone": {"sla": {"within": "30s", "target": "80%"}},
                           "email": {"sla": {"within": "4h", "target": "90%"}}},
                 arrivals=[{"channel": "phone", "rate": "1/h"},
                           {"channel": "email", "rate": "1/h"}])
    paid, free = 0, 1
    record = run_scripted(plan, [
        Scripted(0, [100]),
        Scripted(10, [1], segment=free),  # waits 90 min at t=100: promoted, oldest
        Scripted(50, [1], segment=paid),
        Scripted(60, [1], segment=free),  # waits 40 min: not promoted, after the paid one
        Scripted(70, [1], channel=1, segment=free),  # free on email: refused
    ])
    assert [ticket for _, ticket, _ in _starts(record)] == [0, 1, 2, 3]
    assert record.refused.tolist() == [False, False, False, False, True]
    assert events(record, "refuse") == [(70, "refuse", 4, "email")]


def test_split_sends_one_team_to_each_end() -> None:
    plan = _desk({"policy": "split", "newest": ["fresh"]},
                 agents=[{"shift": "24x7", "count": 1},
                         {"shift": "24x7", "count": 1, "team": "fresh"}])
    record = run_scripted(plan, [Scripted(0, [10]), Scripted(0, [10]), Scripted(1, [1]),
                                 Scripted(2, [1]), Scripted(3, [1])])
    assert _starts(record)[2:] == [(10, 2, "L1#1"), (10, 4, "L1#2"), (11, 3, "L1#1")]


def test_round_robin_assigns_in_turn_even_when_another_agent_is_free() -> None:
    plan = _desk({"policy": "round-robin"}, agents=2)
    record = run_scripted(plan, [Scripted(0, [10]), Scripted(1, [1]), Scripted(2, [1])])
    # ticket 2 is L1#1's turn: it waits for L1#1 though L1#2 is free from 2
    assert _starts(record) == [(0, 0, "L1#1"), (1, 1, "L1#2"), (10, 2, "L1#1")]


def test_skills_wait_for_an_expert_until_the_fallback_then_anyone() -> None:
    plan = _desk({"policy": "skills", "fallback_after": "30m"}, topics=TOPICS,
                 agents=[{"shift": "24x7", "count": 1, "skills": ["easy"]},
                         {"shift": "24x7", "count": 1, "skills": ["hard"]}])
    record = run_scripted(plan, [Scripted(0, [60], topic=HARD), Scripted(5, [1], topic=HARD),
                                 Scripted(6, [1], topic=EASY)])
    assert _starts(record) == [(0, 0, "L1#2"), (6, 2, "L1#1"), (35, 1, "L1#1")]


def test_skills_without_fallback_never_cross_over() -> None:
    plan = _desk({"policy": "skills"}, topics=TOPICS, horizon="1h",
                 agents=[{"shift": "24x7", "count": 1, "skills": ["easy"]},
                         {"shift": "24x7", "count": 1, "skills": ["hard"]}])
    record = run_scripted(plan, [Scripted(0, [100], topic=HARD), Scripted(5, [1], topic=HARD)])
    assert _starts(record) == [(0, 0, "L1#2")]


def test_ninja_takes_the_newest_light_ticket_in_its_window_only() -> None:
    plan = _desk({"policy": "ninja", "agents": 1, "windows": "Mon 01:00-02:00",
                  "max_effort": 1.0}, topics=TOPICS, agents=2, horizon="3h")
    light, heavy = EASY, HARD
    record = run_scripted(plan, [
        Scripted(50, [30]), Scripted(51, [30]),  # both busy until about 80
        Scripted(60, [1], topic=light), Scripted(61, [1], topic=light),
        Scripted(62, [1], topic=heavy),
        Scripted(125, [30]), Scripted(126, [30]),  # after the window
        Scripted(127, [1], topic=light), Scripted(128, [1], topic=heavy),
    ])
    starts = _starts(record)
    # in the window the ninja (L1#1) takes the newest light ticket; at 81 only the heavy
    # one is left besides the oldest: the ninja passes over it and idles, the other
    # agent (FIFO) takes the oldest, then the heavy one
    assert starts[2:5] == [(80, 3, "L1#1"), (81, 2, "L1#2"), (82, 4, "L1#2")]
    # after the window the ninja works FIFO like everyone else
    assert [t for _, t, _ in starts[-2:]] == [7, 8]


def test_a_ninja_idle_beside_heavy_tickets_wakes_when_the_window_ends() -> None:
    plan = _desk({"policy": "ninja", "agents": 1, "windows": "Mon 00:00-01:00"},
                 topics=TOPICS, agents=1, horizon="3h")
    record = run_scripted(plan, [Scripted(10, [5], topic=HARD)])
    assert _starts(record) == [(60, 0, "L1#1")]


def _conversation(routing: dict[str, Any], agents: Any = 2) -> Any:
    return _desk(routing, agents=agents,
                 channels={"email": {"sla": {"within": "4h", "target": "90%"},
                                     "touches": {1: "50%", 3: "50%"},
                                     "reply_after": {"dist": "exponential", "mean": "1h"}}},
                 arrivals=[{"channel": "email", "rate": "1/h"}])


def test_a_conversation_comes_back_after_each_customer_answer() -> None:
    plan = _conversation({"policy": "fifo"})
    record = run_scripted(plan, [Scripted(0, [10], replies=[30, 40], followups=[5, 2])])
    assert events(record, "start", "done", "answer", "resolve") == [
        (0, "start", 0, "L1#1"),
        (10, "done", 0, "L1#1"),
        (40, "answer", 0, "email"),
        (40, "start", 0, "L1#2"),  # shared: the agent idle longest
        (45, "done", 0, "L1#2"),
        (85, "answer", 0, "email"),
        (85, "start", 0, "L1#1"),
        (87, "done", 0, "L1#1"),
        (87, "resolve", 0, "L1"),
    ]
    assert record.first_response.tolist() == [0]
    assert record.replies.tolist() == [[0, 0, 0, 0, 0], [0, 1, 40, 40, 1], [0, 2, 85, 85, 0]]


def test_owned_follow_ups_wait_for_their_owner() -> None:
    plan = _conversation({"policy": "fifo", "ownership": "owner"})
    record = run_scripted(plan, [
        Scripted(0, [10], replies=[30], followups=[5]),  # L1#1 owns it; answer at 40
        Scripted(5, [30]),  # L1#2 busy 5..35, then idle
        Scripted(20, [60]),  # L1#1 busy 20..80
    ])
    # the answer at 40 waits for its owner although L1#2 is free
    assert _starts(record) == [(0, 0, "L1#1"), (5, 1, "L1#2"), (20, 2, "L1#1"),
                               (80, 0, "L1#1")]
    replies = record.replies[record.replies[:, 0] == 0].tolist()
    assert replies == [[0, 0, 0, 0, 0], [0, 1, 40, 80, 0]]


def test_an_owner_fallback_releases_the_follow_up_to_anyone() -> None:
    plan = _conversation({"policy": "fifo", "ownership": "owner", "owner_fallback": "20m"},
                         agents=[{"shift": "Mon 00:00-00:30", "count": 1},
                                 {"shift": "24x7", "count": 1}])
    record = run_scripted(plan, [Scripted(0, [10], replies=[50], followups=[5])])
    # L1#1 answers first and owns it; at the answer (60) L1#1 is off duty; after 20 min
    # the follow-up goes to anyone: L1#2 takes it at 80
    assert _starts(record) == [(0, 0, "L1#1"), (80, 0, "L1#2")]
    assert events(record, "release") == [(80, "release", 0, "L1")]


def test_custom_policy_from_a_module(tmp_path: Any, monkeypatch: Any, code_allowed: None
                                     ) -> None:
    (tmp_path / "scripted_policies.py").write_text(
        "from simdesk.policies import ChoosingPolicy\n\n"
        "class LongestHandleLast(ChoosingPolicy):\n"
        "    name = 'hard-last'\n"
        "    def __init__(self, threshold=1.0):\n"
        "        self.threshold = threshold\n"
        "    def choose(self, waiting, agent, now):\n"
        "        light = [t for t in waiting if t.effort <= self.threshold]\n"
        "        return (light or list(waiting))[0]\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "scripted_policies", raising=False)
    plan = _desk({"policy": "scripted_policies:LongestHandleLast", "options": {"threshold": 1}},
                 topics=TOPICS)
    record = run_scripted(plan, [Scripted(0, [10]), Scripted(1, [1], topic=HARD),
                                 Scripted(2, [1], topic=EASY)])
    assert [ticket for _, ticket, _ in _starts(record)] == [0, 2, 1]


def test_a_released_follow_up_taken_by_its_owner_leaves_no_live_copy_behind() -> None:
    plan = _conversation({"policy": "fifo", "ownership": "owner", "owner_fallback": "10m"})
    record = run_scripted(plan, [
        Scripted(0, [10], replies=[20, 10], followups=[5, 5]),  # L1#1 owns it
        Scripted(1, [60]),  # L1#2 busy 1..61
        Scripted(15, [30]),  # L1#1 busy 15..45: the answer at 30 is released at 40...
        Scripted(52, [100]),  # ...but L1#1 takes it at 45; then busy 52..152
    ])
    # The second answer (60) waits for the owner; the copy released to everyone at 40
    # belongs to the earlier stay and must not let L1#2 take it at 61: only the new
    # release at 70 does.
    assert _starts(record) == [(0, 0, "L1#1"), (1, 1, "L1#2"), (15, 2, "L1#1"),
                               (45, 0, "L1#1"), (52, 3, "L1#1"), (70, 0, "L1#2")]
