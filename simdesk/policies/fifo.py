"""FIFO: the oldest waiting ticket first, one shared queue per tier."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan import DeskPlan, TierPlan


class FifoQueue:
    """Tickets in the order they entered the tier."""

    __slots__ = ("_tickets",)

    def __init__(self) -> None:
        self._tickets: deque[Ticket] = deque()

    def push(self, ticket: Ticket, now: float) -> None:
        self._tickets.append(ticket)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        return self._tickets.popleft() if self._tickets else None

    def __len__(self) -> int:
        return len(self._tickets)

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._tickets)


class Fifo:
    """Oldest first: simple and fair; good for small teams (the playbook's default)."""

    name = "fifo"

    def queue(self, plan: DeskPlan, tier: TierPlan) -> FifoQueue:
        return FifoQueue()
