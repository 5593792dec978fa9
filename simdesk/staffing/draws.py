"""Each replication's tickets drawn once per search, not once per staffed plan.

A search simulates many plans of one scenario on common random numbers: replication
``r`` of every plan draws its tickets from the same named streams, and the plans differ
only in their agents. The draw (:func:`~simdesk.fates.tickets.draw_tickets`) reads the
scenario's arrivals, channels, segments, topics, tiers' handle times, resolutions and
reopens, volume and calendar — never its agents — so a batch drawn for one plan is the
batch of every other. :class:`TicketDraws` keeps them, keyed by replication, for as long
as the scenario outside its agents (:func:`draw_key`) and the root seed stay the same,
up to a budget of bytes above which it draws again.

Kept batches are made read-only: the engine and the tables only read them, and a write
would fail loudly rather than change the tickets of the plans simulated after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from simdesk.fates.streams import Streams
from simdesk.fates.tickets import TicketBatch, draw_tickets
from simdesk.plan.model import DeskPlan
from simdesk.scenario.load import scenario_to_dict

BUDGET = 256 * 2**20
"""Bytes of tickets a search keeps (about 85 four-week replications of a 1,400/day desk)."""

STAFFING_KEYS = ("agents", "rotation")
"""What a staffed plan changes in each tier: what the draw never reads."""


def draw_key(plan: DeskPlan) -> str:
    """The scenario of ``plan`` outside its tiers' agents, seed and replication count:
    two plans with the same key draw the same tickets from the same streams."""
    found = plan.cache.get(("draw_key",))
    if isinstance(found, str):
        return found
    data = scenario_to_dict(plan.scenario)
    data.pop("seed", None)
    data.pop("replications", None)
    for tier in data.get("tiers", {}).values():
        for key in STAFFING_KEYS:
            tier.pop(key, None)
    key = json.dumps(data, sort_keys=True, default=str)
    plan.cache[("draw_key",)] = key
    return key


def _arrays(batch: TicketBatch) -> list[np.ndarray]:
    """Every array of ``batch``, those of its customers' fates included."""
    found: list[np.ndarray] = []

    def collect(value: Any) -> None:
        if isinstance(value, np.ndarray):
            found.append(value)
        elif hasattr(value, "__dataclass_fields__"):
            for part in fields(value):
                collect(getattr(value, part.name))

    collect(batch)
    return found


def batch_bytes(batch: TicketBatch) -> int:
    """Bytes held by the arrays of ``batch``."""
    return sum(array.nbytes for array in _arrays(batch))


def freeze(batch: TicketBatch) -> TicketBatch:
    """``batch`` with every array read-only (the same arrays)."""
    for array in _arrays(batch):
        array.flags.writeable = False
    return batch


@dataclass
class TicketDraws:
    """Ticket batches by replication for the plans of one search (a ``draw`` for
    :func:`~simdesk.simulation.simulate`)."""

    budget: int = field(default_factory=lambda: BUDGET)
    """Bytes it may keep (default :data:`BUDGET`)."""
    key: tuple[str, int] | None = None
    """The draw key and root seed of the batches kept."""
    batches: dict[int, TicketBatch] = field(default_factory=dict)
    kept: int = 0
    """Bytes kept."""
    hits: int = 0
    draws: int = 0

    def __call__(self, plan: DeskPlan, streams: Streams) -> TicketBatch:
        """Replication ``streams.replication``'s tickets: kept, or drawn (and kept while
        the budget allows)."""
        key = (draw_key(plan), streams.seed)
        if key != self.key:
            self.batches.clear()
            self.kept = 0
            self.key = key
        batch = self.batches.get(streams.replication)
        if batch is not None:
            self.hits += 1
            return batch
        self.draws += 1
        batch = draw_tickets(plan, streams)
        size = batch_bytes(batch)
        if self.kept + size <= self.budget:
            self.batches[streams.replication] = freeze(batch)
            self.kept += size
        return batch

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for worker processes) empty: each process draws its own."""
        return {**self.__dict__, "key": None, "batches": {}, "kept": 0}
