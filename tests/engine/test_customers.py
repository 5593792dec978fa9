"""The customer rules on scripted tickets: exact event orders for the busy signal, redial,
callbacks and overflow, and callbacks against an exact FIFO oracle."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from simdesk.engine.records import RunRecord
from simdesk.engine.run import run_desk
from simdesk.fates.customers import CustomerFates
from simdesk.plan.model import DeskPlan
from simdesk.policies import make_policy
from tests.helpers import Scripted, batch_of, events, plan_for

INF = math.inf
HANDLE = {"dist": "exponential", "mean": "5m"}
SLA = {"within": "30s", "target": "80%"}


def run_with(plan: DeskPlan, tickets: Sequence[Scripted], *,
             redial: Sequence[Sequence[tuple[float, float, float]]] = (),
             callback: Sequence[tuple[float, float]] = (),
             overflow: Sequence[Sequence[float]] = ()) -> RunRecord:
    """Run scripted tickets with scripted customer fates: per ticket, its redials as
    (draw, delay, patience), its callback (draw, handle) and its handle times along the
    overflow channel's tiers."""
    n = len(tickets)
    width = max([1, *(len(r) for r in redial)])
    draws, delays, patience = (np.ones((n, width)), np.full((n, width), math.nan),
                               np.full((n, width), INF))
    for i, attempts in enumerate(redial):
        for k, (draw, delay, wait) in enumerate(attempts):
            draws[i, k], delays[i, k], patience[i, k] = draw, delay, wait
    chain = max(len(c.chain) for c in plan.channels)
    handles = np.full((n, chain), math.nan)
    visits = np.zeros(n, dtype=np.int64)
    for i, row in enumerate(overflow):
        handles[i, : len(row)] = row
        visits[i] = len(row)
    call_draw, call_handle = np.ones(n), np.full(n, math.nan)
    for i, (draw, handle) in enumerate(callback):
        call_draw[i], call_handle[i] = draw, handle
    fates = CustomerFates(draws, delays, patience, call_draw, call_handle, handles, visits)
    batch = replace(batch_of(plan, tickets), customers=fates)
    return run_desk(plan, batch, make_policy(plan.scenario.routing), trace=True)


def desk(channels: dict[str, Any] | None = None, tiers: dict[str, Any] | None = None,
         **more: Any) -> DeskPlan:
    return plan_for(channels=channels or {"phone": {"sla": SLA}},
                    tiers=tiers or {"L1": {"agents": 1, "handle": HANDLE}}, **more)


def test_a_full_queue_gives_a_busy_signal() -> None:
    plan = desk({"phone": {"sla": SLA, "queue_limit": 1}})
    record = run_with(plan, [Scripted(0, [10]), Scripted(1, [10]), Scripted(2, [10]),
                             Scripted(11, [1])])
    assert events(record, "blocked", "start") == [
        (0, "start", 0, "L1#1"),
        (2, "blocked", 2, "L1"),  # one waits (ticket 1): the queue is full
        (10, "start", 1, "L1#1"),
        (20, "start", 3, "L1#1"),  # 11: the queue holds one again
    ]
    assert record.customers is not None
    assert record.customers.blocked.tolist() == [False, False, True, False]
    assert math.isnan(record.first_response[2]) and math.isnan(record.abandoned_at[2])


def test_queue_limit_zero_blocks_only_when_nobody_is_free() -> None:
    plan = desk({"phone": {"sla": SLA, "queue_limit": 0}},
                {"L1": {"agents": 2, "handle": HANDLE}})
    record = run_with(plan, [Scripted(0, [10]), Scripted(1, [10]), Scripted(2, [10]),
                             Scripted(11, [1]), Scripted(11.5, [1])])
    # At 0 the agents' shift starts, after the arrival (arrivals first): nobody is free.
    # At 11 too the arrival comes before the agent who is done at 11; at 11.5 she is free.
    assert record.customers is not None
    assert record.customers.blocked.tolist() == [True, False, False, True, False]
    assert record.first_response.tolist()[1:3] == [1, 2]
    assert record.first_response[4] == 11.5


def test_a_customer_who_hangs_up_redials_and_queues_again() -> None:
    plan = desk({"phone": {"sla": SLA, "patience": {"dist": "exponential", "mean": "1m"},
                           "redial": {"share": "50%",
                                      "after": {"dist": "exponential", "mean": "5m"}}}})
    record = run_with(plan, [Scripted(0, [10]), Scripted(1, [3], patience=2),
                             Scripted(2, [3], patience=1)],
                      redial=[[], [(0.3, 4, 20)], [(0.7, 4, 20)]])
    assert events(record, "arrive", "hang up", "abandon", "redial", "start") == [
        (0, "arrive", 0, "phone"),
        (0, "start", 0, "L1#1"),
        (1, "arrive", 1, "phone"),
        (2, "arrive", 2, "phone"),
        (3, "hang up", 1, "L1"),  # at the end of its patience, not when noticed
        (3, "abandon", 2, "L1"),  # its draw 0.7 is above the 50 % share: gone for good
        (7, "redial", 1, "phone"),
        (10, "start", 1, "L1#1"),
    ]
    customers = record.customers
    assert customers is not None
    assert customers.attempts.tolist() == [1, 2, 1]
    assert math.isnan(record.abandoned_at[1]) and record.abandoned_at[2] == 3
    assert record.first_response[1] == 10 and customers.sla_from[1] == 1
    # the hang-up is a stay of its own at the tier
    stays = record.visits[record.visits[:, 0] == 1][:, 3:6].tolist()
    assert stays[0][:1] == [1] and math.isnan(stays[0][1]) and stays[0][2] == 3
    assert stays[1] == [7, 10, 13]


def test_redial_shares_decay_and_stop_at_max() -> None:
    plan = desk({"phone": {"sla": SLA, "patience": {"dist": "exponential", "mean": "1m"},
                           "redial": {"share": "60%", "decay": "50%", "max": 2,
                                      "after": {"dist": "exponential", "mean": "5m"}}}})
    # Attempt 2 happens (0.5 < 60 %), attempt 3 would need a draw below 30 %: 0.4 is not.
    record = run_with(plan, [Scripted(0, [100]), Scripted(1, [1], patience=1)],
                      redial=[[], [(0.5, 2, 1), (0.4, 2, 1)]])
    assert events(record, "hang up", "redial", "abandon") == [
        (2, "hang up", 1, "L1"), (4, "redial", 1, "phone"), (5, "abandon", 1, "L1")]


def test_counting_attempts_restarts_the_sla_clock() -> None:
    plan = desk({"phone": {"sla": {**SLA, "counts": "attempts"},
                           "patience": {"dist": "exponential", "mean": "1m"},
                           "redial": {"share": "100%",
                                      "after": {"dist": "exponential", "mean": "5m"}}}})
    record = run_with(plan, [Scripted(0, [10]), Scripted(1, [3], patience=2)],
                      redial=[[], [(0.1, 4, 20)]])
    assert record.customers is not None
    assert record.customers.sla_from.tolist() == [0, 7]


def test_blocked_callers_redial() -> None:
    plan = desk({"phone": {"sla": SLA, "queue_limit": 0,
                           "redial": {"share": "100%",
                                      "after": {"dist": "exponential", "mean": "5m"}}}})
    record = run_with(plan, [Scripted(0.5, [10]), Scripted(1, [2])],
                      redial=[[], [(0.1, 5, INF), (0.1, 5, INF)]])
    assert events(record, "blocked", "redial", "start") == [
        (0.5, "start", 0, "L1#1"), (1, "blocked", 1, "L1"), (6, "redial", 1, "phone"),
        (6, "blocked", 1, "L1"), (11, "redial", 1, "phone"), (11, "start", 1, "L1#1")]
    assert record.customers is not None
    assert record.customers.attempts.tolist() == [1, 3]
    assert not record.customers.blocked.any()


def fifo_oracle(tickets: Sequence[Scripted], draws: Sequence[float], handles: Sequence[float],
                share: float, after: float) -> tuple[list[float], list[bool]]:
    """One agent, first come first served: each caller's start (NaN if they gave up) and
    whether the agent called them back. A caller with a draw below ``share`` whose
    patience exceeds ``after`` takes the callback at ``after`` and keeps their place."""
    free, starts, called = 0.0, [], []
    for ticket, draw, handle in zip(tickets, draws, handles, strict=True):
        holds = draw < share and ticket.patience > after
        start = max(free, ticket.at)
        if not holds and start >= ticket.at + ticket.patience:
            starts.append(math.nan)
            called.append(False)
            continue
        back = holds and start >= ticket.at + after
        starts.append(start)
        called.append(back)
        free = start + (handle if back else ticket.handles[0])
    return starts, called


@pytest.mark.parametrize("seed", range(5))
def test_callbacks_keep_their_place_in_line(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    arrivals = np.cumsum(rng.exponential(2.0, n))
    tickets = [Scripted(float(a), [float(rng.exponential(2.5))],
                        patience=float(rng.exponential(6.0))) for a in arrivals]
    draws = rng.random(n).tolist()
    handles = rng.exponential(1.5, n).tolist()
    plan = desk({"phone": {"sla": SLA, "patience": {"dist": "exponential", "mean": "6m"},
                           "callback": {"share": "50%", "after": "3m",
                                        "handle": {"dist": "exponential", "mean": "2m"}}}},
                horizon="2d")
    record = run_with(plan, tickets, callback=list(zip(draws, handles, strict=True)))
    starts, called = fifo_oracle(tickets, draws, handles, 0.5, 3.0)
    assert record.customers is not None
    np.testing.assert_array_equal(record.first_response, starts)
    assert record.customers.callback.tolist() == called
    assert any(called) and any(math.isnan(s) for s in starts)


def test_a_long_queue_offers_the_callback_at_arrival() -> None:
    plan = desk({"phone": {"sla": SLA, "patience": {"dist": "exponential", "mean": "1m"},
                           "callback": {"share": "50%", "queue": 1,
                                        "handle": {"dist": "exponential", "mean": "2m"}}}})
    record = run_with(plan, [Scripted(0, [10]), Scripted(1, [5], patience=1),
                             Scripted(2, [5], patience=1)],
                      callback=[(0.9, 9), (0.1, 9), (0.1, 3)])
    # Ticket 1 found nobody waiting: no offer, it gives up at 2. Ticket 2 found one.
    assert events(record, "abandon", "call back", "start", "done") == [
        (0, "start", 0, "L1#1"), (2, "abandon", 1, "L1"), (10, "done", 0, "L1#1"),
        (10, "call back", 2, "L1#1"), (10, "start", 2, "L1#1"), (13, "done", 2, "L1#1")]


def _two_channels(overflow: dict[str, Any], phone_shift: str = "24x7") -> DeskPlan:
    return plan_for(
        channels={"phone": {"sla": SLA, "overflow": overflow,
                            "patience": {"dist": "exponential", "mean": "1h"}},
                  "email": {"sla": {"within": "4h", "target": "90%"}}},
        arrivals=[{"channel": "phone", "rate": "10/h"}, {"channel": "email", "rate": "1/h"}],
        tiers={"P": {"agents": [{"shift": phone_shift, "count": 1}], "channels": ["phone"],
                     "handle": HANDLE},
               "E": {"agents": 1, "channels": ["email"], "handle": HANDLE}})


def test_a_ticket_waiting_too_long_overflows() -> None:
    plan = _two_channels({"to": "email", "after": "5m"})
    record = run_with(plan, [Scripted(0, [20]), Scripted(1, [20], patience=30)],
                      overflow=[[7], [7]])
    assert events(record, "overflow", "start", "done") == [
        (0, "start", 0, "P#1"), (6, "overflow", 1, "email"), (6, "start", 1, "E#1"),
        (13, "done", 1, "E#1"), (20, "done", 0, "P#1")]
    customers = record.customers
    assert customers is not None
    assert customers.channel.tolist() == [0, 1]
    assert customers.overflowed_from.tolist() == [-1, 0]
    assert customers.sla_from.tolist() == [0, 6]  # the clock restarts at the overflow
    assert record.first_response[1] == 6


def test_overflow_may_keep_the_sla_clock_and_is_gone_first_at_equal_times() -> None:
    plan = _two_channels({"to": "email", "after": "5m", "sla": "keep"})
    record = run_with(plan, [Scripted(0, [20]), Scripted(1, [20], patience=30),
                             Scripted(2, [20], patience=5)], overflow=[[7], [7], [7]])
    assert events(record, "overflow", "abandon") == [
        (6, "overflow", 1, "email"), (7, "abandon", 2, "P")]  # patience ends at 7 = 2 + 5
    assert record.customers is not None
    assert record.customers.sla_from.tolist() == [0, 1, 2]


def test_arrivals_while_nobody_is_on_duty_overflow_at_once() -> None:
    plan = _two_channels({"to": "email", "closed": True}, phone_shift="daily 09:00-17:00")
    record = run_with(plan, [Scripted(60, [5]), Scripted(600, [5])], overflow=[[4], [4]])
    assert events(record, "overflow", "start") == [
        (60, "overflow", 0, "email"), (60, "start", 0, "E#1"), (600, "start", 1, "P#1")]
    assert record.resolved.tolist() == [64, 605]


def test_a_caller_answered_on_arrival_is_not_called_back() -> None:
    plan = desk({"phone": {"sla": SLA, "callback": {
        "share": "100%", "queue": 0, "handle": {"dist": "exponential", "mean": "2m"}}}})
    record = run_with(plan, [Scripted(1, [4]), Scripted(2, [4])],
                      callback=[(0.1, 9), (0.1, 1)])
    assert events(record, "call back", "start", "done") == [
        (1, "start", 0, "L1#1"), (5, "done", 0, "L1#1"), (5, "call back", 1, "L1#1"),
        (5, "start", 1, "L1#1"), (6, "done", 1, "L1#1")]
    assert record.customers is not None
    assert record.customers.callback.tolist() == [False, True]


@pytest.mark.parametrize("seed", range(4))
def test_rules_that_never_act_leave_the_records_of_the_plain_desk(seed: int) -> None:
    """A queue limit no queue reaches turns the customer desk on (every arrival an
    event, patience ended by events) yet changes no record: the same answers,
    resolutions, departures and stays as the desk without it."""
    from simdesk.fates.streams import Streams
    from simdesk.fates.tickets import draw_tickets

    def plan(limit: int | None) -> DeskPlan:
        channel: dict[str, Any] = {"sla": SLA, "patience": {"dist": "exponential",
                                                            "mean": "4m"}}
        if limit is not None:
            channel["queue_limit"] = limit
        return plan_for(horizon="2d", channels={"phone": channel},
                        arrivals=[{"channel": "phone", "rate": "40/h"}],
                        tiers={"L1": {"agents": [{"shift": "daily 08:00-20:00", "count": 3}],
                                      "resolves": "70%", "escalate_to": "L2",
                                      "handle": HANDLE},
                               "L2": {"agents": 1, "handle": HANDLE}})

    records = []
    for limit in (None, 10**6):
        desk_plan = plan(limit)
        batch = draw_tickets(desk_plan, Streams(seed, 0))
        assert (batch.customers is None) == (limit is None)
        records.append(run_desk(desk_plan, batch, make_policy(desk_plan.scenario.routing)))
    plain, ruled = records
    for name in ("arrived", "first_response", "resolved", "abandoned_at"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(ruled, name))
    np.testing.assert_array_equal(plain.duty, ruled.duty)
    order = np.lexsort(plain.visits.T[::-1])
    np.testing.assert_array_equal(plain.visits[order],
                                  ruled.visits[np.lexsort(ruled.visits.T[::-1])])
    assert (~np.isnan(plain.abandoned_at)).sum() > 10
