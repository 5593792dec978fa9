"""Tickets and their fates, drawn at birth before any routing decision.

For each arrival stream, from its own named random streams: arrival times (an exact
non-homogeneous Poisson process by inversion of the cumulative rate), segment, topic,
patience, and for every tier the ticket may reach, its handle time there (the tier's
distribution, times the topic's effort unless the tier ignores topics, as a dispatcher
does) and whether that tier resolves it. The path a
ticket takes through the tiers is therefore fixed at birth; a routing policy decides
only who works it and when.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simdesk.plan import DeskPlan, StreamPlan
from simdesk.streams import Streams

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]


@dataclass(frozen=True)
class TicketBatch:
    """Every ticket of one replication, sorted by arrival; row ``i`` is ticket ``i``.

    ``handles[i, k]`` is the handle time at the k-th tier of the ticket's channel chain;
    the ticket visits the first ``visits[i]`` tiers of that chain.
    """

    arrived: FloatArray
    channel: IntArray
    segment: IntArray
    topic: IntArray
    patience: FloatArray
    visits: IntArray
    handles: np.ndarray[tuple[int, int], np.dtype[np.float64]]

    def __len__(self) -> int:
        return len(self.arrived)


def arrival_times(stream: StreamPlan, rng: np.random.Generator) -> FloatArray:
    """Exact NHPP arrivals in ``[0, horizon)``: unit-rate Poisson points mapped by Λ⁻¹.

    Points of a unit-rate process are cumulative sums of Exp(1) draws; a point at
    ``u`` becomes the time ``t`` with ``Λ(t) = u``. Λ is piecewise linear, so the
    inversion is exact. A higher rate maps the same draws to more, earlier points,
    which keeps sweeps over the rate on common random numbers.
    """
    total = stream.expected
    if total <= 0:
        return np.empty(0)
    chunk = int(total + 6 * math.sqrt(total) + 16)
    points = np.cumsum(rng.standard_exponential(chunk))
    while points[-1] < total:
        more = np.cumsum(rng.standard_exponential(chunk)) + points[-1]
        points = np.concatenate([points, more])
    points = points[points < total]
    cumulative = stream.cumulative
    active = stream.rates > 0
    starts, rates, base = stream.starts[active], stream.rates[active], cumulative[:-1][active]
    piece = np.searchsorted(base, points, side="right") - 1
    times = starts[piece] + (points - base[piece]) / rates[piece]
    return np.minimum(times, np.nextafter(stream.horizon, 0))


def _choose(shares: FloatArray, rng: np.random.Generator, n: int) -> IntArray:
    cumulative = np.cumsum(shares)
    cumulative /= cumulative[-1]
    return np.searchsorted(cumulative, rng.random(n), side="right").astype(np.int64)


def draw_tickets(plan: DeskPlan, streams: Streams) -> TicketBatch:
    """Draw every ticket of one replication and its fate."""
    width = max(len(c.chain) for c in plan.channels)
    parts: list[tuple[np.ndarray[Any, Any], ...]] = []
    for stream in plan.streams:
        channel = plan.channels[stream.channel]
        name = ("stream", channel.name, stream.number)
        arrived = arrival_times(stream, streams.generator(*name, "arrivals"))
        n = len(arrived)
        segment = _choose(stream.segment_shares, streams.generator(*name, "segment"), n)
        topic = _choose(stream.topic_shares, streams.generator(*name, "topic"), n)
        patience = (
            channel.patience.sample(streams.generator(*name, "patience"), n)
            if channel.patience is not None
            else np.full(n, math.inf)
        )
        effort = plan.efforts[topic]
        handles = np.full((n, width), math.nan)
        visits = np.full(n, len(channel.chain), dtype=np.int64)
        undecided = np.ones(n, dtype=bool)
        for k, tier_index in enumerate(channel.chain):
            tier = plan.tiers[tier_index]
            handles[:, k] = tier.handle.sample(streams.generator(*name, tier.name, "handle"), n)
            if tier.topic_effort:
                handles[:, k] *= effort
            resolved = streams.generator(*name, tier.name, "resolves").random(n) < tier.resolves
            stop = undecided & resolved
            visits[stop] = k + 1
            undecided &= ~resolved
        parts.append((arrived, np.full(n, stream.channel, dtype=np.int64), segment, topic,
                      patience, visits, handles))
    arrived = np.concatenate([p[0] for p in parts])
    order = np.argsort(arrived, kind="stable")
    columns = [np.concatenate([p[i] for p in parts])[order] for i in range(7)]
    return TicketBatch(*columns)
