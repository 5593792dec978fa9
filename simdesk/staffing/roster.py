"""Shift rosters: the cheapest set of allowed shifts covering a staffing requirement.

A mixed-integer program (HiGHS, through ``scipy.optimize.milp`` — already one of our
dependencies, no solver to install): one integer variable per concrete
shift (a pattern at one start time on one set of days) counting the people who work it
every week; for every interval of the week, the agents the shifts put on the queue there
(a shift covering part of an interval counts for that part; breaks are off the queue)
plus a shortfall must reach the requirement; minimise the shifts' cost plus a large
penalty per unit of shortfall. A shortfall is therefore used only where no allowed shift
can cover the requirement, and the result says where and by how much instead of failing.

```yaml
patterns:
  - name: early
    days: Mon-Fri              # fixed days; or days_on: 5 (any 5 consecutive days)
    start: ["07:00", "08:00"]  # one shift per start time
    length: 8h
    break: {after: 4h, length: 30m}
    cost: 40                   # per person per week
  - {name: weekend, days: Sat-Sun, start: ["09:00"], length: 6h, cost: 14}
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field, PositiveFloat, ValidationError, field_validator, model_validator

from simdesk.errors import ScenarioError, SimdeskError
from simdesk.scenario.base import SpecModel
from simdesk.scenario.calendar import DAY_NAMES, MINUTES_PER_DAY, MINUTES_PER_WEEK, parse_shift
from simdesk.scenario.messages import problems_from
from simdesk.scenario.types import PositiveDuration
from simdesk.scenario.yamlsource import load_yaml_file
from simdesk.staffing.grid import WeekGrid

SHORTFALL_PENALTY = 1000.0
"""Cost of one agent-interval not covered, relative to the dearest shift's weekly cost."""


class Break(SpecModel):
    """A break off the queue, ``after`` the shift starts, for ``length``."""

    after: PositiveDuration
    length: PositiveDuration


class PatternSpec(SpecModel):
    """An allowed kind of shift."""

    name: str
    days: str | None = None
    """Fixed days, e.g. ``Mon-Fri`` or ``Sat,Sun``."""
    days_on: Annotated[int, Field(ge=1, le=7)] | None = None
    """Instead of ``days``: any this many consecutive days (every rotation is allowed)."""
    start: list[str]
    length: PositiveDuration
    break_: Break | None = Field(default=None, alias="break")
    cost: PositiveFloat
    """Per person per week."""
    most: Annotated[int, Field(ge=0)] | None = None
    """At most this many people on this pattern (all its start times and days together)."""

    @field_validator("start", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _days(self) -> PatternSpec:
        if (self.days is None) == (self.days_on is None):
            raise ValueError("give either days (e.g. Mon-Fri) or days_on (e.g. 5)")
        if self.length > MINUTES_PER_DAY:
            raise ValueError("a shift lasts at most 24h")
        for text in self.start:
            _start_minute(text)
        if self.days is not None:
            parse_shift(f"{self.days} 00:00-01:00")
        if self.break_ is not None and self.break_.after + self.break_.length > self.length:
            raise ValueError("the break must end before the shift does")
        return self


class RosterSpec(SpecModel):
    """The shifts a roster may use."""

    patterns: Annotated[list[PatternSpec], Field(min_length=1)]


def _start_minute(text: str) -> int:
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2
            and 0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
        raise ValueError(f"start {text!r} is not a time such as 08:00")
    return int(hours) * 60 + int(minutes)


def load_roster_spec(path: str | Path) -> RosterSpec:
    data, source = load_yaml_file(path)
    try:
        return RosterSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from(exc, RosterSpec, data, source)) from None


@dataclass(frozen=True)
class Shift:
    """One concrete shift: a pattern at one start time on one set of days."""

    pattern: str
    days: tuple[int, ...]
    start: int
    length: float
    break_at: float | None
    break_length: float
    cost: float

    def windows(self) -> list[tuple[int, float, float]]:
        """(day, begin, end) on-queue stretches, minutes from that day's midnight."""
        stretches: list[tuple[int, float, float]] = []
        for day in self.days:
            if self.break_at is None:
                stretches.append((day, self.start, self.start + self.length))
            else:
                stretches.append((day, self.start, self.start + self.break_at))
                stretches.append((day, self.start + self.break_at + self.break_length,
                                  self.start + self.length))
        return stretches

    def cover(self, grid: WeekGrid) -> np.ndarray:
        """Share of each interval of the week this shift is on the queue."""
        cover = np.zeros(grid.count)
        for day, begin, end in self.windows():
            first = day * MINUTES_PER_DAY + begin
            last = day * MINUTES_PER_DAY + end
            for lo, hi in ((first, min(last, MINUTES_PER_WEEK)),
                           (0.0, max(last - MINUTES_PER_WEEK, 0.0))):  # Sunday night → Monday
                if hi <= lo:
                    continue
                for index in range(int(lo // grid.minutes), int(np.ceil(hi / grid.minutes))):
                    a, b = index * grid.minutes, (index + 1) * grid.minutes
                    cover[index % grid.count] += max(0.0, min(b, hi) - max(a, lo)) / grid.minutes
        return cover

    def text(self) -> str:
        """As a scenario shift: ``Mon,Tue 08:00-12:00; Mon,Tue 12:30-16:30`` (a stretch
        after a break that starts past midnight belongs to the next days)."""
        parts = []
        for begin, end in self._day_windows():
            shift_days = 1 if begin >= MINUTES_PER_DAY else 0
            days = ",".join(DAY_NAMES[(d + shift_days) % 7] for d in self.days)
            parts.append(f"{days} {_clock(begin)}-{_clock(end)}")
        return "; ".join(parts)

    def hours(self) -> str:
        """The on-queue hours of each day: ``08:00-12:00, 12:30-16:30``."""
        return ", ".join(self._windows_text())

    def _windows_text(self) -> list[str]:
        return [f"{_clock(begin)}-{_clock(end)}" for begin, end in self._day_windows()]

    def _day_windows(self) -> list[tuple[float, float]]:
        if self.break_at is None:
            return [(self.start, self.start + self.length)]
        return [(self.start, self.start + self.break_at),
                (self.start + self.break_at + self.break_length, self.start + self.length)]

    def label(self) -> str:
        return f"{self.pattern} {','.join(DAY_NAMES[d] for d in self.days)} {_clock(self.start)}"


def _clock(minutes: float) -> str:
    minutes = round(minutes) % MINUTES_PER_DAY if minutes != MINUTES_PER_DAY else 1440
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def expand(spec: RosterSpec) -> list[Shift]:
    """Every concrete shift the patterns allow."""
    shifts = []
    for pattern in spec.patterns:
        if pattern.days is not None:
            window = parse_shift(f"{pattern.days} 00:00-01:00").windows[0]
            day_sets = [tuple(sorted(window.days))]
        else:
            assert pattern.days_on is not None
            day_sets = [tuple(sorted((first + k) % 7 for k in range(pattern.days_on)))
                        for first in range(7)]
            day_sets = list(dict.fromkeys(day_sets))
        pause = pattern.break_
        for days in day_sets:
            for text in pattern.start:
                shifts.append(Shift(pattern.name, days, _start_minute(text), pattern.length,
                                    None if pause is None else pause.after,
                                    0.0 if pause is None else pause.length, pattern.cost))
    return shifts


@dataclass(frozen=True)
class Roster:
    """The solver's answer for one tier."""

    shifts: list[tuple[Shift, int]]
    """Each shift used and how many people work it."""
    cost: float
    shortfall: np.ndarray
    """Per interval: agents the allowed shifts could not provide."""
    coverage: np.ndarray
    status: str

    def agents(self) -> list[dict[str, Any]]:
        """The scenario's ``agents:`` list for the roster."""
        return [{"shift": shift.text(), "count": count} for shift, count in self.shifts]


def solve(requirement: np.ndarray, shifts: list[Shift], grid: WeekGrid,
          most: dict[str, int] | None = None, time_limit: float = 60.0) -> Roster:
    """The cheapest shifts covering ``requirement`` (agents per interval): a mixed-integer
    program solved by HiGHS (``scipy.optimize.milp``)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    if not shifts:
        raise SimdeskError("no shifts to choose from")
    need = np.asarray(requirement, dtype=float)
    rows = np.nonzero(need > 0)[0]
    covers = np.array([shift.cover(grid) for shift in shifts])  # shifts × intervals
    n, m = len(shifts), len(rows)
    penalty = SHORTFALL_PENALTY * max(s.cost for s in shifts)
    cost = np.r_[[s.cost for s in shifts], np.full(m, penalty)]
    # cover: Σ cover[i, k] x_i + shortfall_k >= need_k, for every interval that needs anyone
    matrix = np.hstack([covers[:, rows].T, np.eye(m)])
    constraints = [LinearConstraint(matrix, need[rows], np.inf)]
    for name, limit in (most or {}).items():
        mask = np.r_[[s.pattern == name for s in shifts], np.zeros(m, dtype=bool)]
        constraints.append(LinearConstraint(mask.astype(float)[None, :], -np.inf, limit))
    integrality = np.r_[np.ones(n), np.zeros(m)]
    solution = milp(cost, constraints=constraints, integrality=integrality,
                    bounds=Bounds(0, np.inf), options={"time_limit": time_limit})
    if solution.x is None:
        raise SimdeskError(f"the roster solver found no solution: {solution.message}")
    counts = np.round(solution.x[:n]).astype(int)
    used = [(shift, int(count)) for shift, count in zip(shifts, counts, strict=True) if count]
    coverage = covers.T @ counts
    shortfall = np.clip(need - coverage, 0, None)
    status = "optimal" if solution.status == 0 else solution.message
    return Roster(used, float(sum(s.cost * c for s, c in used)), shortfall, coverage, status)
