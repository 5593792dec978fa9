"""Two finished results folders side by side: differences of means with intervals.

The folders are independent runs unless their seeds make them paired: the same seed
draws the same tickets wherever the ticket-drawing inputs agree, so replication ``r``
of one is replication ``r`` of the other with another plan. Welch's interval (from
each folder's ``summary.csv``: mean, half-width, replications) is always shown; when
the folders share a seed and their per-replication ticket metrics can be recomputed
from ``tickets.parquet``, the paired interval too — far narrower when the pairing holds.
Scenario differences that change what a metric means (start, horizon, warm-up, the
channels or their targets) are reported as warnings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.experiments.compare import COMPARED_METRICS, COMPARED_SCOPES
from simdesk.metrics.catalogue import better_of
from simdesk.metrics.stats import ConfidenceInterval, paired_interval, t_quantile
from simdesk.metrics.tickets import ticket_metrics, uses_deflection, uses_reopens
from simdesk.scenario.load import scenario_to_dict
from simdesk.store.read import DeskResults, load_results

BREAKING = ("start", "horizon", "warmup", "channels", "calendar")
"""Top-level scenario keys whose change makes the same metric measure something else."""
IGNORED = ("name", "description", "seed", "replications", "policies", "expect")

COLUMNS = ["scope", "group", "metric", "a", "b", "difference", "welch_low", "welch_high",
           "paired_low", "paired_high", "better"]


@dataclass(frozen=True)
class Diff:
    """Per compared metric: both means and the intervals of ``b − a``."""

    a: DeskResults
    b: DeskResults
    rows: pd.DataFrame
    """:data:`COLUMNS`."""
    paired: bool
    warnings: list[str]
    changed: list[str]
    """Top-level scenario keys that differ (what was changed between the runs)."""


def welch_df(var_a: float, n_a: int, var_b: float, n_b: int) -> float:
    """Welch–Satterthwaite degrees of freedom of a difference of two means."""
    a, b = var_a / n_a, var_b / n_b
    if a + b == 0:
        return math.inf
    return (a + b) ** 2 / (a**2 / (n_a - 1) + b**2 / (n_b - 1))


def _welch(a: pd.Series, b: pd.Series) -> ConfidenceInterval:
    """Welch's 95 % interval of ``b.mean − a.mean`` from two summary rows (only means,
    half-widths and counts are stored, so :func:`~simdesk.metrics.stats.welch_interval`,
    which takes the values, cannot be used)."""
    from scipy.special import stdtrit

    n_a, n_b = int(a["replications"]), int(b["replications"])
    mean = float(b["mean"]) - float(a["mean"])
    if n_a < 2 or n_b < 2:
        return ConfidenceInterval(mean, math.nan, math.nan, min(n_a, n_b))
    sd_a = float(a["half_width"]) * math.sqrt(n_a) / t_quantile(n_a)
    sd_b = float(b["half_width"]) * math.sqrt(n_b) / t_quantile(n_b)
    se = math.sqrt(sd_a**2 / n_a + sd_b**2 / n_b)
    if se == 0 or math.isnan(se):
        return ConfidenceInterval(mean, mean, mean, min(n_a, n_b))
    half = float(stdtrit(welch_df(sd_a**2, n_a, sd_b**2, n_b), 0.975)) * se
    return ConfidenceInterval(mean, mean - half, mean + half, min(n_a, n_b))


def _per_replication(results: DeskResults) -> pd.DataFrame:
    tickets = results.tickets.loc[results.tickets["policy"] == results.baseline]
    scenario = results.scenario
    return ticket_metrics(tickets.drop(columns="policy"), deflection=uses_deflection(scenario),
                          reopens=uses_reopens(scenario))


def _summary(results: DeskResults) -> pd.DataFrame:
    summary = results.summary.loc[results.summary["policy"] == results.baseline]
    if "half_width" not in summary:
        summary = summary.assign(half_width=(summary["ci_high"] - summary["ci_low"]) / 2)
    return summary.set_index(["scope", "group", "metric"])


def _changes(a: DeskResults, b: DeskResults) -> list[str]:
    left, right = scenario_to_dict(a.scenario), scenario_to_dict(b.scenario)
    return [key for key in dict.fromkeys([*left, *right])
            if key not in IGNORED and left.get(key) != right.get(key)]


def _same_tickets(a: DeskResults, b: DeskResults) -> bool:
    def first(results: DeskResults) -> np.ndarray:
        tickets = results.tickets.loc[(results.tickets["policy"] == results.baseline)
                                      & (results.tickets["replication"] == 0)]
        return np.sort(tickets["arrived"].to_numpy(dtype=float))
    x, y = first(a), first(b)
    return x.shape == y.shape and bool(np.array_equal(x, y))


def diff_results(folder_a: str | Path, folder_b: str | Path) -> Diff:
    """Load two ``run`` (or ``compare``: their baselines) folders and compare them."""
    loaded = [load_results(folder_a), load_results(folder_b)]
    for folder, results in zip((folder_a, folder_b), loaded, strict=True):
        if not isinstance(results, DeskResults):
            raise SimdeskError(f"{folder}: a sweep folder; diff takes two run or compare "
                               "folders")
    a, b = loaded
    assert isinstance(a, DeskResults) and isinstance(b, DeskResults)
    warnings: list[str] = []
    changed = _changes(a, b)
    breaking = [key for key in changed if key in BREAKING]
    if breaking:
        warnings.append(f"the scenarios differ in {', '.join(breaking)}: the same metric "
                        "measures different things, so differences mix plan and definition")
    for results in (a, b):
        if results.kind == "compare":
            warnings.append(f"{results.folder} is a comparison: its baseline "
                            f"{results.baseline!r} is used")
    paired = a.seed is not None and a.seed == b.seed
    per_a = per_b = None
    if paired:
        same = _same_tickets(a, b)
        warnings.append(
            f"both runs use seed {a.seed}: they are paired (common random numbers)"
            + ("; replication 0 has identical arrivals in both" if same else
               "; but their arrivals differ, so the pairing is partial"))
        per_a, per_b = _per_replication(a), _per_replication(b)
    sa, sb = _summary(a), _summary(b)
    records: list[dict[str, Any]] = []
    keys = [k for k in sa.index if k in sb.index and k[0] in COMPARED_SCOPES
            and k[2] in COMPARED_METRICS]
    for key in keys:
        scope, group, metric = key
        row_a, row_b = sa.loc[key], sb.loc[key]
        welch = _welch(row_a, row_b)
        pair = ConfidenceInterval(math.nan, math.nan, math.nan, 0)
        if per_a is not None and per_b is not None:
            pick = ["replication", "value"]
            left = per_a.loc[(per_a["scope"] == scope) & (per_a["group"] == group)
                             & (per_a["metric"] == metric), pick]
            right = per_b.loc[(per_b["scope"] == scope) & (per_b["group"] == group)
                              & (per_b["metric"] == metric), pick]
            both = left.merge(right, on="replication", suffixes=("_a", "_b"))
            pair = paired_interval(both["value_b"].to_numpy(), both["value_a"].to_numpy())
        judged = pair if not math.isnan(pair.low) else welch
        better = ""
        if judged.significant:
            higher = better_of(str(metric)) == "higher"
            better = "b" if (judged.mean > 0) == higher else "a"
        records.append({
            "scope": scope, "group": group, "metric": metric,
            "a": float(row_a["mean"]), "b": float(row_b["mean"]),
            "difference": welch.mean, "welch_low": welch.low, "welch_high": welch.high,
            "paired_low": pair.low, "paired_high": pair.high, "better": better})
    return Diff(a, b, pd.DataFrame.from_records(records, columns=COLUMNS), paired, warnings,
                changed)
