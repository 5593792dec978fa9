"""Blending: agents who take several channels with priorities between them.

A tier where some agents list the ``channels`` they take (highest priority first) keeps
one queue per channel, each made by the routing policy, and one over all channels for
agents without a list. A blended agent asks its channels' queues in its order, so a
waiting call is always taken before an email — between tickets: nothing interrupts the
ticket in hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.policies.base import TicketQueue


class BlendedQueue:
    """Per-channel queues of one policy, asked in each agent's channel order."""

    __slots__ = ("_all", "_channels")

    def __init__(self, channels: Sequence[TicketQueue], everything: TicketQueue) -> None:
        self._channels = list(channels)
        self._all = everything

    def push(self, ticket: Ticket, now: float) -> None:
        self._channels[ticket.channel].push(ticket, now)
        self._all.push(ticket, now)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        order = agent.channels
        if order is None:
            return self._all.pop(agent, now)
        for channel in order:
            ticket = self._channels[channel].pop(agent, now)
            if ticket is not None:
                return ticket
        return None

    def pop_channel(self, channel: int, agent: Agent, now: float) -> Ticket | None:
        """The ticket ``agent`` takes from ``channel``'s queue (pre-emption)."""
        return self._channels[channel].pop(agent, now)

    def wake_at(self, now: float) -> float | None:
        """The earliest wake-up any of the queues asks for."""
        times = [wake(now) for queue in (*self._channels, self._all)
                 if (wake := getattr(queue, "wake_at", None)) is not None]
        known = [t for t in times if t is not None]
        return min(known) if known else None

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._all)
