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
* every firing is an *action* (``actions.parquet``): when, which rule, what it measured,
  the threshold, how many agents came on and how many stayed on, and until when.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from simdesk.engine.entities import Agent
from simdesk.engine.shifts import Shifts
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
            if fires:
                self._call_in(index, tier.index, rule.call, value, threshold, now, until)

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
