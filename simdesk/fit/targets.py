"""Service targets, which ticket data does not hold: ``--sla``, ``--staff`` or presets.

A channel's target comes from ``--sla CHANNEL=WITHIN@TARGET`` first, then from the
``--staff`` scenario, then from the presets below (the targets of the help desk
literature simdesk is built on: answer the phone within 30 s, voicemail within 30 min,
email within 4 h). A channel with none of these gets a placeholder — the wait that 80 %
of its tickets got in the history, rounded up, with a target of 80 % — and a warning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from simdesk.errors import SimdeskError
from simdesk.scenario.units import parse_duration, parse_percent

SLA_PRESETS: dict[str, tuple[float, float]] = {
    "phone": (0.5, 0.8),
    "voicemail": (30.0, 0.8),
    "email": (240.0, 0.9),
}
"""channel → (within, target): phone 80 % within 30 s, voicemail 80 % within 30 min,
email 90 % within 4 h."""
PLACEHOLDER_TARGET = 0.8
NICE_MINUTES = (0.25, 0.5, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480,
                720, 1440, 2880)


def parse_sla_options(items: Sequence[str]) -> dict[str, tuple[float, float]]:
    """``--sla chat=2m@80%`` (repeatable, or comma-separated) → ``{channel: (within,
    target)}``."""
    targets: dict[str, tuple[float, float]] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            channel, sep, rest = part.partition("=")
            within, at, target = rest.partition("@")
            if not sep or not at or not channel.strip():
                raise SimdeskError(f"--sla {part.strip()!r}: write CHANNEL=WITHIN@TARGET, "
                                   "e.g. --sla chat=2m@80%")
            try:
                targets[channel.strip()] = (parse_duration(within.strip()),
                                            parse_percent(target.strip()))
            except ValueError as exc:
                raise SimdeskError(f"--sla {part.strip()!r}: {exc}") from None
    return targets


def placeholder_within(waits: np.ndarray) -> float:
    """The 80th percentile of the waits, rounded up to a round duration."""
    waits = waits[~np.isnan(waits)]
    if len(waits) == 0:
        return 60.0
    wait = float(np.quantile(waits, PLACEHOLDER_TARGET))
    return next((m for m in NICE_MINUTES if m >= wait), math.ceil(wait / 1440) * 1440.0)
