"""The moving parts of a running desk: tickets, agents, tiers (slotted for speed)."""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from simdesk.engine.kernel import Event

if TYPE_CHECKING:
    from simdesk.fates.tickets import TicketBatch
    from simdesk.plan.model import AgentPlan, TierPlan
    from simdesk.policies.base import TicketQueue


class Fates:
    """The fates of a replication's tickets, for the rarely read parts of a
    :class:`Ticket` (each column is converted to a Python list on first use)."""

    def __init__(self, batch: TicketBatch, efforts: np.ndarray) -> None:
        self._batch = batch
        self._efforts = efforts

    @cached_property
    def segments(self) -> list[int]:
        return self._batch.segment.tolist()

    @cached_property
    def topics(self) -> list[int]:
        return self._batch.topic.tolist()

    @cached_property
    def efforts(self) -> list[float]:
        efforts: list[float] = self._efforts[self._batch.topic].tolist()
        return efforts

    @cached_property
    def errors(self) -> list[float]:
        return self._batch.estimate_error.tolist()

    @cached_property
    def deadlines(self) -> list[float]:
        return self._batch.deadline.tolist()

    @cached_property
    def touches(self) -> list[int]:
        return self._batch.touches.tolist()


class Ticket:
    """A ticket in the desk, as routing policies see it.

    Its fate — which ``tiers`` it visits, how long each takes, how many agent replies
    (``touches``) it needs — was drawn at birth. ``waiting`` is the number of its
    current stay in a queue, 0 once someone took it or the customer left (see
    :class:`simdesk.policies.base.Entries`). ``effort`` is its
    topic's effort; ``error`` a standard normal draw made at birth, for policies that
    estimate the effort (:func:`simdesk.policies.estimate`), which may keep their
    estimate in ``estimate``. ``deadline`` is when the SLA of the current request runs
    out. ``touch`` counts the agent replies given at the conversation tier; ``owner`` is
    the agent who owns the follow-ups (``ownership: owner``).

    The hot attributes are slots; the rare ones live in the instance ``__dict__``, only
    when set, over class-level defaults.
    """

    __slots__ = ("__dict__", "abandon_at", "arrived", "channel", "fates", "id", "queued_at",
                 "step", "tiers", "waiting")
    touch = 0
    contact = 0
    """0 for the first contact, k while the k-th repeat contact (a reopen) is open."""
    owner: Agent | None = None
    estimate: float | None = None
    _deadline: float | None = None

    def __init__(self, id: int, channel: int, arrived: float, abandon_at: float,
                 tiers: tuple[int, ...], fates: Fates) -> None:
        self.id = id
        self.channel = channel
        self.arrived = arrived
        self.abandon_at = abandon_at
        self.tiers = tiers
        self.fates = fates
        self.step = 0
        self.queued_at = arrived
        self.waiting = 0

    @property
    def segment(self) -> int:
        return self.fates.segments[self.id]

    @property
    def topic(self) -> int:
        return self.fates.topics[self.id]

    @property
    def effort(self) -> float:
        return self.fates.efforts[self.id]

    @property
    def error(self) -> float:
        return self.fates.errors[self.id]

    @property
    def touches(self) -> int:
        return self.fates.touches[self.id]

    @property
    def deadline(self) -> float:
        own = self._deadline
        return self.fates.deadlines[self.id] if own is None else own

    @deadline.setter
    def deadline(self, value: float) -> None:
        self._deadline = value

    @property
    def tier(self) -> int:
        """The tier the ticket is at (or waiting for)."""
        return self.tiers[self.step]

    def __repr__(self) -> str:
        return f"Ticket({self.id}, arrived={self.arrived:g}, step={self.step})"


class Agent(Event):
    """An agent: on or off duty, idle or working one ticket (or, with several
    ``seats``, up to that many at once, in ``hand``).

    An agent is also the event of its own service completion (a
    :class:`~simdesk.engine.kernel.Event`), so finishing a ticket needs no new object.
    ``personal`` holds follow-ups (with their stay numbers) waiting for this agent as
    their owner. ``break_owed`` is a break due while the agent was busy, taken
    when the ticket in hand is done. A helper may spend ``allowance`` minutes in the
    queue during their current hours and has ``used`` that many so far.
    """

    __slots__ = ("allowance", "break_owed", "channels", "due", "duty_end", "hand",
                 "helper", "index", "name", "on", "on_since", "personal", "plan", "seats",
                 "skills", "started", "team", "ticket", "tier", "used")

    def __init__(self, plan: AgentPlan, tier: TierState) -> None:
        self.plan = plan
        self.index = plan.index
        self.name = plan.name
        self.team = plan.team
        self.skills = plan.skills
        self.channels = plan.channels
        self.seats = plan.seats
        self.helper = plan.helper
        self.tier = tier
        self.on = False
        self.on_since = 0.0
        self.duty_end = 0.0
        self.ticket: Ticket | None = None
        self.hand: list[tuple[Ticket, float]] = []
        """Tickets in hand with their start times (agents with several seats)."""
        self.started = 0.0
        self.due = 0.0
        """When the ticket in hand is done (the time of this event, when scheduled)."""
        self.callbacks = None
        self.personal: deque[tuple[int, Ticket]] = deque()
        self.break_owed = 0.0
        self.allowance = 0.0
        self.used = 0.0

    @property
    def busy(self) -> bool:
        """Something in hand."""
        return self.ticket is not None or bool(self.hand)

    @property
    def idle(self) -> bool:
        """On duty with nothing in hand."""
        return self.on and not self.busy

    def __repr__(self) -> str:
        return f"Agent({self.name})"


class TierState:
    """A tier while running: its queue, its idle agents (longest idle first)."""

    __slots__ = (
        "agents",
        "by_load",
        "direct",
        "helpers",
        "idle",
        "index",
        "plan",
        "queue",
        "waiting",
        "wake",
    )

    def __init__(self, plan: TierPlan) -> None:
        self.plan = plan
        self.index = plan.index
        self.idle: dict[Agent, None] = {}
        self.agents = [Agent(agent, self) for agent in plan.agents]
        self.helpers = [agent for agent in self.agents if agent.helper is not None]
        """Agents who join only when the queue is long (empty: none)."""
        self.queue: TicketQueue
        self.direct = False
        """Any idle agent may take any ticket (the queue's ``any_agent``)."""
        self.by_load = False
        """Some agents have several seats: offer to the least loaded first."""
        self.waiting = 0
        """Tickets in its queue (customers who left count until an agent notices)."""
        self.wake = float("inf")
        """When a wake-up for idle agents is already scheduled."""
