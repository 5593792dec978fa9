"""The routing policy protocol: given the waiting tickets and a free agent, choose.

A policy makes one :class:`TicketQueue` per tier. The engine pushes every ticket that
enters the tier and, whenever an agent is free, asks the queue to pop the ticket that
agent should take (or ``None`` to leave the agent idle). Built-in queues keep whatever
structure makes that choice cheap (a deque for FIFO, heaps for priorities).

A popped ticket whose customer has already left (patience expired) is recorded as
abandoned by the engine, which then asks again; queues never need to know about
patience, but ``ticket.abandon_at`` is there for policies that want to look.
"""

from __future__ import annotations

from collections.abc import Iterator
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
        """Tickets held (including any whose patience has run out unseen)."""

    def __iter__(self) -> Iterator[Ticket]:
        """The tickets held, in no promised order."""


class Policy(Protocol):
    """A routing policy: makes the queue of each tier."""

    name: str

    def queue(self, plan: DeskPlan, tier: TierPlan) -> TicketQueue:
        """A fresh, empty queue for ``tier`` (one per replication)."""
