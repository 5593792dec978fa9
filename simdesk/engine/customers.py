"""Customers when the desk is busy: busy signals, redials, callbacks and overflow — the
desk :func:`~simdesk.engine.run.run_desk` runs when a scenario writes any of them
(:func:`~simdesk.plan.customers.customer_rules`); the other desks do not change.

Rules, each covered by a scripted test (``tests/engine/test_customers.py``):

* an *arrival* (a ticket entering its channel's first tier on a new attempt) that no
  idle agent of the tier who takes the channel can answer, and finds the channel's own
  waiting tickets at its ``queue_limit`` or its tier's queue at the tier's
  ``queue_limit``, is **blocked** (busy signal) and never queues;
* with ``overflow: {closed: true}``, an arrival while no agent of the entry tier who
  takes the channel is on duty moves to the ``to`` channel at once (before any busy
  signal); with ``full: true``, one that would be blocked moves instead; a ticket still
  waiting ``after`` its (re)queueing moves then (unless holding a callback by then) —
  once only, its patience kept unless the other channel has none; its SLA clock
  restarts there or keeps running;
* a customer gives up exactly at the end of their patience (an event then, so queue
  lengths are exact); after giving up (or a busy signal, unless ``blocked: false``) a
  customer redials ``after`` later with probability ``share × decay**k`` (``k`` the
  repeat attempts so far, at most ``max``), as a new attempt with a fresh patience and
  a new place at the back of the queue; a redial due after the horizon does not happen
  (the customer counts as given up);
* a caller who arrives to ``queue`` or more waiting at the tier, or who would still be
  waiting ``after`` that long, takes a **callback** when their draw is below ``share``:
  they keep their place and never give up; when an agent picks them up past the offer
  (and not the moment they arrived), the agent's call takes the callback's ``handle``;
* at equal times, arrivals come first, then the events in the order scheduled; every
  arrival is an event of its own here (the other desks admit arrivals lazily).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from simdesk.engine.desk import Desk
from simdesk.engine.entities import Agent, Ticket, TierState
from simdesk.engine.records import CustomerRecord, RunRecord
from simdesk.engine.rules import RulesDesk
from simdesk.engine.state import INF, NAN
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.customers import customer_rules
from simdesk.plan.model import DeskPlan
from simdesk.policies.base import Policy
from simdesk.scenario.calendar import Interval


def _arriving(ticket: Ticket) -> bool:
    """The ticket enters its channel's first tier on an attempt (not a follow-up, a
    repeat contact or an escalation)."""
    return ticket.step == 0 and not ticket.touch and not ticket.contact


class CustomerDesk(Desk):
    """:class:`~simdesk.engine.desk.Desk` with the customer rules of the plan."""

    def __init__(self, plan: DeskPlan, batch: TicketBatch, policy: Policy, *,
                 trace: bool = False, duty: Sequence[Sequence[Interval]] | None = None
                 ) -> None:
        super().__init__(plan, batch, policy, trace=trace, duty=duty)
        rules, fates = customer_rules(plan), batch.customers
        assert rules is not None and fates is not None
        self._rules = rules.channels
        self._tier_limits = rules.tier_limits
        n = len(batch)
        self._attempt = [0] * n
        """Repeat attempts so far."""
        self._blocked = [False] * n
        self._called_back = [False] * n
        self._callback_at = [INF] * n
        """When the caller takes a callback (∞: never, or not yet known)."""
        self._overflowed = [-1] * n
        self._final = list(self._channels)
        self._sla_from = self._arrivals[:-1]
        self._in_line = [False] * n
        self._line = [0] * len(plan.channels)
        """Per channel, its arriving tickets waiting at its entry tier."""
        self._redial_draw = fates.redial.tolist()
        self._redial_after = fates.redial_after.tolist()
        self._redial_patience = fates.redial_patience.tolist()
        self._callback_draw = fates.callback.tolist()
        self._callback_handle = fates.callback_handle.tolist()
        self._overflow_handles = fates.overflow_handles.tolist()
        self._overflow_visits = fates.overflow_visits.tolist()
        self._horizon = plan.horizon

    def run(self) -> RunRecord:
        record = super().run()
        return replace(record, customers=CustomerRecord(
            attempts=np.asarray(self._attempt, dtype=np.int64) + 1,
            blocked=np.asarray(self._blocked, dtype=bool),
            callback=np.asarray(self._called_back, dtype=bool),
            overflowed_from=np.asarray(self._overflowed, dtype=np.int64),
            channel=np.asarray(self._final, dtype=np.int64),
            sla_from=np.asarray(self._sla_from, dtype=float)))

    # -- arrivals --------------------------------------------------------------------

    def _set_alarm(self) -> None:
        """Wake up at every arrival: the rules act at arrival times (a busy signal, a
        patience or overflow timer), so arrivals are not admitted late."""
        if self._alarm.callbacks is not None or self._next >= self._count:
            return
        self._alarm.callbacks = self._ring_callbacks
        self._at(self._next_arrival, self._alarm)

    def _enter(self, ticket: Ticket, tier: TierState, now: float) -> None:
        if not _arriving(ticket):
            super()._enter(ticket, tier, now)
            return
        channel = ticket.channel
        rule = self._rules[channel]
        if (rule.overflow_closed and self._overflowed[ticket.id] < 0
                and not self._on_duty(tier, channel)):
            self._overflow(ticket, now)
            return
        limit = self._tier_limits[tier.index]
        if ((limit is not None and tier.waiting >= limit) or (
                rule.limit is not None and self._line[channel] >= rule.limit)
                ) and not self._idle_for(tier, channel):
            if rule.overflow_full and self._overflowed[ticket.id] < 0:
                self._overflow(ticket, now)
            else:
                self._busy_signal(ticket, tier, now)
            return
        callback = rule.callback
        if callback is not None and self._callback_draw[ticket.id] < callback.share:
            if callback.queue is not None and tier.waiting >= callback.queue:
                self._callback_at[ticket.id] = now
                ticket.abandon_at = INF
            elif callback.after is not None and ticket.abandon_at > now + callback.after:
                self._callback_at[ticket.id] = now + callback.after
                ticket.abandon_at = INF
        self._in_line[ticket.id] = True
        self._line[channel] += 1
        super()._enter(ticket, tier, now)
        stay = ticket.waiting
        if not stay:
            return
        if ticket.abandon_at < INF:
            self.env.call(ticket.abandon_at, self._patience_ends, (ticket, tier, stay))
        if rule.overflow_after is not None and self._overflowed[ticket.id] < 0:
            self.env.call(now + rule.overflow_after, self._waited_too_long, (ticket, tier, stay))

    def _on_duty(self, tier: TierState, channel: int) -> bool:
        return any(agent.on and (agent.channels is None or channel in agent.channels)
                   for agent in tier.agents)

    def _idle_for(self, tier: TierState, channel: int) -> bool:
        """An idle agent of the tier takes the channel (the ticket need not wait)."""
        return any(agent.channels is None or channel in agent.channels for agent in tier.idle)

    def _leave_line(self, ticket: Ticket) -> None:
        if self._in_line[ticket.id]:
            self._in_line[ticket.id] = False
            self._line[ticket.channel] -= 1

    def _busy_signal(self, ticket: Ticket, tier: TierState, now: float) -> None:
        if self.log is not None:
            self.log.append((now, "blocked", ticket.id, tier.plan.name))
        rule = self._rules[ticket.channel]
        if rule.redial is None or not rule.redial.blocked or not self._redial(ticket, now):
            self._blocked[ticket.id] = True

    # -- leaving the queue -----------------------------------------------------------

    def _patience_ends(self, event: Any) -> None:
        ticket, tier, stay = event.value
        if ticket.waiting != stay:
            return
        now = self.env.now
        self._admit(now)
        ticket.waiting = 0
        tier.waiting -= 1
        self._abandon(tier, ticket, now)
        self._set_alarm()

    def _abandon(self, tier: TierState, ticket: Ticket, now: float) -> None:
        if not _arriving(ticket):
            super()._abandon(tier, ticket, now)
            return
        self._leave_line(ticket)
        if self._redial(ticket, ticket.abandon_at):
            self.visits.extend((ticket.id, tier.index, -1, ticket.queued_at, NAN,
                                ticket.abandon_at, 0))
            if self.log is not None:
                self.log.append((ticket.abandon_at, "hang up", ticket.id, tier.plan.name))
            return
        super()._abandon(tier, ticket, now)

    def _redial(self, ticket: Ticket, left: float) -> bool:
        """Schedule the customer's next attempt if they make one; say whether."""
        spec = self._rules[ticket.channel].redial
        k = self._attempt[ticket.id]
        if spec is None or k >= spec.max:
            return False
        if self._redial_draw[ticket.id][k] >= spec.share * spec.decay**k:
            return False
        when = left + self._redial_after[ticket.id][k]
        if when >= self._horizon:
            return False
        self.env.call(when, self._redials, ticket)
        return True

    def _redials(self, event: Any) -> None:
        ticket: Ticket = event.value
        now = self.env.now
        self._admit(now)
        k = self._attempt[ticket.id]
        self._attempt[ticket.id] = k + 1
        if self._rules[ticket.channel].counts_attempts:
            self._sla_from[ticket.id] = now
            ticket.deadline = float(
                self.plan.channels[ticket.channel].deadline(np.array([now]))[0])
        ticket.abandon_at = now + self._redial_patience[ticket.id][k]
        if self.log is not None:
            self.log.append((now, "redial", ticket.id, self.plan.channels[ticket.channel].name))
        self._enter(ticket, self.tiers[ticket.tiers[0]], now)
        self._set_alarm()

    def _waited_too_long(self, event: Any) -> None:
        ticket, tier, stay = event.value
        now = self.env.now
        if (ticket.waiting != stay or ticket.abandon_at <= now
                or self._callback_at[ticket.id] <= now):
            return  # taken, gone (patience ends first at equal times) or holding a callback
        self._admit(now)
        ticket.waiting = 0
        tier.waiting -= 1
        self._leave_line(ticket)
        self.visits.extend((ticket.id, tier.index, -1, ticket.queued_at, NAN, now, 0))
        self._overflow(ticket, now)
        self._set_alarm()

    def _overflow(self, ticket: Ticket, now: float) -> None:
        """Move the ticket to its channel's overflow channel, as an arrival there."""
        rule = self._rules[ticket.channel]
        assert rule.overflow_to is not None
        target = self.plan.channels[rule.overflow_to]
        if self.log is not None:
            self.log.append((now, "overflow", ticket.id, target.name))
        i = ticket.id
        self._overflowed[i] = ticket.channel
        self._final[i] = target.index
        ticket.channel = target.index
        ticket.tiers = target.chain[: self._overflow_visits[i]]
        for k, handle in enumerate(self._overflow_handles[i]):
            self._handles[k][i] = handle
        if rule.overflow_restarts:
            self._sla_from[i] = now
        ticket.deadline = float(target.deadline(np.array([self._sla_from[i]]))[0])
        if target.patience is None or self._callback_at[i] < INF:
            ticket.abandon_at = INF
        self._callback_at[i] = INF
        self._enter(ticket, self.tiers[ticket.tiers[0]], now)

    # -- service ---------------------------------------------------------------------

    def _start(self, agent: Agent, ticket: Ticket, now: float) -> None:
        if _arriving(ticket):
            self._leave_line(ticket)
            i = ticket.id
            if self._callback_at[i] <= now and now > ticket.queued_at:  # not answered at once
                self._called_back[i] = True
                self._handles[0][i] = self._callback_handle[i]
                if self.log is not None:
                    self.log.append((now, "call back", i, agent.name))
        super()._start(agent, ticket, now)


class CustomerRulesDesk(CustomerDesk, RulesDesk):
    """A plan with customer rules and desk rules (help, pre-emption, occupancy caps):
    the customer rules decide whether a ticket enters a queue, the desk rules who takes
    it (each section calls the next through ``super()``)."""
