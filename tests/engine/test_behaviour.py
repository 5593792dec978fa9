"""Behaviour mechanisms on scripted tickets: exact times and event orders.

Breaks, repeat contacts, blending, concurrency, speed, helpers and deflection, each with
arrivals and handle times written out, so every expected time is worked out by hand.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from simdesk.engine.run import run_desk
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.metrics.helpers import helper_metrics
from simdesk.metrics.tables import duty_table, ticket_table, visit_table
from simdesk.policies import make_policy
from tests.helpers import Scripted, batch_of, events, plan_for, run_scripted

EXP5 = {"dist": "exponential", "mean": "5m"}
PHONE_EMAIL = {"phone": {"sla": {"within": "30s", "target": "80%"}},
               "email": {"sla": {"within": "4h", "target": "80%"}}}
BOTH = [{"channel": "phone", "rate": "1/h"}, {"channel": "email", "rate": "1/h"}]


def _one_agent(**group: Any) -> dict[str, Any]:
    return {"L1": {"agents": [{"shift": "24x7", "count": 1, **group}], "handle": EXP5}}


def _starts(record: Any) -> list[tuple[float, int | None, str]]:
    return [(t, ticket, who) for t, kind, ticket, who in events(record, "start")]


# -- breaks ---------------------------------------------------------------------------


def test_an_idle_agent_takes_the_break_at_once_and_the_next_start_waits_exactly_its_length(
) -> None:
    plan = plan_for(tiers=_one_agent(breaks=[{"at": "12:00", "for": "15m"}]))
    record = run_scripted(plan, [Scripted(at=700, handles=[5]), Scripted(at=722, handles=[5])])
    assert _starts(record) == [(700, 0, "L1#1"), (735, 1, "L1#1")]
    assert events(record, "break", "off", "on")[1:] == [
        (720, "break", None, "L1#1"), (720, "off", None, "L1#1"), (735, "on", None, "L1#1")]


def test_a_busy_agent_finishes_the_ticket_then_takes_the_whole_break() -> None:
    plan = plan_for(tiers=_one_agent(breaks=[{"at": "12:00", "for": "15m"}]))
    record = run_scripted(plan, [Scripted(at=715, handles=[10]), Scripted(at=722, handles=[5])])
    assert _starts(record) == [(715, 0, "L1#1"), (740, 1, "L1#1")]
    duty = record.duty[:, 1:].tolist()
    assert duty == [[0, 725], [740, 1440]]


def test_breaks_after_the_shift_start_are_staggered_across_the_group() -> None:
    plan = plan_for(tiers={"L1": {"agents": [{"shift": "Mon-Fri 08:00-16:00", "count": 3,
                                              "breaks": [{"after": "4h", "for": "30m",
                                                          "stagger": "20m"}]}],
                                  "handle": EXP5}})
    due = [agent.breaks for agent in plan.tiers[0].agents]
    assert due == [((720.0, 30.0),), ((740.0, 30.0),), ((760.0, 30.0),)]


# -- repeat contacts ------------------------------------------------------------------

REOPENS = {"share": "50%", "after": {"dist": "exponential", "mean": "1d"}}


def test_a_reopened_ticket_comes_back_to_the_tier_that_resolved_it_after_its_delay() -> None:
    plan = plan_for(tiers={
        "L1": {"agents": 1, "handle": EXP5, "resolves": "0%", "escalate_to": "L2"},
        "L2": {"agents": 1, "handle": EXP5, "reopens": REOPENS}})
    record = run_scripted(plan, [Scripted(at=0, handles=[2, 10], reopens=[(30, 4), (60, 3)])])
    assert events(record, "start", "resolve", "reopen") == [
        (0, "start", 0, "L1#1"), (2, "start", 0, "L2#1"), (12, "resolve", 0, "L2"),
        (42, "reopen", 0, "phone"), (42, "start", 0, "L2#1"), (46, "resolve", 0, "L2"),
        (106, "reopen", 0, "phone"), (106, "start", 0, "L2#1"), (109, "resolve", 0, "L2")]
    assert record.first_response[0] == 0 and record.resolved[0] == 109
    visits = visit_table(plan, record, 0)
    assert visits[["tier", "queued", "start", "end", "contact"]].values.tolist() == [
        ["L1", 0, 0, 2, 0], ["L2", 2, 2, 12, 0], ["L2", 42, 42, 46, 1], ["L2", 106, 106, 109, 2]]
    batch = batch_of(plan, [Scripted(at=0, handles=[2, 10], reopens=[(30, 4), (60, 3)])])
    table = ticket_table(plan, batch, record, 0)
    assert table["path"].tolist() == ["L1>L2"] and table["reopens"].tolist() == [2]


def test_a_repeat_contact_open_at_the_horizon_leaves_the_ticket_unresolved() -> None:
    plan = plan_for(horizon="1h", tiers={"L1": {"agents": 1, "handle": EXP5,
                                                 "reopens": REOPENS}})
    record = run_scripted(plan, [Scripted(at=0, handles=[10], reopens=[(45, 20)])])
    assert math.isnan(record.resolved[0])
    assert record.visits[-1].tolist()[3:] == [55, 55, pytest.approx(math.nan, nan_ok=True), 1]


def test_a_repeat_contact_queues_behind_waiting_first_contacts_and_has_no_patience() -> None:
    plan = plan_for(channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                                        "patience": {"dist": "exponential", "mean": "1m"}}},
                    tiers={"L1": {"agents": 1, "handle": EXP5, "reopens": REOPENS}})
    record = run_scripted(plan, [Scripted(at=0, handles=[5], reopens=[(1, 30)], patience=1),
                                 Scripted(at=1, handles=[10], patience=100),
                                 Scripted(at=3, handles=[10], patience=100)])
    assert _starts(record) == [(0, 0, "L1#1"), (5, 1, "L1#1"), (15, 2, "L1#1"),
                               (25, 0, "L1#1")]
    assert record.resolved.tolist() == [55, 15, 25]
    assert np.isnan(record.abandoned_at).all()


# -- blending -------------------------------------------------------------------------


def test_a_blended_agent_takes_a_waiting_call_before_an_older_email_but_never_mid_email(
) -> None:
    plan = plan_for(channels=PHONE_EMAIL, arrivals=BOTH,
                    tiers=_one_agent(channels=["phone", "email"]))
    record = run_scripted(plan, [Scripted(at=0, channel=1, handles=[10]),
                                 Scripted(at=1, channel=1, handles=[5]),
                                 Scripted(at=2, channel=0, handles=[5])])
    assert _starts(record) == [(0, 0, "L1#1"), (10, 2, "L1#1"), (15, 1, "L1#1")]


def test_an_agent_takes_only_its_channels_and_others_take_everything_in_arrival_order(
) -> None:
    plan = plan_for(channels=PHONE_EMAIL, arrivals=BOTH, tiers={"L1": {"agents": [
        {"shift": "24x7", "count": 1, "channels": ["phone"]},
        {"shift": "24x7", "count": 1}], "handle": EXP5}})
    record = run_scripted(plan, [Scripted(at=0, channel=0, handles=[30]),
                                 Scripted(at=0, channel=0, handles=[30]),
                                 Scripted(at=1, channel=1, handles=[5]),
                                 Scripted(at=2, channel=0, handles=[5])])
    assert _starts(record) == [(0, 0, "L1#1"), (0, 1, "L1#2"), (30, 3, "L1#1"),
                               (30, 2, "L1#2")]


# -- concurrency and speed ------------------------------------------------------------


def test_a_chat_agent_holds_at_most_its_seats_and_each_extra_chat_is_slower() -> None:
    plan = plan_for(tiers=_one_agent(concurrency={"max": 2, "slowdown": "50%"}))
    record = run_scripted(plan, [Scripted(at=0, handles=[10]), Scripted(at=1, handles=[10]),
                                 Scripted(at=2, handles=[10])])
    assert events(record, "start", "done") == [
        (0, "start", 0, "L1#1"), (1, "start", 1, "L1#1"), (10, "done", 0, "L1#1"),
        (10, "start", 2, "L1#1"), (16, "done", 1, "L1#1"), (25, "done", 2, "L1#1")]


def test_new_chats_go_to_the_agent_with_a_free_seat_who_waited_longest() -> None:
    plan = plan_for(tiers={"L1": {"agents": [{"shift": "24x7", "count": 2,
                                              "concurrency": {"max": 2}}], "handle": EXP5}})
    record = run_scripted(plan, [Scripted(at=t, handles=[60]) for t in (0, 1, 2, 3, 4)])
    assert [who for _, _, who in _starts(record)] == ["L1#1", "L1#2", "L1#1", "L1#2", "L1#1"]
    assert [t for t, _, _ in _starts(record)] == [0, 1, 2, 3, 60]


def test_speed_divides_handle_times() -> None:
    plan = plan_for(tiers=_one_agent(speed="125%"))
    record = run_scripted(plan, [Scripted(at=0, handles=[10]), Scripted(at=1, handles=[5])])
    assert events(record, "done") == [(8, "done", 0, "L1#1"), (12, "done", 1, "L1#1")]


def test_a_new_hire_ramps_up_linearly_to_full_speed() -> None:
    plan = plan_for(tiers=_one_agent(ramp={"start": "50%", "over": "100m"}))
    record = run_scripted(plan, [Scripted(at=0, handles=[10]), Scripted(at=50, handles=[15]),
                                 Scripted(at=200, handles=[10])])
    assert events(record, "done") == [(20, "done", 0, "L1#1"), (70, "done", 1, "L1#1"),
                                      (210, "done", 2, "L1#1")]


def test_all_hands_groups_work_only_on_their_dates() -> None:
    plan = plan_for(horizon="3d", tiers={"L1": {"agents": [
        {"shift": "daily 09:00-17:00", "count": 2, "dates": ["day 2"], "speed": "60%"}],
        "handle": EXP5}})
    assert [agent.duty for agent in plan.tiers[0].agents] == [((1980.0, 2460.0),)] * 2


# -- helpers --------------------------------------------------------------------------


def _with_helper(cap: str) -> dict[str, Any]:
    return {"L1": {"agents": 1, "handle": EXP5,
                   "helpers": [{"name": "boss", "shift": "24x7", "joins_at": 3,
                                "cap": cap}]}}


def test_a_helper_joins_when_the_backlog_reaches_the_threshold_and_leaves_when_it_clears(
) -> None:
    plan = plan_for(tiers=_with_helper("100%"))
    tickets = [Scripted(at=0, handles=[100])] + [Scripted(at=t, handles=[10]) for t in (1, 2, 3)]
    record = run_scripted(plan, tickets)
    assert _starts(record) == [(0, 0, "L1#1"), (3, 1, "L1#boss"), (13, 2, "L1#boss"),
                               (23, 3, "L1#boss")]
    helper = record.duty[record.duty[:, 0] == 1]
    assert helper[:, 1:].tolist() == [[3, 33]]


def test_a_helper_stops_between_tickets_once_the_time_cap_is_spent() -> None:
    plan = plan_for(horizon="100m", tiers=_with_helper("15%"))  # 15 minutes of 100
    tickets = [Scripted(at=0, handles=[100])] + [Scripted(at=t, handles=[10]) for t in (1, 2, 3)]
    record = run_scripted(plan, tickets)
    assert _starts(record) == [(0, 0, "L1#1"), (3, 1, "L1#boss"), (13, 2, "L1#boss")]
    assert record.duty[record.duty[:, 0] == 1][:, 1:].tolist() == [[3, 23]]


def test_helper_time_is_measured_against_their_hours() -> None:
    """The second case above: 20 of the boss's 100 minutes in the queue, one call-in,
    over a window of 100 minutes (1/100.8 of a week): 15 counted against the cap of 15 %,
    5 past it finishing the ticket in hand."""
    plan = plan_for(horizon="100m", tiers=_with_helper("15%"))
    tickets = [Scripted(at=0, handles=[100])] + [Scripted(at=t, handles=[10]) for t in (1, 2, 3)]
    duty = duty_table(plan, run_scripted(plan, tickets), 0)
    values = dict(zip(*helper_metrics(plan, duty)[["metric", "value"]].T.to_numpy(),
                      strict=True))
    assert values["queue_share"] == pytest.approx(15 / 100)
    assert values["overrun_share"] == pytest.approx(5 / 100)
    assert values["queue_hours"] == pytest.approx(20 / 60 * 100.8)
    assert values["joins"] == pytest.approx(100.8)


def test_a_helper_held_long_by_the_queue_stays_within_the_cap_as_queue_share_counts_it(
) -> None:
    """An overloaded desk keeps the helper past their cap every day: ``queue_share`` (what
    ``expect: helper:...queue_share <= cap`` judges) never exceeds the cap, and the time
    past it is ``overrun_share``; together they are all the helper's time in the queue."""
    tiers = {"L1": {"agents": [{"shift": "Mon-Fri 09:00-17:00", "count": 1}],
                    "handle": {"dist": "exponential", "mean": "30m"},
                    "helpers": [{"name": "boss", "shift": "Mon-Fri 09:00-17:00",
                                 "joins_at": 3, "leaves_at": 0, "cap": "20%"}]}}
    plan = plan_for(horizon="2w", start="2026-01-05", tiers=tiers,
                    arrivals=[{"channel": "phone", "rate": "3/h"}])
    record = run_desk(plan, draw_tickets(plan, Streams(1, 0)),
                      make_policy(plan.scenario.routing))
    duty = duty_table(plan, record, 0)
    values = dict(zip(*helper_metrics(plan, duty)[["metric", "value"]].T.to_numpy(),
                      strict=True))
    assert values["overrun_share"] > 0.01  # the cap binds and the ticket in hand runs past
    assert values["queue_share"] <= 0.2 + 1e-12
    hours = 10 * 8  # ten weekdays of eight hours
    assert (values["queue_share"] + values["overrun_share"]) * hours == pytest.approx(
        values["queue_hours"] * 2)  # queue_hours is per week: two weeks


# -- deflection -----------------------------------------------------------------------


def test_deflected_tickets_never_reach_an_agent_and_have_no_sla_outcome() -> None:
    plan = plan_for(topics={"howto": {"share": "100%", "deflection": "50%"}})
    tickets = [Scripted(at=0, handles=[5], deflected=True), Scripted(at=1, handles=[5])]
    record = run_scripted(plan, tickets)
    assert _starts(record) == [(1, 1, "L1#1")]
    table = ticket_table(plan, batch_of(plan, tickets), record, 0)
    assert table["deflected"].tolist() == [True, False]
    assert table["sla_met"].isna().tolist() == [True, False]


def test_the_plain_and_general_paths_agree_with_breaks_and_deflection() -> None:
    from simdesk.fates.streams import Streams
    from simdesk.fates.tickets import draw_tickets
    from simdesk.policies import make_policy

    plan = plan_for(horizon="5d", arrivals=[{"channel": "phone", "rate": "20/h"}],
                    topics={"a": {"share": "50%", "deflection": "30%"}, "b": "50%"},
                    tiers={"L1": {"agents": [{"shift": "24x7", "count": 2, "breaks": [
                        {"at": "12:00", "for": "30m", "stagger": "15m"}]}], "handle": EXP5}})
    batch = draw_tickets(plan, Streams(5, 0))
    fast = run_desk(plan, batch, make_policy(plan.scenario.routing))
    slow = run_desk(plan, batch, make_policy(plan.scenario.routing), fast=False)
    assert np.array_equal(fast.visits, slow.visits, equal_nan=True)
    assert np.array_equal(fast.duty, slow.duty)
