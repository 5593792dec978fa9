"""Shift rosters: the integer program finds the known optimum and reports what it
cannot cover."""

from __future__ import annotations

import numpy as np
import pytest

from simdesk.errors import ScenarioError
from simdesk.scenario.calendar import parse_shift
from simdesk.staffing.grid import WeekGrid
from simdesk.staffing.roster import RosterSpec, Shift, expand, load_roster_spec, solve

GRID = WeekGrid(60)


def _requirement() -> np.ndarray:
    need = np.zeros(168)
    for day in range(5):
        need[day * 24 + 9: day * 24 + 17] = 2  # Mon-Fri 09-17: two agents
    need[5 * 24 + 10: 5 * 24 + 14] = 1  # Sat 10-14: one
    return need


SPEC = RosterSpec.model_validate({"patterns": [
    {"name": "day", "days": "Mon-Fri", "start": ["09:00"], "length": "8h", "cost": 40},
    {"name": "flex", "days_on": 5, "start": ["08:00", "09:00", "10:00"], "length": "8h",
     "cost": 45},
    {"name": "saturday", "days": "Sat", "start": "10:00", "length": "4h", "cost": 5},
]})


def test_the_cheapest_roster_is_the_known_optimum() -> None:
    roster = solve(_requirement(), expand(SPEC), GRID)
    assert roster.cost == 85  # 2 weekday shifts (80) + 1 Saturday (5): nothing is cheaper
    assert sorted((s.label(), n) for s, n in roster.shifts) == [
        ("day Mon,Tue,Wed,Thu,Fri 09:00", 2), ("saturday Sat 10:00", 1)]
    assert not roster.shortfall.any()
    assert roster.agents() == [{"shift": "Mon,Tue,Wed,Thu,Fri 09:00-17:00", "count": 2},
                               {"shift": "Sat 10:00-14:00", "count": 1}]


def test_what_no_shift_can_cover_is_reported_not_failed() -> None:
    need = _requirement()
    need[6 * 24 + 3] = 1  # Sunday 03:00
    roster = solve(need, expand(SPEC), GRID)
    assert roster.cost == 85
    assert list(np.nonzero(roster.shortfall)[0]) == [6 * 24 + 3]


def test_a_limit_on_a_pattern_forces_the_next_cheapest() -> None:
    roster = solve(_requirement(), expand(SPEC), GRID, most={"day": 1})
    assert roster.cost == 40 + 45 + 5
    assert not roster.shortfall.any()


def test_breaks_and_overnight_shifts_cover_and_read_back() -> None:
    night = Shift("night", (4,), 22 * 60, 480, 240, 30, 1)  # Fri 22:00, break 02:00-02:30
    cover = night.cover(GRID)
    assert cover[4 * 24 + 22] == 1 and cover[5 * 24 + 1] == 1
    assert cover[5 * 24 + 2] == pytest.approx(0.5)  # half of 02:00-03:00 on the break
    assert night.text() == "Fri 22:00-02:00; Sat 02:30-06:00"
    assert parse_shift(night.text()).windows[1].days == frozenset({5})
    sunday = Shift("late", (6,), 20 * 60, 480, None, 0, 1)  # Sunday night into Monday
    assert sunday.cover(GRID)[2] == 1 and sunday.cover(GRID)[6 * 24 + 23] == 1


def test_a_bad_shift_file_says_where(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "shifts.yaml"
    path.write_text("patterns:\n  - {name: x, days: Mon-Fri, days_on: 5, start: '8', "
                    "length: 8h, cost: 1}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_roster_spec(path)
    assert "give either days (e.g. Mon-Fri) or days_on (e.g. 5)" in str(error.value)
