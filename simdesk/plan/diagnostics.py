"""Warnings about a valid scenario that will probably not do what its author wants.

These never stop a run: a tier loaded at or above its capacity, tickets arriving while
nobody who could take them is on duty, a surge after the horizon, a channel without
arrivals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simdesk.plan.model import AgentPlan, DeskPlan, StreamPlan, TierPlan
from simdesk.plan.work import work_left
from simdesk.scenario.calendar import Interval, merge_intervals
from simdesk.scenario.schema import moment_minutes
from simdesk.scenario.units import humanize_minutes


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


def repeat_contacts(share: float, most: int) -> float:
    """Expected repeat contacts of a resolved ticket when each resolution comes back
    with chance ``share``, at most ``most`` times: Σ share^k for k = 1..most."""
    return sum(share**k for k in range(1, most + 1))


def expected_touches(plan: DeskPlan, channel: int, topic: int) -> float:
    """Agent replies a ticket of ``channel`` and ``topic`` needs on average (1 without
    conversations: a channel with no ``reply_after`` never gets a follow-up)."""
    spec = plan.channels[channel]
    if spec.reply_after is None:
        return 1.0
    own = plan.topic_touches[topic] if topic < len(plan.topic_touches) else None
    shares = spec.touches if own is None else own
    if len(shares) == 0 or shares.sum() <= 0:
        return 1.0
    return float(np.arange(1, len(shares) + 1) @ shares / shares.sum())


def _work(plan: DeskPlan, stream: StreamPlan, tier: TierPlan) -> float:
    """Expected minutes of work ``stream`` brings to ``tier`` over the horizon: first
    contacts not deflected, the follow-up replies of conversations at the tier that
    holds them, plus repeat contacts of those it resolves."""
    probability = reach(plan, stream, tier.index)
    if probability == 0:
        return 0.0
    deflected = np.array([0.0 if d is None else d.share for d in plan.deflection])
    shares = stream.topic_shares * (1 - deflected[: len(stream.topic_shares)])
    if shares.sum() <= 0:
        return 0.0
    tickets = stream.expected * probability * shares.sum() / stream.topic_shares.sum()
    channel = plan.channels[stream.channel]
    if channel.chain[channel.touch_step] == tier.index:  # where self-service picks
        weights = stream.topic_shares * np.array(
            [work_left(plan, channel, t) for t in range(len(stream.topic_shares))])
        work = (tickets * tier.expected_handle(stream.channel, weights, plan.efforts)
                * weights.sum() / shares.sum())
    else:
        work = tickets * tier.expected_handle(stream.channel, shares, plan.efforts)
    if channel.chain[channel.touch_step] == tier.index:
        for topic, share in enumerate(shares / shares.sum()):
            extra = expected_touches(plan, stream.channel, topic) - 1
            if share > 0 and extra > 0:
                _, handle, scaled = tier.handle_for(stream.channel, topic)
                work += (tickets * share * extra * handle.expected
                         * (plan.efforts[topic] if scaled else 1.0))
    resolves = 1.0 if tier.escalate_to is None else tier.resolves
    for topic, share in enumerate(shares / shares.sum()):
        spec = plan.topic_reopens[topic] if topic < len(plan.topic_reopens) else None
        spec = spec or tier.reopens
        if spec is None or share == 0:
            continue
        _, handle, scaled = tier.handle_for(stream.channel, topic)
        mean = (spec.handle.expected if spec.handle is not None
                else handle.expected * (plan.efforts[topic] if scaled else 1.0))
        work += (tickets * resolves * share * repeat_contacts(spec.share, spec.max) * mean)
    return float(work)


def capacity_minutes(plan: DeskPlan, agent: AgentPlan) -> float:
    """Minutes of standard work an agent can do over the horizon: on-duty time less
    expected absence, time off the queue and breaks, times speed and seats (with
    concurrency, the seats' worth at full occupancy). Helpers count for nothing: they
    come only when called."""
    if agent.helper is not None:
        return 0.0
    minutes = agent.duty_minutes - sum(length for _, length in agent.breaks)
    shrinkage = plan.tiers[agent.tier].shrinkage
    if shrinkage is not None:
        minutes *= (1 - shrinkage.absence) * (1 - shrinkage.off_queue)
    seats = agent.seats / (1 + agent.slowdown * (agent.seats - 1))
    speed = agent.speed
    if agent.ramp is not None:
        start, over = agent.ramp
        horizon = plan.horizon
        ramping = min(over, horizon)
        reached = start + (1 - start) * ramping / over
        speed *= ((start + reached) / 2 * ramping + (horizon - ramping)) / horizon
    return max(minutes, 0.0) * seats * speed


def _reduced(plan: DeskPlan, tier: TierPlan) -> bool:
    """Whether the tier's capacity is less than its agents' on-duty time (or more)."""
    return tier.shrinkage is not None or any(
        a.breaks or a.speed != 1 or a.ramp is not None or a.seats > 1 or a.helper is not None
        for a in tier.agents)


def tier_load(plan: DeskPlan, tier: int) -> tuple[float, float]:
    """(offered load, capacity on duty) of a tier over the horizon, in agents' worth of
    work (capacity as :func:`capacity_minutes` counts it)."""
    spec = plan.tiers[tier]
    work = sum(_work(plan, stream, spec) for stream in plan.streams)
    capacity = sum(capacity_minutes(plan, agent) for agent in spec.agents)
    return work / plan.horizon, capacity / plan.horizon


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
        covered = merge_intervals(i for agent in tier.agents for i in agent.duty
                                  if agent.helper is None)
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
            shrunk = (", and what absence, meetings, breaks, speed and concurrency leave of "
                      "the agents" if _reduced(plan, tier) else "")
            message = (f"offered load {offered:.2f} agents' worth of work is at or above the "
                       f"{capacity:.2f} agents on duty on average over the horizon "
                       f"({offered / capacity:.0%}, counting every ticket that reaches it, "
                       f"its follow-up replies and repeat contacts, before "
                       f"abandonment{shrunk}): its queue will keep growing")
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
    warnings.extend(_behaviour_warnings(plan))
    used = {stream.channel for stream in plan.streams}
    for channel in plan.channels:
        if channel.index not in used:
            warnings.append(Notice(f"channel {channel.name}", "has no arrivals"))
    return warnings


HELPER_CAP_WARNING = 0.2
"""The source articles: a manager in the queue more than 20 % of the time neglects the team."""


def _behaviour_warnings(plan: DeskPlan) -> list[Notice]:
    warnings = []
    for tier in plan.tiers:
        entering = {c.index for c in plan.channels if tier.index in c.chain}
        if any(a.channels is not None for a in tier.agents):
            takers = set().union(*(set(a.channels) if a.channels is not None else entering
                                   for a in tier.agents if a.helper is None))
            for channel in sorted(entering - takers):
                warnings.append(Notice(
                    f"tier {tier.name}",
                    f"no agent takes {plan.channels[channel].name} tickets (every agent "
                    "lists its channels and none lists it): they will wait until the horizon"))
        capped = sorted({a.helper.cap for a in tier.agents
                         if a.helper is not None and a.helper.cap > HELPER_CAP_WARNING})
        if capped:
            warnings.append(Notice(
                f"tier {tier.name}",
                f"a helper may spend up to {capped[-1]:.0%} of their hours in the queue; the "
                "source articles warn that a manager in the queue more than 20 % of the time "
                "neglects the team"))
    return warnings
