"""Scenario minutes as an export's timestamp text — rounded to the second, placed in a time
zone, written as ISO 8601 — with numpy, Arrow and :mod:`zoneinfo` (pandas' timedelta and
zone conversions took twice as long).

A scenario minute is a local wall-clock minute (the simulator's calendar has no daylight
saving). Placed in a zone, a wall-clock time in a skipped interval moves to the interval's
end, and one in a repeated interval is read as its first occurrence, so the weekday × hour
pattern is kept. (pandas, used before, moved a time in a 30-minute gap — Lord Howe Island's
— to an hour after the gap's start: a moment that is not the gap's end.) The rounding is
pandas' (``Timestamp + to_timedelta(minutes, "min")``, then ``round("s")``: minutes split
into whole and a fraction rounded to ten places, nanoseconds, half to even), so the text is
what earlier exports wrote; ``tests/fit/test_export_clock.py`` holds both to pandas.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NS_PER_MINUTE = 60_000_000_000
NS_PER_SECOND = 1_000_000_000
HOUR = 3600


def seconds(start: dt.datetime, minutes: np.ndarray) -> np.ndarray:
    """``start`` plus each number of minutes, rounded to the second (``datetime64[s]``;
    NaT where NaN)."""
    minutes = np.asarray(minutes, dtype=float)
    missing = np.isnan(minutes)
    values = np.where(missing, 0.0, minutes)
    whole = values.astype(np.int64)  # toward zero, as pandas splits them
    fraction = np.round(values - whole, 10)
    nanoseconds = (whole * NS_PER_MINUTE + (fraction * NS_PER_MINUTE).astype(np.int64)
                   + int(np.datetime64(start, "ns").astype(np.int64)))
    quotient, remainder = np.divmod(nanoseconds, NS_PER_SECOND)
    half = NS_PER_SECOND // 2
    quotient += (remainder > half) | ((remainder == half) & (quotient % 2 == 1))
    moments = quotient.astype("datetime64[s]")
    moments[missing] = np.datetime64("NaT")
    return moments


def times(start: dt.datetime, minutes: np.ndarray, zone: ZoneInfo | None,
          naive: bool) -> pa.Array:
    """Scenario minutes as timestamp text (empty where NaN), to the second: naive
    (``2026-03-02 08:15:00``) or ISO 8601 (``2026-03-02T08:15:00``, with its UTC offset
    when placed in ``zone``)."""
    moments = seconds(start, minutes)
    if zone is None:
        return iso_text(moments, naive)
    wall, offset = in_zone(moments, zone)
    text = iso_text(wall, naive)
    if naive:
        return text
    return pc.binary_join_element_wise(text, offsets_text(offset), "",
                                       null_handling="replace", null_replacement="")


def in_zone(moments: np.ndarray, zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock moments (``datetime64[s]``) placed in ``zone``: the wall clock (a moment
    in a skipped interval moved to its end; a repeated one read as its first occurrence)
    and its UTC offset in seconds (NaN where NaT)."""
    missing = np.isnat(moments)
    local = np.where(missing, 0, moments.astype(np.int64))
    if missing.all():
        return moments.copy(), np.full(len(moments), np.nan)
    starts, offsets = transitions(zone, int(local[~missing].min()), int(local[~missing].max()))
    best = np.full(len(local), np.iinfo(np.int64).max, dtype=np.int64)
    for offset in np.unique(offsets):  # each offset the zone uses: where it reads `local`
        instant = local - offset
        period = np.searchsorted(starts, instant, side="right") - 1
        fits = offsets[period] == offset
        best = np.where(fits & (instant < best), instant, best)
    skipped = best == np.iinfo(np.int64).max
    if skipped.any():  # in a gap: the moment the clock jumped over it
        gap_opens = starts[1:] + offsets[:-1]  # each change's local time, before it
        change = np.searchsorted(gap_opens, local[skipped], side="right")
        best[skipped] = starts[change]
    period = np.searchsorted(starts, best, side="right") - 1
    offset = offsets[period]
    wall = (best + offset).astype("datetime64[s]")
    wall[missing] = np.datetime64("NaT")
    return wall, np.where(missing, np.nan, offset.astype(float))


def transitions(zone: ZoneInfo, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """``zone``'s UTC offsets (seconds) between the local times ``low`` and ``high`` (epoch
    seconds), as periods: ``offsets[k]`` holds from the UTC instant ``starts[k]`` (the
    first period from the beginning of time). Found by reading the offset each hour and
    bisecting each change to its second."""
    def offset_at(instant: int) -> int:
        change = dt.datetime.fromtimestamp(instant, tz=zone).utcoffset()
        return 0 if change is None else int(change.total_seconds())

    first = (low - 2 * 86_400) // HOUR * HOUR
    last = high + 2 * 86_400
    starts, offsets = [np.iinfo(np.int64).min], [offset_at(first)]
    for hour in range(first + HOUR, last + HOUR, HOUR):
        now = offset_at(hour)
        if now == offsets[-1]:
            continue
        before, after = hour - HOUR, hour  # the change lies in (before, after]
        while after - before > 1:
            middle = (before + after) // 2
            if offset_at(middle) == offsets[-1]:
                before = middle
            else:
                after = middle
        starts.append(after)
        offsets.append(now)
    return np.array(starts, dtype=np.int64), np.array(offsets, dtype=np.int64)


def iso_text(moments: np.ndarray, naive: bool) -> pa.Array:
    """Moments (``datetime64[s]``) as ``2026-03-02T08:15:00`` (``2026-03-02 08:15:00``
    when ``naive``); empty where NaT."""
    stamps = pa.array(moments, type=pa.timestamp("s"), from_pandas=True)
    text = pc.cast(stamps, pa.string())  # ISO 8601 with a space, far faster than strftime
    if not naive:
        text = _date_t_time(text)
    return pc.fill_null(text, "")


def _date_t_time(text: pa.Array) -> pa.Array:
    """``2026-03-02 08:15:00`` as ``2026-03-02T08:15:00``: the eleventh byte of every
    19-byte cell set in a copy of the bytes (by a text replacement if any cell is not of
    that shape)."""
    validity, offsets, data = text.buffers()
    starts = np.frombuffer(offsets, dtype=np.int32)[text.offset: text.offset + len(text) + 1]
    lengths = np.diff(starts)
    at = starts[:-1][lengths > 0] + 10
    raw = (np.frombuffer(data, dtype=np.uint8).copy() if data is not None
           else np.zeros(0, dtype=np.uint8))
    if not (np.all(lengths[lengths > 0] == 19) and np.all(raw[at] == ord(" "))):
        return pc.replace_substring(text, pattern=" ", replacement="T", max_replacements=1)
    raw[at] = ord("T")
    return pa.StringArray.from_buffers(len(text), offsets, pa.py_buffer(raw), validity,
                                       text.null_count, text.offset)


def offsets_text(offsets: np.ndarray) -> pa.Array:
    """UTC offsets in seconds as ``+01:00`` (empty where NaN)."""
    found = np.full(len(offsets), "", dtype=object)
    valid = ~np.isnan(offsets)
    for value in np.unique(offsets[valid]):  # a handful of distinct offsets
        minutes = round(float(value) / 60)
        sign = "-" if minutes < 0 else "+"
        hours, rest = divmod(abs(minutes), 60)
        found[valid & (offsets == value)] = f"{sign}{hours:02d}:{rest:02d}"
    return pa.array(found, type=pa.string())
