"""The export's clock (:mod:`simdesk.fit.export_clock`) gives the times pandas gave: the
same rounding to the second, and the same placing in a zone — except in a 30-minute gap,
which pandas mishandles."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from simdesk.fit.export_clock import in_zone, seconds, transitions

START = dt.datetime(2026, 1, 5)


def _pandas_seconds(start: dt.datetime, minutes: np.ndarray) -> np.ndarray:
    moments = pd.Series(pd.Timestamp(start) + pd.to_timedelta(minutes, unit="min"))
    return moments.dt.round("s").to_numpy(dtype="datetime64[s]")


@pytest.mark.parametrize("start", [START, dt.datetime(2025, 3, 1, 7, 15, 30)])
def test_minutes_round_to_the_second_as_pandas_rounds_them(start: dt.datetime) -> None:
    generator = np.random.default_rng(3)
    for minutes in (generator.uniform(0, 600_000, 50_000),
                    np.round(generator.uniform(0, 600_000, 50_000) * 120) / 120,  # half seconds
                    np.round(generator.uniform(0, 6_000, 50_000) * 120) / 120 + 1e-12,
                    np.arange(0, 20_000, dtype=float)):  # whole minutes (pandas' integer path)
        minutes = minutes.copy()
        minutes[::17] = np.nan
        mine = seconds(start, minutes)
        assert np.array_equal(mine.astype(np.int64), _pandas_seconds(start, minutes)
                              .astype(np.int64))
        assert np.isnat(mine[::17]).all()


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "Europe/Dublin",
                                  "America/Santiago", "Asia/Kolkata", "UTC"])
def test_wall_clock_times_are_placed_in_a_zone_as_pandas_places_them(name: str) -> None:
    """Every 7 minutes over four years: each spring gap and autumn repeat (Dublin's
    "daylight saving" is its winter, a negative one)."""
    zone = ZoneInfo(name)
    moments = pd.date_range("2025-01-01", "2028-12-31", freq="7min").to_numpy(
        dtype="datetime64[s]")
    moments[::1000] = np.datetime64("NaT")
    placed = pd.Series(moments).dt.tz_localize(zone, ambiguous=np.ones(len(moments), bool),
                                               nonexistent="shift_forward")
    wall = placed.dt.tz_localize(None)
    offset = (wall - placed.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds()
    mine, mine_offset = in_zone(moments, zone)
    np.testing.assert_array_equal(mine, wall.to_numpy(dtype="datetime64[s]"))
    np.testing.assert_array_equal(mine_offset, offset.to_numpy())


def test_a_time_in_a_30_minute_gap_moves_to_the_gaps_end() -> None:
    """Lord Howe Island skips 02:00–02:30 on 2026-10-04 (UTC+10:30 to +11:00): 02:10
    becomes 02:30 (pandas said 03:00); the repeat 01:30–02:00 on 2026-04-05 reads as its
    first occurrence, at +11:00."""
    zone = ZoneInfo("Australia/Lord_Howe")
    moments = np.array(["2026-10-04T02:10:00", "2026-10-04T01:59:59", "2026-10-04T02:30:00",
                        "2026-04-05T01:45:00", "2026-04-05T02:00:00", "NaT"],
                       dtype="datetime64[s]")
    wall, offset = in_zone(moments, zone)
    assert wall[:5].astype(str).tolist() == [
        "2026-10-04T02:30:00", "2026-10-04T01:59:59", "2026-10-04T02:30:00",
        "2026-04-05T01:45:00", "2026-04-05T02:00:00"]
    assert offset[:5].tolist() == [39_600, 37_800, 39_600, 39_600, 37_800]
    assert np.isnat(wall[5]) and np.isnan(offset[5])


def test_transitions_are_found_to_the_second() -> None:
    low = int(np.datetime64("2026-01-01T00:00:00").astype(np.int64))
    starts, offsets = transitions(ZoneInfo("Europe/Berlin"), low, low + 365 * 86_400)
    assert offsets.tolist() == [3600, 7200, 3600]
    assert starts[1:].astype("datetime64[s]").astype(str).tolist() == [
        "2026-03-29T01:00:00", "2026-10-25T01:00:00"]  # 01:00 UTC, both
    assert transitions(ZoneInfo("UTC"), low, low + 86_400)[1].tolist() == [0]
