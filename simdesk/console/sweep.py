"""Terminal rendering of a sweep: one row per point, the main metric with its CI."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.experiments.sweeps.runner import SweepOutcome, SweepProgress
from simdesk.experiments.sweeps.spec import Sweep
from simdesk.metrics.catalogue import format_metric, label_of

EXTRA_METRICS = ("churned", "staff_cost", "churn_cost", "total_cost")
"""Shown (means) beside the main metric when the sweep measures them (``outcomes:``,
``money:``); every CI is in ``summary.csv``."""


def _estimate(metric: str, row: pd.Series) -> str:
    text = format_metric(metric, float(row["mean"]))
    if not math.isnan(float(row["ci_low"])):
        text += f" [dim]({format_metric(metric, float(row['ci_low']))}–"
        text += f"{format_metric(metric, float(row['ci_high']))})[/]"
    return text


def sweep_table(sweep: Sweep, outcome: SweepOutcome) -> Table:
    """Per point: its values, replications, the main metric with its CI and each
    channel's SLA."""
    scope, group, metric = sweep.spec.main_metric()
    summary = outcome.summary
    channels = [str(c) for c in sweep.base.get("channels", {})]
    if scope == "channel" and metric == "sla":
        channels = [c for c in channels if c != group]  # already the main column
    table = Table(title=f"{escape(sweep.name)} — {len(outcome.points)} point(s), "
                        f"seed {outcome.seed}",
                  title_justify="left", header_style="bold")
    table.add_column("#", justify="right")
    for name in sweep.spec.parameters:
        table.add_column(escape(name), justify="right")
    table.add_column("Reps", justify="right")
    table.add_column(f"{escape(sweep.spec.metric)} (95% CI)", justify="right")
    for channel in channels:
        table.add_column(f"{escape(channel)} SLA", justify="right")
    extras = [m for m in EXTRA_METRICS if m != metric and not summary.empty
              and (summary["metric"] == m).any()]
    for name in extras:
        table.add_column(label_of(name), justify="right")
    failed = {f["key"]: f for f in outcome.failures}
    for point in outcome.points:
        rows = summary.loc[summary["point"] == point.key] if not summary.empty else summary
        cells = [str(point.index)] + [escape(str(v)) for _, v in point.assignments]
        if rows.empty:
            status = "[red]failed[/]" if point.key in failed else "[yellow]not run[/]"
            table.add_row(*cells, "", status, *[""] * (len(channels) + len(extras)))
            continue

        def pick(s: str, g: str, m: str, rows: pd.DataFrame = rows) -> pd.Series | None:
            found = rows.loc[(rows["scope"] == s) & (rows["group"] == g) & (rows["metric"] == m)]
            return None if found.empty else found.iloc[0]

        main = pick(scope, group, metric)
        reps = str(int(rows["replications"].max()))
        slas = [pick("channel", c, "sla") for c in channels]
        more = [pick("overall", "all", m) for m in extras]
        table.add_row(*cells, reps, "—" if main is None else _estimate(metric, main),
                      *["—" if s is None else format_metric("sla", float(s["mean"])) for s in slas],
                      *["—" if x is None else format_metric(m, float(x["mean"]))
                        for m, x in zip(extras, more, strict=True)])
    return table


def print_sweep(console: Console, sweep: Sweep, outcome: SweepOutcome) -> None:
    """The table (the command lists the failures and their errors on stderr), and with an
    ``objective`` the best point(s)."""
    console.print(sweep_table(sweep, outcome))
    if sweep.spec.objective is not None:
        from simdesk.console.sweep_best import best_table

        console.print(best_table(sweep, outcome))


def _clock(seconds: float) -> str:
    return str(dt.timedelta(seconds=round(seconds)))


@contextmanager
def sweep_progress(console: Console, label: str, quiet: bool) -> Iterator[SweepProgress]:
    """A progress bar on a terminal (none when quiet or redirected), one short line:
    ``label ━━━━ 12/32 points · 1 failed · ETA 0:01:30 · 0:00:12 elapsed``. The ETA comes
    from this run's pace (points finished before it do not count). Yields the hook
    ``(done, total, failed)``; no refresh thread, as workers may be forked."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    shown = console.is_terminal and not quiet
    columns = (TextColumn("{task.description}"), BarColumn(bar_width=16),
               MofNCompleteColumn(), TextColumn("points{task.fields[status]}"))
    with Progress(*columns, console=console, transient=True, disable=not shown,
                  auto_refresh=False) as progress:
        task: list[TaskID] = []
        started: list[float] = []  # time and points processed at the first call

        def advance(done: int, total: int, failed: int) -> None:
            processed = done + failed
            if not started:
                started.extend([time.monotonic(), processed])
            elapsed = time.monotonic() - started[0]
            pace = (processed - started[1]) / elapsed if elapsed > 0 else 0.0
            eta = _clock((total - processed) / pace) if pace > 0 else "–"
            status = (f" · [red]{failed} failed[/]" if failed else "") + (
                f" · ETA {eta} · {_clock(elapsed)} elapsed")
            if not task:
                task.append(progress.add_task(label, total=total, completed=processed,
                                              status=status))
            progress.update(task[0], completed=processed, total=total, status=status,
                            refresh=True)

        yield advance
