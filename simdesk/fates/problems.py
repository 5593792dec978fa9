"""Problem management by the level-one analyst (``problems:``), decided before the engine.

For each rule (:class:`~simdesk.scenario.roles.ProblemRule`) the analyst *notices* the
topic at the arrival of the ``after``-th of its tickets within ``within`` (self-served
tickets do not count: nobody saw them). From then the analyst spends ``work`` minutes of
their own queue time on the cause: the first ``work`` minutes they would have been on the
queue are taken off it (``work_from`` → ``work_until``). ``delay`` after that work ends the
fix *lands*:

* ``target: arrivals`` — each later ticket of the topic is removed with chance ``lowers``
  (independent thinning: the topic's arrivals stay Poisson, at ``1 − lowers`` of the rate);
* ``target: reopens`` — each later ticket's repeat contacts stop at the first failed
  ``1 − lowers`` coin, so a reopen share ``s`` becomes ``s (1 − lowers)`` for them.

Arrivals are drawn before the run (DESIGN: a ticket's fate is drawn at birth), so the
trigger, the analyst's hours and the thinning are all known before the engine starts; the
coins come from the replication's stream ``problems``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simdesk.fates.streams import Streams
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import AgentPlan, DeskPlan
from simdesk.plan.reserve import RESERVE
from simdesk.scenario.calendar import Interval
from simdesk.scenario.roles import ProblemRule


@dataclass(frozen=True)
class Fix:
    """One rule's fix in one replication."""

    topic: str
    noticed: float
    work_from: float
    work_until: float
    lands: float
    lowers: float
    target: str
    removed: int
    """Tickets removed (arrivals) or repeat contacts cut (reopens)."""


def analyst_of(plan: DeskPlan) -> AgentPlan:
    """The analyst: the agent named (``L1#2``), or a tier's first agent."""
    problems = plan.scenario.problems
    assert problems is not None
    name = problems.analyst
    for tier in plan.tiers:
        people = [a for a in tier.agents if a.helper is None and a.group != RESERVE]
        for agent in people:
            if agent.name == name:
                return agent
        if tier.name == name and people:
            return people[0]
    raise ValueError(f"problems.analyst: no agent or tier {name!r} with agents")


def noticed_at(arrived: np.ndarray, rule: ProblemRule) -> float | None:
    """When ``rule.after`` tickets of the topic first arrived within ``rule.within``."""
    n = rule.after
    if len(arrived) < n:
        return None
    spans = arrived[n - 1:] - arrived[: len(arrived) - n + 1]
    hits = np.flatnonzero(spans <= rule.within)
    return float(arrived[n - 1 + hits[0]]) if len(hits) else None


def take_time(duty: tuple[Interval, ...], start: float, minutes: float
              ) -> tuple[tuple[Interval, ...], float, float]:
    """``duty`` without its first ``minutes`` of on-queue time from ``start``; returns the
    new duty and when that work began and ended (``start`` twice if there is none)."""
    kept: list[Interval] = []
    left, began, ended = minutes, None, start
    for begin, end in duty:
        if left <= 0 or end <= start:
            kept.append((begin, end))
            continue
        lo = max(begin, start)
        if lo > begin:
            kept.append((begin, lo))
        taken = min(left, end - lo)
        began = lo if began is None else began
        ended = lo + taken
        left -= taken
        if lo + taken < end:
            kept.append((lo + taken, end))
    return tuple(kept), (start if began is None else began), ended


def _subset(batch: TicketBatch, keep: np.ndarray) -> TicketBatch:
    """The kept rows of every per-ticket array, also inside nested fates (the customer
    rules' :class:`~simdesk.fates.customers.CustomerFates`)."""
    kept: TicketBatch = _rows(batch, keep)
    return kept


def _rows(fates: Any, keep: np.ndarray) -> Any:
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(fates):
        value = getattr(fates, field.name)
        if isinstance(value, np.ndarray):
            changes[field.name] = value[keep]
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes[field.name] = _rows(value, keep)
    return dataclasses.replace(fates, **changes)


def manage_problems(plan: DeskPlan, batch: TicketBatch,
                    duty: list[tuple[Interval, ...]] | None, streams: Streams
                    ) -> tuple[TicketBatch, list[tuple[Interval, ...]] | None, list[Fix]]:
    """The tickets and duty of a replication after the analyst's fixes, and the fixes."""
    problems = plan.scenario.problems
    if problems is None:
        return batch, duty, []
    analyst = analyst_of(plan)
    duty = list(duty) if duty is not None else [a.duty for a in plan.agents]
    seen = ~batch.deflected if batch.deflected is not None else np.ones(len(batch), bool)
    found: list[tuple[ProblemRule, float]] = []
    for rule in problems.rules:
        topic = plan.topics.index(rule.topic)
        moment = noticed_at(batch.arrived[(batch.topic == topic) & seen], rule)
        if moment is not None:
            found.append((rule, moment))
    fixes: list[Fix] = []
    keep = np.ones(len(batch), dtype=bool)
    reopens = None if batch.reopens is None else batch.reopens.copy()
    for rule, moment in sorted(found, key=lambda pair: pair[1]):
        duty[analyst.index], began, ended = take_time(duty[analyst.index], moment, rule.work)
        lands = ended + rule.delay
        topic = plan.topics.index(rule.topic)
        later = (batch.topic == topic) & (batch.arrived >= lands)
        coins = streams.generator("problems", rule.topic).random((len(batch), 1 + plan.max_reopens))
        if rule.target == "arrivals":
            removed = later & (coins[:, 0] < rule.lowers)
            keep &= ~removed
            count = int(removed.sum())
        else:
            count = 0
            if reopens is not None:
                held = coins[:, 1:] >= rule.lowers  # each repeat contact's coin
                cap = np.argmin(np.column_stack([held, np.zeros(len(batch), bool)]), axis=1)
                cut = np.where(later, np.minimum(reopens, cap), reopens)
                count = int((reopens - cut).sum())
                reopens = cut
        fixes.append(Fix(rule.topic, moment, began, ended, lands, rule.lowers, rule.target,
                         count))
    if reopens is not None:
        batch = dataclasses.replace(batch, reopens=reopens)
    return _subset(batch, keep), duty, fixes


def fix_table(fixes: list[Fix], replication: int) -> pd.DataFrame:
    """The fixes of one replication: ``replication`` and the fields of :class:`Fix`."""
    columns = [f.name for f in dataclasses.fields(Fix)]
    frame = pd.DataFrame([dataclasses.astuple(fix) for fix in fixes], columns=columns)
    frame.insert(0, "replication", replication)
    return frame


__all__ = ["Fix", "analyst_of", "fix_table", "manage_problems", "noticed_at", "take_time"]
