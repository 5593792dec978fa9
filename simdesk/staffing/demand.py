"""What each interval of the week counts for a staffed tier, and which intervals the
scenario makes identical.

A ticket counts toward the interval in which its SLA clock starts: its arrival, or for
a channel whose clock runs only in business ``hours`` the next opening (an email sent
on Saturday is Monday 08:00's work). An interval that counts no work — no arrivals of
the tier's channels with the clock running — is *idle*: the search gives it no agents.

Intervals are *pooled* when the scenario makes them identical: the same counted rates
per channel and the same clock state in the interval and in the stretch before it from
which it can inherit a backlog — an SLA time plus a mean patience (at least one
interval), or 24 hours for a channel whose clock stops at night (the night's and the
weekend's work waits for the morning). Pooled intervals share one level
and one verdict, judged on all their tickets together: identical demand gets identical
staffing, and each verdict rests on several times the tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simdesk.plan.diagnostics import reach
from simdesk.plan.model import ChannelPlan, DeskPlan, StreamPlan, TierPlan
from simdesk.scenario.calendar import MINUTES_PER_DAY
from simdesk.staffing.grid import WeekGrid

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]

DIGITS = 9
"""Counted rates are compared rounded to this many significant digits."""


def clock_start(channel: ChannelPlan, arrived: np.ndarray) -> np.ndarray:
    """When each ticket's SLA clock starts: its arrival, or the next business opening."""
    arrived = np.asarray(arrived, dtype=float)
    hours = channel.sla_hours
    if hours is None or len(hours.starts) == 0:
        return arrived
    index = np.searchsorted(hours.ends, arrived, side="right")
    inside = np.minimum(index, len(hours.starts) - 1)
    start = np.maximum(arrived, hours.starts[inside])
    return np.where(index < len(hours.starts), start, np.inf)


def _counted(plan: DeskPlan, channel: ChannelPlan, stream: StreamPlan, begin: float,
             end: float) -> float:
    """Expected arrivals of ``stream`` whose SLA clock starts in ``[begin, end)``."""
    hours = channel.sla_hours
    if hours is None:
        return stream.expected_between(begin, end)
    total = 0.0
    previous_end = 0.0
    for start, stop in zip(hours.starts, hours.ends, strict=True):
        if start >= end:
            break
        if begin <= start < end:  # the closed stretch before this opening starts here
            total += stream.expected_between(previous_end, start)
        total += stream.expected_between(max(start, begin), min(stop, end)) if (
            stop > begin) else 0.0
        previous_end = stop
    return total


@dataclass(frozen=True)
class Demand:
    """Per interval of the week: counted arrivals per hour of each channel the tier is
    judged on, and the pooling of identical intervals."""

    grid: WeekGrid
    channels: tuple[int, ...]
    counted: np.ndarray
    """Shape (channels, intervals): counted arrivals per minute reaching the tier."""
    classes: IntArray
    """Per interval, its pool (0, 1, …; pools numbered by their first interval)."""

    @property
    def idle(self) -> np.ndarray:
        """Intervals that count no work."""
        idle: np.ndarray = ~np.asarray((self.counted > 0).any(axis=0), dtype=bool)
        return idle

    @property
    def rate(self) -> FloatArray:
        """Counted arrivals per minute of all judged channels."""
        total: FloatArray = self.counted.sum(axis=0)
        return total

    def members(self, pool: int) -> np.ndarray:
        return np.flatnonzero(self.classes == pool)

    @property
    def pools(self) -> int:
        return int(self.classes.max(initial=-1)) + 1


def demand_for(plan: DeskPlan, tier: TierPlan, channels: tuple[int, ...], grid: WeekGrid
               ) -> Demand:
    """The counted work of ``channels`` at ``tier`` (all channels reaching it when
    ``channels`` is empty) per interval, and the pools of identical intervals."""
    judged = channels or tuple(sorted({s.channel for s in plan.streams
                                       if reach(plan, s, tier.index) > 0}))
    windows = grid.occurrences(plan.clock, plan.warmup, plan.horizon)
    if not any(windows):
        windows = grid.occurrences(plan.clock, 0.0, plan.horizon)
    counted = np.zeros((len(judged), grid.count))
    for row, channel_index in enumerate(judged):
        channel = plan.channels[channel_index]
        streams = [(s, reach(plan, s, tier.index)) for s in plan.streams
                   if s.channel == channel_index]
        for index, occurrences in enumerate(windows):
            if occurrences:
                expected = sum(share * _counted(plan, channel, stream, b, e)
                               for stream, share in streams for b, e in occurrences)
                counted[row, index] = expected / (len(occurrences) * grid.minutes)
    open_share = _open_shares(plan, judged, grid, windows)
    return Demand(grid, judged, counted,
                  _pools(grid, counted, open_share, _memory(plan, judged, grid)))


def _memory(plan: DeskPlan, channels: tuple[int, ...], grid: WeekGrid) -> int:
    """Intervals before an interval whose demand it can inherit a backlog from."""
    minutes = 0.0
    for index in channels:
        channel = plan.channels[index]
        if channel.sla_hours is not None:
            return MINUTES_PER_DAY // grid.minutes
        patience = channel.patience.expected if channel.patience is not None else 0.0
        within = channel.sla_within if not np.isnan(channel.sla_within) else 0.0
        minutes = max(minutes, within + patience)
    return int(min(max(1, int(np.ceil(minutes / grid.minutes))),
                   MINUTES_PER_DAY // grid.minutes))


def _open_shares(plan: DeskPlan, channels: tuple[int, ...], grid: WeekGrid,
                 windows: list[list[tuple[float, float]]]) -> np.ndarray:
    """Per channel and interval, the share of the interval its SLA clock runs."""
    shares = np.ones((len(channels), grid.count))
    for row, channel_index in enumerate(channels):
        hours = plan.channels[channel_index].sla_hours
        if hours is None:
            continue
        for index, occurrences in enumerate(windows):
            if occurrences:
                run = sum(float(hours.elapsed(np.array([e]))[0] - hours.elapsed(np.array([b]))[0])
                          for b, e in occurrences)
                shares[row, index] = run / (len(occurrences) * grid.minutes)
    return shares


def _pools(grid: WeekGrid, counted: np.ndarray, open_share: np.ndarray, back: int
           ) -> IntArray:
    """Number the intervals whose own and previous ``back`` intervals' demand agree."""
    signature = np.vstack([counted, open_share])
    rounded = np.array([[float(f"{v:.{DIGITS}g}") for v in row] for row in signature])
    keys: dict[bytes, int] = {}
    classes = np.zeros(grid.count, dtype=np.int64)
    for index in range(grid.count):
        window = [(index - k) % grid.count for k in range(back + 1)]
        key = rounded[:, window].tobytes()
        classes[index] = keys.setdefault(key, len(keys))
    return classes
