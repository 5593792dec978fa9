"""Reading a big export in pieces gives exactly what reading it whole gives.

The reader parses timestamps and converts step start times in chunks to keep a
million-row export's memory down (issue 15); these tests shrink the chunks so that a
small export crosses many chunk boundaries, and compare with one chunk.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from simdesk.fit import steps as steps_module
from simdesk.fit import times as times_module
from simdesk.fit.history import read_history
from simdesk.fit.memory import give_back
from simdesk.fit.times import parse_times

BERLIN = ZoneInfo("Europe/Berlin")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "history" / "tickets.csv.gz"

VALUES = pd.Series([
    "2026-03-29 01:59:00", "2026-03-29 02:30:00",  # before and inside the skipped hour
    "2026-10-25 02:30:00", "", None, "not a time", "2026-03-02T08:15:00+01:00",
    "2026-03-02T07:15:00Z", " 2026-03-03 09:00 ", "0001-01-01 00:00:00",
    "2026-03-04 10:00:00", "2026-10-25 01:30:00",
] * 3, dtype="str")


def _same_times(whole: times_module.ParsedTimes, pieces: times_module.ParsedTimes) -> None:
    pd.testing.assert_series_equal(whole.local, pieces.local)
    pd.testing.assert_series_equal(whole.elapsed, pieces.elapsed)
    pd.testing.assert_series_equal(whole.unreadable, pieces.unreadable)
    assert (whole.offsets, whole.shifted) == (pieces.offsets, pieces.shifted)


def test_timestamps_read_in_chunks_equal_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = parse_times(VALUES, BERLIN)
    assert whole.shifted > 0 and whole.offsets and whole.unreadable.any()
    for size in (1, 5, 7):
        monkeypatch.setattr(times_module, "CHUNK", size)
        _same_times(whole, parse_times(VALUES, BERLIN))


def test_history_read_in_chunks_equals_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = read_history(EXAMPLE, zone=BERLIN)
    monkeypatch.setattr(times_module, "CHUNK", 997)
    monkeypatch.setattr(steps_module, "_CHUNK", 1009)
    pieces = read_history(EXAMPLE, zone=BERLIN)
    assert len(whole.tickets) > 3 * 997 and len(whole.steps) > 3 * 1009
    pd.testing.assert_frame_equal(whole.tickets, pieces.tickets)
    pd.testing.assert_frame_equal(whole.steps, pieces.steps)
    assert whole.bad.problems == pieces.bad.problems and whole.notes == pieces.notes


def test_lean_allocation_changes_no_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example read as a small export (no lean steps) and as a big one (lean
    allocation, cycles collected and memory handed back at every step): the same."""
    from simdesk.fit import memory

    assert EXAMPLE.stat().st_size < memory.LEAN_BYTES
    before = read_history(EXAMPLE, zone=BERLIN)
    assert not memory._LEAN[0]
    monkeypatch.setattr(memory, "LEAN_BYTES", 0)
    after = read_history(EXAMPLE, zone=BERLIN)
    assert memory._LEAN[0]
    give_back()
    pd.testing.assert_frame_equal(before.tickets, after.tickets)
    pd.testing.assert_frame_equal(before.steps, after.steps)
