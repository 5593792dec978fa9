"""Compile a validated :class:`~simdesk.scenario.schema.Scenario` into a
:class:`~simdesk.plan.model.DeskPlan`: indices for names, on-duty intervals for shifts and
rotations, piecewise-constant rates for arrivals."""

from __future__ import annotations

import math

import numpy as np

from simdesk.plan.dates import arrival_windows, staff_closures, without_closures
from simdesk.plan.model import (
    AgentPlan,
    ChannelPlan,
    DeskPlan,
    FloatArray,
    HandleOverride,
    HelperRule,
    StreamPlan,
    TierPlan,
)
from simdesk.plan.reserve import reserve_agents
from simdesk.scenario.behaviour import Break, day_number
from simdesk.scenario.calendar import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    Clock,
    Interval,
    WorkingTime,
    intersect_intervals,
    merge_intervals,
    parse_shift,
)
from simdesk.scenario.schema import Rotation, Scenario, ShiftGroup, Tier, moment_minutes


def _rotation_duty(
    rotation: Rotation, member: int, clock: Clock, horizon: float
) -> list[Interval]:
    turns = []
    period = 0
    while period * rotation.every < horizon:
        first = period * rotation.on_duty
        if member in {(first + j) % rotation.pool for j in range(rotation.on_duty)}:
            turns.append((period * rotation.every, min((period + 1) * rotation.every, horizon)))
        period += 1
    hours = parse_shift(rotation.shift).intervals(clock, horizon)
    duty = intersect_intervals(merge_intervals(turns), hours)
    if rotation.availability >= 1:
        return duty
    on_queue = rotation.availability * rotation.cycle
    cycles: list[Interval] = []
    for begin, end in duty:
        k = 0
        while begin + k * rotation.cycle < end:
            start = begin + k * rotation.cycle
            cycles.append((start, min(start + on_queue, end)))
            k += 1
    return merge_intervals(cycles)


def _group_duty(group: ShiftGroup, clock: Clock, horizon: float) -> tuple[Interval, ...]:
    """The group's shift intervals, only those starting on its ``dates`` if given."""
    duty = parse_shift(group.shift).intervals(clock, horizon)
    if group.dates is None:
        return tuple(duty)
    start = clock.start.date()
    days = {day_number(day, start) for day in group.dates}
    return tuple((b, e) for b, e in duty if (clock.moment(b).date() - start).days in days)


def _break_times(breaks: list[Break], duty: tuple[Interval, ...], position: int,
                 clock: Clock) -> tuple[Interval, ...]:
    """(due, length) of every break of the agent at ``position`` in its group."""
    due: list[Interval] = []
    for spec in breaks:
        delay = position * spec.stagger
        for begin, end in duty:
            if spec.after is not None:
                moments = [begin + spec.after]
            else:
                assert spec.at is not None
                hours, minutes = map(int, spec.at.split(":"))
                first = clock.moment(begin)
                midnight = first.replace(hour=0, minute=0, second=0, microsecond=0)
                base = begin - (first - midnight).total_seconds() / 60 + hours * 60 + minutes
                moments = [base + k * MINUTES_PER_DAY
                           for k in range(-1, int((end - begin) // MINUTES_PER_DAY) + 2)]
            due.extend((m + delay, spec.for_) for m in moments if begin <= m + delay < end)
    return tuple(sorted(due))


def _tier_agents(tier: Tier, tier_index: int, name: str, first: int, clock: Clock,
                 horizon: float, topics: list[str], channels: list[str]) -> list[AgentPlan]:
    def skills(names: list[str] | None) -> frozenset[int] | None:
        return None if names is None else frozenset(topics.index(n) for n in names)

    agents: list[AgentPlan] = []
    for group in tier.agents:
        duty = _group_duty(group, clock, horizon)
        takes = None if group.channels is None else tuple(channels.index(c)
                                                          for c in group.channels)
        seats, slowdown = ((group.concurrency.max, group.concurrency.slowdown)
                           if group.concurrency is not None else (1, 0.0))
        ramp = None if group.ramp is None else (group.ramp.start, group.ramp.over)
        for position in range(group.count):
            number = len(agents) + 1
            agents.append(AgentPlan(
                index=first + len(agents), name=f"{name}#{number}", tier=tier_index,
                group=group.shift, duty=duty, team=group.team, skills=skills(group.skills),
                speed=group.speed, ramp=ramp, channels=takes, seats=seats, slowdown=slowdown,
                breaks=_break_times(group.breaks, duty, position, clock)))
    rotation = tier.rotation
    if rotation is not None:
        for member in range(rotation.pool):
            duty = tuple(_rotation_duty(rotation, member, clock, horizon))
            agents.append(AgentPlan(
                index=first + len(agents), name=f"{name}#rota{member + 1}", tier=tier_index,
                group="rotation", duty=duty, team=rotation.team,
                skills=skills(rotation.skills), speed=rotation.speed))
    for helper in tier.helpers:
        duty = tuple(parse_shift(helper.shift).intervals(clock, horizon))
        rule = HelperRule(helper.name, helper.joins_at, helper.leaves_at, helper.cap)
        for number in range(1, helper.count + 1):
            label = helper.name if helper.count == 1 else f"{helper.name}{number}"
            agents.append(AgentPlan(
                index=first + len(agents), name=f"{name}#{label}", tier=tier_index,
                group="helper", duty=duty, speed=helper.speed, helper=rule))
    return agents


def _touch_shares(touches: dict[int, float] | None) -> FloatArray:
    if not touches:
        return np.array([1.0])
    shares = np.zeros(max(touches))
    for count, share in touches.items():
        shares[count - 1] = share
    return shares


def _rate_pieces(
    scenario: Scenario, clock: Clock, channel: str, base: float, table: np.ndarray
) -> tuple[FloatArray, FloatArray]:
    horizon = scenario.horizon
    offset = clock.week_offset
    first_hour = (60 - offset % 60) % 60
    bounds = set(np.arange(first_hour, horizon, 60.0).tolist())
    surges = []
    for surge in scenario.surges:
        if surge.channels is None or channel in surge.channels:
            begin = moment_minutes(surge.at, scenario.start)
            surges.append((begin, begin + surge.for_, surge.multiplier))
            bounds.update(b for b in (begin, begin + surge.for_) if 0 < b < horizon)
    for begin, end, multiplier in arrival_windows(scenario, clock):  # calendar dates
        surges.append((begin, end, multiplier))
        bounds.update(b for b in (begin, end) if 0 < b < horizon)
    starts = np.array(sorted(bounds | {0.0}))
    ends = np.append(starts[1:], horizon)
    middle = (starts + ends) / 2
    week_minute = (middle + offset) % (7 * MINUTES_PER_DAY)
    rates = base * table[(week_minute // MINUTES_PER_DAY).astype(int),
                         ((week_minute % MINUTES_PER_DAY) // 60).astype(int)]
    for begin, end, multiplier in surges:
        rates = np.where((middle >= begin) & (middle < end), rates * multiplier, rates)
    if scenario.volume is not None and scenario.volume.trend:
        rates = rates * (1 + scenario.volume.trend) ** (middle / MINUTES_PER_WEEK)
    return starts, rates


def _overrides(tier: Tier, channels: list[str], topics: list[str]
               ) -> tuple[HandleOverride, ...]:
    overrides = []
    for key, handle in tier.handle_by.items():
        channel, _, topic = key.partition("/") if "/" in key else (
            (key, "", "") if key in channels else ("", "", key))
        overrides.append(HandleOverride(key, channels.index(channel) if channel else None,
                                        topics.index(topic) if topic else None, handle))
    return tuple(overrides)


def _chain(tiers: dict[str, Tier], entry: str) -> list[str]:
    chain = [entry]
    while (target := tiers[chain[-1]].escalate_to) is not None:
        chain.append(target)
    return chain


def compile_plan(scenario: Scenario) -> DeskPlan:
    """Compile a validated scenario into a :class:`DeskPlan`."""
    clock = Clock(scenario.start)
    horizon = scenario.horizon
    tier_names = list(scenario.tiers)
    default_entry = next(n for n, t in scenario.tiers.items() if t.role != "dispatcher")
    entries = {c: n for n, t in scenario.tiers.items() for c in t.channels or []}

    topics = list(scenario.topics) or ["general"]
    closed = staff_closures(scenario, clock)
    tiers: list[TierPlan] = []
    agent_count = 0
    for index, (name, tier) in enumerate(scenario.tiers.items()):
        agents = _tier_agents(tier, index, name, agent_count, clock, horizon, topics,
                              list(scenario.channels))
        agents += reserve_agents(scenario.supervisor, name, index, agent_count + len(agents))
        agents = [without_closures(agent, closed) for agent in agents]
        agent_count += len(agents)
        target = None if tier.escalate_to is None else tier_names.index(tier.escalate_to)
        assert tier.resolves is not None
        tiers.append(TierPlan(index, name, tier.role, tier.handle, tier.topic_effort,
                              tier.resolves, target, tuple(agents),
                              _overrides(tier, list(scenario.channels), topics),
                              tier.reopens, tier.shrinkage or scenario.shrinkage))

    channels = []
    for index, (name, channel) in enumerate(scenario.channels.items()):
        chain = _chain(scenario.tiers, entries.get(name, default_entry))
        workers = [k for k, t in enumerate(chain) if scenario.tiers[t].role != "dispatcher"]
        sla = channel.sla
        hours = (WorkingTime.within(parse_shift(sla.hours).intervals(clock, horizon))
                 if sla is not None and sla.hours is not None else None)
        channels.append(ChannelPlan(
            index, name,
            sla.within if sla else math.inf,
            sla.target if sla else math.nan,
            hours,
            channel.patience, channel.response,
            tuple(tier_names.index(t) for t in chain),
            _touch_shares(channel.touches), channel.reply_after,
            workers[0] if workers else 0,
        ))

    segments = tuple(scenario.segments) or ("default",)
    topic_touches = tuple(
        None if t.touches is None else _touch_shares(t.touches) for t in scenario.topics.values()
    ) or (None,)
    efforts = np.array([t.effort for t in scenario.topics.values()] or [1.0])
    channel_names = list(scenario.channels)
    streams = []
    per_channel: dict[str, int] = {}
    for arrival in scenario.arrivals:
        table = arrival.profile.table()
        base = arrival.rate if arrival.rate is not None else arrival.volume / table.mean()
        starts, rates = _rate_pieces(scenario, clock, arrival.channel, base, table)
        number = per_channel.get(arrival.channel, 0)
        per_channel[arrival.channel] = number + 1
        segment_mix = arrival.segments or scenario.segments or {"default": 1.0}
        topic_mix = arrival.topics or {n: t.share for n, t in scenario.topics.items()} or {
            "general": 1.0}
        streams.append(StreamPlan(
            channel_names.index(arrival.channel), number, starts, rates, horizon,
            np.array([segment_mix.get(s, 0.0) for s in segments]),
            np.array([topic_mix.get(t, 0.0) for t in topics]),
        ))
    declared = list(scenario.topics.values())
    return DeskPlan(scenario, clock, horizon, scenario.warmup, tuple(channels), segments,
                    tuple(topics), efforts, topic_touches, tuple(streams), tuple(tiers),
                    tuple(t.deflection for t in declared) or (None,),
                    tuple(t.reopens for t in declared) or (None,),
                    ownership=scenario.routing.ownership,
                    owner_fallback=scenario.routing.owner_fallback)
