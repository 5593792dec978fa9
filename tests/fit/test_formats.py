"""Units of work times and formats of timestamps, told from the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simdesk.errors import SimdeskError
from simdesk.fit.history import read_history
from simdesk.fit.timeformats import detect_time_format
from simdesk.fit.times import zone_named
from simdesk.fit.workunits import detect_unit, to_minutes

BERLIN = zone_named("Europe/Berlin")


def _export(tmp_path: Path, work: list[str], column: str = "work",
            created: list[str] | None = None) -> Path:
    """A --map export of len(work) tickets over two weeks."""
    n = len(work)
    start = pd.Timestamp("2026-03-02 08:00")
    times = created or [(start + pd.Timedelta(minutes=20 * i)).strftime("%Y-%m-%d %H:%M")
                        for i in range(n)]
    path = tmp_path / "t.csv"
    pd.DataFrame({"created": times, "via": "email", column: work}).to_csv(path, index=False)
    return path


MAP = {"created_at": "created", "channel": "via"}


@pytest.mark.parametrize(("column", "scale", "unit"), [
    ("work", 60.0, "seconds"),              # whole numbers, median >= 60: seconds
    ("work", 1.0, "minutes"),               # a median of a few: minutes
    ("Handle time (sec)", 60.0, "seconds"),  # the name says so
    ("handle_minutes", 1.0, "minutes"),
    ("Effort (h)", 1 / 60, "hours"),
])
def test_seconds_minutes_and_hours_read_as_the_same_minutes(
        tmp_path: Path, column: str, scale: float, unit: str) -> None:
    rng = np.random.default_rng(3)
    minutes = rng.gamma(2.0, 3.5, size=300) + 0.5
    values = [f"{m * scale:.0f}" if unit == "seconds" else f"{m * scale:.6f}" for m in minutes]
    mapping = {**MAP, "work_minutes": column}
    history = read_history(_export(tmp_path, values, column), mapping=mapping)
    assert history.work_unit is not None and history.work_unit.unit == unit
    read = history.steps["work"].to_numpy()
    tolerance = 0.5 / 60 if unit == "seconds" else 1e-3
    assert np.allclose(read, minutes, atol=tolerance)


def test_clock_durations_are_hours_and_minutes(tmp_path: Path) -> None:
    values = ["0:12:30", "1:05", "0:07"] * 50
    history = read_history(_export(tmp_path, values), mapping={**MAP, "work_minutes": "work"})
    assert history.work_unit is not None and history.work_unit.unit == "clock"
    assert history.steps["work"].tolist()[:3] == pytest.approx([12.5, 65.0, 7.0])


def test_an_absurd_scale_stops_with_the_unit_to_name(tmp_path: Path) -> None:
    """Seconds in a column named as minutes: a median of 6 hours of work per ticket."""
    values = [str(v) for v in np.random.default_rng(1).integers(200, 700, size=300)]
    path = _export(tmp_path, values, "Work minutes")
    with pytest.raises(SimdeskError, match=r"read as minutes \(from the column name 'Work "
                                           r"minutes'\), the median work time per ticket "
                                           r"would be .*; if they are in seconds, say so with "
                                           r"--work-unit seconds"):
        read_history(path, mapping={**MAP, "work_minutes": "Work minutes"})
    history = read_history(path, mapping={**MAP, "work_minutes": "Work minutes"},
                           work_unit="seconds")
    assert 3 < float(np.median(history.steps["work"])) < 12


def test_unit_detection_reads_its_sources_in_order() -> None:
    items = np.array(["420", "300", "660"], dtype=object)
    assert detect_unit("Time Spent", items, "seconds").why.endswith("in this export")
    assert detect_unit("x", items, given="minutes").unit == "minutes"
    assert detect_unit("x", np.array(["0:10", "1:00"], dtype=object)).unit == "clock"
    assert np.isnan(to_minutes(np.array(["n/a"], dtype=object), "minutes")[0])


@pytest.mark.parametrize(("values", "expected"), [
    (["2026-03-02 04:11", "2026-03-13T16:00:00+01:00"], None),
    (["03/02/2026 04:11", "13/02/2026 04:11"], "%d/%m/%Y %H:%M"),
    (["03/02/2026 04:11", "03/14/2026 16:11"], "%m/%d/%Y %H:%M"),
    (["02.03.2026 04:11", "12.03.2026 16:11"], "%d.%m.%Y %H:%M"),
    (["02/Mar/26 4:11 AM", "12/Mar/26 11:11 PM"], "%d/%b/%y %I:%M %p"),
    (["Mar 2, 2026 4:11 PM"], "%b %d, %Y %I:%M %p"),
    (["03/02/2026 04:11:09", "28/02/2026 23:59:59"], "%d/%m/%Y %H:%M:%S"),
])
def test_common_formats_are_told_from_the_values(values: list[str],
                                                 expected: str | None) -> None:
    assert detect_time_format(pd.Series(values), "t.csv") == expected


def test_day_first_or_month_first_is_asked_when_nothing_tells(tmp_path: Path) -> None:
    values = ["03/02/2026 04:11", "04/02/2026 08:00", "12/11/2026 09:00"]
    with pytest.raises(SimdeskError, match=r"read both day-first and month-first, and no "
                                           r"value tells them apart .* --time-format "
                                           r"'%d/%m/%Y %H:%M' \(day first\) or --time-format "
                                           r"'%m/%d/%Y %H:%M' \(month first\)"):
        detect_time_format(pd.Series(values), "t.csv")


def test_one_late_day_in_the_file_decides_the_whole_column() -> None:
    """The sample sees only small days; the full column holds a 13th."""
    values = ["03/02/2026 04:11"] * 5000 + ["13/02/2026 04:11"]
    assert detect_time_format(pd.Series(values), "t.csv") == "%d/%m/%Y %H:%M"


def test_a_day_first_export_reads_end_to_end(tmp_path: Path) -> None:
    start = pd.Timestamp("2026-03-02 08:00")
    created = [(start + pd.Timedelta(minutes=30 * i)).strftime("%d.%m.%Y %H:%M")
               for i in range(800)]
    path = _export(tmp_path, ["5"] * 800, created=created)
    history = read_history(path, mapping={**MAP, "work_minutes": "work"}, zone=BERLIN)
    assert history.time_format == "%d.%m.%Y %H:%M"
    assert history.tickets["created"].min() == start
    assert history.days == 17
    assert any("timestamps read as '%d.%m.%Y %H:%M'" in n for n in history.notes)
