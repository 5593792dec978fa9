"""The week cut into staffing intervals, and staffing levels turned into agents.

A staffing plan gives, per tier, the number of agents on duty in every interval of the
week (Monday 00:00 first); it repeats every week. To simulate it, each "seat" k works
every interval whose level exceeds k: seat 0 the busiest stretch, seat 1 a bit less...
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simdesk.errors import SimdeskError
from simdesk.plan.model import DeskPlan, StreamPlan
from simdesk.scenario.calendar import DAY_NAMES, MINUTES_PER_DAY, MINUTES_PER_WEEK, Clock
from simdesk.scenario.units import format_duration

IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]


@dataclass(frozen=True)
class WeekGrid:
    """Intervals of ``minutes`` each over one week."""

    minutes: int

    def __post_init__(self) -> None:
        if self.minutes <= 0 or MINUTES_PER_DAY % self.minutes:
            raise SimdeskError(f"the staffing interval must divide a day evenly, got "
                               f"{format_duration(self.minutes)} (try 30m, 1h, 2h)")

    @property
    def count(self) -> int:
        return MINUTES_PER_WEEK // self.minutes

    def label(self, index: int) -> str:
        """``Mon 08:00``."""
        start = index * self.minutes
        day, minute = divmod(start, MINUTES_PER_DAY)
        return f"{DAY_NAMES[day]} {minute // 60:02d}:{minute % 60:02d}"

    def of(self, minutes: np.ndarray, clock: Clock) -> IntArray:
        """The interval of each scenario time."""
        return self.slots(minutes, clock) % self.count

    def slots(self, minutes: np.ndarray, clock: Clock) -> IntArray:
        """Whole intervals from the Monday 00:00 before the start to each scenario time:
        ``slot % count`` is its interval of the week, ``slot // count`` its week.

        Exactly ``(minutes + offset) // self.minutes`` (as floats), at a third of the
        cost: the quotient rounded can only reach the next whole number, and a slot's
        start (a whole number of minutes) compares exactly."""
        moment = np.asarray(minutes, dtype=float) + clock.week_offset
        slot = np.floor(moment / self.minutes)
        slot -= slot * self.minutes > moment
        return slot.astype(np.int64)

    def occurrences(self, clock: Clock, begin: float, end: float
                    ) -> list[list[tuple[float, float]]]:
        """Per interval, its occurrences within ``[begin, end)`` in scenario minutes."""
        found: list[list[tuple[float, float]]] = [[] for _ in range(self.count)]
        first_week = int((begin + clock.week_offset) // MINUTES_PER_WEEK)
        last_week = int((end + clock.week_offset) // MINUTES_PER_WEEK)
        for week in range(first_week, last_week + 1):
            for index in range(self.count):
                start = week * MINUTES_PER_WEEK + index * self.minutes - clock.week_offset
                stop = start + self.minutes
                if start >= begin and stop <= end:
                    found[index].append((start, stop))
        return found

    def shifts(self, levels: IntArray) -> list[dict[str, object]]:
        """Agent groups (``shift``, ``count``) that put ``levels[i]`` agents on duty in
        interval ``i`` of every week."""
        levels = np.asarray(levels, dtype=np.int64)
        seats: dict[str, int] = {}
        for seat in range(int(levels.max(initial=0))):
            text = self.windows_text(levels > seat)
            seats[text] = seats.get(text, 0) + 1
        return [{"shift": text, "count": count} for text, count in seats.items()]

    def windows_text(self, on: np.ndarray) -> str:
        """The intervals flagged in ``on`` as a scenario shift (``Mon 08:00-12:00; ...``)."""
        parts = []
        per_day = MINUTES_PER_DAY // self.minutes
        for day in range(7):
            hours = on[day * per_day:(day + 1) * per_day]
            index = 0
            while index < per_day:
                if not hours[index]:
                    index += 1
                    continue
                stop = index
                while stop < per_day and hours[stop]:
                    stop += 1
                parts.append(f"{DAY_NAMES[day]} {self._clock(index)}-{self._clock(stop)}")
                index = stop
        return "; ".join(parts)

    def _clock(self, index: int) -> str:
        minute = index * self.minutes
        return f"{minute // 60:02d}:{minute % 60:02d}"


def arrival_rates(plan: DeskPlan, streams: list[tuple[StreamPlan, float]], grid: WeekGrid
                  ) -> np.ndarray:
    """Mean arrival rate (per minute) in each interval of the week, over the measured part
    of the horizon, of ``streams`` (each with the share of its tickets that counts)."""
    windows = grid.occurrences(plan.clock, plan.warmup, plan.horizon)
    if not any(windows):
        windows = grid.occurrences(plan.clock, 0.0, plan.horizon)
    rates = np.zeros(grid.count)
    for index, occurrences in enumerate(windows):
        if not occurrences:
            continue
        expected = sum(share * stream.expected_between(b, e)
                       for stream, share in streams for b, e in occurrences)
        rates[index] = expected / (len(occurrences) * grid.minutes)
    return rates
