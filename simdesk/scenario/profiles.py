"""Weekday × hour arrival profiles: built-in shapes and explicit ones.

A profile is a 7 × 24 table of multipliers (Monday first, hour 0 first). An arrival
stream's rate in a given hour is ``rate × profile[weekday, hour]``; with ``volume``
instead of ``rate`` the profile only gives the shape and the weekly mean rate equals
``volume``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, NonNegativeFloat, model_validator

from simdesk.scenario.base import SpecModel

ProfileTable = np.ndarray[tuple[int, int], np.dtype[np.float64]]

_OFFICE_DAY = [
    0.02, 0.01, 0.01, 0.01, 0.02, 0.05, 0.15, 0.45, 0.85, 1.00, 0.95, 0.85,
    0.70, 0.80, 0.85, 0.80, 0.65, 0.45, 0.25, 0.15, 0.10, 0.07, 0.05, 0.03,
]  # fmt: skip
_CONSUMER_DAY = [
    0.10, 0.05, 0.03, 0.02, 0.02, 0.04, 0.10, 0.25, 0.45, 0.60, 0.70, 0.75,
    0.75, 0.70, 0.70, 0.70, 0.75, 0.80, 0.90, 1.00, 1.00, 0.85, 0.55, 0.25,
]  # fmt: skip


def _table(weekdays: Sequence[float], hours: Sequence[float]) -> ProfileTable:
    return np.outer(np.asarray(weekdays, dtype=float), np.asarray(hours, dtype=float))


BUILTIN_PROFILES: dict[str, tuple[str, ProfileTable]] = {
    "24x7": ("the same rate every hour of the week", np.ones((7, 24))),
    "business-hours": (
        "Mon-Fri 08:00-18:00 at the full rate, nothing otherwise",
        _table([1, 1, 1, 1, 1, 0, 0], [0] * 8 + [1] * 10 + [0] * 6),
    ),
    "office": (
        "a B2B working day: ramp from 07:00, peak 09:00-10:00 (1.0), lunch dip, "
        "quiet evenings; weekends at 10 %",
        _table([1, 1, 1, 1, 1, 0.1, 0.1], _OFFICE_DAY),
    ),
    "consumer": (
        "a B2C day: busy afternoons, peak 19:00-21:00 (1.0); weekends at 80 %",
        _table([1, 1, 1, 1, 1, 0.8, 0.8], _CONSUMER_DAY),
    ),
}


class Profile(SpecModel):
    """A profile by built-in ``name``, or by ``weekdays`` × ``hours``, or a full ``matrix``."""

    name: Literal["24x7", "business-hours", "office", "consumer"] | None = None
    weekdays: Annotated[list[NonNegativeFloat], Field(min_length=7, max_length=7)] | None = None
    hours: Annotated[list[NonNegativeFloat], Field(min_length=24, max_length=24)] | None = None
    matrix: (
        Annotated[
            list[Annotated[list[NonNegativeFloat], Field(min_length=24, max_length=24)]],
            Field(min_length=7, max_length=7),
        ]
        | None
    ) = None

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_form(self) -> Profile:
        forms = [self.name is not None, self.weekdays is not None or self.hours is not None,
                 self.matrix is not None]
        if sum(forms) != 1:
            raise ValueError(
                "give a built-in name, or weekdays (7 values) and/or hours (24 values), "
                "or a matrix (7 rows of 24 values)"
            )
        if not self.table().any():
            raise ValueError("every multiplier is zero: no tickets would ever arrive")
        return self

    def table(self) -> ProfileTable:
        """The 7 × 24 multipliers, Monday 00:00 first."""
        if self.name is not None:
            return BUILTIN_PROFILES[self.name][1]
        if self.matrix is not None:
            return np.asarray(self.matrix, dtype=float)
        return _table(self.weekdays or [1.0] * 7, self.hours or [1.0] * 24)
