"""A tier queue whose routing policy a supervisor may switch for a while.

Every ticket entering the tier is pushed into the queue of each policy (as blending
pushes into the channel's queue and the tier's); agents pop from the *active* one. A
ticket taken through one queue is stale in the others and skipped there (lazy removal,
:class:`simdesk.policies.base.Entries`), so switching moves no ticket and loses none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.policies.base import TicketQueue


class SwitchingQueue:
    """The tier's own queue first, then one per alternative policy; ``active`` picks."""

    __slots__ = ("active", "queues", "until")

    def __init__(self, queues: Sequence[TicketQueue]) -> None:
        self.queues = list(queues)
        self.active = 0
        self.until = 0.0
        """When the current switch ends (the review that made it and its extensions)."""

    def push(self, ticket: Ticket, now: float) -> None:
        for queue in self.queues:
            queue.push(ticket, now)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        return self.queues[self.active].pop(agent, now)

    def wake_at(self, now: float) -> float | None:
        wake = getattr(self.queues[self.active], "wake_at", None)
        return None if wake is None else wake(now)

    def __len__(self) -> int:
        return len(self.queues[0])

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self.queues[0])


__all__ = ["SwitchingQueue"]
