"""Terminal tables of customers' outcomes and money (``outcomes:`` and ``money:``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.metrics.catalogue import format_metric, label_of
from simdesk.metrics.stats import paired_interval
from simdesk.simulation import SimulationResult
from simdesk.staffing.cost import CostStaffing

if TYPE_CHECKING:
    from simdesk.experiments.compare import Comparison

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




def cost_tables(answer: CostStaffing) -> list[Table | str]:
    """``staff --goal cost``: today against the cheapest staffing, then per shift group
    the costs around the best count and what one more agent changes."""
    money = answer.scenario.money
    assert money is not None
    currency = money.currency
    best, today = answer.best_candidate, answer.tried[answer.today]
    parts: list[Table | str] = []
    summary = Table(title=f"Lowest total cost ({answer.replications} replications, seed "
                          f"{answer.seed}, common random numbers)",
                    title_justify="left", header_style="bold")
    summary.add_column("Shift group", no_wrap=True)
    summary.add_column("Today", justify="right")
    summary.add_column("Answer", justify="right")
    for label, now, new in zip(answer.labels, answer.today, answer.best, strict=True):
        summary.add_row(escape(label), str(now), f"[bold]{new}[/]" if new != now else str(new))
    parts.append(summary)
    change = paired_interval(best.costs["total_cost"].to_numpy(),
                             today.costs["total_cost"].to_numpy())
    saving = (f"{currency}{-change.mean:,.0f} (95 % CI {currency}{-change.high:,.0f} to "
              f"{currency}{-change.low:,.0f})")
    parts.append(f"Total cost today {currency}{today.mean():,.0f}, answer "
                 f"{currency}{best.mean():,.0f}: a saving of {saving} over the measured "
                 "window." if answer.best != answer.today else
                 f"Today's staffing is already the answer: total cost "
                 f"{currency}{today.mean():,.0f} over the measured window.")
    for axis, label in enumerate(answer.labels):
        frame = answer.margins(axis)
        table = Table(title=f"{label}: agents against cost ({currency}, means)",
                      title_justify="left", header_style="bold", caption_justify="left")
        for column in ("Agents", "Staff", "Customers lost", "Conversions", "Total",
                       "One more agent"):
            table.add_column(column, justify="right", no_wrap=True)
        for row in frame.to_dict("records"):
            if math.isnan(row["change"]):
                more = "—"
            elif math.isnan(row["change_low"]):
                more = f"{row['change']:+,.0f}"
            else:
                verdict = ("pays" if row["change_high"] < 0 else "does not pay"
                           if row["change_low"] > 0 else "unclear")
                more = (f"{row['change']:+,.0f} ({row['change_low']:+,.0f} to "
                        f"{row['change_high']:+,.0f}) {verdict}")
            mark = "[bold]" if row["count"] == answer.best[axis] else ""
            table.add_row(f"{mark}{row['count']}{'[/]' if mark else ''}",
                          f"{row['staff_cost']:,.0f}", f"{row['churn_cost']:,.0f}",
                          f"{-row['conversion_value']:,.0f}", f"{row['total_cost']:,.0f}",
                          more)
        table.caption = ("One more agent: the paired change of total cost from one agent "
                         "less, 95 % CI. The answer (bold) keeps an agent only where it "
                         "clearly pays; where it is unclear, the fewer agents.")
        parts.append(table)
    return parts



def compared_outcomes(comparison: Comparison, lookup: Any) -> Table | None:
    """Customers and money per policy (or scenario), differences from the baseline under
    each value; ``None`` when the compared scenarios have neither section."""
    first = comparison.results[comparison.baseline].scenario
    metrics: list[str] = []
    if first.outcomes is not None:
        metrics += ["unhappy", "complaints", "churned", "churn_per_1000", "converted"]
    if first.money is not None:
        metrics += ["staff_cost", "churn_cost", "total_cost"]
    if not metrics:
        return None
    currency = first.money.currency if first.money is not None else ""
    table = Table(title="Customers and money by "
                        + ("scenario" if comparison.by_file else "policy")
                        + " (means per replication; Δ: paired, 95 % CI)",
                  title_justify="left", header_style="bold", show_lines=True)
    table.add_column("Scenario" if comparison.by_file else "Policy", overflow="fold")
    for metric in metrics:
        table.add_column(label_of(metric), justify="right", overflow="fold")
    for label in comparison.labels:
        cells = [escape(label) + (" (baseline)" if label == comparison.baseline else "")]
        for metric in metrics:
            key = (label, "overall", "all", metric)
            prefix = currency if metric.endswith("_cost") else ""
            value = prefix + format_metric(metric, lookup.mean(key))
            if label != comparison.baseline:
                value += "\n" + lookup.difference(key)
            cells.append(value)
        table.add_row(*cells)
    return table


__all__ = ["compared_outcomes", "cost_tables", "estimate_text", "money_table", "outcome_table",
           "print_outcomes"]
