"""Shrinkage: the paid time agents are not on the queue, drawn per replication.

``absence`` removes whole shifts: every shift of every agent is missed with that chance
(independently; a shift longer than a day counts day by day). ``off_queue`` takes
meetings and training out of the remaining time: each shift is cut into blocks of
``block`` minutes from its start, and each block is off the queue with that chance, so
the expected share off the queue is ``off_queue`` and where it falls varies. Helpers are
never shrunk (they already join only when needed). Breaks are scheduled, not drawn:
see :class:`simdesk.scenario.behaviour.Break`.
"""

from __future__ import annotations

import math

import numpy as np

from simdesk.fates.streams import Streams
from simdesk.plan.model import AgentPlan, DeskPlan
from simdesk.scenario.behaviour import Shrinkage
from simdesk.scenario.calendar import MINUTES_PER_DAY, Interval, merge_intervals


def shrinks(plan: DeskPlan) -> bool:
    """Whether any tier has absence or time off the queue."""
    return any(t.shrinkage is not None and (t.shrinkage.absence > 0 or t.shrinkage.off_queue > 0)
               for t in plan.tiers)


def _days(duty: tuple[Interval, ...], midnight: float) -> list[Interval]:
    """Shifts, with any longer than a day cut at local midnights."""
    shifts: list[Interval] = []
    for begin, end in duty:
        if end - begin <= MINUTES_PER_DAY:
            shifts.append((begin, end))
            continue
        cut = begin
        while cut < end:
            next_midnight = (math.floor((cut + midnight) / MINUTES_PER_DAY) + 1) * MINUTES_PER_DAY
            stop = min(end, next_midnight - midnight)
            shifts.append((cut, stop))
            cut = stop
    return shifts


def agent_duty(agent: AgentPlan, shrinkage: Shrinkage, rng: np.random.Generator,
               midnight: float) -> tuple[Interval, ...]:
    """One agent's on-queue intervals in one replication."""
    shifts = _days(agent.duty, midnight)
    present = rng.random(len(shifts)) >= shrinkage.absence
    kept: list[Interval] = []
    for (begin, end), here in zip(shifts, present, strict=True):
        if not here:
            continue
        if shrinkage.off_queue <= 0:
            kept.append((begin, end))
            continue
        starts = np.arange(begin, end, shrinkage.block)
        on = rng.random(len(starts)) >= shrinkage.off_queue
        kept.extend((float(b), float(min(b + shrinkage.block, end)))
                    for b, keep in zip(starts, on, strict=True) if keep)
    return tuple(merge_intervals(kept))


def draw_duty(plan: DeskPlan, streams: Streams) -> list[tuple[Interval, ...]] | None:
    """Every agent's on-queue intervals in this replication, by agent index (``None``
    when nothing shrinks: the planned duty holds)."""
    if not shrinks(plan):
        return None
    midnight = plan.clock.week_offset % MINUTES_PER_DAY
    duty: list[tuple[Interval, ...]] = []
    for tier in plan.tiers:
        for agent in tier.agents:
            spec = tier.shrinkage
            if spec is None or agent.helper is not None:
                duty.append(agent.duty)
            else:
                duty.append(agent_duty(agent, spec, streams.generator("shrinkage", agent.name),
                                       midnight))
    return duty
