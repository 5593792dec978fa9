"""The routing policy protocol: given the waiting tickets and a free agent, choose.

A policy makes one :class:`TicketQueue` per tier. The engine pushes every ticket that
enters the tier and, whenever an agent is free, asks the queue to pop the ticket that
agent should take (or ``None`` to leave the agent idle). Built-in queues keep whatever
structure makes that choice cheap (a deque for FIFO, heaps for priorities).

Two conventions keep queues simple:

* **Lazy removal.** ``ticket.waiting`` is true while a ticket waits; the engine sets
  it to false when someone takes the ticket (through any queue) or the customer
  leaves. A queue may keep a ticket in several indexes and must skip tickets that are
  no longer waiting; returning one is harmless (the engine asks again).
* **Patience is the engine's.** A popped ticket whose customer has already left is
  recorded as abandoned by the engine, which then asks again.

Optional extras, found by name: ``TicketQueue.wake_at(now)`` — when an idle agent might
be able to take a waiting ticket it cannot take now (e.g. after a fallback delay); and
``Policy.refuses(ticket)`` — turn a ticket away at arrival.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan import DeskPlan, TierPlan


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
