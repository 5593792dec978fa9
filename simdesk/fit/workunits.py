"""The unit of an export's work times: seconds, minutes, hours or a clock ``h:mm(:ss)``.

Tools write the time agents spent on a ticket differently: Jira's ``Time Spent`` and
Zendesk's ``Total time spent (sec)`` in seconds, Freshdesk's ``Time tracked`` as
``h:mm``, a custom field usually in minutes. The unit is taken from, in order:
``--work-unit``; values written as a clock (``0:12:30``, ``1:05``: hours and minutes,
seconds optional); the unit the preset documents for that column; a unit in the
column's name (``sec``, ``min``, ``hours``, ``(h)``, ...); the values' scale (whole
numbers with a median of 60 or more are seconds, anything else minutes). Whatever the
source, the median work time must then be plausible (:data:`PLAUSIBLE`), or the reader
stops: a seconds column read as minutes gives hours of work per ticket.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simdesk.errors import SimdeskError
from simdesk.scenario.units import humanize_minutes

UNITS: dict[str, float] = {"seconds": 1 / 60, "minutes": 1.0, "hours": 60.0}
"""Minutes per unit."""
PLAUSIBLE = (10 / 60, 240.0)
"""The range (minutes) a median work time per ticket and tier must fall in: 10 s to 4 h."""
_NAMED = (
    ("seconds", re.compile(r"\b(?:s|sec|secs|second|seconds)\b", re.IGNORECASE)),
    ("minutes", re.compile(r"\b(?:m|min|mins|minute|minutes)\b", re.IGNORECASE)),
    ("hours", re.compile(r"\b(?:h|hr|hrs|hour|hours)\b", re.IGNORECASE)),
)
_CLOCK = re.compile(r"^\d+:[0-5]\d(?::[0-5]\d)?$")


@dataclass(frozen=True)
class WorkUnit:
    """How a work-time column reads."""

    unit: str
    """``seconds``, ``minutes``, ``hours`` or ``clock``."""
    why: str
    """Where the unit came from, for the note the fit prints."""

    def minutes(self, items: np.ndarray | Any) -> np.ndarray:
        """Text items as minutes (NaN where unreadable)."""
        return to_minutes(items, self.unit)


def to_minutes(items: np.ndarray | Any, unit: str) -> np.ndarray:
    """Text work times in ``unit`` as minutes; NaN where not a number (or a clock).
    ``items``: an array or a text series (read as it is, without Python strings)."""
    import pandas as pd

    text = (items.astype("string") if isinstance(items, pd.Series)
            else pd.Series(items, dtype="string")).str.strip()
    numbers = np.array(pd.to_numeric(text, errors="coerce").to_numpy(dtype=float), copy=True)
    clocky = text.str.contains(":", regex=False).fillna(False).to_numpy(dtype=bool)
    if clocky.any():
        parts = text[clocky].str.extract(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$").astype(float)
        numbers[clocky] = (parts[0] * 60 + parts[1] + parts[2].fillna(0) / 60).to_numpy()
    if unit != "clock":
        numbers[~clocky] *= UNITS[unit]
    return numbers


def detect_unit(column: str, items: Sequence[Any], documented: str | None = None,
                given: str | None = None) -> WorkUnit:
    """The unit of a work-time column from its name ``column`` and its text ``items``
    (non-empty values, one per ticket and tier; an array, a categorical or a series with
    positions as index). Only a sample of about 5,000 is looked at."""
    if given is not None:
        return WorkUnit(given, "--work-unit")
    sample = np.asarray(items[:: max(1, len(items) // 5000)] if len(items) else items[:0],
                        dtype=object)
    clock = np.array([bool(_CLOCK.match(str(v).strip())) for v in sample], dtype=bool)
    if len(sample) and clock.mean() >= 0.5:
        return WorkUnit("clock", "written as h:mm(:ss)")
    if documented is not None:
        return WorkUnit(documented, f"{column!r} is in {documented} in this export")
    for unit, pattern in _NAMED:
        if pattern.search(column.replace("_", " ")):
            return WorkUnit(unit, f"from the column name {column!r}")
    numbers = to_minutes(sample, "minutes")
    positive = numbers[np.isfinite(numbers) & (numbers > 0)]
    if len(positive) and np.median(positive) >= 60 and np.mean(positive == np.round(
            positive)) >= 0.95:
        return WorkUnit("seconds", "from the values' scale: whole numbers with a median of "
                                   f"{np.median(positive):.0f}, read as seconds")
    return WorkUnit("minutes", "from the values' scale, read as minutes")


def check_plausible(minutes: np.ndarray, unit: WorkUnit, what: str) -> None:
    """Stop when the median work time is outside :data:`PLAUSIBLE` (unless the unit was
    given with ``--work-unit``)."""
    positive = minutes[np.isfinite(minutes) & (minutes > 0)]
    if not len(positive) or unit.why == "--work-unit":
        return
    median = float(np.median(positive))
    low, high = PLAUSIBLE
    if low <= median <= high:
        return
    other = [u for u in UNITS if u != unit.unit and low <= median / UNITS.get(
        unit.unit, 1.0) * UNITS[u] <= high]
    hint = (f"; if they are in {other[0]}, say so with --work-unit {other[0]}" if other
            else "; check the column (--map work_minutes=COLUMN) or name its unit with "
                 "--work-unit seconds|minutes|hours")
    shown = (f"{median * 60:.2g} s" if median < 1 else humanize_minutes(median))
    raise SimdeskError(
        f"{what}: read as {unit.unit} ({unit.why}), the median work time per ticket would "
        f"be {shown}, outside the plausible {humanize_minutes(low)} to "
        f"{humanize_minutes(high)}{hint}")


__all__ = ["PLAUSIBLE", "UNITS", "WorkUnit", "check_plausible", "detect_unit", "to_minutes"]
