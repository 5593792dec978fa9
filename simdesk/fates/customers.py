"""What each customer will do if the desk is busy, drawn at birth like every other fate:
whether and when they redial after each failed attempt (and their patience then),
whether they take a callback when offered (and its handle time), and, for a channel that
overflows, the ticket's handle times and resolutions along the other channel's tiers.

Each draw comes from its own named stream per channel (``customers``, channel, what), so
turning a rule on leaves every other draw of the replication untouched.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simdesk.fates.streams import Streams
from simdesk.plan.customers import CustomerRules
from simdesk.plan.model import DeskPlan, TierPlan

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
TierHandles = Callable[[TierPlan, int, np.ndarray, np.ndarray, Streams,
                        tuple[str | int, ...]], np.ndarray]
Matrix = np.ndarray[tuple[int, int], np.dtype[np.float64]]


@dataclass(frozen=True)
class CustomerFates:
    """Per ticket (row ``i`` is ticket ``i`` of the batch)."""

    redial: Matrix
    """``[i, k]``: uniform draw; attempt ``k + 2`` happens if it is below the redial
    share of that attempt (``share × decay**k``)."""
    redial_after: Matrix
    """``[i, k]``: minutes from the end of attempt ``k + 1`` to attempt ``k + 2``."""
    redial_patience: Matrix
    """``[i, k]``: the customer's patience on attempt ``k + 2``."""
    callback: FloatArray
    """Uniform draw: the caller takes a callback when offered if below the share."""
    callback_handle: FloatArray
    """Handle time of the agent's call back."""
    overflow_handles: Matrix
    """``[i, k]``: handle time at the k-th tier of the overflow channel's chain."""
    overflow_visits: np.ndarray[tuple[int], np.dtype[np.int64]]
    """Tiers of the overflow channel's chain the ticket visits there."""


def draw_customer_fates(plan: DeskPlan, rules: CustomerRules, channel: np.ndarray,
                        topic: np.ndarray, streams: Streams, tier_handles: TierHandles
                        ) -> CustomerFates:
    """The customer fates of a batch whose tickets have these channels and topics;
    ``tier_handles`` draws handle times at a tier
    (:func:`simdesk.fates.tickets.tier_handles`)."""
    n = len(channel)
    width = max(rules.max_redials, 1)
    chain_width = max(len(c.chain) for c in plan.channels)
    redial = np.ones((n, width))
    after = np.full((n, width), math.nan)
    patience = np.full((n, width), math.inf)
    callback = np.ones(n)
    callback_handle = np.full(n, math.nan)
    overflow_handles = np.full((n, chain_width), math.nan)
    overflow_visits = np.zeros(n, dtype=np.int64)
    for spec, own in zip(plan.channels, rules.channels, strict=True):
        rows = channel == spec.index
        count = int(rows.sum())
        name = ("customers", spec.name)
        if own.redial is not None:
            k = own.redial.max
            redial[rows, :k] = streams.generator(*name, "redial").random((count, k))
            after[rows, :k] = own.redial.after.sample(
                streams.generator(*name, "redial", "after"), count * k).reshape(count, k)
            if spec.patience is not None:
                patience[rows, :k] = spec.patience.sample(
                    streams.generator(*name, "redial", "patience"), count * k
                ).reshape(count, k)
        if own.callback is not None:
            callback[rows] = streams.generator(*name, "callback").random(count)
            callback_handle[rows] = own.callback.handle.sample(
                streams.generator(*name, "callback", "handle"), count)
        if own.overflow_to is not None:
            target = plan.channels[own.overflow_to]
            effort = plan.efforts[topic[rows]]
            visits = np.full(count, len(target.chain), dtype=np.int64)
            undecided = np.ones(count, dtype=bool)
            for k, tier_index in enumerate(target.chain):
                tier = plan.tiers[tier_index]
                overflow_handles[rows, k] = tier_handles(
                    tier, target.index, topic[rows], effort, streams,
                    (*name, "overflow", tier.name, "handle"))
                resolved = streams.generator(*name, "overflow", tier.name, "resolves"
                                             ).random(count) < tier.resolves
                visits[undecided & resolved] = k + 1
                undecided &= ~resolved
            overflow_visits[rows] = visits
    return CustomerFates(redial, after, patience, callback, callback_handle,
                         overflow_handles, overflow_visits)
