"""Terminal rendering of a sweep: one row per point, the main metric with its CI."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.console.labels import legend, short_labels
from simdesk.experiments.sweeps.runner import SweepOutcome, SweepProgress
from simdesk.experiments.sweeps.spec import Sweep
from simdesk.metrics.catalogue import format_metric, label_of

EXTRA_METRICS = ("churned", "staff_cost", "churn_cost", "total_cost")
"""Shown (means) beside the main metric when the sweep measures them (``outcomes:``,
``money:``); every CI is in ``summary.csv``."""


def _estimate(metric: str, row: pd.Series) -> str:
    """The mean, and under it its interval (so a narrow column wraps, never cuts)."""
    text = format_metric(metric, float(row["mean"]))
    if not math.isnan(float(row["ci_low"])):
        text += f"\n[dim]({format_metric(metric, float(row['ci_low']))}–"
        text += f"{format_metric(metric, float(row['ci_high']))})[/]"
    return text


def _widest(cells: list[list[str]], column: int) -> int:
    """The widest line of a column's cells (markup left out): its minimum width."""
    from rich.text import Text

    return max((len(line) for row in cells
                for line in Text.from_markup(row[column]).plain.split("\n")), default=1)


def sweep_table(sweep: Sweep, outcome: SweepOutcome) -> Table:
    """Per point: its values, replications, the main metric with its CI and each
    channel's SLA."""
    scope, group, metric = sweep.spec.main_metric()
    summary = outcome.summary
    channels = [str(c) for c in sweep.base.get("channels", {})]
    if scope == "channel" and metric == "sla":
        channels = [c for c in channels if c != group]  # already the main column
    labels = short_labels(list(sweep.spec.parameters))
    headers = ["#", *(escape(labels[name]) for name in sweep.spec.parameters), "Reps",
               f"{escape(sweep.spec.metric)} (95% CI)",
               *(f"{escape(channel)} SLA" for channel in channels)]
    extras = [m for m in EXTRA_METRICS if m != metric and not summary.empty
              and (summary["metric"] == m).any()]
    headers += [label_of(name) for name in extras]
    failed = {f["key"]: f for f in outcome.failures}
    cells: list[list[str]] = []
    for point in outcome.points:
        rows = summary.loc[summary["point"] == point.key] if not summary.empty else summary
        values = [str(point.index)] + [escape(str(v)) for _, v in point.assignments]
        if rows.empty:
            status = "[red]failed[/]" if point.key in failed else "[yellow]not run[/]"
            cells.append([*values, "", status, *[""] * (len(channels) + len(extras))])
            continue

        def pick(s: str, g: str, m: str, rows: pd.DataFrame = rows) -> pd.Series | None:
            found = rows.loc[(rows["scope"] == s) & (rows["group"] == g) & (rows["metric"] == m)]
            return None if found.empty else found.iloc[0]

        main = pick(scope, group, metric)
        reps = str(int(rows["replications"].max()))
        slas = [pick("channel", c, "sla") for c in channels]
        more = [pick("overall", "all", m) for m in extras]
        cells.append([*values, reps, "—" if main is None else _estimate(metric, main),
                      *["—" if s is None else format_metric("sla", float(s["mean"]))
                        for s in slas],
                      *["—" if x is None else format_metric(m, float(x["mean"]))
                        for m, x in zip(extras, more, strict=True)]])
    table = Table(title=f"{escape(sweep.name)} — {len(outcome.points)} point(s), "
                        f"seed {outcome.seed}",
                  title_justify="left", header_style="bold", caption_justify="left")
    for index, header in enumerate(headers):  # numbers are never cut: headers wrap instead
        table.add_column(header, justify="right", overflow="fold",
                         min_width=_widest(cells, index))
    for row in cells:
        table.add_row(*row)
    table.caption = legend(labels) or None
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
def sweep_progress(console: Console, label: str, quiet: bool,
                   clock: Callable[[], float] = time.monotonic) -> Iterator[SweepProgress]:
    """A progress bar on a terminal (none when quiet or redirected), one short line:
    ``label ━━━━ 12/32 points · 1 failed · ETA 0:01:30 · 0:00:12 elapsed``. The ETA comes
    from this run's pace (points finished before it do not count). Yields the hook
    ``(done, total, failed)``; no refresh thread, as workers may be forked. ``clock``:
    seconds (a test passes its own)."""
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
                started.extend([clock(), processed])
            elapsed = clock() - started[0]
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
