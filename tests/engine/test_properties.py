"""Properties of the engine over random small desks (hypothesis): the plain paths
(:class:`~simdesk.engine.plain.PlainDesk`) give exactly the records of the general ones,
every ticket is accounted for exactly once, and the queue area of the records is the one
integrated from the engine's event log."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simdesk.engine.records import VISIT_AGENT, VISIT_END, VISIT_TICKET, RunRecord
from simdesk.engine.run import run_desk
from simdesk.engine.state import is_plain
from simdesk.fates.duty import draw_duty
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import TicketBatch, draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.plan.model import DeskPlan
from simdesk.policies import make_policy
from simdesk.scenario.load import load_scenario
from tests.engine.test_queue_area import area_from_log

SHIFTS = ["Mon-Fri 08:00-18:00", "daily 00:00-24:00", "daily 06:00-14:00",
          "Mon-Sat 12:00-20:00"]
POLICIES = ["fifo", "newest-first", "cherry-pick", "sla-deadline", "split", "round-robin"]
PLAIN_FIELDS = ("arrived", "first_response", "resolved", "abandoned_at", "refused", "visits",
                "replies", "duty", "queue_area")


@st.composite
def desks(draw: st.DrawFn, plain: bool) -> dict[str, Any]:
    """A small scenario: 1–3 tiers, 1–2 channels, shifts, patience, a policy; unless
    ``plain``, also conversations, owners, repeat contacts, helpers, speed and seats."""
    tiers: dict[str, Any] = {}
    count = draw(st.integers(1, 3))
    for k in range(count):
        groups = [{"shift": draw(st.sampled_from(SHIFTS)), "count": draw(st.integers(1, 3))}
                  for _ in range(draw(st.integers(1, 2)))]
        if not plain and draw(st.booleans()):
            groups[0]["speed"] = draw(st.sampled_from([0.5, 1.5]))
        if not plain and draw(st.booleans()):
            groups[0]["concurrency"] = {"max": 2, "slowdown": "10%"}
        tier: dict[str, Any] = {
            "agents": groups,
            "handle": {"dist": draw(st.sampled_from(["exponential", "lognormal"])),
                       "mean": f"{draw(st.integers(3, 30))}m", "cv": 1.0},
        }
        if tier["handle"]["dist"] == "exponential":
            del tier["handle"]["cv"]
        if k + 1 < count:
            tier["resolves"] = f"{draw(st.integers(30, 90))}%"
            tier["escalate_to"] = f"T{k + 2}"
        if not plain and draw(st.booleans()):
            tier["reopens"] = {"share": "20%", "after": {"dist": "exponential", "mean": "6h"}}
        if not plain and k == 0 and draw(st.booleans()):
            tier["helpers"] = [{"name": "boss", "shift": "Mon-Fri 09:00-17:00",
                                "joins_at": draw(st.integers(2, 6)), "leaves_at": 1,
                                "cap": "30%"}]
        tiers[f"T{k + 1}"] = tier
    channels: dict[str, Any] = {}
    arrivals = []
    for name in ["phone", "email"][: draw(st.integers(1, 2))]:
        channel: dict[str, Any] = {"sla": {"within": "5m", "target": "80%"}}
        if draw(st.booleans()):
            channel["patience"] = {"dist": "exponential", "mean": f"{draw(st.integers(1, 30))}m"}
        if not plain and draw(st.booleans()):
            channel["touches"] = {1: "50%", 2: "30%", 3: "20%"}
            channel["reply_after"] = {"dist": "exponential", "mean": "20m"}
        channels[name] = channel
        arrivals.append({"channel": name, "rate": f"{draw(st.integers(2, 20))}/h"})
    routing: dict[str, Any] = {"policy": draw(st.sampled_from(POLICIES))}
    if not plain and draw(st.booleans()):
        routing["ownership"] = "owner"
        if draw(st.booleans()):
            routing["owner_fallback"] = "30m"
    return {
        "name": "random desk", "start": "2026-01-05",
        "horizon": f"{draw(st.integers(1, 4))}d",
        "warmup": draw(st.sampled_from(["0m", "5h", "13h 17m"])),
        "channels": channels, "arrivals": arrivals, "tiers": tiers, "routing": routing,
    }


def _prepare(scenario: dict[str, Any], seed: int) -> tuple[DeskPlan, TicketBatch, Streams]:
    plan = compile_plan(load_scenario(scenario))
    streams = Streams(seed, 0)
    return plan, draw_tickets(plan, streams), streams


def _check_accounts(plan: DeskPlan, batch: TicketBatch, record: RunRecord) -> None:
    """Each ticket arrived is exactly one of: resolved, abandoned, refused, deflected,
    still open at the horizon (in a queue, in hand, or between contacts)."""
    n = len(batch)
    deflected = (np.zeros(n, dtype=bool) if batch.deflected is None
                 else np.asarray(batch.deflected, dtype=bool))
    resolved = ~np.isnan(record.resolved)
    abandoned = ~np.isnan(record.abandoned_at)
    outcomes = (resolved.astype(int) + abandoned + record.refused + deflected)
    assert outcomes.max(initial=0) <= 1, "a ticket with two fates"
    visits = record.visits
    open_rows = np.isnan(visits[:, VISIT_END])
    tickets = visits[:, VISIT_TICKET].astype(np.int64)
    held = np.bincount(tickets[open_rows], minlength=n)
    assert held.max(initial=0) <= 1, "a ticket in two places at the horizon"
    assert not (held.astype(bool) & (outcomes > 0)).any(), "an open ticket with a fate"
    unaccounted = (outcomes == 0) & (held == 0)
    if plan.max_touches == 1 and plan.max_reopens == 0:
        assert not unaccounted.any(), f"tickets lost: {np.flatnonzero(unaccounted)[:5]}"
    never = np.bincount(tickets, minlength=n) == 0
    assert not (never & ~(record.refused | deflected)).any(), "a ticket that went nowhere"
    assert (abandoned <= (np.bincount(tickets[visits[:, VISIT_AGENT] < 0],
                                      minlength=n) > 0)).all(), "an abandon without a visit"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desks(plain=True), st.integers(0, 2**32))
def test_plain_and_general_paths_give_identical_records(scenario: dict[str, Any],
                                                        seed: int) -> None:
    plan, batch, streams = _prepare(scenario, seed)
    assert is_plain(plan, batch)
    policy = make_policy(plan.scenario.routing)
    duty = draw_duty(plan, streams)
    plain = run_desk(plan, batch, policy, duty=duty)
    general = run_desk(plan, batch, make_policy(plan.scenario.routing), duty=duty, fast=False)
    for field in PLAIN_FIELDS:
        np.testing.assert_array_equal(getattr(plain, field), getattr(general, field),
                                      err_msg=field)
    _check_accounts(plan, batch, plain)


def _accounts_hold(scenario: dict[str, Any], seed: int) -> None:
    plan, batch, streams = _prepare(scenario, seed)
    record = run_desk(plan, batch, make_policy(plan.scenario.routing), trace=True,
                      duty=draw_duty(plan, streams))
    _check_accounts(plan, batch, record)
    assert record.log is not None
    np.testing.assert_allclose(record.queue_area, area_from_log(plan, record.log),
                               rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desks(plain=False), st.integers(0, 2**32))
def test_every_ticket_is_accounted_for_once(scenario: dict[str, Any], seed: int) -> None:
    _accounts_hold(scenario, seed)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desks(plain=False), st.integers(0, 2**32))
def test_every_ticket_is_accounted_for_once_on_many_desks(scenario: dict[str, Any],
                                                          seed: int) -> None:
    _accounts_hold(scenario, seed)
