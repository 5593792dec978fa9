"""Aggregations behind the report's figures: small tables from the big ones.

Every function here reduces per-ticket or per-visit tables to what a figure shows —
quantile points, a weekday × hour grid, 10-minute bins, flows between tiers — so a
figure never carries one point per ticket. Tables carry a ``policy`` column (a run is a
comparison of one policy); ticket measures count tickets that arrived after the
warm-up, as the metrics do.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from simdesk.metrics.tiers import agent_metrics
from simdesk.plan.model import DeskPlan
from simdesk.scenario.calendar import MINUTES_PER_DAY, MINUTES_PER_WEEK

ECDF_POINTS = 200
"""Quantile points per wait curve."""
BIN_MINUTES = 10.0
"""Width of the bins of the queue-over-time figure."""


def measured(tickets: pd.DataFrame) -> pd.DataFrame:
    """Tickets that count: arrived after the warm-up, not refused at arrival."""
    keep = ~tickets["warmup"].to_numpy(dtype=bool) & ~tickets["refused"].to_numpy(dtype=bool)
    kept: pd.DataFrame = tickets.loc[keep]
    return kept


def sla_clock_wait(plan: DeskPlan, tickets: pd.DataFrame) -> np.ndarray:
    """First-response wait on each channel's SLA clock: business minutes for channels
    whose target counts business hours only (``sla.hours``), else plain minutes."""
    wait = tickets["wait"].to_numpy(dtype=float).copy()
    codes = tickets["channel"].cat.codes.to_numpy()
    for channel in plan.channels:
        if channel.sla_hours is None:
            continue
        rows = codes == channel.index
        if not rows.any():
            continue
        hours = channel.sla_hours
        wait[rows] = (hours.elapsed(tickets["first_response"].to_numpy(dtype=float)[rows])
                      - hours.elapsed(tickets["arrived"].to_numpy(dtype=float)[rows]))
    return wait


# -- waits -----------------------------------------------------------------------------


def wait_curves(plan: DeskPlan, tickets: pd.DataFrame, points: int = ECDF_POINTS
                ) -> pd.DataFrame:
    """Share of customers answered within each wait, per policy, channel and segment.

    Over the tickets answered or abandoned (as abandonment is counted): the curve
    climbs to the answered share and stays below 100 % by the share who gave up.
    Waits are on the SLA clock. ``points`` quantiles per curve: columns ``policy,
    channel, segment, share, wait, answered, gave_up, tickets``.
    """
    t = measured(tickets)
    wait = sla_clock_wait(plan, t)
    answered = ~np.isnan(wait)
    abandoned = t["abandoned"].to_numpy(dtype=bool)
    keys = pd.DataFrame({"policy": t["policy"].to_numpy(), "channel": t["channel"].to_numpy(),
                         "segment": t["segment"].to_numpy()})
    frames = []
    probabilities = np.linspace(0.0, 1.0, points)
    groups = keys.groupby(["policy", "channel", "segment"], observed=True, sort=True).indices
    for key, rows in groups.items():
        policy, channel, segment = cast(tuple[str, str, str], key)
        waits = np.sort(wait[rows][answered[rows]])
        gave_up = int(abandoned[rows].sum())
        if len(waits) == 0:
            continue
        base = len(waits) + gave_up
        frames.append(pd.DataFrame({
            "policy": policy, "channel": channel, "segment": segment,
            "share": probabilities * len(waits) / base,
            "wait": np.quantile(waits, probabilities),
            "answered": len(waits), "gave_up": gave_up, "tickets": base,
        }))
    columns = ["policy", "channel", "segment", "share", "wait", "answered", "gave_up",
               "tickets"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# -- the week grid ---------------------------------------------------------------------


def week_cells(plan: DeskPlan, minutes: np.ndarray) -> np.ndarray:
    """Weekday × 24 + hour (Monday 0) of scenario minutes, on the scenario's calendar."""
    week_minute = (np.asarray(minutes, dtype=float) + plan.clock.week_offset) % MINUTES_PER_WEEK
    return ((week_minute // MINUTES_PER_DAY) * 24
            + (week_minute % MINUTES_PER_DAY) // 60).astype(np.int64)


def cell_hours(plan: DeskPlan) -> np.ndarray:
    """How many hours of each weekday × hour cell the measured window holds (168 values):
    the number of times it occurred, fractions at the edges."""
    start, end = plan.warmup, plan.horizon
    if end <= start:
        return np.zeros(168)
    minutes = np.arange(math.floor(start), math.ceil(end), dtype=float) + 0.5
    minutes = minutes[(minutes > start) & (minutes < end)]
    return np.bincount(week_cells(plan, minutes), minlength=168) / 60.0


@dataclass(frozen=True)
class WeekGrid:
    """Per policy and channel, 7 × 24 arrays (Monday first, hour 0 first)."""

    p90: dict[tuple[str, str], np.ndarray]
    """90th percentile of the first-response wait (SLA clock) of tickets arriving in the
    cell, answered ones; NaN where none was answered."""
    answered: dict[tuple[str, str], np.ndarray]
    """Tickets answered per cell, over all replications."""
    arrivals: dict[tuple[str, str], np.ndarray]
    """Mean tickets arriving in that hour per week (channel ``""``: every channel)."""
    replications: int


def week_grid(plan: DeskPlan, tickets: pd.DataFrame) -> WeekGrid:
    """The wait and arrival grids by weekday and hour of arrival."""
    t = tickets.loc[~tickets["warmup"].to_numpy(dtype=bool)]
    cells = week_cells(plan, t["arrived"].to_numpy(dtype=float))
    wait = sla_clock_wait(plan, t)
    refused = t["refused"].to_numpy(dtype=bool)
    occurrences = cell_hours(plan)
    frame = pd.DataFrame({"policy": t["policy"].to_numpy(), "channel": t["channel"].to_numpy(),
                          "replication": t["replication"].to_numpy(), "cell": cells,
                          "wait": np.where(refused, np.nan, wait)})
    replications = max(int(frame["replication"].nunique()), 1)
    p90: dict[tuple[str, str], np.ndarray] = {}
    answered: dict[tuple[str, str], np.ndarray] = {}
    arrivals: dict[tuple[str, str], np.ndarray] = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        per_occurrence = np.where(occurrences > 0, 1 / (replications * occurrences), np.nan)
    done = frame.dropna(subset=["wait"])
    keys = ["policy", "channel", "cell"]
    every_cell = pd.RangeIndex(168)
    quantiles = _wide(done.groupby(keys, observed=True)["wait"].quantile(0.9), every_cell)
    counts = _wide(done.groupby(keys, observed=True).size(), every_cell)
    arrived = _wide(frame.groupby(keys, observed=True).size(), every_cell)
    for policy in tickets["policy"].cat.categories:
        every = np.zeros(168)
        for channel in plan.channels:
            key = (str(policy), channel.name)
            grid = _row(quantiles, key, np.nan)
            arriving = _row(arrived, key, 0.0)
            p90[key] = grid.reshape(7, 24)
            answered[key] = _row(counts, key, 0.0).reshape(7, 24)
            arrivals[key] = (arriving * per_occurrence).reshape(7, 24)
            every += arriving
        arrivals[(str(policy), "")] = (every * per_occurrence).reshape(7, 24)
    return WeekGrid(p90, answered, arrivals, replications)


def _wide(series: pd.Series, cells: pd.Index) -> dict[tuple[str, str], np.ndarray]:
    """``(policy, channel, cell) → value`` as ``(policy, channel) → 168 values``."""
    if series.empty:
        return {}
    table = series.unstack("cell").reindex(columns=cells)
    return {(str(a), str(b)): row for (a, b), row in zip(
        table.index, table.to_numpy(dtype=float), strict=True)}


def _row(table: dict[tuple[str, str], np.ndarray], key: tuple[str, str], fill: float
         ) -> np.ndarray:
    row = table.get(key)
    if row is None:
        return np.full(168, fill)
    return np.where(np.isnan(row), fill, row) if not math.isnan(fill) else row.copy()


# -- one week in detail ----------------------------------------------------------------


def detail_week(plan: DeskPlan) -> tuple[float, float]:
    """The window of the queue figure: the first full calendar week (Monday 00:00 to
    Monday 00:00) after the warm-up, else the first seven days after it (or what the
    horizon leaves)."""
    offset = plan.clock.week_offset
    monday = math.ceil((plan.warmup + offset) / MINUTES_PER_WEEK) * MINUTES_PER_WEEK - offset
    if monday + MINUTES_PER_WEEK <= plan.horizon + 1e-9:
        return float(monday), float(monday + MINUTES_PER_WEEK)
    return float(plan.warmup), float(min(plan.warmup + MINUTES_PER_WEEK, plan.horizon))


def step_bins(times: np.ndarray, deltas: np.ndarray, edges: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Time-average and maximum, in each bin between ``edges``, of the step function that
    starts at 0 and jumps by ``deltas`` at ``times``."""
    order = np.argsort(times, kind="stable")
    times, level = times[order], np.cumsum(deltas[order])
    if len(times) == 0:
        zeros = np.zeros(len(edges) - 1)
        return zeros, zeros
    # ∫ level up to each event, then up to each edge.
    area = np.concatenate([[0.0], np.cumsum(level[:-1] * np.diff(times))])
    before = np.searchsorted(times, edges, side="right") - 1
    inside = before >= 0
    safe = np.maximum(before, 0)
    at_edge = np.where(inside, area[safe] + level[safe] * (edges - times[safe]), 0.0)
    mean = np.diff(at_edge) / np.diff(edges)
    start_level = np.where(inside[:-1], level[safe[:-1]], 0.0)
    peak = start_level.copy()
    which = np.searchsorted(edges, times, side="right") - 1
    valid = (which >= 0) & (which < len(edges) - 1)
    np.maximum.at(peak, which[valid], level[valid])
    return mean, peak


def queue_week(plan: DeskPlan, visits: pd.DataFrame, duty: pd.DataFrame,
               window: tuple[float, float], step: float = BIN_MINUTES) -> pd.DataFrame:
    """Tickets waiting and agents on duty per tier in ``window``, in bins of ``step``
    minutes, for the first replication: ``policy, tier, start, queue_mean, queue_peak,
    agents_mean``.

    A ticket waits in a tier's queue from ``queued`` until an agent starts on it, or it
    leaves (the customer gave up), or the horizon; agents are on duty between ``on``
    and ``off``.
    """
    begin, end = window
    edges = np.arange(begin, end + step / 2, step)
    if len(edges) < 2:
        edges = np.array([begin, end])
    first = int(min(visits["replication"].min() if len(visits) else 0,
                    duty["replication"].min() if len(duty) else 0))
    v = visits.loc[visits["replication"].to_numpy() == first]
    d = duty.loc[duty["replication"].to_numpy() == first]
    frames = []
    policies = list(visits["policy"].cat.categories)
    for policy in policies:
        pv = v.loc[v["policy"].to_numpy() == policy]
        pd_ = d.loc[d["policy"].to_numpy() == policy]
        for tier in plan.tiers:
            tv = pv.loc[pv["tier"].cat.codes.to_numpy() == tier.index]
            queued = tv["queued"].to_numpy(dtype=float)
            left = tv["start"].to_numpy(dtype=float)
            left = np.where(np.isnan(left), tv["end"].to_numpy(dtype=float), left)
            left = np.where(np.isnan(left), plan.horizon, left)
            times = np.concatenate([queued, left])
            deltas = np.concatenate([np.ones(len(queued)), -np.ones(len(left))])
            queue_mean, queue_peak = step_bins(times, deltas, edges)
            td = pd_.loc[pd_["tier"].cat.codes.to_numpy() == tier.index]
            on, off = td["on"].to_numpy(dtype=float), td["off"].to_numpy(dtype=float)
            agents_mean, _ = step_bins(np.concatenate([on, off]),
                                       np.concatenate([np.ones(len(on)), -np.ones(len(off))]),
                                       edges)
            frames.append(pd.DataFrame({
                "policy": policy, "tier": tier.name, "start": edges[:-1],
                "queue_mean": queue_mean, "queue_peak": queue_peak,
                "agents_mean": agents_mean,
            }))
    return pd.concat(frames, ignore_index=True)


# -- agents ----------------------------------------------------------------------------


def agent_utilization(plan: DeskPlan, visits: pd.DataFrame, duty: pd.DataFrame
                      ) -> pd.DataFrame:
    """Per policy and agent over all replications: busy share of on-duty time, on-duty
    hours per week, tickets handled per week. Columns ``policy, tier, agent, group,
    utilization, hours_per_week, handled_per_week``; agents never on duty are left out."""
    weeks = (plan.horizon - plan.warmup) / MINUTES_PER_WEEK
    group_of = {a.name: a.group for a in plan.agents}
    frames = []
    for policy in visits["policy"].cat.categories:
        pv = visits.loc[visits["policy"].to_numpy() == policy]
        pd_ = duty.loc[duty["policy"].to_numpy() == policy]
        if pd_.empty:
            continue
        per = agent_metrics(plan, pv, pd_)
        replications = max(per["replication"].nunique(), 1)
        totals = per.groupby(["tier", "agent"], sort=False)[
            ["staffed", "capacity", "busy", "handled"]].sum()
        totals = totals.loc[totals["staffed"] > 0].reset_index()
        with np.errstate(invalid="ignore", divide="ignore"):
            frames.append(pd.DataFrame({
                "policy": policy, "tier": totals["tier"], "agent": totals["agent"],
                "group": totals["agent"].map(group_of),
                "utilization": totals["busy"] / totals["capacity"],
                "hours_per_week": totals["staffed"] / 60 / (replications * weeks),
                "handled_per_week": totals["handled"] / (replications * weeks),
            }))
    columns = ["policy", "tier", "agent", "group", "utilization", "hours_per_week",
               "handled_per_week"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# -- escalations -----------------------------------------------------------------------


OUTCOMES = ("resolved", "gave up", "still open")
"""Where a ticket ends: resolved, abandoned before a first response, open at the end."""


def path_tiers(plan: DeskPlan) -> dict[tuple[str, str], list[str]]:
    """``(channel, path) → the tiers entered``, from each channel's chain.

    The ``path`` column joins tier names with ``>``; a tier whose name contains ``>``
    would make splitting ambiguous, so paths are decoded from the chains they come from.
    """
    decoded: dict[tuple[str, str], list[str]] = {}
    for channel in plan.channels:
        names = [plan.tiers[t].name for t in channel.chain]
        for entered in range(1, len(names) + 1):
            decoded[(channel.name, ">".join(names[:entered]))] = names[:entered]
    return decoded


def escalation_flows(tickets: pd.DataFrame, policy: str,
                     plan: DeskPlan | None = None) -> pd.DataFrame:
    """Mean tickets per replication along each step of their path, for one policy:
    channel → first tier → … → last tier → outcome. Columns ``channel, source, target,
    tickets``: ``source`` and ``target`` are ``channel:NAME``, ``tier:NAME`` or
    ``outcome:NAME`` (:data:`OUTCOMES`); one row per channel and step."""
    t = measured(tickets)
    t = t.loc[t["policy"].to_numpy() == policy]
    replications = max(int(t["replication"].nunique()), 1)
    outcome = np.where(t["abandoned"].to_numpy(dtype=bool), OUTCOMES[1],
                       np.where(t["resolved"].notna().to_numpy(), OUTCOMES[0], OUTCOMES[2]))
    counts = pd.DataFrame({"channel": t["channel"].astype(str).to_numpy(),
                           "path": t["path"].astype(str).to_numpy(), "outcome": outcome}
                          ).value_counts().reset_index(name="count")
    decoded = path_tiers(plan) if plan is not None else {}
    links: dict[tuple[str, str, str], float] = {}
    for channel, path, end, count in counts.itertuples(index=False):
        if not path:
            continue
        tiers = decoded.get((channel, path)) or path.split(">")
        steps = [f"channel:{channel}", *(f"tier:{tier}" for tier in tiers),
                 f"outcome:{end}"]
        for source, target in itertools.pairwise(steps):
            key = (channel, source, target)
            links[key] = links.get(key, 0.0) + count / replications
    return pd.DataFrame([(c, s, t, v) for (c, s, t), v in links.items()],
                        columns=["channel", "source", "target", "tickets"])
