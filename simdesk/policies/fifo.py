"""FIFO and newest-first: one shared queue per tier, in arrival order."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan


class ArrivalQueue:
    """Tickets in the order they entered the tier; pops the oldest or the newest.

    The same bookkeeping as :class:`~simdesk.policies.base.Entries` (each entry carries
    its stay), written out for the busiest queue of all.
    """

    __slots__ = ("_stays", "_take", "_take_stay", "_tickets")
    any_agent = True
    """Every agent may take every ticket: with nothing waiting, an arrival goes straight
    to the agent idle longest (the engine then skips the queue)."""

    def __init__(self, newest: bool = False) -> None:
        # two parallel deques: cheaper than a deque of (stay, ticket) tuples
        self._tickets: deque[Ticket] = deque()
        self._stays: deque[int] = deque()
        self._take = self._tickets.pop if newest else self._tickets.popleft
        self._take_stay = self._stays.pop if newest else self._stays.popleft

    def push(self, ticket: Ticket, now: float) -> None:
        self._tickets.append(ticket)
        self._stays.append(ticket.waiting)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        tickets, take, take_stay = self._tickets, self._take, self._take_stay
        while tickets:
            ticket = take()
            if ticket.waiting == take_stay():
                return ticket
        return None

    def __len__(self) -> int:
        return len(self._tickets)

    def __iter__(self) -> Iterator[Ticket]:
        return (t for t, stay in zip(self._tickets, self._stays, strict=True)
                if t.waiting == stay)


class Fifo:
    """Oldest first. *Playbook:* "best for small teams" — everyone sees every kind of
    problem and customers are helped in the order they wrote. *Helps:* fairness, no
    ticket starves. *Costs:* an easy question waits behind every hard one."""

    name = "fifo"

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> ArrivalQueue:
        return ArrivalQueue()


class NewestFirst:
    """Newest first (LIFO). *Helps:* whoever just wrote gets a fast answer. *Costs:* in
    a busy spell the oldest tickets wait longest — the mean wait is as FIFO's, the tail
    much longer."""

    name = "newest-first"

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> ArrivalQueue:
        return ArrivalQueue(newest=True)
