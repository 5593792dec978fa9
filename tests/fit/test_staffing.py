"""Staffing for the fitted scenario: shifts that reproduce a weekday × hour table exactly,
and agents on duty inferred from the assignees."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from simdesk.fit import read_history
from simdesk.fit.staffing import infer_from_assignees, placeholder, shifts_from_counts
from simdesk.scenario.calendar import parse_shift
from tests.fit.helpers import desk, simulated_export


def _on_duty(groups: list[dict[str, object]]) -> np.ndarray:
    """Agents on duty per weekday × hour of shift groups (no overnight shifts)."""
    table = np.zeros((7, 24), dtype=int)
    for group in groups:
        pattern = parse_shift(group["shift"])
        count = int(group["count"])  # type: ignore[call-overload]
        if pattern.always:
            table += count
            continue
        for window in pattern.windows:
            assert window.end > window.start
            for day in window.days:
                table[day, window.start // 60:window.end // 60] += count
    return table


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, (7, 24), elements=st.integers(0, 4)))
def test_shifts_reproduce_every_hours_staff(counts: np.ndarray) -> None:
    groups = shifts_from_counts(counts)
    assert np.array_equal(_on_duty(groups), counts)
    texts = [g["shift"] for g in groups]
    assert len(texts) == len(set(texts))  # one group per shift


def test_staggered_shifts_come_out_as_they_were_worked() -> None:
    """Two agents 08:00-16:00 and one 12:00-20:00 on weekdays, one 10:00-14:00 at weekends:
    first in, first out gives back exactly these shifts."""
    counts = np.zeros((7, 24), dtype=int)
    counts[:5, 8:16] = 2
    counts[:5, 12:20] += 1
    counts[5:, 10:14] = 1
    assert shifts_from_counts(counts) == [
        {"shift": "Mon-Fri 08:00-16:00", "count": 2},
        {"shift": "Sat,Sun 10:00-14:00", "count": 1},
        {"shift": "Mon-Fri 12:00-20:00", "count": 1},
    ]
    assert shifts_from_counts(np.full((7, 24), 3)) == [{"shift": "24x7", "count": 3}]


def test_agents_on_duty_are_inferred_from_the_assignees(tmp_path: Path) -> None:
    """The desk's L2 has three agents Mon-Fri 08:00-18:00, busy about 60 % of the time: all
    three are seen in the core hours and nobody at weekends. L1's busy weekday hours show
    its shifts (4, then 7, then 3); quiet night hours, with hours between tickets, cannot
    show the one agent on duty (a documented limit)."""
    _, path = simulated_export(tmp_path, desk(), seed=3)
    history = read_history(path)
    level2 = infer_from_assignees("L2", history.steps, history.first_day, history.days)
    assert level2 is not None and level2.counts is not None
    assert level2.people == 3
    assert np.all(level2.counts[:5, 9:17] == 3)
    assert not level2.counts[5:].any() and not level2.counts[:, :7].any()
    level1 = infer_from_assignees("L1", history.steps, history.first_day, history.days)
    assert level1 is not None and level1.counts is not None
    assert np.all(level1.counts[:5, 8:10] == 4)
    assert np.all(level1.counts[:5, 12:14] == 7)
    assert np.all(level1.counts[:5, 16:18] == 3)
    assert np.all(level1.counts[5:, 9:18] == 1)


def test_the_placeholder_covers_the_workload_at_80_percent() -> None:
    workload = np.zeros((7, 24))
    workload[0, 9] = 2.5
    workload[0, 10] = 0.1
    staffing = placeholder("L1", workload)
    assert staffing.counts is not None
    assert staffing.counts[0, 9] == 4 and staffing.counts[0, 10] == 1
    assert staffing.counts.sum() == 5
