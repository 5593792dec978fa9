"""The moving parts of a running desk: tickets, agents, tiers (slotted for speed)."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simdesk.plan import AgentPlan, TierPlan
    from simdesk.policies.base import TicketQueue


class Ticket:
    """A ticket in the desk, as routing policies see it.

    Its fate — which ``tiers`` it visits, how long each takes, how many agent replies
    (``touches``) it needs — was drawn at birth. ``waiting`` is true while it sits in a
    queue: a policy may keep a ticket in several indexes and skip it lazily once
    ``waiting`` is false (someone took it, or the customer left). ``effort`` is its
    topic's effort; ``estimate`` is what agents believe it to be (set by policies that
    estimate, with ``error`` a standard normal draw made at birth).
    """

    __slots__ = (
        "abandon_at",
        "arrived",
        "channel",
        "deadline",
        "effort",
        "error",
        "estimate",
        "id",
        "owner",
        "queued_at",
        "segment",
        "step",
        "tiers",
        "topic",
        "touch",
        "touches",
        "waiting",
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
        effort: float = 1.0,
        deadline: float = float("inf"),
        error: float = 0.0,
        touches: int = 1,
    ) -> None:
        self.id = id
        self.channel = channel
        self.segment = segment
        self.topic = topic
        self.arrived = arrived
        self.abandon_at = abandon_at
        self.tiers = tiers
        self.effort = effort
        self.estimate = effort
        self.deadline = deadline
        self.error = error
        self.touches = touches
        self.touch = 0
        self.step = 0
        self.queued_at = arrived
        self.waiting = False
        self.owner: Agent | None = None

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
    new object. ``personal`` holds follow-ups waiting for this agent as their owner.
    """

    __slots__ = ("callbacks", "duty_end", "index", "name", "on", "on_since", "personal",
                 "plan", "skills", "started", "team", "ticket", "tier")
    _ok = True

    def __init__(self, plan: AgentPlan, tier: TierState) -> None:
        self.plan = plan
        self.index = plan.index
        self.name = plan.name
        self.team = plan.team
        self.skills = plan.skills
        self.tier = tier
        self.on = False
        self.on_since = 0.0
        self.duty_end = 0.0
        self.ticket: Ticket | None = None
        self.started = 0.0
        self.callbacks: list[Any] | None = None
        self.personal: deque[Ticket] = deque()

    @property
    def idle(self) -> bool:
        """On duty with nothing in hand."""
        return self.on and self.ticket is None

    def __repr__(self) -> str:
        return f"Agent({self.name})"


class TierState:
    """A tier while running: its queue, its idle agents (longest idle first)."""

    __slots__ = (
        "agents",
        "idle",
        "index",
        "plan",
        "queue",
        "queue_area",
        "queue_changed",
        "waiting",
        "wake",
    )

    def __init__(self, plan: TierPlan) -> None:
        self.plan = plan
        self.index = plan.index
        self.idle: dict[Agent, None] = {}
        self.agents = [Agent(agent, self) for agent in plan.agents]
        self.queue: TicketQueue
        self.waiting = 0
        self.queue_area = 0.0
        self.queue_changed = 0.0
        self.wake = float("inf")
        """When a wake-up for idle agents is already scheduled."""
