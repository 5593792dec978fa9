"""A sweep's best point (``objective: lowest | highest`` on its main ``metric``), overall
or for each value of the ``best_per`` parameters.

Points run on common random numbers, so "best" is the best mean; the runner-up is named
with it, and the choice is called *clear* when the paired difference (replication by
replication, :func:`~simdesk.metrics.stats.paired_interval`) of the runner-up against the
best has a 95 % interval clear of zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simdesk.experiments.sweeps.spec import Point, Sweep
from simdesk.metrics.stats import paired_interval


@dataclass(frozen=True)
class Best:
    """The best point of a set of points, and its runner-up."""

    fixed: tuple[tuple[str, Any], ...]
    """The ``best_per`` values the set shares (empty: every point)."""
    point: Point
    mean: float
    low: float
    high: float
    runner_up: Point | None
    runner_mean: float
    clear: bool
    difference: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    """Runner-up minus best, paired: mean, 95 % CI low and high."""


def _main_rows(sweep: Sweep, summary: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    scope, group, metric = sweep.spec.main_metric()
    rows = summary.loc[(summary["scope"] == scope) & (summary["group"] == group)
                       & (summary["metric"] == metric)]
    return {str(r["point"]): (float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]))
            for r in rows.to_dict("records") if not math.isnan(float(r["mean"]))}


def _replications(sweep: Sweep, points_dir: Path, key: str) -> np.ndarray:
    """The main metric of point ``key`` per replication, in replication order."""
    scope, group, metric = sweep.spec.main_metric()
    path = points_dir / f"{key}.parquet"
    if not path.exists():
        return np.zeros(0)
    rows = pd.read_parquet(path, columns=["replication", "scope", "group", "metric", "value"])
    rows = rows.loc[(rows["scope"] == scope) & (rows["group"] == group)
                    & (rows["metric"] == metric)].sort_values("replication")
    return rows["value"].to_numpy(dtype=float)


def best_points(sweep: Sweep, points: list[Point], summary: pd.DataFrame,
                points_dir: Path | None = None) -> list[Best]:
    """The best point per value of ``best_per`` (one entry without it); none without an
    ``objective`` or results. With ``points_dir`` (the sweep's per-point tables) the
    runner-up is judged on paired differences."""
    objective = sweep.spec.objective
    if objective is None or summary.empty:
        return []
    values = _main_rows(sweep, summary)
    sign = 1.0 if objective == "lowest" else -1.0
    sets: dict[tuple[tuple[str, Any], ...], list[Point]] = {}
    for point in points:
        if point.key in values:
            fixed = tuple((name, value) for name, value in point.assignments
                          if name in sweep.spec.best_per)
            sets.setdefault(fixed, []).append(point)
    found = []
    for fixed, members in sets.items():
        ranked = sorted(members, key=lambda p: (sign * values[p.key][0], p.index))
        mean, low, high = values[ranked[0].key]
        runner = ranked[1] if len(ranked) > 1 else None
        runner_mean, runner_low, runner_high = values[runner.key] if runner else (
            math.nan, math.nan, math.nan)
        clear = runner is not None and (runner_low > high if objective == "lowest"
                                        else runner_high < low)
        difference = (math.nan, math.nan, math.nan)
        if runner is not None and points_dir is not None:
            a = _replications(sweep, points_dir, runner.key)
            b = _replications(sweep, points_dir, ranked[0].key)
            if len(a) == len(b) and len(a):
                paired = paired_interval(a, b)
                difference = (paired.mean, paired.low, paired.high)
                clear = paired.significant
        found.append(Best(fixed, ranked[0], mean, low, high, runner, runner_mean, clear,
                          difference))
    return found


__all__ = ["Best", "best_points"]
