"""Units: parsing what managers write, and writing it back exactly."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simdesk.scenario.calendar import Clock, parse_shift
from simdesk.scenario.units import (
    format_duration,
    format_percent,
    format_rate,
    humanize_minutes,
    parse_duration,
    parse_percent,
    parse_rate,
)

finite = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(("text", "minutes"), [
    ("30s", 0.5), ("12m", 12), ("1.5h", 90), ("2d", 2880), ("1w", 10080), ("1h30m", 90),
    ("90 sec", 1.5), ("2 hours", 120), ("0m", 0),
])
def test_durations(text: str, minutes: float) -> None:
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize(("text", "per_minute"), [
    ("12/h", 0.2), ("300/d", 300 / 1440), ("5/30m", 5 / 30), ("0.5/m", 0.5), ("70/w", 70 / 10080),
])
def test_rates(text: str, per_minute: float) -> None:
    assert parse_rate(text) == pytest.approx(per_minute)


@pytest.mark.parametrize(("value", "fraction"), [("80%", 0.8), (0.8, 0.8), ("12.5%", 0.125),
                                                 (1, 1.0), ("0%", 0.0)])
def test_percentages(value: object, fraction: float) -> None:
    assert parse_percent(value) == pytest.approx(fraction)


@pytest.mark.parametrize(("parse", "value", "message"), [
    (parse_duration, 12, "12 has no unit; write a duration such as 30s, 12m, 1.5h, 2d, 1w or "
                         "1h30m"),
    (parse_duration, "12", "'12' has no unit"),
    (parse_duration, "-5m", "'-5m' is negative; a duration is zero or more"),
    (parse_duration, "5 fortnights", "'5 fortnights' is not a duration"),
    (parse_rate, "12", "'12' is not a rate such as 12/h"),
    (parse_rate, "-1/h", "'-1/h' is negative"),
    (parse_percent, 80, "80 is above 1; write 80% for a percentage"),
    (parse_percent, "120%", "'120%' is outside 0%..100%"),
])
def test_bad_units_say_what_is_valid(parse: object, value: object, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(".", r"\.")):
        parse(value)  # type: ignore[operator]


@given(finite)
def test_durations_round_trip_exactly(minutes: float) -> None:
    assert parse_duration(format_duration(minutes)) == minutes


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_rates_round_trip_exactly(per_minute: float) -> None:
    assert parse_rate(format_rate(per_minute)) == per_minute


@given(st.floats(min_value=0, max_value=1))
def test_percentages_round_trip_exactly(fraction: float) -> None:
    assert parse_percent(format_percent(fraction)) == fraction


def test_nice_forms_are_chosen() -> None:
    assert [format_duration(x) for x in (0.5, 12, 90, 2880, 10080)] == [
        "30s", "12m", "90m", "2d", "1w"]
    assert format_rate(0.2) == "12/h"
    assert format_percent(0.8) == "80%"
    assert [humanize_minutes(x) for x in (0.05, 0.5, 7.5, 125, 4320, math.nan)] == [
        "3.0s", "30s", "7m30s", "2h05m", "3.0d", "—"]


def test_shift_patterns() -> None:
    clock = Clock(__import__("datetime").datetime(2024, 1, 1))  # a Monday
    weekdays = parse_shift("Mon-Fri 08:00-16:00").intervals(clock, 10080)
    assert weekdays == [(d * 1440 + 480, d * 1440 + 960) for d in range(5)]
    overnight = parse_shift("Fri-Sat 22:00-06:00").intervals(clock, 10080)
    assert overnight == [(4 * 1440 + 1320, 5 * 1440 + 360), (5 * 1440 + 1320, 6 * 1440 + 360)]
    assert parse_shift("Sat-Mon 00:00-24:00").intervals(clock, 10080) == [
        (0, 1440), (5 * 1440, 10080)]
    assert parse_shift("Mon 09:00-12:00; Wed,Fri 13:00-17:00").intervals(clock, 10080) == [
        (540, 720), (2 * 1440 + 780, 2 * 1440 + 1020), (4 * 1440 + 780, 4 * 1440 + 1020)]
    assert parse_shift("24x7").intervals(clock, 100) == [(0, 100)]


def test_shifts_follow_a_start_in_mid_week() -> None:
    clock = Clock(__import__("datetime").datetime(2024, 1, 3, 12, 0))  # Wednesday noon
    assert parse_shift("Wed 08:00-16:00").intervals(clock, 10080) == [(0, 240), (9840, 10080)]


@pytest.mark.parametrize("text", ["Mon-Fri", "Mon-Fri 8-16", "Moon 08:00-09:00",
                                  "Mon 25:00-26:00", "Mon 09:00-09:00", ""])
def test_bad_shifts(text: str) -> None:
    with pytest.raises(ValueError, match="shift such as 'Mon-Fri 08:00-16:00'"):
        parse_shift(text)
