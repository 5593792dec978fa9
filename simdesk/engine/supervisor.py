"""The supervisor: intraday reviews that call reserve agents in (``supervisor:``).

Rules, each covered by a scripted test (``tests/engine/test_supervisor.py``):

* reviews happen every ``every`` minutes from the start (within ``hours`` if given: from
  the start of each stretch of those hours); all review events are scheduled before the
  run, so at equal times a review comes before any shift change or service completion
  scheduled later, and after the arrivals (which are admitted first);
* at a review the rules are looked at in order. ``queue_above: n`` fires when more than
  ``n`` tickets wait in the tier's queue; ``sla_below: s`` fires when, among the channel's
  tickets that arrived in the last ``window`` and are *decided* (answered, or waiting for
  longer than the target), the share answered within the target is below ``s`` (no
  decided ticket: it does not fire). The target is counted in plain minutes;
* a rule that fires puts ``call`` of the tier's reserve agents on the queue until the next
  review: those already on stay on (their end moves), the others come on in order and
  each takes a ticket at once if one waits; a reserve agent whose time ends finishes the
  ticket in hand, like at the end of a shift;
* a ``policy`` rule makes the tier's agents pick by that routing policy until the next
  review (every ticket is in every policy's queue: :mod:`~simdesk.engine.switching`),
  then by the tier's own again; a ``prioritize`` rule puts that channel first for the
  tier's blended agents who take it, until the next review; either way idle agents look
  at the queue again at once; a rule that fires again extends its action;
* every firing is an *action* (``actions.parquet``): when, which rule, what it measured,
  the threshold, how many agents came on and how many stayed on, and until when.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from simdesk.engine.blend import BlendedQueue
from simdesk.engine.entities import Agent, TierState
from simdesk.engine.shifts import Shifts
from simdesk.engine.switching import SwitchingQueue
from simdesk.plan.reserve import RESERVE
from simdesk.scenario.calendar import parse_shift

ACTION_COLUMNS = 8
"""Flat action records: time, rule, value, threshold, came on, stayed on, until, waiting."""
ACTION_TIME, ACTION_RULE, ACTION_VALUE, ACTION_THRESHOLD, ACTION_CALLED, ACTION_KEPT, \
    ACTION_UNTIL, ACTION_WAITING = range(ACTION_COLUMNS)


def review_times(plan: Any) -> list[float]:
    """When the supervisor reviews, in scenario minutes."""
    supervisor = plan.scenario.supervisor
    if supervisor is None:
        return []
    every, horizon = supervisor.every, plan.horizon
    stretches = ([(0.0, horizon)] if supervisor.hours is None
                 else parse_shift(supervisor.hours).intervals(plan.clock, horizon))
    times: list[float] = []
    for begin, end in stretches:
        count = math.ceil((min(end, horizon) - begin) / every)
        times += [begin + k * every for k in range(max(count, 0))]
    return sorted(t for t in set(times) if 0 <= t < horizon)


class Supervising(Shifts):
    """The section of :class:`~simdesk.engine.desk.Desk` for the supervisor's reviews."""

    actions: list[float]

    def _schedule_reviews(self) -> None:
        self.actions = []
        supervisor = self.plan.scenario.supervisor
        if supervisor is None:
            return
        self._reserves = [[a for a in tier.agents if a.plan.group == RESERVE]
                          for tier in self.tiers]
        self._switches: dict[tuple[int, str], int] = {}
        """(tier, policy name) → index of that policy's queue in the tier's switch."""
        self._priority_until: dict[tuple[int, str], float] = {}
        names = [tier.plan.name for tier in self.tiers]
        for rule in supervisor.rules:
            if rule.policy is not None:
                self._add_policy(self.tiers[names.index(rule.tier)], rule.policy)
        times = review_times(self.plan)
        for k, at in enumerate(times):
            after = times[k + 1] if k + 1 < len(times) else math.inf
            self.env.call(at, self._review, min(after, at + supervisor.every,
                                                self.plan.horizon))

    def _review(self, event: Any) -> None:
        until: float = event.value
        now = self.env.now
        self._admit(now)
        supervisor = self.plan.scenario.supervisor
        assert supervisor is not None
        names = [tier.plan.name for tier in self.tiers]
        for index, rule in enumerate(supervisor.rules):
            tier = self.tiers[names.index(rule.tier)]
            if rule.queue_above is not None:
                value, threshold = float(tier.waiting), float(rule.queue_above)
                fires = value > threshold
            else:
                assert rule.channel is not None and rule.sla_below is not None
                value, threshold = self._running_sla(rule.channel, rule.window, now), \
                    rule.sla_below
                fires = not math.isnan(value) and value < threshold
            if not fires:
                continue
            if rule.call is not None:
                self._call_in(index, tier.index, rule.call, value, threshold, now, until)
                continue
            if rule.policy is not None:
                self._switch(tier, rule.policy, now, until)
            else:
                assert rule.prioritize is not None
                self._prioritize(tier, rule.prioritize, now, until)
            self.actions.extend((now, index, value, threshold, 0, 0, until,
                                 float(tier.waiting)))

    def _add_policy(self, tier: TierState, name: str) -> None:
        """Give the tier a switching queue holding ``name``'s queue too (before any ticket)."""
        from simdesk.policies import make_policy

        if (tier.index, name) in self._switches:
            return
        queue = tier.queue
        if not isinstance(queue, SwitchingQueue):
            queue = SwitchingQueue([queue])
            tier.queue = queue
            tier.direct = False
            self._wake_at[tier.index] = queue.wake_at
        policy = make_policy(self.plan.scenario.policies[name])
        made = policy.queue(self.plan, tier.plan, tier.agents)
        if any(agent.channels is not None for agent in tier.agents):
            made = BlendedQueue([policy.queue(self.plan, tier.plan, tier.agents)
                                 for _ in self.plan.channels], made)
        self._switches[(tier.index, name)] = len(queue.queues)
        queue.queues.append(made)

    def _switch(self, tier: TierState, name: str, now: float, until: float) -> None:
        queue = tier.queue
        assert isinstance(queue, SwitchingQueue)
        queue.active = self._switches[(tier.index, name)]
        queue.until = until
        if self.log is not None:
            self.log.append((now, "policy", None, f"{tier.plan.name}:{name}"))
        self.env.call(until, self._switch_back, (tier, until))
        if tier.idle:
            self._offer(tier, now)

    def _switch_back(self, event: Any) -> None:
        tier, until = event.value
        queue = tier.queue
        if queue.until != until:
            return  # extended by a later review
        now = self.env.now
        self._admit(now)
        queue.active = 0
        if self.log is not None:
            self.log.append((now, "policy", None, f"{tier.plan.name}:own"))
        if tier.idle:
            self._offer(tier, now)

    def _prioritize(self, tier: TierState, channel_name: str, now: float,
                    until: float) -> None:
        channel = next(c.index for c in self.plan.channels if c.name == channel_name)
        for agent in tier.agents:
            own = agent.plan.channels
            if own is not None and channel in own:
                agent.channels = (channel, *(c for c in own if c != channel))
        self._priority_until[(tier.index, channel_name)] = until
        if self.log is not None:
            self.log.append((now, "prioritize", None, f"{tier.plan.name}:{channel_name}"))
        self.env.call(until, self._priorities_back, (tier, channel_name, until))
        if tier.idle:
            self._offer(tier, now)

    def _priorities_back(self, event: Any) -> None:
        tier, channel_name, until = event.value
        if self._priority_until.get((tier.index, channel_name)) != until:
            return
        now = self.env.now
        self._admit(now)
        for agent in tier.agents:
            agent.channels = agent.plan.channels
        if self.log is not None:
            self.log.append((now, "prioritize", None, f"{tier.plan.name}:own"))
        if tier.idle:
            self._offer(tier, now)

    def _running_sla(self, channel_name: str, window: float, now: float) -> float:
        """Share answered within target among the channel's decided tickets that arrived
        in ``[now − window, now]``; NaN if none is decided."""
        channel = next(c for c in self.plan.channels if c.name == channel_name)
        within, arrivals = channel.sla_within, self._arrivals
        first = bisect.bisect_left(arrivals, now - window, 0, self._next)
        met = decided = 0
        channels, responses, refused = self._channels, self.first_response, self.refused
        deflected = self._deflected
        for i in range(first, self._next):
            if channels[i] != channel.index or refused[i] or (deflected and deflected[i]):
                continue
            response = responses[i]
            if response == response:  # answered
                decided += 1
                met += response - arrivals[i] <= within
            elif now - arrivals[i] > within:
                decided += 1
        return met / decided if decided else math.nan

    def _call_in(self, rule: int, tier: int, count: int, value: float, threshold: float,
                 now: float, until: float) -> None:
        reserves: list[Agent] = self._reserves[tier][:count]
        kept = [a for a in reserves if a.on]
        called = [a for a in reserves if not a.on]
        for agent in kept:
            agent.duty_end = until
            self.env.call(until, self._duty_ends, (agent, until))
        for agent in called:
            if self.log is not None:
                self.log.append((now, "call", None, agent.name))
            was_working = agent.busy
            agent.on = True
            agent.duty_end = until
            self.env.call(until, self._duty_ends, (agent, until))
            if was_working:
                continue  # still finishing a ticket: its on-duty time runs on
            agent.on_since = now
            if self.log is not None:
                self.log.append((now, "on", None, agent.name))
            self._free(agent, now)
        self.actions.extend((now, rule, value, threshold, len(called), len(kept), until,
                             float(self.tiers[tier].waiting)))



__all__ = ["ACTION_COLUMNS", "Supervising", "review_times"]
