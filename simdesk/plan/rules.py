"""The desk rules of a plan by index: cross-tier help, pre-emption, occupancy caps
(written in :mod:`simdesk.scenario.desk_rules`; run by :mod:`simdesk.engine.rules`).

Derived from the plan alone and kept in its cache, so the plan's own fields (and
every scenario that writes none of these rules) are untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from simdesk.plan.model import DeskPlan


@dataclass(frozen=True)
class HelpRule:
    """Agents of tier ``helper`` take tier ``helped``'s tickets (see
    :class:`~simdesk.scenario.desk_rules.Help`)."""

    helper: int
    helped: int
    longer_than: int | None
    older_than: float | None
    first: bool

    @property
    def always(self) -> bool:
        """No crunch threshold: help whenever idle."""
        return self.longer_than is None and self.older_than is None


@dataclass(frozen=True)
class OccupancyRule:
    """Rest when busy more than ``cap`` of the last ``window`` minutes."""

    cap: float
    window: float
    rest: float | None


@dataclass(frozen=True)
class DeskRules:
    """Every desk rule of a plan; empty when the scenario writes none."""

    helps: tuple[HelpRule, ...] = ()
    preempt: tuple[dict[int, dict[int, float]], ...] = ()
    """Per tier: interrupting channel → {interrupted channel: restart cost}."""
    occupancy: tuple[OccupancyRule | None, ...] = ()
    """Per agent (by index)."""

    @property
    def used(self) -> bool:
        return bool(self.helps or any(self.preempt)
                    or any(r is not None for r in self.occupancy))


def desk_rules(plan: DeskPlan) -> DeskRules:
    """The plan's desk rules (computed once per plan)."""
    key = ("desk_rules",)
    found = plan.cache.get(key)
    if found is None:
        found = plan.cache[key] = _compile(plan)
    assert isinstance(found, DeskRules)
    return found


def _compile(plan: DeskPlan) -> DeskRules:
    scenario = plan.scenario
    names = [tier.name for tier in plan.tiers]
    channels = [channel.name for channel in plan.channels]
    helps: list[HelpRule] = []
    preempt: list[dict[int, dict[int, float]]] = []
    occupancy: list[OccupancyRule | None] = [None] * len(plan.agents)
    for index, (name, tier) in enumerate(scenario.tiers.items()):
        for rule in tier.helps or []:
            helps.append(HelpRule(index, names.index(rule.tier), rule.longer_than,
                                  rule.older_than, rule.first))
        pairs: dict[int, dict[int, float]] = {}
        for pair in tier.preempt or []:
            lows = pairs.setdefault(channels.index(pair.channel), {})
            lows.update({channels.index(low): pair.restart_cost for low in pair.interrupts})
        preempt.append(pairs)
        agents = iter(plan.tiers[index].agents)
        for group in tier.agents:
            for _ in range(group.count):
                agent = next(agents)
                if group.occupancy is not None:
                    cap = group.occupancy
                    occupancy[agent.index] = OccupancyRule(cap.cap, cap.window, cap.rest)
        assert plan.tiers[index].name == name
    if not helps and not any(preempt) and all(r is None for r in occupancy):
        return DeskRules()
    return DeskRules(tuple(helps), tuple(preempt), tuple(occupancy))
