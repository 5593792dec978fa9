"""Occupancy caps: an agent who has been handling tickets for more than a share of the
last while rests before taking the next one.

Rules, each covered by a scripted test (``tests/engine/test_desk_rules.py``):

* the check is between tickets, when an agent on duty with nothing in hand would take
  the next ticket: occupancy is the minutes spent handling tickets in the last
  ``window`` over ``window`` (so it is low at the start of a shift);
* above ``cap``, the agent goes off the queue for ``rest``, or — without ``rest`` — until
  the occupancy of the window ending then is back at the cap; the rest is time off the
  queue (not on duty), and after it the agent takes the next ticket (no check) if
  still in shift;
* agents with several seats are checked when their hands are empty.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from itertools import pairwise

from simdesk.engine.desk import Desk
from simdesk.engine.entities import Agent, Ticket
from simdesk.engine.records import RULE_REST
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import DeskPlan
from simdesk.plan.rules import OccupancyRule, desk_rules
from simdesk.policies.base import Policy
from simdesk.scenario.calendar import Interval


def worked_within(spans: Sequence[Interval], begin: float) -> float:
    """Minutes of ``spans`` after ``begin``."""
    return sum(max(0.0, end - max(start, begin)) for start, end in spans)


def rest_needed(spans: Sequence[Interval], now: float, rule: OccupancyRule) -> float:
    """How long from ``now`` until the busy share of the trailing window is at most the
    cap, working no more meanwhile: the smallest ``r ≥ 0`` with ``worked_within(spans,
    now + r − window) ≤ cap × window`` (exact: the function is piecewise linear)."""
    allowed = rule.cap * rule.window
    low = now - rule.window
    points = sorted({low, now, *(t for span in spans for t in span if low < t < now)})
    for a, b in pairwise(points):
        at_a = worked_within(spans, a)
        if at_a <= allowed:
            return a - low
        at_b = worked_within(spans, b)
        if at_b <= allowed:
            return a + (at_a - allowed) * (b - a) / (at_a - at_b) - low
    return rule.window


class Occupancy(Desk):
    """The section of :class:`~simdesk.engine.rules.RulesDesk` for occupancy caps."""

    def __init__(self, plan: DeskPlan, batch: TicketBatch, policy: Policy, *,
                 trace: bool = False, duty: Sequence[Sequence[Interval]] | None = None) -> None:
        super().__init__(plan, batch, policy, trace=trace, duty=duty)
        self._caps = desk_rules(plan).occupancy
        self._worked: dict[Agent, deque[Interval]] = {}
        self._rested: set[Agent] = set()
        """Agents back from a rest: they take the next ticket without a check."""
        self._rests: list[float] = []
        """Rows of :attr:`RuleRecord.events <simdesk.engine.records.RuleRecord.events>`."""

    def _finish(self, agent: Agent, ticket: Ticket, started: float, now: float) -> None:
        if self._caps and self._caps[agent.index] is not None:
            self._worked.setdefault(agent, deque()).append((started, now))
        super()._finish(agent, ticket, started, now)

    def _free(self, agent: Agent, now: float) -> None:
        rule = self._caps[agent.index] if self._caps else None
        if rule is None or agent.hand or agent in self._rested:
            self._rested.discard(agent)
            super()._free(agent, now)
            return
        spans = self._worked.get(agent)
        begin = now - rule.window
        while spans and spans[0][1] <= begin:
            spans.popleft()
        if not spans or worked_within(spans, begin) <= rule.cap * rule.window:
            super()._free(agent, now)
            return
        rest = rule.rest if rule.rest is not None else rest_needed(spans, now, rule)
        self._rests.extend((RULE_REST, now, -1, agent.index,
                            max(0.0, min(rest, agent.duty_end - now))))
        if self.log is not None:
            self.log.append((now, "rest", None, agent.name))
        agent.tier.idle.pop(agent, None)
        agent.break_owed = rest
        self._rested.add(agent)
        self._off(agent, now)

    def _release(self) -> None:
        super()._release()
        self._worked.clear()
        self._rested.clear()
