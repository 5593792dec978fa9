"""The routing policy protocol: given the waiting tickets and a free agent, choose.

A policy makes one :class:`TicketQueue` per tier. The engine pushes every ticket that
enters the tier and, whenever an agent is free, asks the queue to pop the ticket that
agent should take (or ``None`` to leave the agent idle). Built-in queues keep whatever
structure makes that choice cheap (a deque for FIFO, heaps for priorities).

Two conventions keep queues simple:

* **Lazy removal.** Each time a ticket enters a queue the engine numbers the stay:
  ``ticket.waiting`` is that number while it waits and 0 once someone takes it
  (through any index) or the customer leaves. A queue may keep a ticket in several
  indexes; it stores the stay with each entry and skips entries whose ticket's
  ``waiting`` no longer matches — a ticket waits again later at the next tier, or at
  the same tier with a follow-up, and an old entry must not come back to life then.
  :class:`Entries` does this bookkeeping; returning a stale ticket is harmless for
  the engine only in the sense that it is re-checked against the tier.
* **Patience is the engine's.** A popped ticket whose customer has already left is
  recorded as abandoned by the engine, which then asks again.

Optional extras, found by name: ``TicketQueue.any_agent`` — true when every agent may
take every ticket, so that an arrival finding nothing waiting goes straight to the agent
idle longest; ``TicketQueue.wake_at(now)`` — when an idle agent might
be able to take a waiting ticket it cannot take now (e.g. after a fallback delay); and
``Policy.refuses(ticket)`` — turn a ticket away at arrival.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan


class TicketQueue(Protocol):
    """The waiting tickets of one tier, in the policy's order."""

    def push(self, ticket: Ticket, now: float) -> None:
        """A ticket enters the tier at time ``now``."""

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        """Remove and return the ticket ``agent`` takes now, or ``None``."""

    def __len__(self) -> int:
        """Tickets held (including some that may no longer be waiting)."""

    def __iter__(self) -> Iterator[Ticket]:
        """The tickets held, in no promised order."""


class Policy(Protocol):
    """A routing policy: makes the queue of each tier."""

    name: str

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> TicketQueue:
        """A fresh, empty queue for ``tier`` and its (running) ``agents``."""


def estimate(ticket: Ticket, noise: float) -> float:
    """What an agent believes a ticket's effort is: the topic's effort, times a lognormal
    error with mean 1 and coefficient of variation ``noise`` (the ticket's own draw)."""
    if noise <= 0:
        return ticket.effort
    sigma = math.sqrt(math.log1p(noise * noise))
    return ticket.effort * math.exp(sigma * ticket.error - sigma * sigma / 2)


class Entries:
    """Tickets in the order they entered a queue, each entry tagged with its stay.

    ``ticket.waiting`` is the number of the ticket's current stay in a queue (0 when it
    is not waiting). An entry is *current* while the ticket's ``waiting`` still equals
    the stay it was made for; an entry left behind — its ticket taken through another
    index, or waiting again later at the next tier or with a follow-up — is skipped for
    good. Pops remove what they return; peeks (``oldest``, ``newest``) leave it, to be
    dropped once the engine marks the ticket taken.
    """

    __slots__ = ("_stays", "_tickets")

    def __init__(self) -> None:
        # two parallel deques: cheaper than a deque of (stay, ticket) tuples
        self._tickets: deque[Ticket] = deque()
        self._stays: deque[int] = deque()

    def push(self, ticket: Ticket) -> None:
        """The ticket has just entered (or re-entered) the queue."""
        self._tickets.append(ticket)
        self._stays.append(ticket.waiting)

    def pop_oldest(self) -> Ticket | None:
        tickets, stays = self._tickets, self._stays
        while tickets:
            ticket = tickets.popleft()
            if ticket.waiting == stays.popleft():
                return ticket
        return None

    def pop_newest(self) -> Ticket | None:
        tickets, stays = self._tickets, self._stays
        while tickets:
            ticket = tickets.pop()
            if ticket.waiting == stays.pop():
                return ticket
        return None

    def oldest(self) -> Ticket | None:
        """The oldest current ticket, left in place (stale entries before it dropped)."""
        tickets, stays = self._tickets, self._stays
        while tickets:
            if tickets[0].waiting == stays[0]:
                return tickets[0]
            tickets.popleft()
            stays.popleft()
        return None

    def newest(self) -> Ticket | None:
        """The newest current ticket, left in place (stale entries after it dropped)."""
        tickets, stays = self._tickets, self._stays
        while tickets:
            if tickets[-1].waiting == stays[-1]:
                return tickets[-1]
            tickets.pop()
            stays.pop()
        return None

    def compact(self) -> None:
        """Drop every stale entry (a pass over all of them)."""
        current = [(t, s) for t, s in zip(self._tickets, self._stays, strict=True)
                   if t.waiting == s]
        self._tickets = deque(t for t, _ in current)
        self._stays = deque(s for _, s in current)

    def newest_first(self) -> Iterator[Ticket]:
        """The current tickets, newest first."""
        pairs = zip(reversed(self._tickets), reversed(self._stays), strict=True)
        return (ticket for ticket, stay in pairs if ticket.waiting == stay)

    def __len__(self) -> int:
        return len(self._tickets)

    def __iter__(self) -> Iterator[Ticket]:
        """The current tickets, oldest first."""
        pairs = zip(self._tickets, self._stays, strict=True)
        return (ticket for ticket, stay in pairs if ticket.waiting == stay)
