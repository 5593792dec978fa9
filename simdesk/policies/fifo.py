"""FIFO and newest-first: one shared queue per tier, in arrival order."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan import DeskPlan, TierPlan


class ArrivalQueue:
    """Tickets in the order they entered the tier; pops the oldest or the newest."""

    __slots__ = ("_take", "_tickets")

    def __init__(self, newest: bool = False) -> None:
        self._tickets: deque[Ticket] = deque()
        self._take = self._tickets.pop if newest else self._tickets.popleft

    def push(self, ticket: Ticket, now: float) -> None:
        self._tickets.append(ticket)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        tickets, take = self._tickets, self._take
        while tickets:
            ticket = take()
            if ticket.waiting:
                return ticket
        return None

    def oldest(self) -> Ticket | None:
        """The oldest waiting ticket, left in place."""
        tickets = self._tickets
        while tickets and not tickets[0].waiting:
            tickets.popleft()
        return tickets[0] if tickets else None

    def newest(self) -> Ticket | None:
        """The newest waiting ticket, left in place."""
        tickets = self._tickets
        while tickets and not tickets[-1].waiting:
            tickets.pop()
        return tickets[-1] if tickets else None

    def __len__(self) -> int:
        return len(self._tickets)

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._tickets)

    def __reversed__(self) -> Iterator[Ticket]:
        return reversed(self._tickets)


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
