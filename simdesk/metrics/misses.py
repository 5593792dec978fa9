"""Why a channel missed its target, computed from the run: where the misses fall, who
gave up, and what those customers found waiting ahead of them.

A *miss* is a measured ticket with an SLA outcome that did not get its first response
within the target time (abandoned and refused tickets included, as in ``sla``). Misses
are counted per hour of arrival on the weekdays :func:`~simdesk.metrics.hours.pooled_days`
groups; a *block* is a run of consecutive hours of one such group whose attainment is
below the target. The queue a missed customer met is read from ``visits``: the tickets
waiting at the channel's first tier when they arrived, sorted into those of another
channel, those of the same channel, escalations from an earlier tier, repeat contacts
and follow-up work, and — across those — the ones left from hours when no agent of that
tier was on duty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from simdesk.metrics.hours import channel_codes as _channel_codes_of
from simdesk.metrics.hours import days_label, pooled_days
from simdesk.plan.model import ChannelPlan, DeskPlan
from simdesk.scenario.calendar import DAY_NAMES, MINUTES_PER_DAY, merge_intervals

WEEK = 7 * MINUTES_PER_DAY
LONGEST = 3
"""Most hours in a block: a block names where to act, not the whole day."""
SAMPLE = 400
"""Most missed customers whose queue is read (a seeded sample beyond that)."""


@dataclass(frozen=True)
class Block:
    """Consecutive hours of arrival (on a group of identical weekdays) below the target."""

    days: tuple[int, ...]
    start: int
    end: int
    """Hours ``start`` (inclusive) to ``end`` (exclusive, up to 24)."""
    share: float
    """Share of the channel's misses that arrived in the block."""
    tickets_share: float
    """Share of the channel's tickets (with an SLA outcome) that arrived in it."""
    sla: float
    """Attainment of the block's tickets (all replications pooled)."""
    gave_up: float
    """Share of the block's missed customers who gave up."""

    @property
    def label(self) -> str:
        return f"{days_label(list(self.days))} {self.start:02d}:00–{self.end:02d}:00"

    @property
    def shift(self) -> str:
        """The block as a shift text, e.g. ``Mon,Tue,Wed,Thu,Fri 08:00-10:00``."""
        return f"{days_text(self.days)} {self.start:02d}:00-{self.end:02d}:00"


@dataclass(frozen=True)
class QueueAhead:
    """What missed customers found waiting at their first tier, on average per customer."""

    tier: str
    waiting: float
    other_channels: dict[str, float]
    same_channel: float
    escalated: float
    repeat: float
    from_closed_hours: float
    """Of all those waiting, how many had queued while no agent of the tier was on duty."""


@dataclass
class ChannelMisses:
    """Why one channel missed (or nearly missed) its target."""

    channel: str
    verdict: str
    sla: float
    target: float
    missed: float
    """Missed tickets per replication."""
    gave_up: float
    """Share of the missed who gave up (abandoned)."""
    refused: float
    """Share of the missed who were refused at arrival."""
    blocks: list[Block]
    queue: QueueAhead | None
    suggestions: list[Suggestion] = field(default_factory=list)
    suggestion_note: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A change tried on the same tickets: the paired change in the channel's SLA."""

    change: str
    gain: float
    low: float
    high: float
    replications: int

    @property
    def significant(self) -> bool:
        return not math.isnan(self.low) and (self.low > 0 or self.high < 0)


def days_text(days: tuple[int, ...] | list[int] | frozenset[int]) -> str:
    """Weekdays as a shift writes them: ``Mon-Fri``, ``Sat``, ``Mon,Wed``."""
    ordered = sorted(days)
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]}-{DAY_NAMES[ordered[-1]]}"
    return ",".join(DAY_NAMES[d] for d in ordered)


def _arrival_cells(plan: DeskPlan, arrived: np.ndarray, groups: list[list[int]]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(group index, hour) of each arrival time."""
    pool = np.zeros(7, dtype=np.int64)
    for number, days in enumerate(groups):
        pool[days] = number
    minute = (arrived + plan.clock.week_offset) % WEEK
    return (pool[(minute // MINUTES_PER_DAY).astype(np.int64)],
            ((minute % MINUTES_PER_DAY) // 60).astype(np.int64))


def _blocks(plan: DeskPlan, t: pd.DataFrame, missed: np.ndarray, decided: np.ndarray,
            gave_up: np.ndarray, target: float, most: int = 3) -> list[Block]:
    groups = pooled_days(plan)
    pool, hour = _arrival_cells(plan, t["arrived"].to_numpy(dtype=float), groups)
    cell = pool * 24 + hour
    size = len(groups) * 24
    n_missed = np.bincount(cell[missed], minlength=size).astype(float)
    n_decided = np.bincount(cell[decided], minlength=size).astype(float)
    n_gave_up = np.bincount(cell[missed & gave_up], minlength=size).astype(float)
    total = n_missed.sum()
    if total == 0:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        below = (n_decided > 0) & (1 - n_missed / n_decided < target)
    runs: list[tuple[int, int, int]] = []
    free = below.copy()
    while free.any() and len(runs) < most:  # greedy: the worst hour, grown to its worst
        seed = int(np.argmax(np.where(free, n_missed, -1.0)))  # neighbours, up to LONGEST
        number, begin = divmod(seed, 24)
        end = begin + 1
        while end - begin < LONGEST:
            after = number * 24 + end if end < 24 else -1
            before = number * 24 + begin - 1 if begin > 0 else -1
            options = [(n_missed[c], c) for c in (after, before) if c >= 0 and free[c]]
            if not options:
                break
            _, chosen = max(options)
            if chosen == after:
                end += 1
            else:
                begin -= 1
        free[number * 24 + begin: number * 24 + end] = False
        runs.append((number, begin, end))
    if not runs:  # close but no hour below the target: the hours holding most misses
        top = np.argsort(-n_missed, kind="stable")[:most]
        runs = [(int(c) // 24, int(c) % 24, int(c) % 24 + 1) for c in top if n_missed[c] > 0]
    blocks = []
    for number, begin, end in runs:
        cells = slice(number * 24 + begin, number * 24 + end)
        misses = n_missed[cells].sum()
        blocks.append(Block(tuple(groups[number]), begin, end, float(misses / total),
                            float(n_decided[cells].sum() / max(n_decided.sum(), 1)),
                            float(1 - misses / max(n_decided[cells].sum(), 1)),
                            float(n_gave_up[cells].sum() / max(misses, 1))))
    return sorted(blocks, key=lambda b: -b.share)[:most]


def _closed(plan: DeskPlan, tier: int) -> list[tuple[float, float]]:
    """When no agent (helpers aside) of ``tier`` is on duty, as scenario intervals."""
    covered = merge_intervals(i for agent in plan.tiers[tier].agents for i in agent.duty
                              if agent.helper is None)
    gaps, last = [], 0.0
    for begin, end in covered:
        if begin > last:
            gaps.append((last, begin))
        last = max(last, end)
    if last < plan.horizon:
        gaps.append((last, plan.horizon))
    return gaps


class _Ahead:
    """Count, for many arrival times ``a`` at once, the stays of a set that were waiting
    at ``a``: queued before ``a`` and not yet left (``queued < a < left``).

    A stay that leaves before it queued never counts; for the others, the count is
    ``#(queued < a) − #(left ≤ a) + #(queued = left = a)`` (a stay that left by ``a``
    queued by then, before ``a`` unless it queued and left at ``a``): binary searches in
    the stays sorted once, and running counts of each set in that order.
    """

    def __init__(self, queued: np.ndarray, left: np.ndarray) -> None:
        self.counted = left >= queued  # False for NaN too: such a stay is never waiting
        self.by_queued = np.argsort(queued, kind="stable")
        self.queued = queued[self.by_queued]
        self.by_left = np.argsort(left, kind="stable")
        self.left = left[self.by_left]
        instant = np.flatnonzero(self.counted & (queued == left))
        self.by_instant = instant[np.argsort(queued[instant], kind="stable")]
        self.instant = queued[self.by_instant]

    def count(self, mask: np.ndarray, at: np.ndarray) -> np.ndarray:
        """For each time of ``at``: the stays of ``mask`` waiting then."""
        mine = mask & self.counted

        def below(order: np.ndarray, values: np.ndarray,
                  side: Literal["left", "right"]) -> np.ndarray:
            running = np.concatenate([[0], np.cumsum(mine[order])])
            return np.asarray(running[np.searchsorted(values, at, side=side)])

        instant = (below(self.by_instant, self.instant, "right")
                   - below(self.by_instant, self.instant, "left"))
        return np.asarray(below(self.by_queued, self.queued, "left")
                          - below(self.by_left, self.left, "right") + instant, dtype=np.int64)


def _waiting_at(queued: np.ndarray, left: np.ndarray, ids: np.ndarray, masks: list[np.ndarray],
                tickets: np.ndarray, arrived: np.ndarray) -> list[np.ndarray]:
    """For each mask, per missed ticket (``tickets``, arriving at ``arrived``): how many
    stays of the mask were waiting when it arrived, its own stays left out."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    first = np.searchsorted(sorted_ids, tickets, side="left")
    last = np.searchsorted(sorted_ids, tickets, side="right")
    ahead = _Ahead(queued, left)
    counts = []
    for mask in masks:
        found = ahead.count(mask, arrived)
        for k in np.flatnonzero(last > first).tolist():  # a ticket's own stays
            own = order[first[k]:last[k]]
            a = arrived[k]
            found[k] -= int(np.count_nonzero(mask[own] & (queued[own] < a) & (left[own] > a)))
        counts.append(found)
    return counts


def _channel_codes(plan: DeskPlan, tickets: pd.DataFrame, replication: object,
                   ids: np.ndarray) -> np.ndarray:
    """The channel of each ticket ``ids`` of ``replication``, as its index in the plan
    (``len(plan.channels)`` for a ticket not in the table)."""
    mine = (tickets["replication"] == replication).to_numpy(dtype=bool)
    numbers = tickets["ticket"].to_numpy(dtype=np.int64)[mine]
    codes = _channel_codes_of(plan, tickets["channel"])[mine]
    size = max(int(numbers.max(initial=-1)), int(ids.max(initial=-1))) + 1
    lookup = np.full(size, len(plan.channels), dtype=np.int64)
    lookup[numbers] = codes
    return (lookup[ids.astype(np.int64)] if len(ids)
            else np.zeros(0, dtype=np.int64))


def _waiting_at_some(queued: np.ndarray, left: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Which stays were waiting (``queued < t < left``) at one of ``times`` at least."""
    ordered = np.sort(times)
    after = np.searchsorted(ordered, queued, side="right")  # the first time after queued
    inside = after < len(ordered)
    inside[inside] = ordered[after[inside]] < left[inside]
    return inside


def _queue_ahead(plan: DeskPlan, channel: ChannelPlan, tickets: pd.DataFrame,
                 visits: pd.DataFrame, missed_rows: pd.DataFrame) -> QueueAhead | None:
    tier = channel.chain[0]
    name = plan.tiers[tier].name
    if missed_rows.empty:
        return None
    if len(missed_rows) > SAMPLE:
        missed_rows = missed_rows.sample(SAMPLE, random_state=0)
    at_tier = (visits["tier"] == name).to_numpy(dtype=bool)
    visit_replication = visits["replication"].to_numpy()
    columns = {c: visits[c].to_numpy(dtype=float) for c in ("queued", "start", "end")}
    visit_ticket = visits["ticket"].to_numpy()
    contact = visits["contact"].to_numpy() if "contact" in visits else None
    labels = [*(c.name for c in plan.channels), "nan"]  # the last: a ticket not in the table
    first_tier = {c.name: c.chain[0] for c in plan.channels}
    gaps = _closed(plan, tier)
    totals: dict[str, float] = {}
    counts = {"waiting": 0.0, "same": 0.0, "escalated": 0.0, "repeat": 0.0, "closed": 0.0}
    for replication, rows in missed_rows.groupby("replication"):
        arrived = rows["arrived"].to_numpy(dtype=float)
        chosen = np.flatnonzero(at_tier & (visit_replication == replication))
        queued = columns["queued"][chosen]
        left = columns["start"][chosen]
        left = np.where(np.isnan(left), columns["end"][chosen], left)
        left = np.where(np.isnan(left), plan.horizon, left)
        # Only stays waiting at one of the sampled arrivals (queued < a < left) count, and
        # a ticket's earlier stays tell whether a stay is follow-up work: keep those, and
        # every stay of their tickets — a few thousand of a run's millions.
        waiting = _waiting_at_some(queued, left, arrived)
        ids = visit_ticket[chosen]
        keep = np.isin(ids, ids[waiting])
        chosen, queued, left, ids = chosen[keep], queued[keep], left[keep], ids[keep]
        codes = _channel_codes(plan, tickets, replication, ids)
        repeat = contact[chosen] > 0 if contact is not None else np.zeros(len(ids), bool)
        escalated = np.array([first_tier.get(label, tier) != tier for label in labels],
                             dtype=bool)[codes]
        follow_up = np.zeros(len(ids), dtype=bool)
        if len(ids):
            first_visit = pd.Series(queued).groupby(ids).transform("min").to_numpy()
            follow_up = (queued > first_visit) & ~repeat & ~escalated
        in_gap = np.zeros(len(ids), dtype=bool)
        for begin, end in gaps:
            in_gap |= (queued >= begin) & (queued < end)
        plain = ~escalated & ~repeat & ~follow_up
        same = codes == channel.index
        found = np.unique(codes[plain & ~same]).tolist()
        others = sorted((c for c in found if labels[c] != channel.name), key=lambda c: labels[c])
        masks = [np.ones(len(ids), dtype=bool), escalated, repeat | follow_up, in_gap,
                 plain & same, *(plain & (codes == o) for o in others)]
        waiting, up, back, closed, same_count, *by_other = _waiting_at(
            queued, left, ids, masks, rows["ticket"].to_numpy(), arrived)
        counts["waiting"] += int(waiting.sum())
        counts["escalated"] += int(up.sum())
        counts["repeat"] += int(back.sum())
        counts["closed"] += int(closed.sum())
        counts["same"] += int(same_count.sum())
        seen = np.stack(by_other, axis=1) if by_other else np.zeros((len(rows), 0), np.int64)
        for row in seen:  # channels in the order they are first met, as a dict keeps them
            for other, number in zip(others, row.tolist(), strict=True):
                if number:
                    totals[labels[other]] = totals.get(labels[other], 0.0) + float(number)
    n = len(missed_rows)
    return QueueAhead(name, counts["waiting"] / n,
                      {k: v / n for k, v in sorted(totals.items(), key=lambda kv: -kv[1])},
                      counts["same"] / n, counts["escalated"] / n, counts["repeat"] / n,
                      counts["closed"] / n)


def channel_misses(plan: DeskPlan, tickets: pd.DataFrame, visits: pd.DataFrame,
                   channel: ChannelPlan, verdict: str, sla: float) -> ChannelMisses:
    """Where a channel's misses fall, who gave up, and the queue they met."""
    chosen = ~tickets["warmup"].to_numpy(dtype=bool) & (
        tickets["channel"] == channel.name).to_numpy(dtype=bool)
    if "deflected" in tickets:
        chosen &= ~tickets["deflected"].to_numpy(dtype=bool)
    t = tickets.loc[chosen, ["replication", "ticket", "arrived", "sla_met", "abandoned",
                             "refused"]]
    outcome = t["sla_met"].to_numpy(dtype=float, na_value=np.nan)
    decided = ~np.isnan(outcome)
    missed = decided & (outcome == 0)
    gave_up = t["abandoned"].to_numpy(dtype=bool)
    refused = t["refused"].to_numpy(dtype=bool)
    replications = max(tickets["replication"].nunique(), 1)
    total = int(missed.sum())
    blocks = _blocks(plan, t, missed, decided, gave_up, channel.sla_target)
    worst = t.loc[missed]
    if blocks:
        groups = pooled_days(plan)
        pool, hour = _arrival_cells(plan, worst["arrived"].to_numpy(dtype=float), groups)
        first = blocks[0]
        number = next(i for i, g in enumerate(groups) if tuple(g) == first.days)
        worst = worst.loc[(pool == number) & (hour >= first.start) & (hour < first.end)]
    return ChannelMisses(
        channel.name, verdict, sla, channel.sla_target, total / replications,
        float((missed & gave_up).sum() / max(total, 1)),
        float((missed & refused).sum() / max(total, 1)), blocks,
        _queue_ahead(plan, channel, tickets, visits, worst.loc[~worst["refused"]]))


__all__ = ["Block", "ChannelMisses", "QueueAhead", "Suggestion", "channel_misses", "days_text"]
