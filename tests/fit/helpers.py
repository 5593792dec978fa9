"""A known desk for the fit's round trip: simulate it, export its tickets, fit them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from simdesk.fit import export_tickets, write_export
from simdesk.fit.times import zone_named
from simdesk.simulation import SimulationResult, simulate
from simdesk.store.results import write_results

CHAT_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0.7, 1, 1, 0.9, 0.8, 0.9, 1, 0.9, 0.8, 0.7, 0.5, 0, 0, 0,
              0, 0]
DESK: dict[str, Any] = {
    "name": "round trip desk",
    "start": "2026-01-05",
    "horizon": "4w",
    "warmup": "2d",
    "replications": 10,
    "channels": {
        "phone": {"sla": {"within": "30s", "target": "80%"},
                  "patience": {"dist": "exponential", "mean": "2m"}},
        "email": {"sla": {"within": "4h", "target": "90%"}, "response": "reply"},
        "chat": {"sla": {"within": "2m", "target": "80%"},
                 "patience": {"dist": "weibull", "mean": "6m", "cv": 0.8}},
    },
    "segments": {"paid": "30%", "free": "70%"},
    "topics": {"howto": {"share": "50%", "effort": 0.6}, "bug": {"share": "30%", "effort": 2.0},
               "billing": {"share": "20%", "effort": 1.0}},
    "arrivals": [
        {"channel": "phone", "rate": "12/h", "profile": "office"},
        {"channel": "email", "rate": "8/h", "profile": "office"},
        {"channel": "chat", "rate": "10/h",
         "profile": {"weekdays": [1, 1, 1, 1, 0.9, 0, 0], "hours": CHAT_HOURS}},
    ],
    "tiers": {
        "L1": {
            "agents": [{"shift": "Mon-Fri 07:00-15:00", "count": 4},
                       {"shift": "Mon-Fri 11:00-19:00", "count": 3},
                       {"shift": "daily 19:00-07:00", "count": 1},
                       {"shift": "Sat-Sun 07:00-19:00", "count": 1}],
            "handle": {"dist": "lognormal", "mean": "8m", "cv": 1},
            "handle_by": {"phone": {"dist": "gamma", "mean": "5m", "cv": 0.7}},
            "resolves": "85%",
            "escalate_to": "L2",
        },
        "L2": {"agents": [{"shift": "Mon-Fri 08:00-18:00", "count": 3}],
               "handle": {"dist": "gamma", "mean": "30m", "cv": 0.8}},
    },
}
"""Three channels (two with patience), two segments, three topics with efforts, L1 with a
handle time per channel, L2 reached by 15 %."""

EFFORT = {"howto": 0.6, "bug": 2.0, "billing": 1.0}


def desk(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(DESK)
    data.update(overrides)
    return data


def true_handle(tier: str, channel: str, topic: str) -> tuple[str, float, float]:
    """(family, mean, cv) of the desk's handle time for one channel and topic."""
    effort = EFFORT[topic]
    if tier == "L2":
        return "gamma", 30 * effort, 0.8
    if channel == "phone":
        return "gamma", 5 * effort, 0.7
    return "lognormal", 8 * effort, 1.0


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def simulated_export(folder: Path, data: dict[str, Any], *, seed: int, replications: int = 1,
                     preset: str = "simdesk", zone: str | None = None,
                     replication: int = 0, name: str = "tickets.csv"
                     ) -> tuple[SimulationResult, Path]:
    """Simulate ``data``, write its results to ``folder/run`` and export one replication."""
    result = simulate(data, seed=seed, replications=replications)
    run = write_results(result, folder / "run", overwrite=True)
    table = export_tickets(run, preset=preset, zone=zone_named(zone), replication=replication)
    return result, write_export(table, folder / name)
