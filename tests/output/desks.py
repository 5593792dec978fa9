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


def overnight_backlog_desk(**overrides: Any) -> dict[str, Any]:
    """Email all day and night, phone 08:00–18:00, three agents 08:00–17:30 taking both
    first come, first served: at 08:00 callers queue behind the night's email."""
    return scenario_dict(**{
        "start": "2026-01-05", "horizon": "3w", "warmup": "1w",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"},
                               "patience": {"dist": "exponential", "mean": "3m"}},
                     "email": {"sla": {"within": "8h", "target": "80%"}}},
        "arrivals": [{"channel": "phone", "rate": "10/h", "profile": OFFICE_HOURS},
                     {"channel": "email", "rate": "2/h"}],
        "tiers": {"L1": {"agents": [{"shift": "Mon-Fri 08:00-17:30", "count": 3}],
                         "handle": {"dist": "exponential", "mean": "8m"}}},
        **overrides})
