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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from simdesk.fates.customers import CustomerFates, draw_customer_fates
from simdesk.fates.streams import Streams
from simdesk.plan.customers import customer_rules
from simdesk.plan.model import ChannelPlan, DeskPlan, StreamPlan, TierPlan
from simdesk.plan.work import reference_handles, work_left
from simdesk.scenario.calendar import MINUTES_PER_DAY, WorkingTime, parse_shift

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]
__all__ = ["TicketBatch", "draw_tickets", "for_tables", "work_left"]


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
    deadline: FloatArray
    """When the first response's SLA runs out (∞ without an SLA)."""
    estimate_error: FloatArray
    """A standard normal draw per ticket: the error of an agent's effort estimate, scaled
    by the routing policy's ``noise`` (so every policy sees the same errors)."""
    touches: IntArray
    """Agent replies the ticket needs (1: a single reply closes the conversation)."""
    reply_after: np.ndarray[tuple[int, int], np.dtype[np.float64]]
    """``[i, k]``: minutes the customer takes to answer agent reply ``k + 1``."""
    followups: np.ndarray[tuple[int, int], np.dtype[np.float64]]
    """``[i, k]``: handle time of agent reply ``k + 2`` at the conversation tier."""
    deflected: np.ndarray[tuple[int], np.dtype[np.bool_]] | None = None
    """Answered by self-service: never reaches an agent (``None``: no deflection)."""
    reopens: IntArray | None = None
    """Repeat contacts the ticket will have once resolved (``None``: no reopens)."""
    reopen_after: np.ndarray[tuple[int, int], np.dtype[np.float64]] | None = None
    """``[i, k]``: minutes from the k-th resolution to the customer coming back."""
    reopen_handles: np.ndarray[tuple[int, int], np.dtype[np.float64]] | None = None
    """``[i, k]``: handle time of the (k + 1)-th repeat contact."""
    customers: CustomerFates | None = None
    """Redial, callback and overflow fates (``None``: no customer rules)."""
    checkback_after: np.ndarray[tuple[int, int], np.dtype[np.float64]] | None = None
    """``[i, k]``: minutes from the (k + 1)-th resolution to a check-back (a follow-up
    after the fix), NaN when that resolution gets none (``None``: no follow-ups)."""
    checkback_handles: np.ndarray[tuple[int, int], np.dtype[np.float64]] | None = None
    """``[i, k]``: the agent time of that check-back."""

    def __len__(self) -> int:
        return len(self.arrived)


def for_tables(batch: TicketBatch) -> TicketBatch:
    """The batch as the tables read it once the engine has run: arrival times, channel,
    segment, topic, touches and deflection. The draws only the engine reads (patience,
    handle times, deadlines, estimate errors, reply and repeat-contact times, customer
    fates) become empty arrays, so that their memory is freed before the tables are
    built (a fifth of the peak of a big run)."""
    none = np.empty(0)
    rows = np.empty((0, 0))
    return replace(
        batch, patience=none, visits=np.empty(0, dtype=np.int64), handles=rows,
        deadline=none, estimate_error=none, reply_after=rows, followups=rows,
        reopen_after=None if batch.reopen_after is None else rows,
        reopen_handles=None if batch.reopen_handles is None else rows,
        checkback_after=None if batch.checkback_after is None else rows,
        checkback_handles=None if batch.checkback_handles is None else rows,
        customers=None)


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


def tier_handles(tier: TierPlan, channel: int, topic: IntArray, effort: FloatArray,
                 streams: Streams, name: tuple[str | int, ...]) -> FloatArray:
    """Handle times at ``tier`` for tickets of ``channel`` with these topics: the tier's
    distribution (times the topic's effort) or its ``handle_by`` override, each drawn
    from its own random stream (``name`` plus the override's key)."""
    n = len(topic)
    if not tier.handle_by:
        drawn = tier.handle.sample(streams.generator(*name), n)
        return drawn * effort if tier.topic_effort else drawn
    handles = np.empty(n)
    keys: dict[str, list[int]] = {}
    for index in np.unique(topic).tolist():
        keys.setdefault(tier.handle_for(channel, index)[0], []).append(index)
    for key, topics in keys.items():
        _, handle, scaled = tier.handle_for(channel, topics[0])
        drawn = handle.sample(streams.generator(*name, *([key] if key else [])), n)
        rows = np.isin(topic, topics)
        handles[rows] = (drawn * effort)[rows] if scaled else drawn[rows]
    return handles


def _choose(shares: FloatArray, rng: np.random.Generator, n: int) -> IntArray:
    cumulative = np.cumsum(shares)
    cumulative /= cumulative[-1]
    return np.searchsorted(cumulative, rng.random(n), side="right").astype(np.int64)


def day_factors(plan: DeskPlan, streams: Streams) -> dict[int, FloatArray]:
    """Per channel, each calendar day's volume factor (mean 1) for this replication.

    Day ``d`` is the d-th local calendar day from the start date. With ``shared`` one
    series serves every channel.
    """
    volume = plan.volume
    if volume is None or volume.day_factor is None:
        return {}
    spec = volume.day_factor
    days = int((plan.clock.week_offset % MINUTES_PER_DAY + plan.horizon) // MINUTES_PER_DAY) + 1

    def draw(rng: np.random.Generator) -> FloatArray:
        if spec.cv == 0:
            return np.ones(days)
        if spec.dist == "gamma":
            shape = 1 / spec.cv**2
            return rng.gamma(shape, 1 / shape, days)
        sigma2 = math.log1p(spec.cv**2)
        return rng.lognormal(-sigma2 / 2, math.sqrt(sigma2), days)

    if volume.shared:
        shared = draw(streams.generator("volume", "day"))
        return {channel.index: shared for channel in plan.channels}
    return {channel.index: draw(streams.generator("volume", "day", channel.name))
            for channel in plan.channels}


def _scaled(plan: DeskPlan, stream: StreamPlan, factors: FloatArray) -> StreamPlan:
    """The stream with each piece's rate times its calendar day's factor."""
    midnight = plan.clock.week_offset % MINUTES_PER_DAY
    day = ((stream.starts + midnight) // MINUTES_PER_DAY).astype(np.int64)
    return replace(stream, rates=stream.rates * factors[day])


def draw_tickets(plan: DeskPlan, streams: Streams) -> TicketBatch:
    """Draw every ticket of one replication and its fate."""
    width = max(len(c.chain) for c in plan.channels)
    factors = day_factors(plan, streams)
    deflects = any(d is not None and d.share > 0 for d in plan.deflection)
    reopen_width = plan.max_reopens
    checking = uses_followups(plan)
    parts: list[tuple[np.ndarray[Any, Any], ...]] = []
    for stream in plan.streams:
        channel = plan.channels[stream.channel]
        name = ("stream", channel.name, stream.number)
        if stream.channel in factors:
            stream = _scaled(plan, stream, factors[stream.channel])
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
        touches = _touches(plan, channel, topic, streams.generator(*name, "touches"))
        replies, followups = _conversation(plan, channel, topic, effort, touches, streams,
                                           name)
        handles = np.full((n, width), math.nan)
        visits = np.full(n, len(channel.chain), dtype=np.int64)
        undecided = np.ones(n, dtype=bool)
        for k, tier_index in enumerate(channel.chain):
            tier = plan.tiers[tier_index]
            handles[:, k] = tier_handles(tier, stream.channel, topic, effort, streams,
                                         (*name, tier.name, "handle"))
            resolved = streams.generator(*name, tier.name, "resolves").random(n) < tier.resolves
            stop = undecided & resolved
            visits[stop] = k + 1
            undecided &= ~resolved
        extras: tuple[np.ndarray[Any, Any], ...] = ()
        if deflects:
            extras += (_deflected(plan, channel, topic, effort, handles, streams, name),)
        if reopen_width:
            extras += _reopen_fates(plan, channel, topic, effort, visits, streams, name,
                                    reopen_width, checking)
        parts.append((arrived, np.full(n, stream.channel, dtype=np.int64), segment, topic,
                      patience, visits, handles, channel.deadline(arrived),
                      streams.generator(*name, "estimate").standard_normal(n), touches,
                      replies, followups, *extras))
    columns = _in_arrival_order(parts)
    batch = TicketBatch(*columns[:12])  # type: ignore[arg-type]
    rest = iter(columns[12:])
    names = (("reopens", "reopen_after", "reopen_handles") if reopen_width else ()) + (
        ("checkback_after", "checkback_handles") if checking else ())
    batch = replace(batch,
                    deflected=next(rest) if deflects else None,
                    **dict(zip(names, rest, strict=True)))  # type: ignore[arg-type]
    batch = _segment_deadlines(plan, batch)
    rules = customer_rules(plan)
    if rules is None:
        return batch
    return replace(batch, customers=draw_customer_fates(plan, rules, batch.channel,
                                                        batch.topic, streams, tier_handles))


def _in_arrival_order(parts: list[tuple[np.ndarray[Any, Any], ...]]
                      ) -> list[np.ndarray[Any, Any]]:
    """Each column of the streams' parts, joined and sorted by arrival (stable: equal
    times keep the order of the streams). A single stream is in order already (its
    arrivals are cumulative sums) and is taken as it is; else each part's column is let
    go once joined, so that a big run holds its draws about once, not twice."""
    if len(parts) == 1:
        return list(parts[0])
    order = np.argsort(np.concatenate([p[0] for p in parts]), kind="stable")
    pending = [list(p) for p in parts]
    parts.clear()
    columns = []
    done = np.empty(0)
    for i in range(len(pending[0])):
        columns.append(np.concatenate([p[i] for p in pending])[order])
        for p in pending:
            p[i] = done
    return columns


def _segment_deadlines(plan: DeskPlan, batch: TicketBatch) -> TicketBatch:
    """The deadlines of segments with their own ``sla`` (routing policies read them)."""
    targets = {index: getattr(plan.scenario.segments.get(name), "sla", None)
               for index, name in enumerate(plan.segments)}
    if not any(targets.values()):
        return batch
    deadline = batch.deadline.copy()
    for index, sla in targets.items():
        if sla is None:
            continue
        rows = batch.segment == index
        if sla.hours is None:
            deadline[rows] = batch.arrived[rows] + sla.within
        else:
            hours = WorkingTime.within(parse_shift(sla.hours).intervals(plan.clock,
                                                                        plan.horizon))
            deadline[rows] = hours.deadline(batch.arrived[rows], sla.within)
    return replace(batch, deadline=deadline)


def _deflected(plan: DeskPlan, channel: ChannelPlan, topic: IntArray, effort: FloatArray,
               handles: np.ndarray, streams: Streams, name: tuple[str | int, ...]
               ) -> np.ndarray[tuple[int], np.dtype[np.bool_]]:
    """Which tickets self-service answers: a topic's ``share`` of them, at random or
    the easiest (handle time at the first working tier below the share's quantile)."""
    uniform = streams.generator(*name, "deflection").random(len(topic))
    deflected = np.zeros(len(topic), dtype=bool)
    step = channel.touch_step
    for index, spec in enumerate(plan.deflection):
        if spec is None or spec.share <= 0:
            continue
        rows = topic == index
        if spec.picks == "random":
            deflected[rows] = uniform[rows] < spec.share
            continue
        reference = reference_handles(plan, channel, index)
        deflected[rows] = handles[rows, step] < np.quantile(reference, spec.share)
    return deflected


def uses_followups(plan: DeskPlan) -> bool:
    """Some tier's or topic's reopens have a follow-up (a check-back after the fix)."""
    specs = [t.reopens for t in plan.tiers] + list(plan.topic_reopens)
    return any(r is not None and r.share > 0 and r.followup is not None for r in specs)


def _reopen_fates(plan: DeskPlan, channel: ChannelPlan, topic: IntArray, effort: FloatArray,
                  visits: IntArray, streams: Streams, name: tuple[str | int, ...], width: int,
                  checking: bool = False) -> tuple[np.ndarray, ...]:
    """How many times each ticket comes back after it is resolved, when, and how long
    each repeat contact takes at the tier that resolved it; with ``checking``, also each
    resolution's check-back (when after it, how long; NaN: none). A followed-up
    resolution reopens with its share lowered; the uniforms deciding reopens are the same
    with or without follow-ups (common random numbers)."""
    n = len(topic)
    count = np.zeros(n, dtype=np.int64)
    after = np.full((n, width), math.nan)
    handles = np.full((n, width), math.nan)
    check_after = np.full((n, width + 1), math.nan)
    check_handles = np.full((n, width + 1), math.nan)
    uniform = streams.generator(*name, "reopen").random((n, width))
    resolver = np.asarray(channel.chain)[visits - 1] if n else np.zeros(0, dtype=np.int64)
    for tier_index in np.unique(resolver).tolist():
        tier = plan.tiers[tier_index]
        for index, own in enumerate(plan.topic_reopens):
            spec = own if own is not None else tier.reopens
            rows = (resolver == tier_index) & (topic == index)
            if spec is None or spec.share <= 0 or not rows.any():
                continue
            key = ("topic", plan.topics[index]) if own is not None else ()
            k, m = spec.max, int(rows.sum())
            share: float | np.ndarray = spec.share
            if spec.followup is not None:
                followup = spec.followup
                stem = (*name, tier.name, "followup", *key)
                followed = streams.generator(*stem).random((m, k + 1)) < followup.share
                share = np.where(followed[:, :k], spec.share * (1 - followup.lowers),
                                 spec.share)
                waits = followup.after.sample(streams.generator(*stem, "after"), m * (k + 1))
                works = followup.handle.sample(streams.generator(*stem, "handle"), m * (k + 1))
                check_after[rows, : k + 1] = np.where(followed, waits.reshape(m, -1), math.nan)
                check_handles[rows, : k + 1] = np.where(followed, works.reshape(m, -1),
                                                        math.nan)
            back = uniform[rows, : spec.max] < share
            count[rows] = np.argmin(np.column_stack([back, np.zeros(len(back), bool)]), axis=1)
            rng = streams.generator(*name, tier.name, "reopen", *key, "after")
            after[rows, :k] = spec.after.sample(rng, rows.sum() * k).reshape(-1, k)
            rng = streams.generator(*name, tier.name, "reopen", *key, "handle")
            if spec.handle is not None:
                handles[rows, :k] = spec.handle.sample(rng, rows.sum() * k).reshape(-1, k)
            else:
                _, handle, scaled = tier.handle_for(channel.index, index)
                drawn = handle.sample(rng, rows.sum() * k).reshape(-1, k)
                handles[rows, :k] = drawn * effort[rows, None] if scaled else drawn
    if checking:
        return count, after, handles, check_after, check_handles
    return count, after, handles


def _touches(plan: DeskPlan, channel: ChannelPlan, topic: IntArray,
             rng: np.random.Generator) -> IntArray:
    """Agent replies each ticket needs: its topic's shares, else its channel's."""
    uniform = rng.random(len(topic))
    touches = np.empty(len(topic), dtype=np.int64)
    for index, own in enumerate(plan.topic_touches):
        rows = topic == index
        shares = channel.touches if own is None else own
        cumulative = np.cumsum(shares) / np.sum(shares)
        touches[rows] = np.searchsorted(cumulative, uniform[rows], side="right") + 1
    return touches


def _conversation(plan: DeskPlan, channel: ChannelPlan, topic: IntArray, effort: FloatArray,
                  touches: IntArray, streams: Streams, name: tuple[str | int, ...]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Customer answer delays and follow-up handle times (NaN where not needed)."""
    extra = plan.max_touches - 1
    replies = np.full((len(touches), extra), math.nan)
    followups = np.full((len(touches), extra), math.nan)
    if extra == 0 or channel.reply_after is None or touches.max(initial=1) < 2:
        return replies, followups
    tier = plan.tiers[channel.chain[channel.touch_step]]
    for k in range(extra):
        replies[:, k] = channel.reply_after.sample(
            streams.generator(*name, "reply_after", k + 1), len(touches))
        followups[:, k] = tier_handles(tier, channel.index, topic, effort, streams,
                                       (*name, tier.name, "followup", k + 1))
    needed = np.arange(extra)[None, :] < (touches - 1)[:, None]
    return np.where(needed, replies, math.nan), np.where(needed, followups, math.nan)
