"""Properties of the desk rules over random small desks (hypothesis): with cross-tier
help, pre-emption and occupancy caps mixed into conversations, repeat contacts, helpers,
speeds and seats, every ticket is still accounted for exactly once, and the queue area
of the records is the one integrated from the event log (a ticket set aside by a
pre-emption counts as waiting until it resumes)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simdesk.engine.occupancy import worked_within
from simdesk.engine.records import RunRecord
from simdesk.engine.run import run_desk
from simdesk.fates.duty import draw_duty
from simdesk.plan.model import DeskPlan
from simdesk.plan.rules import desk_rules
from simdesk.policies import make_policy
from tests.engine.test_properties import _check_accounts, _prepare, desks


@st.composite
def ruled_desks(draw: st.DrawFn) -> dict[str, Any]:
    """A random desk of ``test_properties`` with random desk rules (and the shared
    follow-ups and shared queues they need)."""
    desk = draw(desks(plain=False))
    desk["warmup"] = "0m"
    routing = desk["routing"]
    routing.pop("ownership", None)
    routing.pop("owner_fallback", None)
    if routing["policy"] == "round-robin":
        routing["policy"] = draw(st.sampled_from(["fifo", "cherry-pick", "sla-deadline"]))
    names = list(desk["tiers"])
    for position, name in enumerate(names):
        tier = desk["tiers"][name]
        others = [n for n in names if n != name]
        if others and draw(st.booleans()):
            rule: dict[str, Any] = {"tier": draw(st.sampled_from(others))}
            if draw(st.booleans()):
                rule["longer_than"] = draw(st.integers(0, 4))
            if draw(st.booleans()):
                rule["older_than"] = f"{draw(st.integers(1, 60))}m"
            if ("longer_than" in rule or "older_than" in rule) and draw(st.booleans()):
                rule["first"] = True
            tier["helps"] = [rule]
        if position == 0 and len(desk["channels"]) == 2 and draw(st.booleans()):
            for group in tier["agents"]:
                group["channels"] = ["phone", "email"]
            tier["preempt"] = [{"channel": "phone", "interrupts": ["email"],
                                "restart_cost": f"{draw(st.integers(0, 3))}m"}]
        if draw(st.booleans()):
            tier["agents"][0]["occupancy"] = {
                "cap": f"{draw(st.integers(40, 95))}%",
                "window": f"{draw(st.integers(20, 120))}m"}
            if draw(st.booleans()):
                tier["agents"][0]["occupancy"]["rest"] = f"{draw(st.integers(1, 15))}m"
    return desk


def area_from_log(plan: DeskPlan, log: list[tuple[float, str, int | None, str]]
                  ) -> np.ndarray:
    """Per tier, ∫ queue length dt: +1 when a ticket queues, −1 when an agent (of any
    tier) starts it or its customer leaves; +1 when its work is set aside, −1 when it
    resumes — each at the tier the ticket last queued at."""
    tiers = {t.name: t.index for t in plan.tiers}
    owners = {a.name: a.tier for a in plan.agents}
    at: dict[int | None, int] = {}
    steps = []
    for time, kind, ticket, name in log:
        if kind == "queue":
            at[ticket] = tiers[name] if name in tiers else owners[name]
            steps.append((time, at[ticket], +1))
        elif kind in ("start", "abandon", "resume"):
            steps.append((time, at[ticket], -1))
        elif kind == "interrupt":
            steps.append((time, at[ticket], +1))
    steps.sort(key=lambda step: (step[0], -step[2]))
    areas = np.zeros(len(plan.tiers))
    length = np.zeros(len(plan.tiers))
    clock = 0.0
    for time, tier, change in [*steps, (plan.horizon, 0, 0)]:
        end = min(time, plan.horizon)
        if end > clock:
            areas += length * (end - clock)
        clock = max(clock, time)
        length[tier] += change
    return areas


def _rules_hold(scenario: dict[str, Any], seed: int) -> None:
    plan, batch, streams = _prepare(scenario, seed)
    record = run_desk(plan, batch, make_policy(plan.scenario.routing), trace=True,
                      duty=draw_duty(plan, streams))
    _check_accounts(plan, batch, record)
    assert record.log is not None
    np.testing.assert_allclose(record.queue_area, area_from_log(plan, record.log),
                               rtol=1e-9, atol=1e-6)
    # an agent with one seat works at most its time on duty (interrupted work counted once)
    visits = record.visits[record.visits[:, 2] >= 0]
    end = np.where(np.isnan(visits[:, 5]), plan.horizon, visits[:, 5])
    for agent in plan.agents:
        if agent.seats == 1:
            mine = visits[:, 2] == agent.index
            worked = float(np.sum(end[mine] - visits[mine, 4]))
            rows = record.duty[record.duty[:, 0] == agent.index]
            assert worked <= float(np.sum(rows[:, 2] - rows[:, 1])) + 1e-6, agent.name
    _check_caps(plan, record)
    starts = [e for e in record.log if e[1] == "start"]
    assert len({(e[2], e[0]) for e in starts}) == len(starts), "a ticket started twice at once"


def _check_caps(plan: DeskPlan, record: RunRecord) -> None:
    """An agent with an occupancy cap (resting until back under it; one seat; no
    pre-emption in its tier) starts every ticket with at most ``cap`` of the last
    ``window`` spent handling tickets."""
    rules = desk_rules(plan)
    if not rules.used:
        return
    assert record.log is not None
    names = {a.name: a for a in plan.agents}
    visits = record.visits
    for time, kind, _, name in record.log:
        agent = names.get(name)
        if kind != "start" or agent is None or agent.seats > 1 or rules.preempt[agent.tier]:
            continue
        cap = rules.occupancy[agent.index]
        if cap is None or cap.rest is not None:
            continue
        mine = (visits[:, 2] == agent.index) & (visits[:, 5] <= time)
        spans = [(float(a), float(b)) for a, b in visits[mine][:, 4:6]]
        assert worked_within(spans, time - cap.window) <= cap.cap * cap.window + 1e-6, (
            f"{name} starts at {time} above its cap")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruled_desks(), st.integers(0, 2**32))
def test_every_ticket_is_accounted_for_under_desk_rules(scenario: dict[str, Any],
                                                         seed: int) -> None:
    _rules_hold(scenario, seed)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruled_desks(), st.integers(0, 2**32))
def test_every_ticket_is_accounted_for_under_desk_rules_on_many_desks(
        scenario: dict[str, Any], seed: int) -> None:
    _rules_hold(scenario, seed)


def test_the_strategy_writes_rules() -> None:
    """The strategy does produce desks with rules (else the property says nothing)."""
    found = []

    @settings(max_examples=30, deadline=None, database=None)
    @given(ruled_desks())
    def collect(scenario: dict[str, Any]) -> None:
        plan, _, _ = _prepare(scenario, 1)
        found.append(desk_rules(plan).used)

    collect()
    assert any(found)
