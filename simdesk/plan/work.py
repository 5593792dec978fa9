"""Expected work a plan leaves to agents, read by the diagnostics and by the ticket draws:
the reference handle times behind the ``easiest`` deflection threshold, drawn once per
plan with a fixed seed and cached on it."""

from __future__ import annotations

import numpy as np

from simdesk.plan.model import ChannelPlan, DeskPlan

QUANTILE_SEED = 20_260_105
QUANTILE_DRAWS = 200_000
"""Draws that estimate a handle-time quantile (the ``easiest`` deflection threshold)."""


def reference_handles(plan: DeskPlan, channel: ChannelPlan, topic: int) -> np.ndarray:
    """Fixed-seed draws of a topic's handle time at the channel's first working tier
    (computed once per plan; read-only)."""
    key = ("reference_handles", channel.index, topic)
    cached = plan.cache.get(key)
    if cached is None:
        tier = plan.tiers[channel.chain[channel.touch_step]]
        _, handle, scaled = tier.handle_for(channel.index, topic)
        reference = handle.sample(np.random.default_rng(QUANTILE_SEED), QUANTILE_DRAWS)
        cached = reference * plan.efforts[topic] if scaled else reference
        cached.flags.writeable = False
        plan.cache[key] = cached
    return cached


def work_left(plan: DeskPlan, channel: ChannelPlan, topic: int) -> float:
    """Share of a topic's first-tier work that self-service leaves to agents: ``1 − d``
    when it picks at random, less when it takes the easiest tickets (the work above the
    share's quantile of the handle time)."""
    spec = plan.deflection[topic] if topic < len(plan.deflection) else None
    if spec is None or spec.share <= 0:
        return 1.0
    if spec.picks == "random":
        return 1.0 - spec.share
    reference = reference_handles(plan, channel, topic)
    kept = reference >= np.quantile(reference, spec.share)
    return float(reference[kept].sum() / max(reference.sum(), 1e-300))
