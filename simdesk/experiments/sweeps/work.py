"""One sweep point as a unit of work that any executor can run (it pickles)."""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simdesk.errors import ScenarioError, SimdeskError, format_key_path
from simdesk.metrics.stats import summarize
from simdesk.plan.budget import MAX_TICKETS, set_limits
from simdesk.plan.prepare import prepare
from simdesk.scenario.load import validate_scenario
from simdesk.simulation import simulate


@dataclass(frozen=True)
class Replications:
    """How many replications a point runs: a fixed number, or ``auto`` until the main
    metric's 95 % half-width is at most ``precision`` × |mean| (within bounds)."""

    fixed: int | None = 10
    precision: float = 0.01
    minimum: int = 5
    maximum: int = 200
    metric: tuple[str, str, str] = ("overall", "all", "sla")


@dataclass(frozen=True)
class PointTask:
    """Everything needed to run one point, and nothing from the caller's process."""

    key: str
    scenario: dict[str, Any]
    seed: int
    replications: Replications
    keep_tickets: bool = False
    max_tickets: int = MAX_TICKETS
    """The budget in force where the sweep started (``--max-tickets``, ``--no-limits``):
    a worker that did not fork from that process (dask) applies it too."""
    limits_enforced: bool = True
    work: float = 0.0
    """The point's expected tickets per replication (0: not estimated): parallel
    executors start the heaviest points first, so that no long point is left to run
    alone at the end."""


@dataclass(frozen=True)
class PointResult:
    """What a finished point hands back: its per-replication metrics (small: summaries
    only, unless the sweep keeps tickets)."""

    key: str
    metrics: pd.DataFrame
    replications: int
    seconds: float
    tickets: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    """:func:`~simdesk.metrics.stats.summarize` of ``metrics``, computed where the point
    ran (in parallel), so the sweep's summary need not read every point back."""


@dataclass(frozen=True)
class PointFailure:
    """Why a point did not finish."""

    key: str
    error: str
    kind: str
    details: str = field(default="")


SUMMARY_INPUT = ["replication", "scope", "group", "metric", "value"]
"""The columns of a point's metrics that its summary is computed from."""


def half_width_ratio(metrics: pd.DataFrame, metric: tuple[str, str, str]) -> float:
    """The main metric's 95 % half-width over |mean| across the replications in
    ``metrics`` (∞ when it cannot be told yet)."""
    rows = metrics.loc[(metrics["scope"] == metric[0]) & (metrics["group"] == metric[1])
                       & (metrics["metric"] == metric[2])]
    if rows.empty:
        scope, group, name = metric
        raise SimdeskError(f"the sweep's metric {scope}:{group}.{name} is not in the results")
    row = summarize(rows)
    mean, half = float(row["mean"].iloc[0]), float(row["half_width"].iloc[0])
    if math.isnan(half):  # fewer than two replications with a value
        return math.inf
    if mean == 0:
        return 0.0 if half == 0 else math.inf
    return abs(half / mean)


@dataclass(frozen=True)
class _Simulated:
    metrics: pd.DataFrame
    replications: int
    tickets: pd.DataFrame | None


def _simulate(task: PointTask) -> _Simulated:
    """Run the point's replications; with ``auto``, in rounds (the minimum, then doubling)
    until the main metric is precise enough. Only the metrics of each round are kept
    (and its tickets when asked), so memory does not grow with the replications."""
    scenario = prepare(validate_scenario(task.scenario))  # compiled once for every round
    plan = task.replications
    if plan.fixed is not None:
        result = simulate(scenario, seed=task.seed, replications=plan.fixed)
        return _Simulated(result.metrics, result.replications,
                          result.tickets if task.keep_tickets else None)
    metrics: list[pd.DataFrame] = []
    tickets: list[pd.DataFrame] = []
    done, more = 0, plan.minimum
    while more > 0:
        part = simulate(scenario, seed=task.seed, replications=more, first=done)
        metrics.append(part.metrics)
        if task.keep_tickets:
            tickets.append(part.tickets)
        done += more
        if half_width_ratio(pd.concat(metrics), plan.metric) <= plan.precision:
            break
        more = min(done, plan.maximum - done)  # doubling, up to the maximum
    return _Simulated(pd.concat(metrics, ignore_index=True), done,
                      pd.concat(tickets, ignore_index=True) if tickets else None)


def run_point(task: PointTask) -> PointResult:
    """Simulate one point; raises what went wrong (a bad combination is a
    :class:`~simdesk.errors.SimdeskError`)."""
    started = time.perf_counter()
    set_limits(max_tickets=task.max_tickets, enforced=task.limits_enforced)
    result = _simulate(task)
    metrics = result.metrics.copy()
    metrics.insert(0, "point", task.key)
    tickets = None if result.tickets is None else result.tickets.assign(point=task.key)
    summary = summarize(result.metrics[SUMMARY_INPUT])
    return PointResult(task.key, metrics, result.replications, time.perf_counter() - started,
                       tickets, summary)


def failure(key: str, exc: BaseException) -> PointFailure:
    """A failure record: input problems plainly (a scenario problem as ``key.path:
    message``, every one), bugs with their traceback."""
    if isinstance(exc, ScenarioError):
        problems = [f"{format_key_path(p.path)}: {p.message}" if p.path else p.message
                    for p in exc.problems]
        return PointFailure(key, "; ".join(problems), "input")
    if isinstance(exc, SimdeskError):
        return PointFailure(key, str(exc), "input")
    details = "".join(traceback.format_exception(exc))
    return PointFailure(key, f"{type(exc).__name__}: {exc}", "error", details)
