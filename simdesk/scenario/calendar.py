"""The scenario's clock and weekly shift patterns such as ``Mon-Fri 08:00-16:00``.

Scenario time is minutes since ``start``. The week starts on Monday 00:00; the clock
knows how far into its week the scenario starts, so weekday × hour profiles and shifts
line up with the calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_GROUPS = {
    "daily": range(7),
    "everyday": range(7),
    "weekdays": range(5),
    "weekends": range(5, 7),
    "weekend": range(5, 7),
}
_ALWAYS = {"24x7", "always", "24/7"}
_TIME = re.compile(r"^([01]?[0-9]|2[0-4]):([0-5][0-9])$")
SHIFT_HINT = (
    "a shift such as 'Mon-Fri 08:00-16:00' (days Mon..Sun, ranges like Fri-Mon, lists like "
    "Mon,Wed,Fri, or daily/weekdays/weekends; HH:MM-HH:MM, overnight allowed; several "
    "separated by ';'), or '24x7'"
)

Interval = tuple[float, float]


@dataclass(frozen=True)
class Clock:
    """Converts scenario minutes to the calendar."""

    start: dt.datetime

    @property
    def week_offset(self) -> float:
        """Minutes from the Monday 00:00 before ``start`` to ``start``."""
        midnight = dt.datetime.combine(self.start.date(), dt.time())
        return self.start.weekday() * MINUTES_PER_DAY + (self.start - midnight).total_seconds() / 60

    def moment(self, minutes: float) -> dt.datetime:
        """The calendar moment at scenario minutes."""
        return self.start + dt.timedelta(minutes=minutes)

    def describe(self, minutes: float) -> str:
        """``Tue 09:30 (day 2)`` for a point in scenario time."""
        when = self.moment(minutes)
        day = (when.date() - self.start.date()).days + 1
        return f"{DAY_NAMES[when.weekday()]} {when:%H:%M} (day {day})"


@dataclass(frozen=True)
class DailyWindow:
    """Working hours on some weekdays; ``end <= start`` runs past midnight."""

    days: frozenset[int]
    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start if self.end > self.start else self.end + 1440 - self.start


@dataclass(frozen=True)
class ShiftPattern:
    """A weekly pattern of on-duty windows (or always on duty)."""

    text: str
    windows: tuple[DailyWindow, ...]
    always: bool = False

    def intervals(self, clock: Clock, horizon: float) -> list[Interval]:
        """On-duty intervals in scenario minutes within ``[0, horizon]``, merged."""
        if self.always:
            return [(0.0, horizon)] if horizon > 0 else []
        offset = clock.week_offset
        raw: list[Interval] = []
        weeks = int(horizon // MINUTES_PER_WEEK) + 2
        for week in range(-1, weeks):
            for window in self.windows:
                for day in window.days:
                    begin = week * MINUTES_PER_WEEK + day * MINUTES_PER_DAY + window.start - offset
                    end = begin + window.length
                    if end > 0 and begin < horizon:
                        raw.append((max(begin, 0.0), min(end, horizon)))
        return merge_intervals(raw)


@dataclass(frozen=True)
class WorkingTime:
    """A clock that runs only inside some intervals, such as business hours."""

    starts: np.ndarray
    ends: np.ndarray
    before: np.ndarray
    """Working minutes before each interval starts."""

    @classmethod
    def within(cls, intervals: list[Interval]) -> WorkingTime:
        starts = np.array([b for b, _ in intervals], dtype=float)
        ends = np.array([e for _, e in intervals], dtype=float)
        before = np.concatenate([[0.0], np.cumsum(ends - starts)[:-1]])
        return cls(starts, ends, before)

    def elapsed(self, minutes: np.ndarray) -> np.ndarray:
        """Working minutes from 0 to each of ``minutes`` (NaN stays NaN)."""
        minutes = np.asarray(minutes, dtype=float)
        if len(self.starts) == 0:
            return np.where(np.isnan(minutes), np.nan, 0.0)
        index = np.maximum(np.searchsorted(self.starts, minutes, side="right") - 1, 0)
        inside = np.clip(minutes - self.starts[index], 0, self.ends[index] - self.starts[index])
        return np.where(np.isnan(minutes), np.nan, self.before[index] + inside)

    def deadline(self, start: np.ndarray, within: float) -> np.ndarray:
        """The moment ``within`` working minutes after each of ``start`` (∞ if the hours
        run out before it)."""
        goal = self.elapsed(np.asarray(start, dtype=float)) + within
        total = self.before + (self.ends - self.starts)
        index = np.searchsorted(total, goal, side="left")
        inside = np.minimum(index, len(self.starts) - 1)
        moment = self.starts[inside] + (goal - self.before[inside])
        return np.where(index < len(self.starts), moment, np.inf)


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals; drop empty ones."""
    merged: list[list[float]] = []
    for begin, end in sorted(intervals):
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    return [(b, e) for b, e in merged]


def intersect_intervals(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Intersection of two sorted, merged interval lists."""
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        begin, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if begin < end:
            result.append((begin, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract_intervals(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """The parts of sorted, merged intervals ``a`` outside sorted, merged ``b``."""
    result: list[Interval] = []
    for begin, end in a:
        for cut_begin, cut_end in b:
            if cut_end <= begin or cut_begin >= end:
                continue
            if cut_begin > begin:
                result.append((begin, cut_begin))
            begin = max(begin, cut_end)
            if begin >= end:
                break
        if begin < end:
            result.append((begin, end))
    return result


def day_window(days_after_start: int, clock: Clock) -> Interval:
    """Scenario minutes from the midnight that begins the calendar day ``days_after_start``
    days after the start date (0: the start date) to the next midnight."""
    begin = days_after_start * MINUTES_PER_DAY - clock.week_offset % MINUTES_PER_DAY
    return float(begin), float(begin + MINUTES_PER_DAY)


def _parse_day(word: str) -> int:
    lower = word.lower()
    for index, (short, full) in enumerate(zip(DAY_NAMES, _FULL_NAMES, strict=True)):
        if lower in (short.lower(), full):
            return index
    raise ValueError(f"unknown day {word!r}")


def _parse_days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for token in text.split(","):
        token = token.strip()
        if token.lower() in _DAY_GROUPS:
            days.update(_DAY_GROUPS[token.lower()])
        elif "-" in token:
            first, last = (_parse_day(part.strip()) for part in token.split("-", 1))
            days.update((first + k) % 7 for k in range((last - first) % 7 + 1))
        else:
            days.add(_parse_day(token))
    return frozenset(days)


def _parse_time(text: str) -> int:
    match = _TIME.match(text.strip())
    if match is None:
        raise ValueError(f"bad time {text!r}")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 1440:
        raise ValueError(f"bad time {text!r}")
    return minutes


def parse_shift(value: object) -> ShiftPattern:
    """Parse ``Mon-Fri 08:00-16:00`` (or ``24x7``) into a :class:`ShiftPattern`."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected {SHIFT_HINT}, got {value!r}")
    text = " ".join(value.split())
    if text.lower() in _ALWAYS:
        return ShiftPattern(text, (), always=True)
    windows: list[DailyWindow] = []
    for part in text.split(";"):
        pieces = part.strip().rsplit(" ", 1)
        try:
            if len(pieces) != 2 or "-" not in pieces[1]:
                raise ValueError("missing hours")
            days = _parse_days(pieces[0])
            begin_text, end_text = pieces[1].split("-", 1)
            begin, end = _parse_time(begin_text), _parse_time(end_text)
        except ValueError as exc:
            raise ValueError(f"{value!r}: {exc}; expected {SHIFT_HINT}") from None
        if begin == 1440 or begin == end:
            raise ValueError(
                f"{value!r}: a shift cannot start at 24:00 or end when it starts; "
                f"expected {SHIFT_HINT}"
            )
        windows.append(DailyWindow(days, begin, end))
    return ShiftPattern(text, tuple(windows))
