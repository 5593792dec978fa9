"""Terminal rendering of results with rich: what a manager reads after a run."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.console.beyond_sla import print_behaviour
from simdesk.console.plan import describe_plan as describe_plan
from simdesk.console.plan import print_notices as print_notices
from simdesk.metrics.catalogue import label_of
from simdesk.metrics.verdicts import summary_verdicts
from simdesk.scenario.units import format_duration, humanize_minutes
from simdesk.simulation import SimulationResult


def _estimate(summary: pd.DataFrame) -> dict[tuple[str, str, str], tuple[float, float]]:
    return {
        (r["scope"], r["group"], r["metric"]): (float(r["mean"]), float(r["half_width"]))
        for r in summary.to_dict("records")
    }


def _percent(value: tuple[float, float] | None) -> str:
    return "—" if value is None or math.isnan(value[0]) else f"{value[0]:.1%}"


def _duration(value: tuple[float, float] | None) -> str:
    return "—" if value is None or math.isnan(value[0]) else humanize_minutes(value[0])


def _count(value: tuple[float, float] | None, digits: int = 0) -> str:
    if value is None or math.isnan(value[0]):
        return "—"
    return f"{value[0]:,.{digits}f}"


def _scaled(value: tuple[float, float] | None, factor: float) -> str:
    return "—" if value is None or math.isnan(value[0]) else f"{value[0] * factor:,.0f}"


_VERDICT_STYLE = {"met": "[green]✓ met[/]", "missed": "[red]✗ missed[/]",
                  "borderline": "[yellow]≈ close[/]"}


def channel_verdicts(result: SimulationResult) -> dict[str, str]:
    """Per channel with a target: met / missed / borderline, judged by the 95 % CI."""
    return summary_verdicts(result.plan.channels, result.summary)


def _interval(summary: pd.DataFrame, scope: str, group: str, metric: str) -> str:
    rows = summary.loc[(summary["scope"] == scope) & (summary["group"] == group)
                       & (summary["metric"] == metric)]
    if rows.empty or math.isnan(rows["mean"].iloc[0]):
        return "—"
    mean, low, high = (float(rows[c].iloc[0]) for c in ("mean", "ci_low", "ci_high"))
    if math.isnan(low):
        return f"{mean:.1%}"
    return f"{mean:.1%} [dim]({max(low, 0):.1%}–{min(high, 1):.1%})[/]"


def ticket_table(result: SimulationResult) -> Table:
    """SLA with its 95 % CI, waits, abandonment and resolution per channel and segment."""
    plan = result.plan
    values = _estimate(result.summary)
    verdicts = channel_verdicts(result)
    table = Table(title="Tickets (means per replication; SLA with its 95 % confidence interval)",
                  title_justify="left", header_style="bold")
    for column in ("", label_of("tickets"), f"{label_of('sla')} (95% CI)", "Target", "",
                   *map(label_of, ("wait_mean", "wait_median", "wait_p90", "abandonment",
                                   "resolution_mean", "unresolved"))):
        table.add_column(column, justify="right" if column else "left", no_wrap=True)
    rows: list[tuple[str, str, str]] = [("overall", "all", "[bold]All tickets[/]")]
    rows += [("channel", c.name, escape(c.name)) for c in plan.channels
             if ("channel", c.name, "tickets") in values]
    if len(plan.segments) > 1:
        rows += [("segment", s, f"[dim]segment[/] {escape(s)}") for s in plan.segments]
    for scope, group, label in rows:
        channel = next((c for c in plan.channels if c.name == group), None)
        target, mark = "", ""
        if scope == "channel" and channel is not None and not math.isnan(channel.sla_target):
            target = f"{channel.sla_target:.0%} in {format_duration(channel.sla_within)}"
            if channel.sla_hours is not None:
                target += "*"
                table.caption = "* counted in business hours only (sla.hours)"
            mark = _VERDICT_STYLE.get(verdicts.get(group, ""), "")
        table.add_row(
            label,
            _count(values.get((scope, group, "tickets"))),
            _interval(result.summary, scope, group, "sla"),
            target,
            mark,
            _duration(values.get((scope, group, "wait_mean"))),
            _duration(values.get((scope, group, "wait_median"))),
            _duration(values.get((scope, group, "wait_p90"))),
            _percent(values.get((scope, group, "abandonment"))),
            _duration(values.get((scope, group, "resolution_mean"))),
            _count(values.get((scope, group, "unresolved"))),
        )
    return table


def tier_table(result: SimulationResult) -> Table:
    """Staffing and workload per tier."""
    values = _estimate(result.summary)
    table = Table(title="Tiers (means per replication)", title_justify="left",
                  header_style="bold")
    for column in ("Tier", "Agent-hours/week",
                   *map(label_of, ("utilization", "handled", "per_agent_day", "queue_mean")),
                   "Wait in queue"):
        table.add_column(column, justify="left" if column == "Tier" else "right", no_wrap=True)
    for tier in result.plan.tiers:
        def get(metric: str, name: str = tier.name) -> tuple[float, float] | None:
            return values.get(("tier", name, metric))

        table.add_row(
            tier.name,
            _scaled(get("agents_on_duty"), 168),
            _percent(get("utilization")),
            _count(get("handled")),
            _count(get("per_agent_day"), 1),
            _count(get("queue_mean"), 1),
            _duration(get("wait_mean")),
        )
    return table


def describe_run(result: SimulationResult) -> str:
    scenario = result.scenario
    measured = format_duration(result.plan.horizon - result.plan.warmup)
    return (
        f"[bold]{escape(scenario.name)}[/] — {result.replications} replication(s) of "
        f"{format_duration(result.plan.horizon)} from {scenario.start:%a %Y-%m-%d} "
        f"(measured after a {format_duration(result.plan.warmup)} warm-up: {measured}), "
        f"seed {result.seed}, routing {result.policy}"
    )


def print_result(console: Console, result: SimulationResult) -> None:
    """The whole terminal summary of a run."""
    console.print(describe_run(result), highlight=False)
    console.print(ticket_table(result))
    console.print(tier_table(result))
    print_behaviour(console, result)
