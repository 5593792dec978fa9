"""Handle times that are not in the export: taken from ``--aht`` or left as a placeholder.

Arrivals, patience, mixes and the observed service level need no work times, so an
export without them is still fitted. A tier with no (or too few) work times gets the
average handle time the user gives, ``--aht 8m`` for every tier or ``--aht chat=6m
--aht L2=25m`` per channel or tier (a tier's value first, then the channel's, then the
general one). The shape is unknown, so it is written as an exponential (cv 1) with that
mean and said so. Without ``--aht`` the handle is a placeholder of
:data:`PLACEHOLDER_AHT` marked in the scenario for the user to replace, and the fit's
verifying simulation is skipped: it would check the placeholder, not the desk.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from simdesk.errors import SimdeskError
from simdesk.fit.handles import minutes_text
from simdesk.scenario.units import parse_duration

PLACEHOLDER_AHT = 8.0
"""Minutes written for a tier's handle time when neither the export nor ``--aht`` says."""


def parse_aht_options(items: Sequence[str]) -> dict[str, float]:
    """``--aht 8m`` / ``--aht chat=6m,L2=25m`` (repeatable) → ``{name or "": minutes}``."""
    found: dict[str, float] = {}
    for item in items:
        for part in item.split(","):
            if not part.strip():
                continue
            name, sep, value = part.rpartition("=")
            try:
                minutes = parse_duration(value.strip())
            except ValueError as exc:
                raise SimdeskError(f"--aht {part.strip()!r}: {exc}; write e.g. --aht 8m or "
                                   "--aht chat=6m") from None
            if minutes <= 0:
                raise SimdeskError(f"--aht {part.strip()!r}: a handle time must be positive")
            found[name.strip() if sep else ""] = minutes
    return found


def check_aht_names(aht: Mapping[str, float], channels: Collection[str],
                    tiers: Collection[str]) -> None:
    """Every ``--aht NAME=`` names a channel or a tier of the history."""
    for name in aht:
        if name and name not in channels and name not in tiers:
            raise SimdeskError(
                f"--aht {name}=...: no channel or tier named {name!r} in the history "
                f"(channels: {', '.join(sorted(channels))}; tiers: "
                f"{', '.join(sorted(tiers)) or 'L1'})")


@dataclass(frozen=True)
class AssumedHandle:
    """The handle time of a tier without work times in the export."""

    tier: str
    mean: float
    """Minutes: the tier's ``handle``."""
    by_channel: dict[str, float] = field(default_factory=dict)
    """channel → minutes (``handle_by``), from ``--aht CHANNEL=``."""
    placeholder: bool = False
    """True when neither the export nor ``--aht`` gave it."""

    def distribution(self, minutes: float | None = None) -> dict[str, object]:
        return {"dist": "exponential", "mean": minutes_text(self.mean if minutes is None
                                                            else minutes)}

    def comment(self) -> str:
        if self.placeholder:
            return (f"{self.tier}: NO WORK TIMES in the export: handle is a PLACEHOLDER of "
                    f"{minutes_text(self.mean)}; put your average handle time here (or pass "
                    "--aht)")
        return (f"{self.tier}: no work times in the export: handle time from --aht "
                "(exponential, cv 1: the shape is not known)")


def assume(tier: str, aht: Mapping[str, float], channels: Collection[str]) -> AssumedHandle:
    """The assumed handle time of ``tier``."""
    if tier in aht:
        return AssumedHandle(tier, aht[tier])
    by_channel = {c: aht[c] for c in channels if c in aht}
    if "" in aht:
        return AssumedHandle(tier, aht[""], by_channel)
    if by_channel:
        mean = sum(by_channel.values()) / len(by_channel)
        return AssumedHandle(tier, mean, by_channel)
    return AssumedHandle(tier, PLACEHOLDER_AHT, placeholder=True)


__all__ = ["PLACEHOLDER_AHT", "AssumedHandle", "assume", "check_aht_names",
           "parse_aht_options"]
