"""What one replication of the engine produces: flat arrays, with named columns."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
Matrix = np.ndarray[tuple[int, int], np.dtype[np.float64]]
LogEntry = tuple[float, str, int | None, str]

# Columns of RunRecord.visits: one row per stay of a ticket at a tier.
VISIT_TICKET = 0
VISIT_TIER = 1
VISIT_AGENT = 2
"""−1 if no agent picked it up."""
VISIT_QUEUED = 3
VISIT_START = 4
VISIT_END = 5
VISIT_CONTACT = 6
"""0 for the first contact, k for the k-th repeat contact."""
VISIT_COLUMNS = 7

# Columns of RunRecord.replies.
REPLY_TICKET, REPLY_TOUCH, REPLY_ASKED, REPLY_ANSWERED, REPLY_AGENT = range(5)
REPLY_COLUMNS = 5

# Columns of RunRecord.duty.
DUTY_AGENT, DUTY_ON, DUTY_OFF = range(3)
DUTY_COLUMNS = 3


# Columns of RuleRecord.events.
RULE_KIND, RULE_TIME, RULE_TICKET, RULE_AGENT, RULE_MINUTES = range(5)
RULE_COLUMNS = 5
RULE_INTERRUPT, RULE_REST = 0, 1
"""Kinds of rule events: a ticket set aside (minutes: its restart cost), a rest (minutes:
how long the agent stays off the queue, cut at the end of its shift)."""


@dataclass(frozen=True)
class RuleRecord:
    """What the desk rules did (:mod:`simdesk.engine.rules`); cross-tier help needs no
    record of its own: a helped visit is one whose agent belongs to another tier."""

    events: Matrix
    """Columns ``RULE_*``: kind, time, ticket (−1 for a rest), agent, minutes."""


@dataclass(frozen=True)
class CustomerRecord:
    """Per ticket, what the customer rules did (:mod:`simdesk.engine.customers`)."""

    attempts: np.ndarray[tuple[int], np.dtype[np.int64]]
    """Attempts the customer made (1: no redial)."""
    blocked: np.ndarray[tuple[int], np.dtype[np.bool_]]
    """The last attempt got a busy signal."""
    callback: np.ndarray[tuple[int], np.dtype[np.bool_]]
    """An agent called the customer back."""
    overflowed_from: np.ndarray[tuple[int], np.dtype[np.int64]]
    """The channel the ticket overflowed from (−1: none)."""
    channel: np.ndarray[tuple[int], np.dtype[np.int64]]
    """The channel the ticket ended in."""
    sla_from: FloatArray
    """When the SLA clock of the counted request started (arrival, overflow, redial)."""


@dataclass(frozen=True)
class RunRecord:
    """What one replication produced, as flat arrays (tables are built later)."""

    arrived: FloatArray
    first_response: FloatArray
    resolved: FloatArray
    abandoned_at: FloatArray
    refused: np.ndarray[tuple[int], np.dtype[np.bool_]]
    """Tickets the routing policy turned away at arrival (e.g. email for paid plans only)."""
    visits: Matrix
    """Columns ``VISIT_*``: ticket, tier, agent (−1 if never picked up), queued, start, end,
    contact (0 for the first contact, k for the k-th repeat contact).

    ``end`` is when the ticket left the tier: service done, or the customer gave up
    (then ``agent`` is −1 and ``start`` NaN); NaN if still there at the horizon.
    """
    replies: Matrix
    """Agent replies at the conversation tier. Columns ``REPLY_*``: ticket, touch (0 = the
    tier's first reply), asked (when the customer wrote), answered, agent."""
    duty: Matrix
    """Columns ``DUTY_*``: agent, on, off — when each agent was actually on the queue."""
    window: tuple[int, float, float]
    """The tiers, warm-up and horizon: what :attr:`queue_area` is measured over."""
    log: list[LogEntry] | None
    customers: CustomerRecord | None = None
    """What the customer rules did (``None``: the scenario has none)."""
    rules: RuleRecord | None = None
    """What the desk rules did (``None``: the scenario has none)."""
    actions: Matrix | None = None
    """The supervisor's actions (:mod:`simdesk.engine.supervisor`); ``None`` without one."""

    @cached_property
    def queue_area(self) -> FloatArray:
        """Per tier, ∫ queue length dt from the warm-up to the horizon
        (:func:`queue_areas`), computed when first read: a search builds no table of it."""
        return queue_areas(self.visits, *self.window)


def queue_areas(visits: Matrix, tiers: int, warmup: float, horizon: float) -> FloatArray:
    """Per tier, ∫ queue length dt over the measured window [``warmup``, ``horizon``].

    Little's law on the sample path: the area is the sum of every stay's waiting time
    inside the window. A stay waits from ``queued`` until an agent starts it, the
    customer leaves (``end`` without a ``start``), or the horizon; every ticket that
    ever waited has a visit row, so nothing is missed, and a customer who left counts
    only until they left.
    """
    start, end = visits[:, VISIT_START], visits[:, VISIT_END]
    left = np.where(np.isnan(start), np.where(np.isnan(end), horizon, end), start)
    inside = np.minimum(left, horizon) - np.maximum(visits[:, VISIT_QUEUED], warmup)
    return np.asarray(np.bincount(visits[:, VISIT_TIER].astype(np.int64),
                                  weights=np.clip(inside, 0.0, None), minlength=tiers),
                      dtype=np.float64)
