"""Annotated field types for the scenario schema: units in, units out."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

from simdesk.scenario import units
from simdesk.scenario.calendar import parse_shift


def _positive(value: float) -> float:
    if value <= 0:
        raise ValueError("must be more than zero")
    return value


Duration = Annotated[
    float,
    BeforeValidator(units.parse_duration),
    PlainSerializer(units.format_duration, return_type=str),
]
"""A duration in minutes, written ``30s``, ``12m``, ``4h``, ``2d`` or ``1w``."""

PositiveDuration = Annotated[Duration, AfterValidator(_positive)]

Rate = Annotated[
    float,
    BeforeValidator(units.parse_rate),
    PlainSerializer(units.format_rate, return_type=str),
]
"""Events per minute, written ``12/h``, ``300/d``."""

def _shift_text(value: object) -> str:
    return parse_shift(value).text


ShiftText = Annotated[str, BeforeValidator(_shift_text)]
"""A validated weekly shift, e.g. ``Mon-Fri 08:00-16:00``."""

Percent = Annotated[
    float,
    BeforeValidator(units.parse_percent),
    PlainSerializer(units.format_percent, return_type=str),
]
"""A fraction in [0, 1], written ``80%`` or ``0.8``."""

Ratio = Annotated[
    float,
    BeforeValidator(units.parse_ratio),
    PlainSerializer(units.format_ratio, return_type=str),
]
"""A non-negative ratio with no upper bound (a speed, a coefficient of variation),
written ``120%`` or ``1.2``."""

PositiveRatio = Annotated[Ratio, AfterValidator(_positive)]

Growth = Annotated[
    float,
    BeforeValidator(units.parse_growth),
    PlainSerializer(units.format_growth, return_type=str),
]
"""Compounding growth per week, written ``2%/w``, ``-1%/w`` or ``10%/4w``."""
