"""Cross-tier help: a tier's agents take another tier's tickets (the seeds' "L3 helps
L2 when needed", L2 taking L1 tickets in a crunch).

Rules, each covered by a scripted test (``tests/engine/test_desk_rules.py``):

* an agent of a helping tier asks its own queue first, then each tier it helps, in the
  order written — a rule without thresholds always, one with ``longer_than`` /
  ``older_than`` only while more than that many tickets wait there or its oldest has
  waited that long (customers who left count until an agent notices them);
  ``first: true`` asks the helped queue before its own while the crunch lasts;
* a ticket queued at a helped tier that none of its own idle agents takes goes to the
  helpers idle longest, tier by tier in the order written (when the crunch holds);
* an ``older_than`` crunch that begins while helpers are idle wakes them when it begins;
* the helped ticket's visit is its own tier's, handled by the helper (its time counts
  in the helper's utilisation); escalation and resolution follow the ticket's tier;
* managers who join when the queue is long (``helpers:``) do not help other tiers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simdesk.engine.desk import Desk
from simdesk.engine.entities import Agent, Ticket, TierState
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import DeskPlan
from simdesk.plan.rules import HelpRule, desk_rules
from simdesk.policies.base import Entries, Policy
from simdesk.scenario.calendar import Interval


class Helping(Desk):
    """The section of :class:`~simdesk.engine.rules.RulesDesk` for cross-tier help."""

    def __init__(self, plan: DeskPlan, batch: TicketBatch, policy: Policy, *,
                 trace: bool = False, duty: Sequence[Sequence[Interval]] | None = None) -> None:
        super().__init__(plan, batch, policy, trace=trace, duty=duty)
        rules = desk_rules(plan).helps
        self._helping: list[list[HelpRule]] = [[] for _ in plan.tiers]
        self._helped_by: list[list[HelpRule]] = [[] for _ in plan.tiers]
        for rule in rules:
            self._helping[rule.helper].append(rule)
            self._helped_by[rule.helped].append(rule)
        self._ages: dict[int, Entries] = {
            rule.helped: Entries() for rule in rules if rule.older_than is not None}
        """The waiting tickets of tiers helped in an ``older_than`` crunch, by age."""
        self._help_wake: dict[int, float] = {}
        """Per rule (by id), the wake-up already scheduled for its crunch."""

    def _crunch(self, rule: HelpRule, now: float) -> bool:
        """The helped tier is in the rule's crunch (or the rule has no thresholds)."""
        if rule.always:
            return True
        helped = self.tiers[rule.helped]
        if rule.longer_than is not None and helped.waiting > rule.longer_than:
            return True
        if rule.older_than is not None:
            oldest = self._ages[rule.helped].oldest()
            return oldest is not None and oldest.queued_at + rule.older_than <= now
        return False

    def _take(self, tier: TierState, agent: Agent, now: float) -> Ticket | None:
        rules = self._helping[tier.index] if agent.tier is tier else None
        if not rules or agent.helper is not None:
            return super()._take(tier, agent, now)
        for rule in rules:
            if rule.first and self._crunch(rule, now):
                ticket = self._help(rule, agent, now)
                if ticket is not None:
                    return ticket
        ticket = super()._take(tier, agent, now)
        if ticket is not None:
            return ticket
        for rule in rules:
            if self._crunch(rule, now):
                ticket = self._help(rule, agent, now)
                if ticket is not None:
                    return ticket
            else:
                self._watch(rule, now)
        return None

    def _help(self, rule: HelpRule, agent: Agent, now: float) -> Ticket | None:
        """The helped tier's next ticket for ``agent`` (its policy's choice)."""
        ticket = Desk._take(self, self.tiers[rule.helped], agent, now)
        if ticket is not None and self.log is not None:
            self.log.append((now, "help", ticket.id, agent.name))
        return ticket

    def _enter(self, ticket: Ticket, tier: TierState, now: float) -> None:
        super()._enter(ticket, tier, now)
        rules = self._helped_by[tier.index]
        if rules and ticket.waiting:
            ages = self._ages.get(tier.index)
            if ages is not None:
                ages.push(ticket)
            self._call(rules, now)

    def _call(self, rules: list[HelpRule], now: float) -> None:
        """Idle helpers of these rules take the helped tier's waiting tickets."""
        for rule in rules:
            helpers = self.tiers[rule.helper]
            helped = self.tiers[rule.helped]
            for agent in list(helpers.idle):
                if not helped.waiting:
                    return
                if agent.helper is not None or agent not in helpers.idle:
                    continue
                if not self._crunch(rule, now):
                    self._watch(rule, now)
                    break
                ticket = self._help(rule, agent, now)
                if ticket is None:
                    continue
                del helpers.idle[agent]
                self._start(agent, ticket, now)

    def _watch(self, rule: HelpRule, now: float) -> None:
        """Wake idle helpers when an ``older_than`` crunch begins."""
        if rule.older_than is None:
            return
        oldest = self._ages[rule.helped].oldest()
        if oldest is None:
            return
        when = oldest.queued_at + rule.older_than
        pending = self._help_wake.get(id(rule))
        if when > now and (pending is None or pending <= now or when < pending):
            self._help_wake[id(rule)] = when
            self.env.call(when, self._crunch_begins, rule)

    def _crunch_begins(self, event: Any) -> None:
        rule: HelpRule = event.value
        now = self.env.now
        if self._help_wake.get(id(rule)) != now:
            return  # superseded by an earlier wake-up
        del self._help_wake[id(rule)]
        self._admit(now)
        if self.tiers[rule.helper].idle:
            self._call([rule], now)

    def _set_alarm(self) -> None:
        """Also wake up at the next arrival while a helper of an entry tier is idle."""
        super()._set_alarm()
        if self._alarm.callbacks is not None or self._next >= self._count:
            return
        for tier in self._entry_tiers:
            if any(self.tiers[rule.helper].idle for rule in self._helped_by[tier.index]):
                self._alarm.callbacks = self._ring_callbacks
                self._at(self._next_arrival, self._alarm)
                return

    def _release(self) -> None:
        super()._release()
        self._ages.clear()
