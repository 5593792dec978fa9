"""Terminal rendering of a sweep: one row per point, the main metric with its CI."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.experiments.runner import SweepOutcome
from simdesk.experiments.spec import Sweep
from simdesk.units import humanize_minutes

_SHARES = ("sla", "abandonment", "utilization", "refused")
_DURATIONS = ("wait_mean", "wait_median", "wait_p90", "resolution_mean")


def _value(metric: str, value: float) -> str:
    if math.isnan(value):
        return "—"
    if metric in _SHARES:
        return f"{value:.1%}"
    if metric in _DURATIONS:
        return humanize_minutes(value)
    return f"{value:,.1f}"


def _estimate(metric: str, row: pd.Series) -> str:
    text = _value(metric, float(row["mean"]))
    if not math.isnan(float(row["ci_low"])):
        text += f" [dim]({_value(metric, float(row['ci_low']))}–"
        text += f"{_value(metric, float(row['ci_high']))})[/]"
    return text


def sweep_table(sweep: Sweep, outcome: SweepOutcome) -> Table:
    """Per point: its values, replications, the main metric and each channel's SLA."""
    scope, group, metric = sweep.spec.main_metric()
    summary = outcome.summary
    channels = [str(c) for c in sweep.base.get("channels", {})]
    table = Table(title=f"{escape(sweep.name)} — {scope}:{group}.{metric} with its 95 % CI",
                  title_justify="left", header_style="bold")
    table.add_column("#", justify="right")
    for name in sweep.spec.parameters:
        table.add_column(escape(name), justify="right")
    table.add_column("Reps", justify="right")
    table.add_column(f"{group}.{metric}", justify="right")
    for channel in channels:
        table.add_column(f"{escape(channel)} SLA", justify="right")
    failed = {f["key"]: f for f in outcome.failures}
    for point in outcome.points:
        rows = summary.loc[summary["point"] == point.key] if not summary.empty else summary
        cells = [str(point.index)] + [escape(str(v)) for _, v in point.assignments]
        if rows.empty:
            status = "[red]failed[/]" if point.key in failed else "[yellow]not run[/]"
            table.add_row(*cells, "", status, *[""] * len(channels))
            continue

        def pick(s: str, g: str, m: str, rows: pd.DataFrame = rows) -> pd.Series | None:
            found = rows.loc[(rows["scope"] == s) & (rows["group"] == g) & (rows["metric"] == m)]
            return None if found.empty else found.iloc[0]

        main = pick(scope, group, metric)
        reps = str(int(rows["replications"].max()))
        slas = [pick("channel", c, "sla") for c in channels]
        table.add_row(*cells, reps, "—" if main is None else _estimate(metric, main),
                      *["—" if s is None else _value("sla", float(s["mean"])) for s in slas])
    return table


def print_sweep(console: Console, sweep: Sweep, outcome: SweepOutcome) -> None:
    console.print(sweep_table(sweep, outcome))
    for record in outcome.failures:
        values = ", ".join(f"{k}={v}" for k, v in record.get("values", {}).items())
        console.print(f"[red]Failed:[/] point {record['key']} ({escape(values)}): "
                      f"{escape(record['error'])}", highlight=False)
