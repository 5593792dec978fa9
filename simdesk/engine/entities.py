"""The moving parts of a running desk: tickets, agents, tiers (slotted for speed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simdesk.plan import AgentPlan, TierPlan
    from simdesk.policies.base import TicketQueue


class Ticket:
    """A ticket in the desk. Its fate (``tiers``, ``handles``) was drawn at birth."""

    __slots__ = (
        "abandon_at",
        "arrived",
        "channel",
        "id",
        "queued_at",
        "segment",
        "step",
        "tiers",
        "topic",
    )

    def __init__(
        self,
        id: int,
        channel: int,
        segment: int,
        topic: int,
        arrived: float,
        abandon_at: float,
        tiers: tuple[int, ...],
    ) -> None:
        self.id = id
        self.channel = channel
        self.segment = segment
        self.topic = topic
        self.arrived = arrived
        self.abandon_at = abandon_at
        self.tiers = tiers
        self.step = 0
        self.queued_at = arrived

    @property
    def tier(self) -> int:
        """The tier the ticket is at (or waiting for)."""
        return self.tiers[self.step]

    def __repr__(self) -> str:
        return f"Ticket({self.id}, arrived={self.arrived:g}, step={self.step})"


class Agent:
    """An agent: on or off duty, idle or working one ticket.

    An agent is also the SimPy event of its own service completion (``callbacks`` and
    ``_ok`` are what SimPy's ``Environment.step`` reads), so finishing a ticket needs no
    new object.
    """

    __slots__ = ("callbacks", "duty_end", "index", "name", "on", "on_since", "plan", "started",
                 "ticket", "tier")
    _ok = True

    def __init__(self, plan: AgentPlan, tier: TierState) -> None:
        self.plan = plan
        self.index = plan.index
        self.name = plan.name
        self.tier = tier
        self.on = False
        self.on_since = 0.0
        self.duty_end = 0.0
        self.ticket: Ticket | None = None
        self.started = 0.0
        self.callbacks: list[Any] | None = None

    def __repr__(self) -> str:
        return f"Agent({self.name})"


class TierState:
    """A tier while running: its queue, its idle agents (longest idle first)."""

    __slots__ = ("agents", "idle", "index", "plan", "queue", "queue_area", "queue_changed",
                 "waiting")

    def __init__(self, plan: TierPlan, queue: TicketQueue) -> None:
        self.plan = plan
        self.index = plan.index
        self.queue = queue
        self.idle: dict[Agent, None] = {}
        self.agents = [Agent(agent, self) for agent in plan.agents]
        self.waiting = 0
        self.queue_area = 0.0
        self.queue_changed = 0.0
