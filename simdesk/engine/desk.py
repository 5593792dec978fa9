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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from heapq import heappush
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from simdesk.engine.blend import BlendedQueue
from simdesk.engine.entities import Agent, Fates, Ticket, TierState
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import DeskPlan
from simdesk.policies.base import Policy
from simdesk.scenario.calendar import Interval

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
    """Columns: ticket, tier, agent (−1 if never picked up), queued, start, end, contact
    (0 for the first contact, k for the k-th repeat contact).

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
        fast: bool = True, duty: Sequence[Sequence[Interval]] | None = None,
    ) -> None:
        self.env = simpy.Environment()
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
        routing = plan.scenario.routing
        self._owned = routing.ownership == "owner"
        self._owner_fallback = routing.owner_fallback
        n = len(batch)
        self.first_response = [NAN] * n
        self.resolved = [NAN] * n
        self.abandoned_at = [NAN] * n
        self.refused = [False] * n
        self.visits: list[float] = []
        """Flat: seven numbers per visit (see :class:`RunRecord`)."""
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
        self._deflected = None if batch.deflected is None else batch.deflected.tolist()
        self._reopens = None if batch.reopens is None else batch.reopens.tolist()
        self._reopen_after = ([] if batch.reopen_after is None else
                              [batch.reopen_after[:, k].tolist()
                               for k in range(batch.reopen_after.shape[1])])
        self._reopen_handles = ([] if batch.reopen_handles is None else
                                [batch.reopen_handles[:, k].tolist()
                                 for k in range(batch.reopen_handles.shape[1])])
        agents = plan.agents
        self._paced = any(a.speed != 1 or a.ramp is not None or a.seats > 1 for a in agents)
        """Handle times depend on who handles the ticket (speed, ramp, concurrency)."""
        plain = not (self._paced or self._reopens is not None
                     or any(a.helper is not None for a in agents))
        if fast and plain and not trace and not talks and not self._owned:
            # the common case, without conversations, owners or a trace: the plain paths
            self._start = self._start_plain  # type: ignore[method-assign]
            self._take = self._take_plain  # type: ignore[method-assign]
            self._done_callbacks = [self._done_plain]

    # -- set-up and the end -------------------------------------------------------------

    def _schedule_duty(self) -> None:
        env = self.env
        for tier in self.tiers:
            for agent in tier.agents:
                duty = agent.plan.duty if self._duty is None else self._duty[agent.index]
                for begin, end in duty:
                    Timeout(env, begin, (agent, end)).callbacks.append(self._duty_starts)
                    Timeout(env, end, (agent, end)).callbacks.append(self._duty_ends)
                for due, length in agent.plan.breaks:
                    Timeout(env, due, (agent, length)).callbacks.append(self._break_due)

    def run(self) -> RunRecord:
        """Simulate from 0 to the horizon and return the records. A desk runs once."""
        env, plan = self.env, self.plan
        self._schedule_duty()
        if plan.warmup > 0:
            Timeout(env, plan.warmup).callbacks.append(self._snapshot_warmup)
        self._set_alarm()
        env.run(until=plan.horizon)
        self._admit(plan.horizon)
        self._close(plan.horizon)
        record = RunRecord(
            arrived=np.asarray(self._arrivals[:-1], dtype=float),
            first_response=np.asarray(self.first_response, dtype=float),
            resolved=np.asarray(self.resolved, dtype=float),
            abandoned_at=np.asarray(self.abandoned_at, dtype=float),
            refused=np.asarray(self.refused, dtype=bool),
            visits=np.asarray(self.visits, dtype=float).reshape(-1, 7),
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
                in_hand = agent.hand if agent.ticket is None else [(agent.ticket, agent.started)]
                for ticket, started in in_hand:
                    self.visits.extend((ticket.id, tier.index, agent.index, ticket.queued_at,
                                        started, NAN, ticket.contact))
                if agent.on or agent.busy:
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
                    self.visits.extend((ticket.id, tier.index, -1, ticket.queued_at, NAN, NAN,
                                        ticket.contact))

    def _release(self) -> None:
        """Break the desk's reference cycles (agents are events whose callbacks point
        back here) so its tickets are freed now, not at the next garbage collection."""
        self.env._queue.clear()
        for tier in self.tiers:
            for agent in tier.agents:
                agent.callbacks = None
                agent.ticket = None
                agent.hand.clear()
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
        deflected = self._deflected
        i = self._next
        while arrivals[i] <= now:
            if deflected is not None and deflected[i]:
                if log is not None:
                    log.append((arrivals[i], "deflect", i, self.plan.channels[channels[i]].name))
                i += 1
                continue
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
        """Wake up at the next arrival if an agent who could take it is idle (or a
        helper might join when it arrives)."""
        if self._alarm.callbacks is not None or self._next >= self._count:
            return
        for tier in self._entry_tiers:
            if tier.idle or tier.helpers:
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
        if tier.helpers:
            self._call_helpers(tier, now)

    def _offer(self, tier: TierState, now: float) -> None:
        """Match waiting tickets with idle agents, longest idle first (with several
        seats: fewest tickets in hand first, then longest idle)."""
        while tier.idle:
            for agent in (sorted(tier.idle, key=_in_hand) if tier.by_load else tier.idle):
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
        self.visits.extend((ticket.id, tier.index, -1, ticket.queued_at, NAN, ticket.abandon_at,
                            0))
        if self.log is not None:
            self.log.append((ticket.abandon_at, "abandon", ticket.id, tier.plan.name))

    def _start(self, agent: Agent, ticket: Ticket, now: float) -> None:
        step = ticket.step
        contact = ticket.contact
        if step == 0 and not ticket.touch and not contact:
            ticket.abandon_at = INF
            if not self._reply[ticket.channel]:
                self.first_response[ticket.id] = now
        if self.log is not None:
            self.log.append((now, "start", ticket.id, agent.name))
        if contact:
            handle = self._reopen_handles[contact - 1][ticket.id]
        elif self._talks and step == self._talk[ticket.channel]:
            self._conversation_starts(agent, ticket, now)
            handle = (self._followups[ticket.touch - 1][ticket.id] if ticket.touch
                      else self._handles[step][ticket.id])
        else:
            handle = self._handles[step][ticket.id]
        if self._paced:
            plan = agent.plan
            handle /= plan.speed_at(now)
            if agent.seats > 1:
                handle *= 1 + plan.slowdown * len(agent.hand)
        if agent.seats > 1:
            agent.hand.append((ticket, now))
            call = _Call(self._done_seat, (agent, ticket, now))
            heappush(self._heap, (now + handle, 1, next(self._ids), call))
            if len(agent.hand) < agent.seats and agent.on and now < agent.duty_end:
                agent.tier.idle[agent] = None  # a seat is still free: last in line
            return
        agent.ticket = ticket
        agent.started = now
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
                            agent.started, now, 0))
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
        agent.ticket = None
        self._finish(agent, ticket, agent.started, self.env._now)

    def _done_seat(self, event: Any) -> None:
        """An agent with several seats finished one of the tickets in hand."""
        agent, ticket, started = event._value
        agent.hand.remove((ticket, started))
        self._finish(agent, ticket, started, self.env._now)

    def _finish(self, agent: Agent, ticket: Ticket, started: float, now: float) -> None:
        if self._next_arrival <= now:
            self._admit(now)
        tier = agent.tier
        contact = ticket.contact
        self.visits.extend((ticket.id, tier.index, agent.index, ticket.queued_at,
                            started, now, contact))
        log = self.log
        if log is not None:
            log.append((now, "done", ticket.id, agent.name))
        step = ticket.step
        reply = self._reply[ticket.channel]
        if step == 0 and reply and not ticket.touch and not contact:
            self.first_response[ticket.id] = now
        if self._talks and step == self._talk[ticket.channel] and not contact:
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
                if self._reopens is not None and contact < self._reopens[ticket.id]:
                    delay = self._reopen_after[contact][ticket.id]
                    Timeout(self.env, delay, ticket).callbacks.append(self._reopened)
        if agent.helper is not None and agent.on and self._helper_leaves(agent, now):
            agent.on = False
        if agent.on and now < agent.duty_end:
            self._free(agent, now)
        elif not agent.busy:
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
        """An agent on duty with a free seat: take the next ticket(s), else wait idle."""
        tier = agent.tier
        if agent.seats > 1:
            tier.idle.pop(agent, None)
            while len(agent.hand) < agent.seats:
                ticket = self._take(tier, agent, now)
                if ticket is None:
                    break
                tier.idle.pop(agent, None)
                self._start(agent, ticket, now)
            else:
                return
            if agent.helper is not None and not agent.hand:
                agent.on = False
                self._off(agent, now)
                return
            tier.idle[agent] = None
        else:
            ticket = self._take(tier, agent, now)
            if ticket is not None:
                self._start(agent, ticket, now)
                return
            if agent.helper is not None:
                agent.on = False
                self._off(agent, now)
                return
            tier.idle[agent] = None
        if self._alarm.callbacks is None:
            self._set_alarm()
        if tier.waiting:
            self._wake_later(tier, now)

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
        """The agent leaves the queue (nothing in hand): record the on-duty stretch."""
        agent.on = False
        self.duty.extend((agent.index, agent.on_since, now))
        if agent.helper is not None:
            agent.used += now - agent.on_since
        if self.log is not None:
            self.log.append((now, "off", None, agent.name))
        if agent.break_owed:
            Timeout(self.env, agent.break_owed, agent).callbacks.append(self._break_over)
            agent.break_owed = 0.0

    # -- breaks, helpers, repeat contacts -----------------------------------------------

    def _break_due(self, event: Any) -> None:
        """A scheduled break: now if idle, else as soon as the ticket in hand is done."""
        agent, length = event._value
        now = self.env._now
        self._admit(now)
        if not agent.on or now >= agent.duty_end:
            return  # absent, in a meeting, or between shifts: no break to take
        if self.log is not None:
            self.log.append((now, "break", None, agent.name))
        agent.break_owed = length
        agent.on = False
        agent.tier.idle.pop(agent, None)
        if not agent.busy:
            self._off(agent, now)

    def _break_over(self, event: Any) -> None:
        agent: Agent = event._value
        now = self.env._now
        self._admit(now)
        if agent.on or agent.busy or now >= agent.duty_end:
            return  # back already (a new shift began) or the shift is over
        agent.on = True
        agent.on_since = now
        if self.log is not None:
            self.log.append((now, "on", None, agent.name))
        self._free(agent, now)

    def _helper_budget(self, agent: Agent, now: float) -> float:
        """Minutes a helper may still spend in the queue in their current hours."""
        return agent.allowance - agent.used - (now - agent.on_since if agent.on else 0.0)

    def _helper_leaves(self, agent: Agent, now: float) -> bool:
        """Between tickets: the queue is short again, or the time budget is spent."""
        assert agent.helper is not None
        return (agent.tier.waiting <= agent.helper.leaves_at
                or self._helper_budget(agent, now) <= 0)

    def _call_helpers(self, tier: TierState, now: float) -> None:
        """The queue reached a helper's threshold: those available (in their hours, with
        time left in their budget) join."""
        for agent in tier.helpers:
            rule = agent.helper
            assert rule is not None
            if (agent.on or agent.busy or now >= agent.duty_end or tier.waiting < rule.joins_at
                    or self._helper_budget(agent, now) <= 0):
                continue
            agent.on = True
            agent.on_since = now
            if self.log is not None:
                self.log.append((now, "joins", None, agent.name))
            self._free(agent, now)

    def _reopened(self, event: Any) -> None:
        """A resolved ticket comes back: a repeat contact at the tier that resolved it."""
        ticket: Ticket = event._value
        now = self.env._now
        self._admit(now)
        ticket.contact += 1
        ticket.step = len(ticket.tiers) - 1
        self.resolved[ticket.id] = NAN
        if self.log is not None:
            self.log.append((now, "reopen", ticket.id, self.plan.channels[ticket.channel].name))
        self._enter(ticket, self.tiers[ticket.tiers[ticket.step]], now)

    def _duty_starts(self, event: Any) -> None:
        agent, end = event._value
        now = self.env._now
        self._admit(now)
        if agent.helper is not None:  # their hours begin: they join only when needed
            agent.duty_end = end
            agent.allowance = agent.helper.cap * (end - now)
            agent.used = 0.0
            if not agent.on:
                self._call_helpers(agent.tier, now)
            return
        was_working = agent.busy and not agent.on
        agent.on = True
        agent.duty_end = end
        if was_working:
            agent.break_owed = 0.0
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
        agent.tier.idle.pop(agent, None)
        if agent.busy:
            agent.on = False  # finishes the ticket(s) in hand, then goes off
        else:
            self._off(agent, now)

    def _snapshot_warmup(self, event: Any) -> None:
        now = self.env._now
        self._admit(now)
        for tier in self.tiers:
            self._warmup_area[tier.index] = (
                tier.queue_area + tier.waiting * (now - tier.queue_changed)
            )


def _in_hand(agent: Agent) -> int:
    return len(agent.hand)


def run_desk(plan: DeskPlan, batch: TicketBatch, policy: Policy, *, trace: bool = False,
             fast: bool = True, duty: Sequence[Sequence[Interval]] | None = None
             ) -> RunRecord:
    """Simulate one replication of ``plan`` on the tickets of ``batch``.

    ``duty`` replaces the planned on-queue intervals of every agent (by index) — the
    replication's draw of absences and meetings. ``fast=False`` keeps the general code
    paths even where the plain ones apply (tests check that both give the same records).
    """
    return Desk(plan, batch, policy, trace=trace, fast=fast, duty=duty).run()
