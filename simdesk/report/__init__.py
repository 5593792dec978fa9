"""One self-contained HTML report of a results folder: ``simdesk report RESULTS_DIR``.

:func:`write_report` reads a folder written by ``simdesk run``, ``compare`` or ``sweep``
and writes ``report.html``: a header (the scenario, how it ran, its assumptions and a
verdict per channel), a table of contents, tables and interactive plotly figures. The
file holds plotly.js once and needs nothing else, so it opens offline — from a disk, a
share or an e-mail attachment. Plotly is imported only when a report is built.

Figure ids (each is the ``id`` of the figure's ``<div>``; its data is in the
``<script type="application/json" data-figure="ID">`` that follows it)::

    run and compare
      fig-sla                 SLA attainment per channel (per policy), 95 % CI whiskers,
                              the target as a dashed line over each channel
      fig-days                at least two whole days measured: how many days reached
                              each level of daily SLA attainment, per channel (a line per
                              policy), the target as a dashed line
      fig-compare-diff        compare only: each policy minus the baseline on the same
                              tickets, SLA and abandonment in percentage points with the
                              paired 95 % CI; significant ones filled green / red
      fig-wait-ecdf           share answered within each wait, one panel per channel, a
                              line per segment (and policy); the target as a diamond
      fig-heatmap-sla         SLA attainment (those who gave up count as missed) by
                              weekday × hour of arrival, identical weekdays pooled, one
                              map per channel (and policy) plus a tab of the share who
                              gave up; red missed, green met, grey uncertain (interval
                              straddles the target, or too few tickets)
      fig-heatmap-arrivals    mean tickets arriving per weekday × hour in a week, all
                              channels and each channel
      fig-queue-week          tickets waiting and agents on duty per tier, 10-minute
                              bins, through the first full week after the warm-up of the
                              first replication
      fig-utilization         busy share of on-duty time per tier, 95 % CI
      fig-utilization-agents  busy share per agent
      fig-abandonment         share of customers who gave up, per channel, 95 % CI
      fig-escalations         Sankey: channel → tiers (the ``path``) → resolved / gave up
                              / still open, tickets per replication
      fig-satisfaction        with a satisfaction model: good / okay / bad shares of
                              resolved tickets, all, per channel and per topic (and policy)
      fig-satisfaction-agents with a satisfaction model: each agent's good share with its
                              CI next to the desk's good share on the same kinds of tickets
    sweep
      fig-sweep-sla           SLA per channel against the first numeric parameter, a line
                              (with its CI band) per value of the others, target line
      fig-sweep-heatmap       exactly two parameters: SLA of every combination, coloured
                              by its distance to the target
      fig-sweep-utilization   busy share per tier against the parameter

Modules: :mod:`~simdesk.store.read` reads a results folder into a small typed bundle;
:mod:`~simdesk.report.aggregate` reduces the tables (quantiles, weekday × hour grids,
10-minute bins, flows); :mod:`~simdesk.report.bars`, :mod:`~simdesk.report.waits`,
:mod:`~simdesk.report.flows`, :mod:`~simdesk.report.differences` and
:mod:`~simdesk.report.sweep_figures` build the figures (:mod:`~simdesk.report.figures`
and :mod:`~simdesk.report.style` hold what they share); :mod:`~simdesk.report.blocks`
the HTML tables and :mod:`~simdesk.report.html` the page.

:data:`FIGURES` lists them per kind of folder (``fig-sweep-heatmap`` only with two
parameters, ``fig-days`` only with two whole days measured, the satisfaction figures only
with a satisfaction model: :func:`expected_figures` says which a given report has). The page's
``<body>`` lists its figure ids in ``data-figures``; once plotly has drawn every figure
it sets ``data-rendered="true"`` on the body and on each figure's div (and
``data-render-error`` on the body if drawing failed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from simdesk.errors import SimdeskError

REPORT_NAME = "report.html"
"""Where ``--report`` writes: ``RESULTS_DIR/report.html``."""

DESK_FIGURES = ("fig-sla", "fig-days", "fig-wait-ecdf", "fig-heatmap-sla",
                "fig-heatmap-arrivals", "fig-queue-week", "fig-utilization",
                "fig-utilization-agents", "fig-abandonment", "fig-escalations",
                "fig-satisfaction", "fig-satisfaction-agents")
DAY_FIGURES = ("fig-days",)
"""Only when the measured window holds at least two whole calendar days."""
SATISFACTION_FIGURES = ("fig-satisfaction", "fig-satisfaction-agents")
"""Only when the scenario has a satisfaction model."""
FIGURES: dict[str, tuple[str, ...]] = {
    "run": DESK_FIGURES,
    "compare": (DESK_FIGURES[0], "fig-compare-diff", *DESK_FIGURES[1:]),
    "sweep": ("fig-sweep-sla", "fig-sweep-heatmap", "fig-sweep-utilization"),
}
"""The figure ids of each kind of report, in page order (see the module docstring)."""
ALL_FIGURES = tuple(dict.fromkeys(i for ids in FIGURES.values() for i in ids))


@dataclass(frozen=True)
class Report:
    """A built report: the page, its kind and figure ids, and how long it took."""

    html: str
    kind: str
    figures: tuple[str, ...]
    seconds: float


def expected_figures(results_dir: str | Path) -> tuple[str, ...]:
    """The figure ids the report of ``results_dir`` has, in page order."""
    from simdesk.store.read import SweepResults, load_results

    results = load_results(results_dir)
    ids = FIGURES[results.kind]
    if isinstance(results, SweepResults):
        if len(results.parameters) != 2:
            ids = tuple(i for i in ids if i != "fig-sweep-heatmap")
        return ids
    from simdesk.report.behaviour import has_days, has_satisfaction

    left_out = (() if has_days(results) else DAY_FIGURES) + (
        () if has_satisfaction(results) else SATISFACTION_FIGURES)
    return tuple(i for i in ids if i not in left_out)


def build_report(results_dir: str | Path) -> Report:
    """Read ``results_dir`` (run, compare or sweep) and build its report page."""
    started = time.perf_counter()
    from simdesk.report.html import render
    from simdesk.store.read import load_results

    results = load_results(results_dir)
    page, charts = render(results)
    return Report(page, results.kind, tuple(c.id for c in charts),
                  time.perf_counter() - started)


def write_report(results_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of ``results_dir`` to ``out`` (default
    ``results_dir/report.html``; a folder gets ``report.html`` inside) and return the
    path."""
    report = build_report(results_dir)
    target = Path(results_dir) / REPORT_NAME if out is None else Path(out)
    if target.is_dir():
        target = target / REPORT_NAME
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(report.html, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        raise SimdeskError(f"cannot write the report to {target}: {exc.strerror or exc}"
                           ) from None
    return target


__all__ = ["ALL_FIGURES", "DAY_FIGURES", "FIGURES", "REPORT_NAME", "SATISFACTION_FIGURES",
           "Report", "build_report", "expected_figures", "write_report"]
