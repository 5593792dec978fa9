"""Pre-emptive priority for blending: a call pulls an agent off an email, who resumes it
when free (pre-emptive resume, optionally with a restart cost).

Rules, each covered by a scripted test (``tests/engine/test_desk_rules.py``):

* a ticket of an interrupting channel that, once queued, no idle agent (nor helper)
  takes, pulls off the agent of its tier who takes that channel, is on duty with one
  seat, and works a ticket of a channel it interrupts — the one who started last;
* the pulled agent takes the oldest ticket of the interrupting channel at once; the
  interrupted ticket is set aside with the work it still needs;
* a free agent with work set aside first takes any waiting ticket of a channel that
  interrupts it (in the order the pairs are written), else resumes the work set aside
  last, ``restart_cost`` longer than what it still needed; an agent whose shift ended
  resumes it too (a ticket in hand is always finished);
* an interrupted ticket's visit starts, in the records, at its end minus the time it
  was worked on: ``end − start`` is its service, ``start − queued`` its delay (the
  queueing-theory waiting time); its first response stays when it was first picked up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simdesk.engine.blend import BlendedQueue
from simdesk.engine.desk import Desk
from simdesk.engine.entities import Agent, Ticket, TierState
from simdesk.engine.records import RULE_INTERRUPT
from simdesk.engine.state import NAN
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import DeskPlan
from simdesk.plan.rules import desk_rules
from simdesk.policies.base import Policy
from simdesk.scenario.calendar import Interval

SetAside = tuple[Ticket, float, float, float]
"""(ticket, minutes worked on it, minutes of work left, restart cost)."""


class Preemption(Desk):
    """The section of :class:`~simdesk.engine.rules.RulesDesk` for pre-emption."""

    def __init__(self, plan: DeskPlan, batch: TicketBatch, policy: Policy, *,
                 trace: bool = False, duty: Sequence[Sequence[Interval]] | None = None) -> None:
        super().__init__(plan, batch, policy, trace=trace, duty=duty)
        self._preempt = desk_rules(plan).preempt or tuple({} for _ in plan.tiers)
        self._set_aside: dict[Agent, list[SetAside]] = {}
        self._stale: dict[Agent, list[float]] = {}
        """Completion times scheduled for work that was then interrupted: the agent's
        event still fires then, and is ignored."""
        self._interrupts: list[float] = []
        """Rows of :attr:`RuleRecord.events <simdesk.engine.records.RuleRecord.events>`."""

    def _enter(self, ticket: Ticket, tier: TierState, now: float) -> None:
        super()._enter(ticket, tier, now)
        pairs = self._preempt[tier.index]
        if not pairs or not ticket.waiting or ticket.channel not in pairs:
            return
        lows = pairs[ticket.channel]
        victims = [agent for agent in tier.agents
                   if agent.ticket is not None and agent.on and agent.seats == 1
                   and agent.helper is None and agent.ticket.channel in lows
                   and (agent.channels is None or ticket.channel in agent.channels)]
        victims.sort(key=_started, reverse=True)  # stable: ties in the tier's order
        for victim in victims:
            held = victim.ticket
            assert held is not None
            if self._interrupt(victim, tier, ticket.channel, lows[held.channel], now):
                return

    def _set_alarm(self) -> None:
        """Wake up at every arrival while an entry tier has interrupting channels: an
        arrival may pull a busy agent off its ticket."""
        super()._set_alarm()
        if self._alarm.callbacks is not None or self._next >= self._count:
            return
        if any(self._preempt[tier.index] for tier in self._entry_tiers):
            self._alarm.callbacks = self._ring_callbacks
            self._at(self._next_arrival, self._alarm)

    def _interrupt(self, agent: Agent, tier: TierState, channel: int, cost: float,
                   now: float) -> bool:
        """Pull ``agent`` off its ticket for the next of ``channel`` that the routing
        policy gives it (``False``: none for this agent, nothing changed)."""
        held = agent.ticket
        assert held is not None
        taken = self._take_channel(tier, channel, agent, now)
        if taken is None:
            return False
        self._stale.setdefault(agent, []).append(agent.due)
        self._set_aside.setdefault(agent, []).append(
            (held, now - agent.started, agent.due - now, cost))
        agent.ticket = None
        self._interrupts.extend((RULE_INTERRUPT, now, held.id, agent.index, cost))
        if self.log is not None:
            self.log.append((now, "interrupt", held.id, agent.name))
        self._start(agent, taken, now)
        return True

    def _take_channel(self, tier: TierState, channel: int, agent: Agent, now: float
                      ) -> Ticket | None:
        """The next ticket of ``channel`` for ``agent`` (customers who left recorded)."""
        queue = tier.queue
        assert isinstance(queue, BlendedQueue)
        while True:
            ticket = queue.pop_channel(channel, agent, now)
            if ticket is None:
                return None
            if not ticket.waiting or ticket.tiers[ticket.step] != tier.index:
                continue
            ticket.waiting = 0
            tier.waiting -= 1
            if ticket.abandon_at > now:
                return ticket
            self._abandon(tier, ticket, now)

    def _done(self, agent: Any) -> None:
        stale = self._stale.get(agent)
        if not stale:
            super()._done(agent)
            return
        now = self.env.now
        if now in stale:
            stale.remove(now)  # the completion of interrupted work: nothing happens
        else:
            super()._done(agent)
        agent.callbacks = self._done_callbacks  # a stale completion is still to come

    def _free(self, agent: Agent, now: float) -> None:
        aside = self._set_aside.get(agent)
        if not aside:
            super()._free(agent, now)
            return
        tier = agent.tier
        low = aside[-1][0].channel
        for high, lows in self._preempt[tier.index].items():
            if low in lows and (agent.channels is None or high in agent.channels):
                ticket = self._take_channel(tier, high, agent, now)
                if ticket is not None:
                    self._start(agent, ticket, now)
                    return
        self._resume(agent, now)

    def _off(self, agent: Agent, now: float) -> None:
        if self._set_aside.get(agent):
            self._resume(agent, now)  # the shift ended: finish the work set aside first
            return
        super()._off(agent, now)

    def _resume(self, agent: Agent, now: float) -> None:
        ticket, worked, left, cost = self._set_aside[agent].pop()
        if self.log is not None:
            self.log.append((now, "resume", ticket.id, agent.name))
        agent.ticket = ticket
        agent.started = now - worked
        agent.callbacks = self._done_callbacks
        agent.due = due = now + left + cost
        self._at(due, agent)

    def _close(self, horizon: float) -> None:
        for agent, aside in self._set_aside.items():
            for ticket, worked, _, _ in aside:
                self.visits.extend((ticket.id, ticket.tiers[ticket.step], agent.index,
                                    ticket.queued_at, horizon - worked, NAN, ticket.contact))
        super()._close(horizon)

    def _release(self) -> None:
        super()._release()
        self._set_aside.clear()
        self._stale.clear()


def _started(agent: Agent) -> float:
    return agent.started
