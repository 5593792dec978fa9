"""Verdicts per pool of intervals: met, missed, or not yet known.

Per replication, a pool's value is the SLA attainment of the counted tickets of its
intervals (for a tier answering nobody first: minus the mean wait in its queue, against
minus the limit); on a desk that forgets within a day, per week of each replication
(batch means: a week is when a pool's intervals recur). Over those samples, its 95 %
Student-t interval is compared with the target: wholly above is *met*, wholly below
is *missed*, across it is *undecided* — the search then adds replications before
acting on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd

from simdesk.metrics.stats import t_quantile
from simdesk.plan.model import DeskPlan
from simdesk.scenario.calendar import MINUTES_PER_DAY, MINUTES_PER_WEEK
from simdesk.simulation import SimulationResult
from simdesk.staffing.demand import Demand, clock_start


class Verdict(Enum):
    MET = "met"
    MISSED = "missed"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class PoolVerdict:
    """One pool's value over the replications and the verdict against its target."""

    mean: float
    half_width: float
    target: float
    replications: int
    verdict: Verdict


@dataclass(frozen=True)
class Goal:
    """What one staffed tier must achieve, per pool."""

    tier: str
    tier_index: int
    demand: Demand
    wait: float | None
    """For a tier answering no channel first: the most its queue may make tickets wait."""
    targets: tuple[float, ...]
    """Per judged channel (with ``wait``: unused)."""


MEMORY_FOR_WEEKS = float(MINUTES_PER_DAY)
"""A desk whose judged channels remember less than this (SLA time plus mean patience,
no clock that stops) has weeks that are nearly independent samples of every pool."""


def batches_per_replication(plan: DeskPlan, goal: Goal) -> int:
    """Samples each replication gives of every pool: one per week of the measured
    window (batch means) when the tier's demand forgets within a day — a backlog can
    carry across at most the first day of a week — else one.

    Weeks are what makes a pool's interval recur, so a replication of W weeks holds W
    samples of each pool: a verdict has W times the degrees of freedom, and the
    search needs fewer replications to take it."""
    if goal.wait is not None:
        return 1
    for index in goal.demand.channels:
        channel = plan.channels[index]
        if channel.sla_hours is not None:
            return 1
        patience = channel.patience.expected if channel.patience is not None else 0.0
        within = channel.sla_within if not math.isnan(channel.sla_within) else 0.0
        if within + patience > MEMORY_FOR_WEEKS:
            return 1
    first, last = _weeks(plan)
    return max(1, last - first + 1)


def _weeks(plan: DeskPlan) -> tuple[int, int]:
    """The first and last week (of the scenario clock) of the measured window."""
    offset = plan.clock.week_offset
    first = int((plan.warmup + offset) // MINUTES_PER_WEEK)
    last = int((np.nextafter(plan.horizon, -np.inf) + offset) // MINUTES_PER_WEEK)
    return first, max(first, last)


def per_replication(result: SimulationResult, goal: Goal, batches: int = 1
                    ) -> dict[str, np.ndarray]:
    """Per judged channel (or ``"wait"``): an array ((replications × ``batches``) ×
    pools) of values, NaN where a pool counted no ticket in a replication (or, with
    ``batches`` from :func:`batches_per_replication`, in a week of one)."""
    plan = result.plan
    pools = goal.demand.pools
    grid = goal.demand.grid
    replications = _replications(result.tickets["replication"].to_numpy())
    lookup = np.zeros(int(replications.max(initial=0)) + 1, dtype=np.int64)
    lookup[replications] = np.arange(len(replications))
    first_week = _weeks(plan)[0]

    def rows_and_pools(replication: np.ndarray, moment: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
        slot = grid.slots(moment, plan.clock)
        row = lookup[replication.astype(np.int64)] * batches
        if batches > 1:
            week = slot // grid.count
            row = row + np.clip(week - first_week, 0, batches - 1)
        return row, goal.demand.classes[slot % grid.count]

    found: dict[str, np.ndarray] = {}
    size = len(replications) * batches
    if goal.wait is not None:
        visits = result.visits.loc[(result.visits["tier"] == goal.tier)
                                   & (result.visits["queued"] >= plan.warmup)]
        left = visits["start"].fillna(visits["end"]).fillna(plan.horizon).to_numpy()
        queued = visits["queued"].to_numpy()
        rows, pool = rows_and_pools(visits["replication"].to_numpy(), queued)
        found["wait"] = -_means(rows, pool, left - queued, size, pools)
        return found
    tickets = result.tickets  # columns as arrays: no copy of the whole table
    judged = ~tickets["warmup"].to_numpy(dtype=bool) & tickets["sla_met"].notna().to_numpy(
        dtype=bool)
    for channel_index in goal.demand.channels:
        channel = plan.channels[channel_index]
        chosen = np.flatnonzero(judged & (tickets["channel"] == channel.name).to_numpy(
            dtype=bool))
        starts = clock_start(channel, tickets["arrived"].to_numpy()[chosen])
        keep = np.isfinite(starts)
        if not keep.all():  # a clock that never starts (business hours over)
            chosen, starts = chosen[keep], starts[keep]
        rows, pool = rows_and_pools(tickets["replication"].to_numpy()[chosen], starts)
        met = tickets["sla_met"].to_numpy(dtype=float, na_value=np.nan)[chosen]
        found[channel.name] = _means(rows, pool, met, size, pools)
    return found


def _replications(column: np.ndarray) -> np.ndarray:
    """The replications in a table's ``replication`` column, in order (``np.unique``;
    a run's tables come sorted by replication, which takes one pass)."""
    if len(column) and bool(np.all(column[1:] >= column[:-1])):
        found: np.ndarray = column[np.concatenate([[True], column[1:] != column[:-1]])]
        return found
    return np.unique(column)


def _means(rows: np.ndarray, pool: np.ndarray, values: np.ndarray, replications: int,
           pools: int) -> np.ndarray:
    flat = rows * pools + pool
    size = replications * pools
    sums = np.bincount(flat, weights=values, minlength=size)
    counts = np.bincount(flat, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        means: np.ndarray = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return means.reshape(replications, pools)


def judge(values: dict[str, np.ndarray], goal: Goal, plan: DeskPlan
          ) -> list[dict[str, PoolVerdict]]:
    """Per pool, per judged channel: its verdict."""
    targets = _targets(values, goal, plan)
    return [_pool(values, targets, pool) for pool in range(goal.demand.pools)]


def _targets(values: dict[str, np.ndarray], goal: Goal, plan: DeskPlan) -> dict[str, float]:
    """Per judged channel (or ``"wait"``, negated like its values): the target."""
    return {name: -(goal.wait or 0.0) if name == "wait" else next(
                plan.channels[c].sla_target for c in goal.demand.channels
                if plan.channels[c].name == name)
            for name in values}


def _pool(values: dict[str, np.ndarray], targets: dict[str, float], pool: int
          ) -> dict[str, PoolVerdict]:
    """One pool's verdict per judged channel (none where it counted no ticket)."""
    verdicts: dict[str, PoolVerdict] = {}
    for name, table in values.items():
        samples = table[:, pool]
        samples = samples[~np.isnan(samples)]
        if len(samples):
            verdicts[name] = interval_verdict(samples, targets[name])
    return verdicts


def interval_verdict(samples: np.ndarray, target: float) -> PoolVerdict:
    """Met, missed or undecided: the 95 % interval of the mean against ``target``."""
    count = len(samples)
    mean = float(np.mean(samples))
    if count < 2:
        return PoolVerdict(mean, math.inf, target, count, Verdict.UNDECIDED)
    spread = float(np.std(samples, ddof=1))
    half = t_quantile(count) * spread / math.sqrt(count)
    if mean - half >= target - 1e-12:
        verdict = Verdict.MET
    elif mean + half < target - 1e-12:
        verdict = Verdict.MISSED
    else:
        verdict = Verdict.UNDECIDED
    return PoolVerdict(mean, half, target, count, verdict)


def needed_replications(values: dict[str, np.ndarray], pool: int, goal: Goal,
                        plan: DeskPlan, start: int, batches: int = 1,
                        steps: Sequence[int] = ()) -> int:
    """The fewest replications (``steps``, the sizes the run grew through; default
    ``start``, doubling) at which this pool's verdict on these values was already
    decided (its value at all of them if never). Rows are replications × ``batches``."""
    rows = next(iter(values.values())).shape[0] if values else 0
    replications = rows // max(batches, 1)
    sizes = list(steps) or _doubling(start, replications)
    targets = _targets(values, goal, plan)
    for count in sizes:
        if count >= replications:
            break
        head = {name: table[:count * batches] for name, table in values.items()}
        channels = _pool(head, targets, pool)
        if channels and pool_verdict(channels) is not Verdict.UNDECIDED:
            return count
    return replications


def _doubling(start: int, most: int) -> list[int]:
    sizes, count = [], start
    while count < most:
        sizes.append(count)
        count *= 2
    return sizes


def pool_verdict(channels: dict[str, PoolVerdict]) -> Verdict:
    """A pool is missed if any channel is, met if all are, else undecided."""
    states = {v.verdict for v in channels.values()}
    if Verdict.MISSED in states:
        return Verdict.MISSED
    if Verdict.UNDECIDED in states:
        return Verdict.UNDECIDED
    return Verdict.MET


def binding(channels: dict[str, PoolVerdict]) -> str:
    """The channel with the least margin over its target ("" when none is judged)."""
    if not channels:
        return ""
    return min(channels.items(), key=lambda item: item[1].mean - item[1].target)[0]


def channel_sla(result: SimulationResult) -> pd.DataFrame:
    """Per channel with a target: whole-horizon SLA mean and 95 % CI, and the target."""
    summary = result.summary
    rows = summary.loc[(summary["scope"] == "channel") & (summary["metric"] == "sla")]
    targets = {c.name: c.sla_target for c in result.plan.channels}
    frame = rows[["group", "mean", "ci_low", "ci_high"]].rename(columns={"group": "channel"})
    frame = frame.assign(target=frame["channel"].map(targets))
    return frame.loc[frame["target"].notna()].reset_index(drop=True)
