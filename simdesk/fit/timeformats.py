"""Which format an export's timestamps are written in, told from the values.

ISO 8601 (``2026-03-02 08:15``, ``2026-03-02T08:15:00+01:00``) is read as it is. Other
common spellings are tried in turn — ``03/02/2026 04:11``, ``02.03.2026 04:11``,
``02/Mar/26 4:11 AM`` (Jira's default), ``Mar 2, 2026 4:11 PM``, ... — on a sample of
the column, then on all of it. Day-first and month-first readings of ``dd/dd/yyyy`` are
told apart by the data: a first number above 12 can only be a day, a second number above
12 only a day. When every value reads both ways the export does not say, and the reader
stops and asks for ``--time-format`` (guessing would swap months and days silently).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from simdesk.errors import SimdeskError

_DAY_FIRST = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y")
_OTHER_DATES = ("%d/%b/%y", "%d/%b/%Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %B %Y",
                "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%Y/%m/%d", "%Y.%m.%d")
_CLOCKS = (" %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p", " %I:%M%p", ", %H:%M:%S",
           ", %H:%M", ", %I:%M %p", ", %I:%M:%S %p")
SAMPLE = 400
"""Values tried against every candidate format before the survivors see the whole
column."""


@dataclass(frozen=True)
class Candidate:
    """A ``strptime`` format and which reading of ``dd/dd`` dates it makes."""

    format: str
    order: str
    """``day`` (day first), ``month`` (month first) or ``""`` (no such ambiguity)."""


def _candidates() -> list[Candidate]:
    found = []
    for dates, order in ((_DAY_FIRST, "day"), (_MONTH_FIRST, "month"), (_OTHER_DATES, "")):
        for date in dates:
            for clock in (*_CLOCKS, ""):
                found.append(Candidate(date + clock, order))
    return found


CANDIDATES = tuple(_candidates())


def _reads(values: pd.Series, fmt: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(values, format=fmt, errors="coerce")


def _spread(values: pd.Series, count: int) -> pd.Series:
    """Up to ``count`` values spread evenly over the column."""
    if len(values) <= count:
        return values
    step = len(values) / count
    return values.iloc[[int(i * step) for i in range(count)]]


def detect_time_format(values: pd.Series, what: str) -> str | None:
    """The format of a column of timestamps (text): ``None`` for ISO 8601, else a
    ``strptime`` format. Stops with a clear message when day-first and month-first both
    read every value; when no format reads most of a sample the rows are left to be
    reported one by one."""
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    if text.empty:
        return None
    sample = _spread(text, SAMPLE)
    iso = float(pd.to_datetime(sample, format="ISO8601", errors="coerce", utc=True).notna().mean())
    if iso >= 0.5:
        return None  # the values that do not read are reported as bad rows
    shares = {c: float(_reads(sample, c.format).notna().mean()) for c in CANDIDATES}
    best = max(shares.values())
    if best < 0.5:
        return None  # mostly unreadable: each such row is reported, with ISO 8601 as the hint
    fitting = [c for c, share in shares.items() if share == best]
    orders = {c.order for c in fitting}
    if orders <= {"day", ""} or orders <= {"month", ""}:
        return fitting[0].format
    # Both readings fit the sample: the whole column decides.
    day = next(c for c in fitting if c.order == "day")
    month = next(c for c in fitting if c.order == "month")
    day_ok = _reads(text, day.format).notna().sum()
    month_ok = _reads(text, month.format).notna().sum()
    if day_ok != month_ok:
        return day.format if day_ok else month.format
    example = str(sample.iloc[0])
    raise SimdeskError(
        f"{what}: dates such as {example!r} read both day-first and month-first, and no "
        "value tells them apart (no day above 12); give the format with --time-format, "
        f"e.g. --time-format '{day.format}' (day first) or --time-format "
        f"'{month.format}' (month first)")


__all__ = ["CANDIDATES", "detect_time_format"]
