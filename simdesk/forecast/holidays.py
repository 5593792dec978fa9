"""Holidays for the forecast: ``--holidays 2026-12-25,2026-12-26`` or a file of dates.

A file holds one date (``YYYY-MM-DD``) per line, optionally followed by a name
(``2026-12-25 Christmas``, ``2026-12-25,Christmas``, or a YAML list item
``- 2026-12-25``); ``#`` starts a comment. ``FIRST..LAST`` is a range of days.
Kept here, apart from the scenario's calendar: these dates only shape the forecast.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

_ITEM = re.compile(r"^\s*(?:-\s*)?['\"]?(\S+?)['\"]?(?:[\s,;:].*)?$")
MAX_DAYS = 5 * 366
"""The most days one range may hold."""


class HolidayError(ValueError):
    """A date that cannot be read, with where it was."""


def _day(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HolidayError(f"{where}: {text!r} is not a date; expected YYYY-MM-DD (e.g. "
                           "2026-12-25) or a range FIRST..LAST") from None


def _days(text: str, where: str) -> list[dt.date]:
    first, dots, last = text.partition("..")
    start = _day(first.strip(), where)
    if not dots:
        return [start]
    end = _day(last.strip(), where)
    if end < start:
        raise HolidayError(f"{where}: the range {text!r} ends before it starts")
    if (end - start).days >= MAX_DAYS:
        raise HolidayError(f"{where}: the range {text!r} is longer than {MAX_DAYS} days")
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def parse_holidays(value: str | None) -> frozenset[dt.date]:
    """The dates of ``--holidays``: a comma-separated list, or the path of a file."""
    if value is None or not value.strip():
        return frozenset()
    path = Path(value)
    if not path.is_file():
        looks_like_path = "/" in value or value.endswith((".txt", ".csv", ".yaml", ".yml"))
        if looks_like_path:
            raise HolidayError(f"--holidays: no file {value!r} (give a file of dates, or "
                               "dates separated by commas)")
        found: list[dt.date] = []
        for item in value.split(","):
            if item.strip():
                found += _days(item.strip(), "--holidays")
        return frozenset(found)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise HolidayError(f"--holidays: cannot read {value}: {exc}") from None
    found = []
    for number, line in enumerate(lines, start=1):
        content = line.split("#", 1)[0].strip()
        if not content or content.lower() in ("date", "dates", "holidays:", "date,name"):
            continue
        match = _ITEM.match(content)
        assert match is not None  # any non-empty line matches
        found += _days(match.group(1), f"{value}:{number}")
    return frozenset(found)


__all__ = ["HolidayError", "parse_holidays"]
