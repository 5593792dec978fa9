"""Small desks for the output tests: one whose misses come from one block of hours."""

from __future__ import annotations

from typing import Any

from tests.helpers import scenario_dict

OFFICE_HOURS = {"weekdays": [1, 1, 1, 1, 1, 0, 0], "hours": [0] * 8 + [1] * 10 + [0] * 6}


def lunch_gap_desk(**overrides: Any) -> dict[str, Any]:
    """Phone 12/h on weekdays 08:00–18:00, five agents except one over a long lunch
    (12:00–14:00): most misses come from those two hours."""
    return scenario_dict(**{
        "start": "2026-01-05", "horizon": "3w", "warmup": "1w",
        "channels": {"phone": {"sla": {"within": "1m", "target": "90%"},
                               "patience": {"dist": "exponential", "mean": "3m"}}},
        "arrivals": [{"channel": "phone", "rate": "12/h", "profile": OFFICE_HOURS}],
        "tiers": {"L1": {"agents": [{"shift": "Mon-Fri 08:00-12:00", "count": 5},
                                    {"shift": "Mon-Fri 12:00-14:00", "count": 1},
                                    {"shift": "Mon-Fri 14:00-18:00", "count": 5}],
                         "handle": {"dist": "exponential", "mean": "10m"}}},
        **overrides})
