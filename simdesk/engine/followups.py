"""Follow-ups: conversations (several agent replies at one tier, optionally owned by the
agent who answered first), repeat contacts (a resolved ticket reopens) and check-backs
(an agent checks, some time after a resolution, that the fix held).

A check-back is agent work of its own at the tier that resolved the ticket: a copy of
the ticket with ``contact`` −(k + 1) after the k-th resolution (0 = the first), queued
like any ticket, never given up, and recorded as a visit with that negative contact; it
resolves nothing and opens nothing. Whether a resolution gets one, and how much it lowers
the chance of a reopen, was drawn at birth (:mod:`simdesk.fates.tickets`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from simdesk.engine.entities import Agent, Ticket
from simdesk.engine.state import INF, NAN, DeskState


class FollowUps(DeskState):
    """The section of :class:`~simdesk.engine.desk.Desk` for tickets that come back."""

    def _conversation_starts(self, agent: Agent, ticket: Ticket, now: float) -> None:
        """An agent picks up a turn of a conversation: note the owner and the reply."""
        if ticket.owner is None and self._owned:
            ticket.owner = agent
        if not self._reply[ticket.channel]:
            self._replied(ticket, ticket.queued_at, now, agent)

    def _replied(self, ticket: Ticket, asked: float, answered: float, agent: Agent) -> None:
        self.replies.extend((ticket.id, ticket.touch, asked, answered, agent.index))

    def _await_answer(self, ticket: Ticket, agent: Agent, now: float) -> None:
        """After an agent's reply, the customer answers later and the ticket comes back."""
        delay = self._answers[ticket.touch][ticket.id]
        ticket.touch += 1
        self.env.call(now + delay, self._customer_answers, ticket)

    def _customer_answers(self, event: Any) -> None:
        ticket: Ticket = event.value
        now = self.env.now
        self._admit(now)
        channel = self.plan.channels[ticket.channel]
        ticket.deadline = float(channel.deadline(np.array([now]))[0])
        if self.log is not None:
            self.log.append((now, "answer", ticket.id, channel.name))
        owner = ticket.owner
        tier = self.tiers[ticket.tiers[ticket.step]]
        if owner is None:
            self._enter(ticket, tier, now)
            return
        ticket.queued_at = now
        self._stays += 1
        ticket.waiting = self._stays
        owner.personal.append((ticket.waiting, ticket))
        tier.waiting += 1
        if self.log is not None:
            self.log.append((now, "queue", ticket.id, owner.name))
        if self._owner_fallback is not None:  # the stay of this answer, before it is taken
            self.env.call(now + self._owner_fallback, self._release_owned,
                          (ticket, ticket.waiting))
        if owner in tier.idle:
            del tier.idle[owner]
            self._free(owner, now)

    def _release_owned(self, event: Any) -> None:
        """A follow-up waited too long for its owner: anyone may take it now."""
        ticket, stay = event.value
        if ticket.waiting != stay:
            return  # its owner took it meanwhile
        now = self.env.now
        self._admit(now)
        tier = self.tiers[ticket.tiers[ticket.step]]
        tier.queue.push(ticket, now)
        if self.log is not None:
            self.log.append((now, "release", ticket.id, tier.plan.name))
        if tier.idle:
            self._offer(tier, now)

    def _reopen_later(self, ticket: Ticket, contact: int, now: float) -> None:
        """A resolved ticket will come back, if its fate says so (and be checked back)."""
        if self._reopens is not None and contact < self._reopens[ticket.id]:
            delay = self._reopen_after[contact][ticket.id]
            self.env.call(now + delay, self._reopened, ticket)
        if self._checkback_after:
            wait = self._checkback_after[contact][ticket.id]
            if wait == wait:  # not NaN: this resolution gets a check-back
                self.env.call(now + wait, self._check_back, (ticket, contact))

    def _check_back(self, event: Any) -> None:
        """Time to check that the fix held: a job for the tier that resolved the ticket."""
        ticket, contact = event.value
        now = self.env.now
        self._admit(now)
        job = Ticket(ticket.id, ticket.channel, ticket.arrived, INF, ticket.tiers, ticket.fates)
        job.contact = -(contact + 1)
        job.step = len(ticket.tiers) - 1
        if self.log is not None:
            self.log.append((now, "checkback", ticket.id,
                             self.plan.channels[ticket.channel].name))
        self._enter(job, self.tiers[job.tiers[job.step]], now)

    def _reopened(self, event: Any) -> None:
        """A resolved ticket comes back: a repeat contact at the tier that resolved it."""
        ticket: Ticket = event.value
        now = self.env.now
        self._admit(now)
        ticket.contact += 1
        ticket.step = len(ticket.tiers) - 1
        self.resolved[ticket.id] = NAN
        if self.log is not None:
            self.log.append((now, "reopen", ticket.id, self.plan.channels[ticket.channel].name))
        self._enter(ticket, self.tiers[ticket.tiers[ticket.step]], now)
