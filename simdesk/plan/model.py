"""The desk plan: what the engine runs, a validated scenario compiled by
:func:`simdesk.plan.compile.compile_plan`.

Names become indices, shifts and rotations become each agent's on-duty intervals in
scenario minutes, and every arrival stream becomes a piecewise-constant rate function.
The plan is immutable and the same for every replication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from simdesk.scenario.behaviour import (
    Deflection,
    Reopen,
    Shrinkage,
    Volume,
)
from simdesk.scenario.calendar import (
    Clock,
    Interval,
    WorkingTime,
)
from simdesk.scenario.distributions import Distribution
from simdesk.scenario.schema import Scenario

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]


@dataclass(frozen=True)
class HelperRule:
    """When a helper (a manager, say) joins and leaves a tier's queue."""

    name: str
    """The helper's name in the scenario (the same for each of ``count`` people)."""
    joins_at: int
    leaves_at: int
    cap: float
    """Most of their hours they may spend in the queue: ``cap`` × the length of each
    stretch of hours (a day's shift), spent whenever the queue needs them."""


@dataclass(frozen=True)
class AgentPlan:
    """One person of a tier and when they are on the queue."""

    index: int
    name: str
    tier: int
    group: str
    duty: tuple[Interval, ...]
    """Shift (or rotation) intervals; a helper's are when they *may* join."""
    team: str | None = None
    skills: frozenset[int] | None = None
    """Topic indices this agent takes (``None``: every topic)."""
    speed: float = 1.0
    """Handle times are divided by it."""
    ramp: tuple[float, float] | None = None
    """(starting share of ``speed``, minutes until full speed) for a new hire."""
    channels: tuple[int, ...] | None = None
    """Channels this agent takes, highest priority first (``None``: all, no priority)."""
    seats: int = 1
    """Tickets the agent may have in hand at once (chat concurrency)."""
    slowdown: float = 0.0
    """Extra handle time per other ticket in hand when one starts."""
    breaks: tuple[Interval, ...] = ()
    """Scheduled breaks: (when it is due, how long)."""
    helper: HelperRule | None = None

    @property
    def duty_minutes(self) -> float:
        return sum(end - begin for begin, end in self.duty)

    def speed_at(self, now: float) -> float:
        """The agent's speed at scenario minute ``now`` (ramping up if a new hire)."""
        if self.ramp is None:
            return self.speed
        start, over = self.ramp
        return self.speed * (start + (1 - start) * min(1.0, now / over))


@dataclass(frozen=True)
class HandleOverride:
    """A tier's handle time for one channel, one topic, or one channel's topic."""

    key: str
    channel: int | None
    topic: int | None
    handle: Distribution


@dataclass(frozen=True)
class TierPlan:
    """A tier of support as the engine sees it."""

    index: int
    name: str
    role: str
    handle: Distribution
    topic_effort: bool
    resolves: float
    escalate_to: int | None
    agents: tuple[AgentPlan, ...]
    handle_by: tuple[HandleOverride, ...] = ()
    reopens: Reopen | None = None
    shrinkage: Shrinkage | None = None
    """Absence and time off the queue (the tier's own, else the desk's)."""

    def handle_for(self, channel: int, topic: int) -> tuple[str, Distribution, bool]:
        """(random stream key, distribution, whether the topic's effort multiplies it)
        for tickets of ``channel`` and ``topic``: channel/topic first, then the topic,
        then the channel, then the tier's ``handle``."""
        best: HandleOverride | None = None
        rank = 0
        for override in self.handle_by:
            if override.channel not in (None, channel) or override.topic not in (None, topic):
                continue
            score = (2 if override.topic is not None else 0) + (override.channel is not None)
            if score > rank:
                best, rank = override, score
        if best is None:
            return "", self.handle, self.topic_effort
        return best.key, best.handle, self.topic_effort and best.topic is None

    def expected_handle(self, channel: int, topic_shares: FloatArray,
                        efforts: FloatArray) -> float:
        """Mean handle time here of a ticket of ``channel`` with this topic mix."""
        total = 0.0
        for topic, share in enumerate(topic_shares):
            if share > 0:
                _, handle, scaled = self.handle_for(channel, topic)
                total += share * handle.expected * (efforts[topic] if scaled else 1.0)
        return total / max(float(np.sum(topic_shares)), 1e-300)


@dataclass(frozen=True)
class ChannelPlan:
    """A contact channel: its service target, patience and where its tickets go."""

    index: int
    name: str
    sla_within: float
    sla_target: float
    sla_hours: WorkingTime | None
    """When set, the SLA clock runs only in these hours."""
    patience: Distribution | None
    response: str
    chain: tuple[int, ...]
    """Tiers a ticket of this channel can visit, from its entry tier along escalations."""
    touches: FloatArray
    """Share of tickets needing 1, 2, … agent replies."""
    reply_after: Distribution | None
    """How long the customer takes to answer an agent's reply."""
    touch_step: int
    """Position in ``chain`` of the tier that holds the conversation (the first tier
    that is not a dispatcher): all agent replies happen there."""

    def deadline(self, asked: np.ndarray) -> np.ndarray:
        """When the SLA runs out for requests made at ``asked``."""
        if self.sla_hours is None:
            return np.asarray(asked + self.sla_within, dtype=float)
        return self.sla_hours.deadline(asked, self.sla_within)


@dataclass(frozen=True)
class StreamPlan:
    """One Poisson arrival stream with a piecewise-constant rate (per minute)."""

    channel: int
    number: int
    """Position among the streams of the same channel (names its random streams)."""
    starts: FloatArray
    rates: FloatArray
    horizon: float
    segment_shares: FloatArray
    topic_shares: FloatArray

    @cached_property
    def cumulative(self) -> FloatArray:
        """Expected arrivals Λ(t) at each piece's start, and Λ(horizon) last."""
        ends = np.append(self.starts[1:], self.horizon)
        return np.concatenate([[0.0], np.cumsum(self.rates * (ends - self.starts))])

    @property
    def expected(self) -> float:
        return float(self.cumulative[-1])

    def expected_between(self, begin: float, end: float) -> float:
        """Expected arrivals in ``[begin, end)``."""
        ends = np.append(self.starts[1:], self.horizon)
        overlap = np.clip(np.minimum(ends, end) - np.maximum(self.starts, begin), 0, None)
        return float(np.sum(self.rates * overlap))


@dataclass(frozen=True)
class DeskPlan:
    """Everything the engine needs, by index."""

    scenario: Scenario
    clock: Clock
    horizon: float
    warmup: float
    channels: tuple[ChannelPlan, ...]
    segments: tuple[str, ...]
    topics: tuple[str, ...]
    efforts: FloatArray
    topic_touches: tuple[FloatArray | None, ...]
    """Per topic, its own touch shares (instead of the channel's), if any."""
    streams: tuple[StreamPlan, ...]
    tiers: tuple[TierPlan, ...]
    deflection: tuple[Deflection | None, ...] = ()
    """Per topic, the share self-service answers."""
    topic_reopens: tuple[Reopen | None, ...] = ()
    """Per topic, its own repeat-contact behaviour (instead of the resolving tier's)."""
    ownership: str = "shared"
    """Who takes a conversation's follow-ups: anyone (``shared``) or its ``owner``."""
    owner_fallback: float | None = None
    """Minutes a follow-up waits for its owner before anyone may take it."""
    cache: dict[tuple[object, ...], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    """Values derived from the plan alone, computed once (see :mod:`simdesk.plan.work`)."""

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for worker processes) without the cache: it is cheaper to rebuild."""
        return {**self.__dict__, "cache": {}}

    @property
    def volume(self) -> Volume | None:
        return self.scenario.volume

    @property
    def max_reopens(self) -> int:
        """Most repeat contacts a ticket can have."""
        specs = [t.reopens for t in self.tiers] + list(self.topic_reopens)
        return max((r.max for r in specs if r is not None and r.share > 0), default=0)

    @property
    def max_touches(self) -> int:
        shares = [c.touches for c in self.channels] + [t for t in self.topic_touches
                                                       if t is not None]
        return max(len(s) for s in shares)

    @property
    def agents(self) -> tuple[AgentPlan, ...]:
        return tuple(agent for tier in self.tiers for agent in tier.agents)


