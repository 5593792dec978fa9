"""The best point(s) of a sweep with an ``objective`` (:mod:`simdesk.experiments.sweeps.best`)."""

from __future__ import annotations

import math

from rich.markup import escape
from rich.table import Table

from simdesk.console.labels import short_labels
from simdesk.experiments.sweeps.best import best_points
from simdesk.experiments.sweeps.runner import SweepOutcome
from simdesk.experiments.sweeps.spec import Sweep
from simdesk.experiments.sweeps.store import SweepStore
from simdesk.metrics.catalogue import format_metric


def best_table(sweep: Sweep, outcome: SweepOutcome) -> Table:
    """Per value of ``best_per`` (or once): the best point, its metric and the runner-up."""
    spec = sweep.spec
    _, _, metric = spec.main_metric()
    table = Table(title=f"Best point: {spec.objective} {escape(spec.metric)}"
                        + (f" for each {escape(', '.join(spec.best_per))}"
                           if spec.best_per else ""),
                  title_justify="left", header_style="bold", caption_justify="left")
    labels = short_labels(list(spec.parameters))
    for name in spec.best_per:
        table.add_column(escape(labels.get(name, name)), justify="right", overflow="fold")
    table.add_column("Best point", no_wrap=False)
    table.add_column(f"{escape(metric)} (95% CI)", justify="right", overflow="fold")
    table.add_column("Runner-up", no_wrap=False)
    table.add_column("Clear?", no_wrap=True)
    points_dir = SweepStore(outcome.folder).points_dir
    for best in best_points(sweep, outcome.points, outcome.summary, points_dir):
        others = ", ".join(f"{labels.get(name, name)}={value}"
                           for name, value in best.point.assignments
                           if name not in spec.best_per)
        runner = "—" if best.runner_up is None else (
            f"#{best.runner_up.index} {format_metric(metric, best.runner_mean)}")
        mean, low, high = best.difference
        if best.runner_up is not None and not math.isnan(low):
            runner += f"\n[dim](+{format_metric(metric, mean)}: {format_metric(metric, low)}" \
                      f" to {format_metric(metric, high)})[/]"
        table.add_row(*(escape(str(v)) for _, v in best.fixed),
                      f"#{best.point.index} {escape(others)}",
                      f"{format_metric(metric, best.mean)}\n"
                      f"[dim]({format_metric(metric, best.low)} – "
                      f"{format_metric(metric, best.high)})[/]",
                      runner, "[green]yes[/]" if best.clear else "[yellow]no[/]")
    table.caption = ("Runner-up: its mean and, in brackets, how much worse it is, paired "
                     "replication by replication (95 % CI). Clear: that interval excludes 0; "
                     "otherwise the two are too close to call at these replications.")
    return table


__all__ = ["best_table"]
