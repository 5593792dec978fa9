"""Warnings about a valid scenario that will probably not do what its author wants.

These never stop a run: a tier loaded at or above its capacity, tickets arriving while
nobody who could take them is on duty, a surge after the horizon, a channel without
arrivals.
"""

from __future__ import annotations

from dataclasses import dataclass

from simdesk.calendar import Interval, merge_intervals
from simdesk.plan import DeskPlan, StreamPlan
from simdesk.scenario.schema import moment_minutes
from simdesk.units import humanize_minutes


@dataclass(frozen=True)
class Notice:
    """Something a user should look at, with the numbers behind it."""

    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def reach(plan: DeskPlan, stream: StreamPlan, tier: int) -> float:
    """Probability that a ticket of ``stream`` reaches ``tier``."""
    probability = 1.0
    for index in plan.channels[stream.channel].chain:
        if index == tier:
            return probability
        probability *= 1 - plan.tiers[index].resolves
    return 0.0


def tier_load(plan: DeskPlan, tier: int) -> tuple[float, float]:
    """(offered load, mean agents on duty) of a tier over the horizon, in agents."""
    spec = plan.tiers[tier]
    work = sum(
        stream.expected * reach(plan, stream, tier)
        * spec.expected_handle(stream.channel, stream.topic_shares, plan.efforts)
        for stream in plan.streams
    )
    on_duty = sum(agent.duty_minutes for agent in plan.tiers[tier].agents)
    return work / plan.horizon, on_duty / plan.horizon


def _gaps(covered: list[Interval], horizon: float) -> list[Interval]:
    gaps, last = [], 0.0
    for begin, end in covered:
        if begin > last:
            gaps.append((last, begin))
        last = max(last, end)
    if last < horizon:
        gaps.append((last, horizon))
    return gaps


def _uncovered_arrivals(plan: DeskPlan) -> list[Notice]:
    warnings = []
    for tier in plan.tiers:
        streams = [s for s in plan.streams if plan.channels[s.channel].chain[0] == tier.index]
        if not streams:
            continue
        covered = merge_intervals(i for agent in tier.agents for i in agent.duty)
        gaps = _gaps(covered, plan.horizon)
        expected = [sum(s.expected_between(b, e) for s in streams) for b, e in gaps]
        total = sum(expected)
        if total < 0.5:
            continue
        examples = [
            f"{plan.clock.describe(b)} – {plan.clock.describe(e)}"
            for (b, e), n in zip(gaps, expected, strict=True) if n >= 0.05
        ][:2]
        everything = sum(s.expected for s in streams)
        warnings.append(Notice(
            f"tier {tier.name}",
            f"about {total:,.0f} tickets ({total / everything:.0%} of those entering here) "
            f"arrive while no {tier.name} agent is on duty, e.g. {'; '.join(examples)}; "
            "they wait for the next shift",
        ))
    return warnings


def diagnose(plan: DeskPlan) -> list[Notice]:
    """Every warning for a compiled scenario."""
    warnings: list[Notice] = []
    for tier in plan.tiers:
        offered, capacity = tier_load(plan, tier.index)
        if offered <= 0 or offered < capacity:
            continue
        if capacity == 0:
            message = (f"offered load {offered:.2f} agents' worth of work but no agent is ever "
                       "on duty: its tickets will never be served")
        else:
            message = (f"offered load {offered:.2f} agents' worth of work is at or above the "
                       f"{capacity:.2f} agents on duty on average over the horizon "
                       f"({offered / capacity:.0%}, counting every ticket that reaches it, "
                       "before abandonment): its queue will keep growing")
        warnings.append(Notice(f"tier {tier.name}", message))
    warnings.extend(_uncovered_arrivals(plan))
    scenario = plan.scenario
    for index, surge in enumerate(scenario.surges):
        begin = moment_minutes(surge.at, scenario.start)
        if begin >= plan.horizon:
            warnings.append(Notice(
                f"surges[{index}]",
                f"starts at {surge.at}, after the horizon "
                f"({humanize_minutes(plan.horizon)}); it has no effect",
            ))
    used = {stream.channel for stream in plan.streams}
    for channel in plan.channels:
        if channel.index not in used:
            warnings.append(Notice(f"channel {channel.name}", "has no arrivals"))
    return warnings
