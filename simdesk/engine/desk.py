"""The SimPy engine: one replication of the desk, agents as callbacks.

Events per ticket are few: one per service completion, and one for its arrival only
if an agent could be idle then. Arrivals are known in advance (sorted), so every
callback first *admits* the tickets that arrived up to now into their queues, at their
arrival times; an "arrival alarm" is scheduled at the next arrival only while some
agent of an entry tier is idle. No ticket has a process or a timeout of its own while
it waits: its abandonment time is known at birth, so a ticket whose customer has left
is recognised (and recorded as abandoned at that time) when an agent would otherwise
pick it. Shift and rotation boundaries are events of their own.

Rules, each covered by a scripted test:

* an arriving ticket goes to the agent of its tier who has been idle longest;
* at equal times, arrivals come first, then the other events in the order scheduled;
* a free agent takes the oldest follow-up it owns, else asks the tier's queue (the
  routing policy) for the next ticket;
* a ticket whose patience ends at ``t`` is gone at ``t``: an agent free at ``t``
  does not get it;
* at the end of a shift (or a rotation turn) an agent finishes the ticket in hand and
  takes no other; an agent free exactly when the shift ends takes nothing;
* first response is the moment an agent picks the ticket up (``response: pickup``) or
  finishes the first handling (``response: reply``); patience runs until pickup;
* a ticket needing several agent replies stays at its conversation tier: after each
  reply but the last, the customer answers ``reply_after`` later and the ticket queues
  again — for anyone (``ownership: shared``) or for the agent who first answered it
  there (``ownership: owner``, optionally anyone after ``owner_fallback``);
* when a tier does not resolve a ticket, it enters the next tier at that moment.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from simdesk.engine.entities import Agent, Fates, Ticket, TierState
from simdesk.plan import DeskPlan
from simdesk.policies.base import Policy
from simdesk.tickets import TicketBatch

NAN = math.nan
INF = math.inf
FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
LogEntry = tuple[float, str, int | None, str]


@dataclass(frozen=True)
class RunRecord:
    """What one replication produced, as flat arrays (tables are built later)."""

    arrived: FloatArray
    first_response: FloatArray
    resolved: FloatArray
    abandoned_at: FloatArray
    refused: np.ndarray[tuple[int], np.dtype[np.bool_]]
    """Tickets the routing policy turned away at arrival (e.g. email for paid plans only)."""
    visits: np.ndarray[tuple[int, int], np.dtype[np.float64]]
    """Columns: ticket, tier, agent (−1 if never picked up), queued, start, end.

    ``end`` is when the ticket left the tier: service done, or the customer gave up
    (then ``agent`` is −1 and ``start`` NaN); NaN if still there at the horizon.
    """
    replies: np.ndarray[tuple[int, int], np.dtype[np.float64]]
    """Agent replies at the conversation tier. Columns: ticket, touch (0 = the tier's
    first reply), asked (when the customer wrote), answered, agent."""
    duty: np.ndarray[tuple[int, int], np.dtype[np.float64]]
    """Columns: agent, on, off — when each agent was actually on the queue."""
    queue_area: FloatArray
    """Per tier, ∫ queue length dt from the warm-up to the horizon."""
    log: list[LogEntry] | None


class _Alarm:
    """A reusable SimPy event: wakes the desk at the next arrival."""

    __slots__ = ("callbacks",)
    _ok = True
    callbacks: list[Any] | None


class _Call:
    """A one-off SimPy event at an absolute time, carrying a value for its callback."""

    __slots__ = ("_value", "callbacks")
    _ok = True

    def __init__(self, callback: Callable[[Any], None], value: Any) -> None:
        self.callbacks: list[Any] | None = [callback]
        self._value = value


class Desk:
    """One replication of a help desk: tickets, tiers, agents, a routing policy.

    Hot-path events (service completions, arrival alarms) are scheduled on SimPy's
    event queue at absolute times, as reusable objects: each :class:`Agent` is the
    event of its own service completion. This skips building a ``Timeout`` per event;
    SimPy's ``Environment.run`` still orders and dispatches everything.
    """

    def __init__(
        self, plan: DeskPlan, batch: TicketBatch, policy: Policy, *, trace: bool = False,
        fast: bool = True,
    ) -> None:
        self.env = simpy.Environment()
        self.plan = plan
        self.tiers = [TierState(tier) for tier in plan.tiers]
        for tier in self.tiers:
            tier.queue = policy.queue(plan, tier.plan, tier.agents)
            tier.direct = bool(getattr(tier.queue, "any_agent", False))
        self._wake_at: list[Callable[[float], float | None] | None] = [
            getattr(tier.queue, "wake_at", None) for tier in self.tiers]
        self._refuses: Callable[[Ticket], bool] | None = getattr(policy, "refuses", None)
        routing = plan.scenario.routing
        self._owned = routing.ownership == "owner"
        self._owner_fallback = routing.owner_fallback
        n = len(batch)
        self.first_response = [NAN] * n
        self.resolved = [NAN] * n
        self.abandoned_at = [NAN] * n
        self.refused = [False] * n
        self.visits: list[float] = []
        """Flat: six numbers per visit (see :class:`RunRecord`)."""
        self.replies: list[float] = []
        self.duty: list[float] = []
        self.log: list[LogEntry] | None = [] if trace else None
        self._heap: list[Any] = self.env._queue
        self._ids = self.env._eid
        self._done_callbacks = [self._done]
        self._alarm = _Alarm()
        self._alarm.callbacks = None
        self._ring_callbacks = [self._ring]
        self._reply = [channel.response == "reply" for channel in plan.channels]
        self._talks = plan.max_touches > 1
        """Conversations exist: agent replies at the conversation tier are recorded."""
        self._chains = [channel.chain for channel in plan.channels]
        self._talk = [channel.touch_step for channel in plan.channels]
        self._entry = [self.tiers[channel.chain[0]] for channel in plan.channels]
        self._warmup_area = [0.0] * len(self.tiers)
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
        if fast and not trace and not talks and not self._owned:
            # the common case, without conversations, owners or a trace: the plain paths
            self._start = self._start_plain  # type: ignore[method-assign]
            self._take = self._take_plain  # type: ignore[method-assign]
            self._done_callbacks = [self._done_plain]

    # -- set-up and the end -------------------------------------------------------------

    def _schedule_duty(self) -> None:
        env = self.env
        for tier in self.tiers:
            for agent in tier.agents:
                for begin, end in agent.plan.duty:
                    Timeout(env, begin, (agent, end)).callbacks.append(self._duty_starts)
                    Timeout(env, end, (agent, end)).callbacks.append(self._duty_ends)

    def run(self) -> RunRecord:
        """Simulate from 0 to the horizon and return the records. A desk runs once."""
        env, plan = self.env, self.plan
        self._schedule_duty()
        if plan.warmup > 0:
            Timeout(env, plan.warmup).callbacks.append(self._snapshot_warmup)
        env.run(until=plan.horizon)
        self._admit(plan.horizon)
        self._close(plan.horizon)
        record = RunRecord(
            arrived=np.asarray(self._arrivals[:-1], dtype=float),
            first_response=np.asarray(self.first_response, dtype=float),
            resolved=np.asarray(self.resolved, dtype=float),
            abandoned_at=np.asarray(self.abandoned_at, dtype=float),
            refused=np.asarray(self.refused, dtype=bool),
            visits=np.asarray(self.visits, dtype=float).reshape(-1, 6),
            replies=np.asarray(self.replies, dtype=float).reshape(-1, 5),
            duty=np.asarray(self.duty, dtype=float).reshape(-1, 3),
            queue_area=np.array([t.queue_area - w
                                 for t, w in zip(self.tiers, self._warmup_area, strict=True)]),
            log=None if self.log is None else sorted(self.log, key=lambda entry: entry[0]),
        )
        self._release()
        return record

    def _close(self, horizon: float) -> None:
        """Account for everyone still on duty or waiting at the horizon."""
        for tier in self.tiers:
            waiting = list(tier.queue)
            for agent in tier.agents:
                if agent.ticket is not None:
                    ticket = agent.ticket
                    self.visits.extend((ticket.id, tier.index, agent.index, ticket.queued_at,
                                        agent.started, NAN))
                if agent.on or agent.ticket is not None:
                    self.duty.extend((agent.index, agent.on_since, horizon))
                waiting.extend(t for stay, t in agent.personal if t.waiting == stay)
            tier.queue_area += tier.waiting * (horizon - tier.queue_changed)
            tier.queue_changed = horizon
            for ticket in waiting:
                if not ticket.waiting or ticket.tiers[ticket.step] != tier.index:
                    continue
                ticket.waiting = 0
                if ticket.abandon_at <= horizon:
                    self._abandon(tier, ticket, horizon)
                else:
                    self.visits.extend((ticket.id, tier.index, -1, ticket.queued_at, NAN, NAN))

    def _release(self) -> None:
        """Break the desk's reference cycles (agents are events whose callbacks point
        back here) so its tickets are freed now, not at the next garbage collection."""
        self.env._queue.clear()
        for tier in self.tiers:
            for agent in tier.agents:
                agent.callbacks = None
                agent.ticket = None
                agent.personal.clear()
        self.tiers = []
        self._entry = []
        self._entry_tiers = []
        self._wake_at = []
        self._refuses = None
        self._done_callbacks = []
        self._ring_callbacks = []

    # -- tickets ----------------------------------------------------------------------

    def _admit(self, now: float) -> None:
        """Put every ticket that arrived up to ``now`` into its queue, at its arrival time."""
        arrivals = self._arrivals
        channels, chains, entries = self._channels, self._chains, self._entry
        refuses, log, fates = self._refuses, self.log, self._fates
        i = self._next
        while arrivals[i] <= now:
            arrived = arrivals[i]
            channel = channels[i]
            ticket = Ticket(i, channel, arrived, arrived + self._patience[i],
                            chains[channel][: self._visits[i]], fates)
            if log is not None:
                log.append((arrived, "arrive", i, self.plan.channels[channel].name))
            i += 1
            if refuses is not None and refuses(ticket):
                self.refused[ticket.id] = True
                if log is not None:
                    log.append((arrived, "refuse", ticket.id, self.plan.channels[channel].name))
                continue
            self._enter(ticket, entries[channel], arrived)
        self._next = i
        self._next_arrival = arrivals[i]

    def _set_alarm(self) -> None:
        """Wake up at the next arrival if an agent who could take it is idle."""
        if self._alarm.callbacks is not None or self._next >= self._count:
            return
        for tier in self._entry_tiers:
            if tier.idle:
                self._alarm.callbacks = self._ring_callbacks
                heappush(self._heap, (self._next_arrival, 1, next(self._ids), self._alarm))
                return

    def _ring(self, event: Any) -> None:
        self._admit(self.env._now)
        self._set_alarm()

    def _enter(self, ticket: Ticket, tier: TierState, now: float) -> None:
        """A ticket joins a tier's shared queue (or, when nothing waits and the policy lets
        any agent take any ticket, goes straight to the agent idle longest)."""
        ticket.queued_at = now
        if tier.idle and tier.direct and not tier.waiting and ticket.abandon_at > now:
            if self.log is not None:
                self.log.append((now, "queue", ticket.id, tier.plan.name))
            agent = next(iter(tier.idle))
            del tier.idle[agent]
            self._start(agent, ticket, now)
            return
        self._stays += 1
        ticket.waiting = self._stays
        tier.queue.push(ticket, now)
        tier.queue_area += tier.waiting * (now - tier.queue_changed)
        tier.queue_changed = now
        tier.waiting += 1
        if self.log is not None:
            self.log.append((now, "queue", ticket.id, tier.plan.name))
        if tier.idle:
            self._offer(tier, now)

    def _offer(self, tier: TierState, now: float) -> None:
        """Match waiting tickets with idle agents, longest idle first."""
        while tier.idle:
            for agent in tier.idle:
                ticket = self._take(tier, agent, now)
                if ticket is not None:
                    break
                if not tier.waiting:
                    return
            else:
                self._wake_later(tier, now)
                return
            del tier.idle[agent]
            self._start(agent, ticket, now)

    def _take(self, tier: TierState, agent: Agent, now: float) -> Ticket | None:
        """The next ticket for ``agent``: a follow-up it owns, else the policy's choice;
        customers who have left are recorded and skipped."""
        personal = agent.personal
        queue = tier.queue
        index = tier.index
        while True:
            if personal:
                stay, owned = personal.popleft()
                if owned.waiting != stay:
                    continue
                ticket = owned
            else:
                chosen = queue.pop(agent, now)
                if chosen is None:
                    return None
                if not chosen.waiting or chosen.tiers[chosen.step] != index:
                    continue  # a stale entry of a queue that does not check stays
                ticket = chosen
            ticket.waiting = 0
            tier.queue_area += tier.waiting * (now - tier.queue_changed)
            tier.queue_changed = now
            tier.waiting -= 1
            if ticket.abandon_at > now:
                return ticket
            self._abandon(tier, ticket, now)

    def _take_plain(self, tier: TierState, agent: Agent, now: float) -> Ticket | None:
        """:meth:`_take` without owners' follow-ups (written out for speed)."""
        queue = tier.queue
        index = tier.index
        while True:
            ticket = queue.pop(agent, now)
            if ticket is None:
                return None
            if not ticket.waiting or ticket.tiers[ticket.step] != index:
                continue
            ticket.waiting = 0
            tier.queue_area += tier.waiting * (now - tier.queue_changed)
            tier.queue_changed = now
            tier.waiting -= 1
            if ticket.abandon_at > now:
                return ticket
            self._abandon(tier, ticket, now)

    def _abandon(self, tier: TierState, ticket: Ticket, now: float) -> None:
        """Record a customer who left at ``abandon_at`` (noticed at ``now``)."""
        tier.queue_area -= now - ticket.abandon_at
        self.abandoned_at[ticket.id] = ticket.abandon_at
        self.visits.extend((ticket.id, tier.index, -1, ticket.queued_at, NAN, ticket.abandon_at))
        if self.log is not None:
            self.log.append((ticket.abandon_at, "abandon", ticket.id, tier.plan.name))

    def _start(self, agent: Agent, ticket: Ticket, now: float) -> None:
        agent.ticket = ticket
        agent.started = now
        step = ticket.step
        if step == 0 and not ticket.touch:
            ticket.abandon_at = INF
            if not self._reply[ticket.channel]:
                self.first_response[ticket.id] = now
        if self.log is not None:
            self.log.append((now, "start", ticket.id, agent.name))
        if self._talks and step == self._talk[ticket.channel]:
            self._conversation_starts(agent, ticket, now)
            handle = (self._followups[ticket.touch - 1][ticket.id] if ticket.touch
                      else self._handles[step][ticket.id])
        else:
            handle = self._handles[step][ticket.id]
        agent.callbacks = self._done_callbacks
        heappush(self._heap, (now + handle, 1, next(self._ids), agent))

    def _start_plain(self, agent: Agent, ticket: Ticket, now: float) -> None:
        """:meth:`_start` without conversations or a trace (written out for speed)."""
        agent.ticket = ticket
        agent.started = now
        step = ticket.step
        if step == 0:
            ticket.abandon_at = INF
            if not self._reply[ticket.channel]:
                self.first_response[ticket.id] = now
        agent.callbacks = self._done_callbacks
        heappush(self._heap, (now + self._handles[step][ticket.id], 1, next(self._ids), agent))

    def _done_plain(self, agent: Any) -> None:
        """:meth:`_done` (and :meth:`_free`) without conversations or a trace (written
        out for speed)."""
        ticket = agent.ticket
        now = self.env._now
        if self._next_arrival <= now:
            self._admit(now)
        tier = agent.tier
        self.visits.extend((ticket.id, tier.index, agent.index, ticket.queued_at,
                            agent.started, now))
        step = ticket.step
        if step == 0 and self._reply[ticket.channel]:
            self.first_response[ticket.id] = now
        step += 1
        ticket.step = step
        agent.ticket = None
        if step < len(ticket.tiers):
            self._enter(ticket, self.tiers[ticket.tiers[step]], now)
        else:
            self.resolved[ticket.id] = now
        if not agent.on or now >= agent.duty_end:
            self._off(agent, now)
            return
        following = self._take_plain(tier, agent, now)
        if following is not None:
            self._start_plain(agent, following, now)
            return
        tier.idle[agent] = None
        if self._alarm.callbacks is None:
            self._set_alarm()
        if tier.waiting:
            self._wake_later(tier, now)

    def _done(self, agent: Any) -> None:
        """An agent finished a ticket: pass it on or resolve it, then take the next."""
        ticket = agent.ticket
        now = self.env._now
        if self._next_arrival <= now:
            self._admit(now)
        tier = agent.tier
        self.visits.extend((ticket.id, tier.index, agent.index, ticket.queued_at,
                            agent.started, now))
        log = self.log
        if log is not None:
            log.append((now, "done", ticket.id, agent.name))
        step = ticket.step
        reply = self._reply[ticket.channel]
        if step == 0 and reply and not ticket.touch:
            self.first_response[ticket.id] = now
        agent.ticket = None
        if self._talks and step == self._talk[ticket.channel]:
            if reply:
                self._replied(ticket, ticket.queued_at, now, agent)
            if ticket.touch + 1 < ticket.touches:
                self._await_answer(ticket, agent, now)
                step = -1
        if step >= 0:
            step += 1
            ticket.step = step
            if step < len(ticket.tiers):
                self._enter(ticket, self.tiers[ticket.tiers[step]], now)
            else:
                self.resolved[ticket.id] = now
                if log is not None:
                    log.append((now, "resolve", ticket.id, tier.plan.name))
        if agent.on and now < agent.duty_end:
            self._free(agent, now)
        else:
            self._off(agent, now)

    # -- conversations ------------------------------------------------------------------

    def _conversation_starts(self, agent: Agent, ticket: Ticket, now: float) -> None:
        """An agent picks up a turn of a conversation: note the owner and the reply."""
        if ticket.owner is None and self._owned:
            ticket.owner = agent
        if not self._reply[ticket.channel]:
            self._replied(ticket, ticket.queued_at, now, agent)

    def _replied(self, ticket: Ticket, asked: float, answered: float, agent: Agent) -> None:
        self.replies.extend((ticket.id, ticket.touch, asked, answered, agent.index))

    def _await_answer(self, ticket: Ticket, agent: Agent, now: float) -> None:
        """After an agent's reply, the customer answers later and the ticket comes back."""
        delay = self._answers[ticket.touch][ticket.id]
        ticket.touch += 1
        Timeout(self.env, delay, ticket).callbacks.append(self._customer_answers)

    def _customer_answers(self, event: Any) -> None:
        ticket: Ticket = event._value
        now = self.env._now
        self._admit(now)
        channel = self.plan.channels[ticket.channel]
        ticket.deadline = float(channel.deadline(np.array([now]))[0])
        if self.log is not None:
            self.log.append((now, "answer", ticket.id, channel.name))
        owner = ticket.owner
        tier = self.tiers[ticket.tiers[ticket.step]]
        if owner is None:
            self._enter(ticket, tier, now)
            return
        ticket.queued_at = now
        self._stays += 1
        ticket.waiting = self._stays
        owner.personal.append((ticket.waiting, ticket))
        tier.queue_area += tier.waiting * (now - tier.queue_changed)
        tier.queue_changed = now
        tier.waiting += 1
        if self.log is not None:
            self.log.append((now, "queue", ticket.id, owner.name))
        if self._owner_fallback is not None:  # the stay of this answer, before it is taken
            Timeout(self.env, self._owner_fallback, (ticket, ticket.waiting)).callbacks.append(
                self._release_owned)
        if owner in tier.idle:
            del tier.idle[owner]
            self._free(owner, now)

    def _release_owned(self, event: Any) -> None:
        """A follow-up waited too long for its owner: anyone may take it now."""
        ticket, stay = event._value
        if ticket.waiting != stay:
            return  # its owner took it meanwhile
        now = self.env._now
        self._admit(now)
        tier = self.tiers[ticket.tiers[ticket.step]]
        tier.queue.push(ticket, now)
        if self.log is not None:
            self.log.append((now, "release", ticket.id, tier.plan.name))
        if tier.idle:
            self._offer(tier, now)

    # -- agents -----------------------------------------------------------------------

    def _free(self, agent: Agent, now: float) -> None:
        tier = agent.tier
        ticket = self._take(tier, agent, now)
        if ticket is None:
            tier.idle[agent] = None
            if self._alarm.callbacks is None:
                self._set_alarm()
            if tier.waiting:
                self._wake_later(tier, now)
        else:
            self._start(agent, ticket, now)

    def _wake_later(self, tier: TierState, now: float) -> None:
        """Idle agents and waiting tickets: ask the policy when that may change."""
        wake_at = self._wake_at[tier.index]
        if wake_at is None:
            return
        when = wake_at(now)
        if when is not None and now < when < tier.wake:
            tier.wake = when
            heappush(self._heap, (when, 1, next(self._ids), _Call(self._woken, tier)))

    def _woken(self, event: Any) -> None:
        tier: TierState = event._value
        now = self.env._now
        if tier.wake != now:
            return  # superseded by an earlier wake-up
        tier.wake = INF
        self._admit(now)
        self._offer(tier, now)

    def _off(self, agent: Agent, now: float) -> None:
        agent.on = False
        self.duty.extend((agent.index, agent.on_since, now))
        if self.log is not None:
            self.log.append((now, "off", None, agent.name))

    def _duty_starts(self, event: Any) -> None:
        agent, end = event._value
        now = self.env._now
        self._admit(now)
        was_working = agent.ticket is not None and not agent.on
        agent.on = True
        agent.duty_end = end
        if was_working:
            return  # still finishing a ticket from before: the on-duty time runs on
        agent.on_since = now
        if self.log is not None:
            self.log.append((now, "on", None, agent.name))
        self._free(agent, now)

    def _duty_ends(self, event: Any) -> None:
        agent, end = event._value
        now = self.env._now
        self._admit(now)
        if not agent.on or agent.duty_end != end:
            return
        if agent.ticket is None:
            del agent.tier.idle[agent]
            self._off(agent, now)
        else:
            agent.on = False  # finishes the ticket in hand, then goes off

    def _snapshot_warmup(self, event: Any) -> None:
        now = self.env._now
        self._admit(now)
        for tier in self.tiers:
            self._warmup_area[tier.index] = (
                tier.queue_area + tier.waiting * (now - tier.queue_changed)
            )


def run_desk(plan: DeskPlan, batch: TicketBatch, policy: Policy, *, trace: bool = False,
             fast: bool = True) -> RunRecord:
    """Simulate one replication of ``plan`` on the tickets of ``batch``.

    ``fast=False`` keeps the general code paths even where the plain ones apply (tests
    check that both give the same records).
    """
    return Desk(plan, batch, policy, trace=trace, fast=fast).run()
