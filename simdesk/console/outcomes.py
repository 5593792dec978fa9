"""Terminal tables of customers' outcomes and money (``outcomes:`` and ``money:``)."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.metrics.catalogue import format_metric, label_of
from simdesk.simulation import SimulationResult

OUTCOME_COLUMNS = ("unhappy", "complaints", "churned", "churn_per_1000", "converted")
MONEY_ROWS = ("staff_cost", "churn_cost", "conversion_value", "total_cost")


def _rows(summary: pd.DataFrame) -> dict[tuple[str, str, str], tuple[float, float]]:
    return {(r["scope"], r["group"], r["metric"]): (float(r["mean"]), float(r["half_width"]))
            for r in summary.to_dict("records")}


def estimate_text(metric: str, value: tuple[float, float] | None, money: str = "") -> str:
    """``1,234 ±56`` in the metric's format (``money`` prefixes a currency)."""
    if value is None or math.isnan(value[0]):
        return "—"
    mean, half = value
    text = money + format_metric(metric, mean)
    if math.isnan(half):
        return text
    spread = f"{half:.1%}" if metric == "unhappy" else f"{half:,.0f}" if half >= 10 \
        else f"{half:,.1f}"
    return f"{text} [dim]±{spread}[/]"


def outcome_table(result: SimulationResult) -> Table:
    """Unhappy share, complaints, customers lost and conversions, overall and per segment."""
    values = _rows(result.summary)
    table = Table(title="Customers (means per replication, ±95 % CI half-width)",
                  title_justify="left", header_style="bold", caption_justify="left")
    table.add_column("Customers of", no_wrap=True)
    for metric in OUTCOME_COLUMNS:
        table.add_column(label_of(metric), justify="right", no_wrap=True)
    groups = [("overall", "all")] + [("segment", s) for s in result.plan.segments
                                     if len(result.plan.segments) > 1]
    for scope, group in groups:
        table.add_row(escape("all tickets" if scope == "overall" else group),
                      *(estimate_text(m, values.get((scope, group, m)))
                        for m in OUTCOME_COLUMNS))
    outcomes = result.scenario.outcomes
    assert outcomes is not None
    table.caption = (f"Unhappy after a bad experience; {outcomes.complain:.0%} of them complain, "
                     f"{outcomes.churn:.0%} of the rest leave (seeds/001, 004; "
                     "docs/outcomes.md). Who: customers.parquet.")
    return table


def money_table(result: SimulationResult) -> Table:
    """Staff cost, cost of customers lost, value of conversions and the total."""
    values = _rows(result.summary)
    money = result.scenario.money
    assert money is not None
    measured = (result.plan.horizon - result.plan.warmup) / (7 * 24 * 60)
    table = Table(title=f"Money over the measured {measured:.3g} week(s) ({money.currency})",
                  title_justify="left", header_style="bold", caption_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("Mean ±95 % CI", justify="right", no_wrap=True)
    table.add_column("Per week", justify="right", no_wrap=True)
    for metric in MONEY_ROWS:
        value = values.get(("overall", "all", metric))
        weekly = None if value is None else (value[0] / measured, value[1] / measured)
        style = "bold" if metric == "total_cost" else ""
        label = label_of(metric) + (" (−)" if metric == "conversion_value" else "")
        table.add_row(f"[{style}]{label}[/]" if style else label,
                      estimate_text(metric, value, money.currency),
                      estimate_text(metric, weekly, money.currency))
    if result.scenario.outcomes is None:
        table.caption = "No outcomes: section, so no customer is counted as lost or won."
    else:
        table.caption = ("Total = staff + customers lost − conversions. Staff: scheduled "
                         "agent-hours × price (helpers not counted).")
    return table


def print_outcomes(console: Console, result: SimulationResult) -> None:
    """The customers and money tables, for a scenario that has those sections."""
    if result.scenario.outcomes is not None:
        console.print(outcome_table(result), soft_wrap=False)
    if result.scenario.money is not None:
        console.print(money_table(result), soft_wrap=False)


__all__ = ["estimate_text", "money_table", "outcome_table", "print_outcomes"]
