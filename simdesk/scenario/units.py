"""Units a manager writes — ``30s``, ``4h``, ``12/h``, ``80%`` — and back.

Internally every time is in minutes since the scenario start and every rate is per
minute. Each ``format_*`` function is the exact inverse of its ``parse_*`` twin:
``parse_duration(format_duration(x)) == x`` for every finite ``x``, so a resolved
scenario written to disk loads back bit for bit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

MINUTES_PER: dict[str, float] = {
    "s": 1 / 60,
    "m": 1.0,
    "h": 60.0,
    "d": 1440.0,
    "w": 10080.0,
}
_UNIT_WORDS = {
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "hour": "h",
    "hours": "h",
    "hr": "h",
    "hrs": "h",
    "day": "d",
    "days": "d",
    "week": "w",
    "weeks": "w",
}
_NUMBER = r"[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?"
_DURATION_PART = re.compile(rf"\s*({_NUMBER})\s*([a-zA-Z]+)")
_RATE = re.compile(rf"^\s*({_NUMBER})\s*/\s*({_NUMBER})?\s*([a-zA-Z]+)\s*$")
_PERCENT = re.compile(rf"^\s*({_NUMBER})\s*%\s*$")
_FORMAT_ORDER = ("w", "d", "h", "m", "s")

DURATION_HINT = "a duration such as 30s, 12m, 1.5h, 2d, 1w or 1h30m"
RATE_HINT = "a rate such as 12/h, 300/d, 0.5/m or 2000/w"
PERCENT_HINT = "a percentage such as 80% (or a fraction such as 0.8)"
RATIO_HINT = "a ratio such as 120% or 1.2"
GROWTH_HINT = "a growth rate such as 2%/w, -1%/w or 10%/4w"
_GROWTH = re.compile(rf"^\s*([-+]?{_NUMBER})\s*%\s*/\s*({_NUMBER})?\s*([a-zA-Z]+)\s*$")


def _unit(word: str) -> str | None:
    word = word.lower()
    if word in MINUTES_PER:
        return word
    return _UNIT_WORDS.get(word)


def parse_duration(value: object) -> float:
    """Minutes in a duration like ``90s``, ``12m``, ``1h30m`` or ``2d``.

    Bare numbers are refused: ``12`` could be seconds, minutes or hours.
    """
    if isinstance(value, (bool, int | float)):
        raise ValueError(f"{value!r} has no unit; write {DURATION_HINT}")
    if not isinstance(value, str):
        raise ValueError(f"expected {DURATION_HINT}, got {value!r}")
    text = value.strip()
    if text.startswith("-"):
        raise ValueError(f"{value!r} is negative; a duration is zero or more")
    pos, total, seen = 0, 0.0, False
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        unit = _unit(match.group(2)) if match else None
        if match is None or unit is None:
            if re.fullmatch(_NUMBER, text):
                raise ValueError(f"{value!r} has no unit; write {DURATION_HINT}")
            raise ValueError(f"{value!r} is not {DURATION_HINT}")
        total += float(match.group(1)) * MINUTES_PER[unit]
        pos, seen = match.end(), True
    if not seen:
        raise ValueError(f"{value!r} is not {DURATION_HINT}")
    if not math.isfinite(total):
        raise ValueError(f"{value!r} is not a finite duration")
    return total


def format_duration(minutes: float) -> str:
    """The shortest exact text for ``minutes`` (``0.5`` → ``30s``, ``90`` → ``90m``)."""
    if not math.isfinite(minutes):
        raise ValueError(f"cannot write the duration {minutes!r}")
    if minutes == 0:
        return "0m"
    for digits in range(7):
        for unit in _FORMAT_ORDER:
            count = minutes / MINUTES_PER[unit]
            text = f"{count:.{digits}f}"
            if digits:
                text = text.rstrip("0").rstrip(".")
            if parse_duration(f"{text}{unit}") == minutes:
                return f"{text}{unit}"
    return f"{minutes!r}m"


def parse_rate(value: object) -> float:
    """Events per minute in a rate like ``12/h``, ``300/d`` or ``5/30m``."""
    if isinstance(value, (bool, int | float)):
        raise ValueError(f"{value!r} has no unit; write {RATE_HINT}")
    if not isinstance(value, str):
        raise ValueError(f"expected {RATE_HINT}, got {value!r}")
    if value.strip().startswith("-"):
        raise ValueError(f"{value!r} is negative; a rate is zero or more")
    match = _RATE.match(value)
    unit = _unit(match.group(3)) if match else None
    if match is None or unit is None:
        raise ValueError(f"{value!r} is not {RATE_HINT}")
    per = float(match.group(2)) if match.group(2) else 1.0
    if per <= 0:
        raise ValueError(f"{value!r}: the period must be positive")
    return float(match.group(1)) / (per * MINUTES_PER[unit])


def format_rate(per_minute: float) -> str:
    """The shortest exact text for a rate in events per minute."""
    if not math.isfinite(per_minute):
        raise ValueError(f"cannot write the rate {per_minute!r}")
    for unit in ("h", "d", "w", "m"):
        count = per_minute * MINUTES_PER[unit]
        if count == round(count) and abs(count) < 1e15:
            text = f"{round(count)}/{unit}"
            if parse_rate(text) == per_minute:
                return text
    text = f"{per_minute * 60!r}/h"
    return text if parse_rate(text) == per_minute else f"{per_minute!r}/m"


def parse_percent(value: object) -> float:
    """A fraction in [0, 1] from ``80%``, ``0.8`` or ``1``."""
    if isinstance(value, bool):
        raise ValueError(f"expected {PERCENT_HINT}, got {value!r}")
    if isinstance(value, int | float):
        fraction = float(value)
        if fraction < 0:
            raise ValueError(f"{value!r} is negative; write a share from 0% to 100%")
        if fraction > 1:
            raise ValueError(f"{value!r} is above 1; write {value}% for a percentage")
    elif isinstance(value, str):
        match = _PERCENT.match(value)
        if match is None:
            try:
                return parse_percent(float(value))
            except ValueError:
                raise ValueError(f"{value!r} is not {PERCENT_HINT}") from None
        fraction = float(match.group(1)) / 100
    else:
        raise ValueError(f"expected {PERCENT_HINT}, got {value!r}")
    if not 0 <= fraction <= 1:
        raise ValueError(f"{value!r} is outside 0%..100%")
    return fraction


def _shortest(value: float, unit: str, parse: Callable[[str], float]) -> str | None:
    """The shortest ``N%`` + ``unit`` text that ``parse`` reads back as ``value``."""
    for digits in range(0, 15):
        text = f"{value * 100:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        text += "%" + unit
        if parse(text) == value:
            return text
    return None


def format_percent(fraction: float) -> str:
    """``0.8`` → ``80%``; falls back to the exact fraction when needed."""
    return _shortest(fraction, "", parse_percent) or repr(fraction)


def parse_ratio(value: object) -> float:
    """A non-negative ratio with no upper bound, from ``120%``, ``1.2`` or ``15%``."""
    if isinstance(value, bool):
        raise ValueError(f"expected {RATIO_HINT}, got {value!r}")
    if isinstance(value, int | float):
        ratio = float(value)
    elif isinstance(value, str):
        match = _PERCENT.match(value)
        if match is not None:
            ratio = float(match.group(1)) / 100
        else:
            try:
                ratio = float(value)
            except ValueError:
                raise ValueError(f"{value!r} is not {RATIO_HINT}") from None
    else:
        raise ValueError(f"expected {RATIO_HINT}, got {value!r}")
    if not math.isfinite(ratio) or ratio < 0:
        raise ValueError(f"{value!r} is negative; write {RATIO_HINT}")
    return ratio


def format_ratio(ratio: float) -> str:
    """``1.2`` → ``120%``; the exact number when no short percentage is exact."""
    return _shortest(ratio, "", parse_ratio) or repr(ratio)


def parse_growth(value: object) -> float:
    """Growth per week as a fraction, from ``2%/w``, ``-1%/w``, ``0.5%/d`` or ``10%/4w``
    (compounding: ``2%/w`` is ×1.02 after a week, ×1.02² after two)."""
    if not isinstance(value, str):
        raise ValueError(f"expected {GROWTH_HINT}, got {value!r}")
    match = _GROWTH.match(value)
    unit = _unit(match.group(3)) if match else None
    if match is None or unit is None:
        raise ValueError(f"{value!r} is not {GROWTH_HINT}")
    per = float(match.group(2)) if match.group(2) else 1.0
    factor = 1 + float(match.group(1)) / 100
    if per <= 0 or factor <= 0:
        raise ValueError(f"{value!r}: the period must be positive and the growth above -100%")
    return float(factor ** (MINUTES_PER["w"] / (per * MINUTES_PER[unit])) - 1)


def format_growth(weekly: float) -> str:
    """Weekly growth as text (``0.02`` → ``2%/w``)."""
    return _shortest(weekly, "/w", parse_growth) or f"{weekly * 100!r}%/w"


def humanize_minutes(minutes: float) -> str:
    """A short, readable (rounded) duration for tables: ``45s``, ``7m26s``, ``2h05m``, ``1.5d``."""
    if not math.isfinite(minutes):
        return "—" if math.isnan(minutes) else "∞"
    if minutes < 0:
        return "-" + humanize_minutes(-minutes)
    seconds = round(minutes * 60, 1)
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    whole_seconds = round(minutes * 60)
    if whole_seconds < 3600:
        return f"{whole_seconds // 60}m{whole_seconds % 60:02d}s"
    whole_minutes = round(minutes)
    if whole_minutes < 1440:
        return f"{whole_minutes // 60}h{whole_minutes % 60:02d}m"
    return f"{minutes / 1440:.1f}d"
