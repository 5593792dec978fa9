"""--holidays: dates, ranges and files, and a clear message for each kind of bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from simdesk.forecast.holidays import HolidayError, parse_holidays


def test_list_and_range() -> None:
    assert parse_holidays("2026-12-25, 2026-12-31..2027-01-01") == {
        dt.date(2026, 12, 25), dt.date(2026, 12, 31), dt.date(2027, 1, 1)}
    assert parse_holidays(None) == frozenset()


def test_file_with_names_comments_and_yaml_items(tmp_path: Path) -> None:
    path = tmp_path / "holidays.txt"
    path.write_text("# Berlin\ndate,name\n2026-12-25,Christmas\n- 2026-12-26  # second day\n"
                    "\n'2027-01-01' New Year\n", encoding="utf-8")
    assert parse_holidays(str(path)) == {dt.date(2026, 12, 25), dt.date(2026, 12, 26),
                                         dt.date(2027, 1, 1)}


def test_bad_dates_say_where(tmp_path: Path) -> None:
    path = tmp_path / "h.txt"
    path.write_text("2026-12-25\n25.12.2026\n", encoding="utf-8")
    with pytest.raises(HolidayError, match=r"h.txt:2: '25.12.2026' is not a date"):
        parse_holidays(str(path))
    with pytest.raises(HolidayError, match="--holidays: 'xmas' is not a date"):
        parse_holidays("xmas")
    with pytest.raises(HolidayError, match="ends before it starts"):
        parse_holidays("2026-12-31..2026-12-01")
    with pytest.raises(HolidayError, match="no file"):
        parse_holidays("missing/holidays.txt")
