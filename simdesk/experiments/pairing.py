"""Which random draws two scenarios share: the check behind a paired comparison of
whole scenario files.

Every draw comes from a named stream of ``(seed, replication)`` (:mod:`simdesk.fates`),
so two scenarios run with one seed draw identical tickets wherever the inputs of those
draws agree. Rather than trusting that, :func:`shared_draws` draws the tickets of the
first replication of both plans and compares them field by field: arrival times,
channels, segments, topics, patience, handle times and the rest of a ticket's fate.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass

import numpy as np

from simdesk.fates.streams import Streams
from simdesk.fates.tickets import TicketBatch, draw_tickets
from simdesk.plan.model import DeskPlan

DRAWS = {
    "arrived": "arrival times", "channel": "channels", "segment": "segments",
    "topic": "topics", "patience": "patience", "handles": "handle times",
    "visits": "escalations", "deadline": "deadlines", "touches": "replies needed",
    "reply_after": "customer reply times", "followups": "follow-up handle times",
    "deflected": "self-service", "reopens": "repeat contacts",
    "reopen_after": "repeat-contact times", "reopen_handles": "repeat-contact handle times",
    "estimate_error": "effort estimates",
    "customers": "customers' redials, callbacks and overflow handle times",
}
"""Ticket fields and their names for a reader."""


@dataclass(frozen=True)
class Pairing:
    """How a variant's tickets compare with the baseline's."""

    tickets: int
    """Tickets drawn in the baseline's first replication."""
    differ: tuple[str, ...]
    """Names of the draws that differ (empty: identical tickets)."""

    @property
    def full(self) -> bool:
        return not self.differ


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if is_dataclass(a) and is_dataclass(b):  # the customer fates
        return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name))
                                          for f in fields(a))
    x, y = np.asarray(a), np.asarray(b)
    return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=x.dtype.kind == "f"))


def shared_draws(base: DeskPlan, variant: DeskPlan, seed: int) -> Pairing:
    """Draw replication 0's tickets of both plans with ``seed`` and compare them."""
    a: TicketBatch = draw_tickets(base, Streams(seed, 0))
    b: TicketBatch = draw_tickets(variant, Streams(seed, 0))
    differ = []
    for item in fields(TicketBatch):
        if not _same(getattr(a, item.name), getattr(b, item.name)):
            differ.append(DRAWS.get(item.name, item.name.replace("_", " ")))
    return Pairing(len(a), tuple(differ))
