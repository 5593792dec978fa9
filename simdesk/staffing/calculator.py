"""The Erlang calculator: service level, ASA, P(wait), occupancy, abandonment.

Erlang C (M/M/c, nobody hangs up) and, with a mean patience, Erlang A (M/M/c+M:
exponential patience). Either the figures for a given number of agents, the fewest
agents meeting a service-level target, or a table over a range of agent counts.
Times in minutes, rates per minute (the CLI parses ``200/h``, ``3m``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from simdesk.analytic import erlang_a, erlang_c
from simdesk.errors import SimdeskError


@dataclass(frozen=True)
class Figures:
    """What a number of agents achieves on a stationary load."""

    model: str
    agents: int
    rate: float
    mean_handle: float
    within: float
    service_level: float
    """Share of all contacts answered within ``within`` (abandoned ones count as missed)."""
    asa: float
    """Average speed of answer: mean wait of the contacts answered."""
    p_wait: float
    occupancy: float
    abandonment: float | None
    """Share who hang up before an answer (Erlang A only)."""

    @property
    def offered_load(self) -> float:
        return self.rate * self.mean_handle

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["offered_load"] = self.offered_load
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in data.items()}


def _check(rate: float, mean_handle: float, within: float) -> None:
    if rate <= 0 or mean_handle <= 0:
        raise SimdeskError("the rate and the handle time must be above zero")
    if within < 0:
        raise SimdeskError("the service-level time cannot be negative")


def figures(rate: float, mean_handle: float, within: float, agents: int,
            patience: float | None = None) -> Figures:
    """Erlang C figures (Erlang A with a mean ``patience``) for ``agents`` agents."""
    _check(rate, mean_handle, within)
    if agents < 1:
        raise SimdeskError(f"agents must be at least 1, got {agents}")
    if patience is None:
        c = erlang_c(rate, mean_handle, agents)
        return Figures("Erlang C", agents, rate, mean_handle, within, c.service_level(within),
                       c.asa, c.p_wait, min(c.occupancy, 1.0), None)
    a = erlang_a(rate, mean_handle, agents, patience)
    return Figures("Erlang A", agents, rate, mean_handle, within, a.service_level(within),
                   a.asa_served, a.p_wait, a.occupancy, a.p_abandon)


def agents_needed(rate: float, mean_handle: float, within: float, target: float,
                  patience: float | None = None) -> Figures:
    """The fewest agents whose service level is at least ``target``."""
    _check(rate, mean_handle, within)
    if not 0 < target < 1:
        raise SimdeskError("the target must be between 0% and 100% (exclusive)")
    load = rate * mean_handle
    low, high = 0, max(1, math.ceil(load + 10 * math.sqrt(load) + 20))
    while figures(rate, mean_handle, within, high, patience).service_level < target:
        low, high = high, high * 2
        if high > 100_000:
            raise SimdeskError("no staffing up to 100,000 agents reaches the target")
    while high - low > 1:  # the service level grows with agents: bisect
        middle = (low + high) // 2
        if figures(rate, mean_handle, within, middle, patience).service_level >= target:
            high = middle
        else:
            low = middle
    return figures(rate, mean_handle, within, high, patience)


def table(rate: float, mean_handle: float, within: float, agents: range,
          patience: float | None = None) -> list[Figures]:
    """Figures for every agent count in ``agents``."""
    return [figures(rate, mean_handle, within, n, patience) for n in agents]
