"""Timestamps of an export, read with an explicit time zone.

The fitted scenario's calendar is the desk's **local wall-clock time**: weekdays, hours
and shifts are local. Durations (waits, work) are **elapsed time** between instants, so
a wait across a daylight-saving change is neither an hour too long nor too short.

* Timestamps with a UTC offset (``2026-03-02T08:15:00+01:00``, ``...Z``) are instants;
  ``--tz ZONE`` says which local time to convert them to (required: an offset alone does
  not say where the desk is).
* Timestamps without an offset are local times in ``--tz ZONE``. A time in the hour
  repeated when clocks go back is read as its first occurrence; a time in the hour skipped
  when they go forward is moved to the end of the gap. Both are counted and reported.
  Without ``--tz`` they are read as wall-clock times with no daylight saving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from simdesk.errors import SimdeskError

_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")
EARLIEST = pd.Timestamp("1900-01-01")
LATEST = pd.Timestamp("2200-01-01")
"""Timestamps outside these are unreadable (year 1, year 9999: typos or placeholders)."""


def _read(text: pd.Series, fmt: str, *, utc: bool) -> pd.Series:
    """``text`` as timestamps in nanoseconds, NaT where unreadable or out of range; a
    format pandas cannot use is a clear error."""
    try:
        read = pd.to_datetime(text, format=fmt, utc=utc, errors="coerce", cache=False)
    except (ValueError, TypeError) as exc:
        raise SimdeskError(f"--time-format {fmt!r}: {str(exc).splitlines()[0]}") from None
    low, high = (EARLIEST.tz_localize("UTC"), LATEST.tz_localize("UTC")) if utc else (
        EARLIEST, LATEST)
    read = read.where((read >= low) & (read < high))
    return read.dt.as_unit("ns")


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA time zone ``name`` (``None`` stays ``None``), or a clear error."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SimdeskError(
            f"--tz {name!r} is not a time zone; write an IANA name such as Europe/Berlin, "
            "America/New_York, Asia/Kolkata or UTC") from None


@dataclass(frozen=True)
class ParsedTimes:
    """One column of timestamps, read."""

    local: pd.Series
    """Local wall-clock times (naive ``datetime64``), NaT where missing or unreadable."""
    elapsed: pd.Series
    """Minutes since a fixed instant (1970-01-01 UTC with a zone; the naive epoch without),
    for durations; NaN where missing or unreadable."""
    unreadable: pd.Series
    """True where a value was given but is not a timestamp."""
    offsets: bool
    """Whether any value carried a UTC offset."""
    shifted: int
    """Local times that fell in a daylight-saving gap or repeat (see the module notes)."""


def _transition_days(read: pd.Series, zone: ZoneInfo) -> np.ndarray:
    """Which of the naive local times fall on a day whose length is not 24 h in
    ``zone`` (a clock change): only those can be skipped or repeated."""
    days = read.dt.normalize()
    unique = pd.DatetimeIndex(days.dropna().unique())
    if unique.empty:
        return np.zeros(len(read), dtype=bool)
    start = unique.tz_localize(zone, nonexistent="shift_forward", ambiguous=True)
    end = (unique + pd.Timedelta(days=1)).tz_localize(zone, nonexistent="shift_forward",
                                                      ambiguous=True)
    odd = unique[(end - start) != pd.Timedelta(days=1)]
    near: np.ndarray = days.isin(odd).to_numpy(dtype=bool)
    return near


CHUNK = 1 << 18
"""Timestamps read at a time: each value is read on its own, and the text copies and
conversions of a whole million-row column at once would pile up in memory."""


def parse_times(values: pd.Series, zone: ZoneInfo | None, time_format: str | None = None,
                what: str = "") -> ParsedTimes:
    """Read a column of timestamps (text) as local times and elapsed minutes."""
    if len(values) <= CHUNK:
        return _parse_part(values, zone, time_format, what)
    parts = [_parse_part(values.iloc[at:at + CHUNK], zone, time_format, what)
             for at in range(0, len(values), CHUNK)]
    return ParsedTimes(local=pd.concat([p.local for p in parts]),
                       elapsed=pd.concat([p.elapsed for p in parts]),
                       unreadable=pd.concat([p.unreadable for p in parts]),
                       offsets=any(p.offsets for p in parts),
                       shifted=sum(p.shifted for p in parts))


def _parse_part(values: pd.Series, zone: ZoneInfo | None, time_format: str | None,
                what: str) -> ParsedTimes:
    text = values.astype("string").str.strip()
    given_mask = (text.notna() & (text != "")).to_numpy(dtype=bool)
    positions = np.flatnonzero(given_mask)
    sub = text[given_mask]
    if time_format is not None:
        aware = np.full(len(sub), "%z" in time_format, dtype=bool)
    else:
        aware = sub.str.contains(_OFFSET, regex=True).fillna(False).to_numpy(dtype=bool)
    if aware.any() and zone is None:
        example = str(sub[aware].iloc[0])
        raise SimdeskError(
            f"{what}: timestamps carry a UTC offset (e.g. {example!r}); give --tz with the "
            "desk's own time zone (e.g. --tz Europe/Berlin, or --tz UTC) so that weekdays, "
            "hours and shifts are local")
    fmt = time_format or "ISO8601"
    count = len(text)
    nat = np.datetime64("NaT", "ns")
    local = np.full(count, nat, dtype="datetime64[ns]")
    moment = np.full(count, nat, dtype="datetime64[ns]")  # UTC, or local without a zone
    shifted = 0
    if aware.any():
        read = _read(sub[aware], fmt, utc=True)
        moment[positions[aware]] = read.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        assert zone is not None
        local[positions[aware]] = read.dt.tz_convert(zone).dt.tz_localize(None).to_numpy(
            dtype="datetime64[ns]")
    naive = ~aware
    if naive.any():
        read = _read(sub[naive], fmt, utc=False)
        if zone is None:
            local[positions[naive]] = read.to_numpy(dtype="datetime64[ns]")
            moment[positions[naive]] = local[positions[naive]]
        else:
            placed = read.dt.tz_localize(zone, ambiguous=np.ones(len(read), dtype=bool),
                                         nonexistent="shift_forward")
            near = _transition_days(read, zone)
            if near.any():
                close = read[near]
                strict = close.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
                shifted = int((strict.isna() & close.notna()).sum())
            moment[positions[naive]] = placed.dt.tz_convert("UTC").dt.tz_localize(
                None).to_numpy(dtype="datetime64[ns]")
            local[positions[naive]] = placed.dt.tz_localize(None).to_numpy(
                dtype="datetime64[ns]")
    elapsed = (moment - np.datetime64(0, "ns")).astype("timedelta64[ns]").astype(
        np.float64) / 6e10
    elapsed[np.isnat(moment)] = np.nan
    index = text.index
    local_series = pd.Series(local, index=index)
    unreadable = pd.Series(given_mask, index=index) & local_series.isna()
    return ParsedTimes(local=local_series, elapsed=pd.Series(elapsed, index=index),
                       unreadable=unreadable, offsets=bool(aware.any()), shifted=shifted)


def local_slots(first_day: pd.Timestamp, days: int, zone: ZoneInfo | None,
                minutes: int = 15) -> pd.DatetimeIndex:
    """The local wall-clock start of every ``minutes``-long slot of real time from local
    midnight of ``first_day`` for ``days`` local days. On a day when clocks go forward
    the skipped hour has no slot; when they go back the repeated hour has two."""
    begin = pd.Timestamp(first_day).normalize()
    end = begin + pd.Timedelta(days=days)
    if zone is None:
        return pd.date_range(begin, end, freq=f"{minutes}min", inclusive="left")
    start = begin.tz_localize(zone, nonexistent="shift_forward", ambiguous=True)
    stop = end.tz_localize(zone, nonexistent="shift_forward", ambiguous=True)
    real = pd.date_range(start.tz_convert("UTC"), stop.tz_convert("UTC"),
                         freq=f"{minutes}min", inclusive="left")
    return real.tz_convert(zone).tz_localize(None)
