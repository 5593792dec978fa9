"""The engine: one replication of the desk, agents as callbacks (the core loop).

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
* when a tier does not resolve a ticket, it enters the next tier at that moment;
* with ``morale``, a handle time is divided by the speed the tier's queue gives when the
  agent starts (the tickets still waiting, the started one not counted);
* a check-back (a follow-up after a fix) queues at the resolving tier like a ticket and,
  when done, frees its agent and nothing else.

The desk is made of sections: the state (:mod:`~simdesk.engine.state`), follow-ups
(:mod:`~simdesk.engine.followups`), agents' hours (:mod:`~simdesk.engine.shifts`), the
supervisor's reviews (:mod:`~simdesk.engine.supervisor`), and
here the core loop; :class:`~simdesk.engine.plain.PlainDesk` is the same desk with its
hottest paths written out for the common case. SimPy is reached only through
:mod:`~simdesk.engine.kernel`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simdesk.engine.entities import Agent, Ticket, TierState
from simdesk.engine.followups import FollowUps
from simdesk.engine.records import (
    DUTY_COLUMNS,
    REPLY_COLUMNS,
    VISIT_COLUMNS,
    RunRecord,
)
from simdesk.engine.state import INF, NAN
from simdesk.engine.supervisor import ACTION_COLUMNS, Supervising

__all__ = ["Desk", "RunRecord"]


class Desk(FollowUps, Supervising):
    """One replication of a help desk: tickets, tiers, agents, a routing policy.

    Hot-path events (service completions, arrival alarms) are scheduled at absolute
    times as reusable objects (:mod:`~simdesk.engine.kernel`): each :class:`Agent` is the
    event of its own service completion. This skips building a ``Timeout`` per event;
    SimPy's ``Environment.run`` still orders and dispatches everything.
    """

    # -- the run and its end ------------------------------------------------------------

    def run(self) -> RunRecord:
        """Simulate from 0 to the horizon and return the records. A desk runs once."""
        env, plan = self.env, self.plan
        self._schedule_duty()
        self._schedule_reviews()
        self._set_alarm()
        env.run(until=plan.horizon)
        self._admit(plan.horizon)
        self._close(plan.horizon)
        visits = np.asarray(self.visits, dtype=float).reshape(-1, VISIT_COLUMNS)
        record = RunRecord(
            arrived=np.asarray(self._arrivals[:-1], dtype=float),
            first_response=np.asarray(self.first_response, dtype=float),
            resolved=np.asarray(self.resolved, dtype=float),
            abandoned_at=np.asarray(self.abandoned_at, dtype=float),
            refused=np.asarray(self.refused, dtype=bool),
            visits=visits,
            replies=np.asarray(self.replies, dtype=float).reshape(-1, REPLY_COLUMNS),
            duty=np.asarray(self.duty, dtype=float).reshape(-1, DUTY_COLUMNS),
            window=(len(self.tiers), plan.warmup, plan.horizon),
            log=None if self.log is None else sorted(self.log, key=lambda entry: entry[0]),
            actions=np.asarray(self.actions, dtype=float).reshape(-1, ACTION_COLUMNS),
        )
        self._release()
        return record

    def _close(self, horizon: float) -> None:
        """Account for everyone still on duty or waiting at the horizon."""
        for tier in self.tiers:
            waiting = list(tier.queue)
            for agent in tier.agents:
                in_hand = agent.hand if agent.ticket is None else [(agent.ticket, agent.started)]
                for ticket, started in in_hand:  # its own tier (a helper's differs)
                    self.visits.extend((ticket.id, ticket.tiers[ticket.step], agent.index,
                                        ticket.queued_at, started, NAN, ticket.contact))
                if agent.on or agent.busy:
                    self.duty.extend((agent.index, agent.on_since, horizon))
                waiting.extend(t for stay, t in agent.personal if t.waiting == stay)
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
        self.env.clear()
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
                self._at(self._next_arrival, self._alarm)
                return

    def _ring(self, event: Any) -> None:
        self._admit(self.env.now)
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
            tier.waiting -= 1
            if ticket.abandon_at > now:
                return ticket
            self._abandon(tier, ticket, now)

    def _abandon(self, tier: TierState, ticket: Ticket, now: float) -> None:
        """Record a customer who left at ``abandon_at`` (noticed at ``now``)."""
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
            handle = (self._reopen_handles[contact - 1][ticket.id] if contact > 0
                      else self._checkback_handles[-contact - 1][ticket.id])
        elif self._talks and step == self._talk[ticket.channel]:
            self._conversation_starts(agent, ticket, now)
            handle = (self._followups[ticket.touch - 1][ticket.id] if ticket.touch
                      else self._handles[step][ticket.id])
        else:
            handle = self._handles[step][ticket.id]
        if self._paced:
            plan = agent.plan
            handle /= plan.speed_at(now)
            morale = self._morale[agent.tier.index]
            if morale is not None:
                handle /= morale(agent.tier.waiting)
            if agent.seats > 1:
                handle *= 1 + plan.slowdown * len(agent.hand)
        if agent.seats > 1:
            agent.hand.append((ticket, now))
            self.env.call(now + handle, self._done_seat, (agent, ticket, now))
            if len(agent.hand) < agent.seats and agent.on and now < agent.duty_end:
                agent.tier.idle[agent] = None  # a seat is still free: last in line
            return
        agent.ticket = ticket
        agent.started = now
        agent.callbacks = self._done_callbacks
        agent.due = due = now + handle
        self._at(due, agent)

    def _done(self, agent: Any) -> None:
        """An agent finished a ticket: pass it on or resolve it, then take the next."""
        ticket = agent.ticket
        agent.ticket = None
        self._finish(agent, ticket, agent.started, agent.due)

    def _done_seat(self, event: Any) -> None:
        """An agent with several seats finished one of the tickets in hand."""
        agent, ticket, started = event.value
        agent.hand.remove((ticket, started))
        self._finish(agent, ticket, started, self.env.now)

    def _finish(self, agent: Agent, ticket: Ticket, started: float, now: float) -> None:
        if self._next_arrival <= now:
            self._admit(now)
        contact = ticket.contact
        step = ticket.step
        self.visits.extend((ticket.id, ticket.tiers[step], agent.index, ticket.queued_at,
                            started, now, contact))
        log = self.log
        if log is not None:
            log.append((now, "done", ticket.id, agent.name))
        if contact < 0:
            step = -1  # a check-back passes nothing on
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
                    log.append((now, "resolve", ticket.id,
                                self.tiers[ticket.tiers[step - 1]].plan.name))
                self._reopen_later(ticket, contact, now)
        if agent.helper is not None and agent.on and self._helper_leaves(agent, now):
            agent.on = False
        if agent.on and now < agent.duty_end:
            self._free(agent, now)
        elif not agent.busy:
            self._off(agent, now)

    # -- agents ---------------------------------------------------------------------

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
            self.env.call(when, self._woken, tier)

    def _woken(self, event: Any) -> None:
        tier: TierState = event.value
        now = self.env.now
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
            self._take_owed_break(agent, now)


def _in_hand(agent: Agent) -> int:
    return len(agent.hand)
