"""One sweep point as a unit of work that any executor can run (it pickles)."""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.scenario.load import validate_scenario
from simdesk.simulation import SimulationResult, combine, simulate


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


@dataclass(frozen=True)
class PointResult:
    """What a finished point hands back: its per-replication metrics (small: summaries
    only, unless the sweep keeps tickets)."""

    key: str
    metrics: pd.DataFrame
    replications: int
    seconds: float
    tickets: pd.DataFrame | None = None


@dataclass(frozen=True)
class PointFailure:
    """Why a point did not finish."""

    key: str
    error: str
    kind: str
    details: str = field(default="")


def half_width_ratio(result: SimulationResult, metric: tuple[str, str, str]) -> float:
    """The main metric's 95 % half-width over |mean| (∞ when it cannot be told yet)."""
    s = result.summary
    row = s.loc[(s["scope"] == metric[0]) & (s["group"] == metric[1]) & (s["metric"] == metric[2])]
    if row.empty:
        scope, group, name = metric
        raise SimdeskError(f"the sweep's metric {scope}:{group}.{name} is not in the results")
    mean, half = float(row["mean"].iloc[0]), float(row["half_width"].iloc[0])
    if math.isnan(half):  # fewer than two replications with a value
        return math.inf
    if mean == 0:
        return 0.0 if half == 0 else math.inf
    return abs(half / mean)


def _simulate(task: PointTask) -> SimulationResult:
    scenario = validate_scenario(task.scenario)
    plan = task.replications
    if plan.fixed is not None:
        return simulate(scenario, seed=task.seed, replications=plan.fixed)
    parts = [simulate(scenario, seed=task.seed, replications=plan.minimum)]
    result = parts[0]
    while (result.replications < plan.maximum
           and half_width_ratio(result, plan.metric) > plan.precision):
        more = min(result.replications, plan.maximum - result.replications)  # doubling
        parts.append(simulate(scenario, seed=task.seed, replications=more,
                              first=result.replications))
        result = combine(parts)
    return result


def run_point(task: PointTask) -> PointResult:
    """Simulate one point; raises what went wrong (a bad combination is a
    :class:`~simdesk.errors.SimdeskError`)."""
    started = time.perf_counter()
    result = _simulate(task)
    metrics = result.metrics.copy()
    metrics.insert(0, "point", task.key)
    tickets = result.tickets.assign(point=task.key) if task.keep_tickets else None
    return PointResult(task.key, metrics, result.replications, time.perf_counter() - started,
                       tickets)


def failure(key: str, exc: BaseException) -> PointFailure:
    """A failure record: input problems plainly, bugs with their traceback."""
    if isinstance(exc, SimdeskError):
        return PointFailure(key, str(exc), "input")
    details = "".join(traceback.format_exception(exc))
    return PointFailure(key, f"{type(exc).__name__}: {exc}", "error", details)
