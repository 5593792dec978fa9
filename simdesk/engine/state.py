"""The state of one running desk: its tiers, the tickets' fates as Python lists, and
the records being written. The behaviour lives in :mod:`simdesk.engine.desk` and the
sections it is made of (:mod:`~simdesk.engine.followups`, :mod:`~simdesk.engine.shifts`,
:mod:`~simdesk.engine.plain`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from simdesk.engine.blend import BlendedQueue
from simdesk.engine.entities import Agent, Fates, Ticket, TierState
from simdesk.engine.kernel import Event, Kernel
from simdesk.engine.records import LogEntry
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import DeskPlan
from simdesk.policies.base import Policy
from simdesk.scenario.calendar import Interval
from simdesk.scenario.roles import Morale

NAN = math.nan
INF = math.inf


def morale_speed(morale: Morale | None) -> Callable[[int], float] | None:
    """Speed with ``waiting`` tickets in the tier's queue: ``empty`` at 0, ``full`` from
    ``full_at`` on, a straight line between (:class:`~simdesk.scenario.roles.Morale`)."""
    if morale is None:
        return None
    empty, step, full_at = morale.empty, (morale.full - morale.empty) / morale.full_at, \
        morale.full_at

    def speed(waiting: int) -> float:
        return empty + step * min(waiting, full_at)

    return speed


def is_plain(plan: DeskPlan, batch: TicketBatch, trace: bool = False) -> bool:
    """The common case the plain paths (:class:`~simdesk.engine.plain.PlainDesk`) cover:
    no conversations, owners, repeat contacts, helpers, paced agents, supervisor, nor a
    trace."""
    return not (trace or plan.max_touches > 1 or plan.ownership == "owner"
                or batch.reopens is not None or plan.scenario.supervisor is not None
                or any(t.morale is not None for t in plan.scenario.tiers.values())
                or any(a.speed != 1 or a.ramp is not None or a.seats > 1
                       or a.helper is not None for a in plan.agents))


class DeskState:
    """A desk's state; see :class:`~simdesk.engine.desk.Desk` for the rules."""

    def __init__(
        self, plan: DeskPlan, batch: TicketBatch, policy: Policy, *, trace: bool = False,
        duty: Sequence[Sequence[Interval]] | None = None,
    ) -> None:
        self.env = Kernel()
        self._at = self.env.at
        self.plan = plan
        self.tiers = [TierState(tier) for tier in plan.tiers]
        for tier in self.tiers:
            tier.queue = policy.queue(plan, tier.plan, tier.agents)
            tier.direct = bool(getattr(tier.queue, "any_agent", False))
            tier.by_load = any(agent.seats > 1 for agent in tier.agents)
            if tier.by_load:
                tier.direct = False
            if any(agent.channels is not None for agent in tier.agents):
                tier.queue = BlendedQueue(
                    [policy.queue(plan, tier.plan, tier.agents) for _ in plan.channels],
                    tier.queue)
                tier.direct = False
        self._duty = duty
        """Each agent's on-queue intervals in this replication (absence and meetings
        removed), by agent index; ``None``: as planned."""
        self._wake_at: list[Callable[[float], float | None] | None] = [
            getattr(tier.queue, "wake_at", None) for tier in self.tiers]
        self._refuses: Callable[[Ticket], bool] | None = getattr(policy, "refuses", None)
        self._owned = plan.ownership == "owner"
        self._owner_fallback = plan.owner_fallback
        n = len(batch)
        self.first_response = [NAN] * n
        self.resolved = [NAN] * n
        self.abandoned_at = [NAN] * n
        self.refused = [False] * n
        self.visits: list[float] = []
        """Flat: seven numbers per visit (the ``VISIT_*`` columns of the record)."""
        self.replies: list[float] = []
        self.duty: list[float] = []
        self.log: list[LogEntry] | None = [] if trace else None
        self._done_callbacks: list[Callable[[Any], None]] = [self._done]
        self._alarm = Event()
        self._ring_callbacks: list[Callable[[Any], None]] = [self._ring]
        self._reply = [channel.response == "reply" for channel in plan.channels]
        self._talks = plan.max_touches > 1
        """Conversations exist: agent replies at the conversation tier are recorded."""
        self._chains = [channel.chain for channel in plan.channels]
        self._talk = [channel.touch_step for channel in plan.channels]
        self._entry = [self.tiers[channel.chain[0]] for channel in plan.channels]
        self._entry_tiers = [self.tiers[i] for i in sorted({c.chain[0] for c in plan.channels})]
        self._stays = 0
        """Stays in a queue numbered so far (see :class:`simdesk.policies.base.Entries`)."""
        self._next = 0
        self._arrivals = batch.arrived.tolist()
        self._arrivals.append(INF)
        self._next_arrival = self._arrivals[0]
        self._count = n
        self._channels = batch.channel.tolist()
        self._patience = batch.patience.tolist()
        self._visits = batch.visits.tolist()
        self._handles = [batch.handles[:, k].tolist() for k in range(batch.handles.shape[1])]
        self._fates = Fates(batch, plan.efforts)
        talks = self._talks
        self._answers = [batch.reply_after[:, k].tolist() if talks else []
                         for k in range(batch.reply_after.shape[1])]
        self._followups = [batch.followups[:, k].tolist() if talks else []
                           for k in range(batch.followups.shape[1])]
        self._deflected = None if batch.deflected is None else batch.deflected.tolist()
        self._reopens = None if batch.reopens is None else batch.reopens.tolist()
        self._reopen_after = ([] if batch.reopen_after is None else
                              [batch.reopen_after[:, k].tolist()
                               for k in range(batch.reopen_after.shape[1])])
        self._reopen_handles = ([] if batch.reopen_handles is None else
                                [batch.reopen_handles[:, k].tolist()
                                 for k in range(batch.reopen_handles.shape[1])])
        self._checkback_after = ([] if batch.checkback_after is None else
                                 [batch.checkback_after[:, k].tolist()
                                  for k in range(batch.checkback_after.shape[1])])
        self._checkback_handles = ([] if batch.checkback_handles is None else
                                   [batch.checkback_handles[:, k].tolist()
                                    for k in range(batch.checkback_handles.shape[1])])
        agents = plan.agents
        self._morale = [morale_speed(plan.scenario.tiers[tier.name].morale)
                        for tier in plan.tiers]
        """Per tier, its speed as a function of the tickets waiting (``None``: no morale)."""
        self._paced = any(a.speed != 1 or a.ramp is not None or a.seats > 1 for a in agents) \
            or any(m is not None for m in self._morale)
        """Handle times depend on who handles the ticket (speed, ramp, concurrency) or when
        (morale)."""

    if TYPE_CHECKING:  # the core loop, in Desk, used by every section
        def _done(self, agent: Any) -> None: ...
        def _ring(self, event: Any) -> None: ...
        def _admit(self, now: float) -> None: ...
        def _enter(self, ticket: Ticket, tier: TierState, now: float) -> None: ...
        def _offer(self, tier: TierState, now: float) -> None: ...
        def _free(self, agent: Agent, now: float) -> None: ...
        def _off(self, agent: Agent, now: float) -> None: ...
        def _abandon(self, tier: TierState, ticket: Ticket, now: float) -> None: ...
        def _take(self, tier: TierState, agent: Agent, now: float) -> Ticket | None: ...
        def _start(self, agent: Agent, ticket: Ticket, now: float) -> None: ...
        def _set_alarm(self) -> None: ...
        def _wake_later(self, tier: TierState, now: float) -> None: ...
