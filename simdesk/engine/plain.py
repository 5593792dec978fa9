"""The desk's hottest paths written out for the common case (see
:func:`~simdesk.engine.state.is_plain`): no conversations, owners, repeat contacts,
helpers, paced agents, nor a trace. On the M/M/10 queue of ``benchmarks/bench_mmc.py``
they save about 12 % of ``run_desk``'s CPU; the records are exactly those of
:class:`~simdesk.engine.desk.Desk` (``tests/engine/test_properties.py`` checks)."""

from __future__ import annotations

from typing import Any

from simdesk.engine.desk import Desk
from simdesk.engine.entities import Agent, Ticket, TierState
from simdesk.engine.state import INF


class PlainDesk(Desk):
    """:class:`~simdesk.engine.desk.Desk` for the plain case."""

    def _take(self, tier: TierState, agent: Agent, now: float) -> Ticket | None:
        """:meth:`_take` without owners' follow-ups (written out for speed)."""
        queue = tier.queue
        index = tier.index
        while True:
            ticket = queue.pop(agent, now)
            if ticket is None:
                return None
            if not ticket.waiting or ticket.tiers[ticket.step] != index:
                continue
            ticket.waiting = 0
            tier.waiting -= 1
            if ticket.abandon_at > now:
                return ticket
            self._abandon(tier, ticket, now)

    def _start(self, agent: Agent, ticket: Ticket, now: float) -> None:
        """:meth:`_start` without conversations or a trace (written out for speed)."""
        agent.ticket = ticket
        agent.started = now
        step = ticket.step
        if step == 0:
            ticket.abandon_at = INF
            if not self._reply[ticket.channel]:
                self.first_response[ticket.id] = now
        agent.callbacks = self._done_callbacks
        agent.due = due = now + self._handles[step][ticket.id]
        self._at(due, agent)

    def _done(self, agent: Any) -> None:
        """:meth:`_done` (and :meth:`_free`) without conversations or a trace (written
        out for speed)."""
        ticket = agent.ticket
        now = agent.due
        if self._next_arrival <= now:
            self._admit(now)
        tier = agent.tier
        self.visits.extend((ticket.id, tier.index, agent.index, ticket.queued_at,
                            agent.started, now, 0))
        step = ticket.step
        if step == 0 and self._reply[ticket.channel]:
            self.first_response[ticket.id] = now
        step += 1
        ticket.step = step
        agent.ticket = None
        if step < len(ticket.tiers):
            self._enter(ticket, self.tiers[ticket.tiers[step]], now)
        else:
            self.resolved[ticket.id] = now
        if not agent.on or now >= agent.duty_end:
            self._off(agent, now)
            return
        following = self._take(tier, agent, now)
        if following is not None:
            self._start(agent, following, now)
            return
        tier.idle[agent] = None
        if self._alarm.callbacks is None:
            self._set_alarm()
        if tier.waiting:
            self._wake_later(tier, now)
