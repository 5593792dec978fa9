"""Verdicts per pool of intervals: met, missed, or not yet known.

Per replication, a pool's value is the SLA attainment of the counted tickets of its
intervals (for a tier answering nobody first: minus the mean wait in its queue, against
minus the limit). Over the replications, its 95 % Student-t interval is compared with
the target: wholly above is *met*, wholly below is *missed*, across it is *undecided*
— the search then adds replications before acting on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd

from simdesk.metrics.stats import t_quantile
from simdesk.plan.model import DeskPlan
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


def per_replication(result: SimulationResult, goal: Goal) -> dict[str, np.ndarray]:
    """Per judged channel (or ``"wait"``): an array (replications × pools) of values,
    NaN where a pool counted no ticket in a replication."""
    plan = result.plan
    pools = goal.demand.pools
    replications = np.unique(result.tickets["replication"].to_numpy())
    position = {int(r): k for k, r in enumerate(replications)}
    found: dict[str, np.ndarray] = {}
    if goal.wait is not None:
        visits = result.visits.loc[(result.visits["tier"] == goal.tier)
                                   & (result.visits["queued"] >= plan.warmup)]
        left = visits["start"].fillna(visits["end"]).fillna(plan.horizon).to_numpy()
        queued = visits["queued"].to_numpy()
        rows = np.array([position[int(r)] for r in visits["replication"].to_numpy()],
                        dtype=np.int64)
        pool = goal.demand.classes[goal.demand.grid.of(queued, plan.clock)]
        found["wait"] = -_means(rows, pool, left - queued, len(replications), pools)
        return found
    tickets = result.tickets.loc[~result.tickets["warmup"].to_numpy(dtype=bool)]
    for channel_index in goal.demand.channels:
        channel = plan.channels[channel_index]
        chosen = tickets.loc[(tickets["channel"] == channel.name)
                             & tickets["sla_met"].notna().to_numpy(dtype=bool)]
        starts = clock_start(channel, chosen["arrived"].to_numpy())
        keep = np.isfinite(starts)
        rows = np.array([position[int(r)] for r in chosen["replication"].to_numpy()[keep]],
                        dtype=np.int64)
        pool = goal.demand.classes[goal.demand.grid.of(starts[keep], plan.clock)]
        met = chosen["sla_met"].to_numpy(dtype=float)[keep]
        found[channel.name] = _means(rows, pool, met, len(replications), pools)
    return found


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
    verdicts: list[dict[str, PoolVerdict]] = [{} for _ in range(goal.demand.pools)]
    for name, table in values.items():
        if name == "wait":
            target = -(goal.wait or 0.0)
        else:
            target = next(plan.channels[c].sla_target for c in goal.demand.channels
                          if plan.channels[c].name == name)
        for pool in range(goal.demand.pools):
            samples = table[:, pool]
            samples = samples[~np.isnan(samples)]
            if len(samples):
                verdicts[pool][name] = interval_verdict(samples, target)
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
                        plan: DeskPlan, start: int) -> int:
    """The fewest replications (``start``, doubling) at which this pool's verdict on
    these values was already decided (its value at all of them if never)."""
    rows = next(iter(values.values())).shape[0] if values else 0
    count = start
    while count < rows:
        head = {name: table[:count] for name, table in values.items()}
        channels = judge(head, goal, plan)[pool]
        if channels and pool_verdict(channels) is not Verdict.UNDECIDED:
            return count
        count *= 2
    return rows


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
