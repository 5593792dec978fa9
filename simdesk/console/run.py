"""Terminal rendering of results with rich: what a manager reads after a run."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.console.beyond_sla import print_behaviour
from simdesk.console.customers import customer_table
from simdesk.console.hours import hour_tables
from simdesk.console.outcomes import print_outcomes
from simdesk.console.plan import describe_plan as describe_plan
from simdesk.console.plan import print_notices as print_notices
from simdesk.console.rules import rule_tables
from simdesk.console.supervisor import print_supervisor
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


def _interval(summary: pd.DataFrame, scope: str, group: str, metric: str,
              wide: bool = True) -> str:
    rows = summary.loc[(summary["scope"] == scope) & (summary["group"] == group)
                       & (summary["metric"] == metric)]
    if rows.empty or math.isnan(rows["mean"].iloc[0]):
        return "—"
    mean, low, high = (float(rows[c].iloc[0]) for c in ("mean", "ci_low", "ci_high"))
    if math.isnan(low):
        return f"{mean:.1%}"
    if not wide:
        return f"{mean:.1%} [dim]±{max(mean - low, high - mean) * 100:.1f}[/]"
    return f"{mean:.1%} [dim]({max(low, 0):.1%}–{min(high, 1):.1%})[/]"


def _sla_header(result: SimulationResult, wide: bool) -> str:
    sla = label_of("sla")
    if result.replications < 2:
        return sla
    return f"{sla} (95% CI)" if wide else f"{sla} ± 95% CI"


def ticket_table(result: SimulationResult, wide: bool = True) -> Table:
    """Per channel (and segment): SLA with its 95 % CI, the verdict, abandonment and the
    p90 wait; ``wide`` adds the mean and median wait, resolution and unresolved tickets.

    There is no row mixing the channels' waits (chat minutes averaged with email hours):
    with several channels an "All channels" row gives only the counts."""
    plan = result.plan
    values = _estimate(result.summary)
    verdicts = channel_verdicts(result)
    title = ("Tickets (means per replication; SLA with its 95 % confidence interval)"
             if result.replications > 1 else
             "Tickets (one replication: no interval; the verdict compares the value alone)")
    table = Table(title=title, title_justify="left", header_style="bold",
                  caption_justify="left")
    columns = ["Channel", label_of("tickets"), _sla_header(result, wide), "Target", "Verdict",
               *map(label_of, ("abandonment", "wait_p90"))]
    if wide:
        columns += map(label_of, ("wait_mean", "wait_median", "resolution_mean", "unresolved"))
    for column in columns:
        table.add_column(column, justify="left" if column in ("Channel", "Verdict")
                         else "right", no_wrap=column != "Channel")
    rows: list[tuple[str, str, str]] = [("channel", c.name, escape(c.name))
                                        for c in plan.channels
                                        if ("channel", c.name, "tickets") in values]
    if len(plan.segments) > 1:
        rows += [("segment", s, f"[dim]segment[/] {escape(s)}") for s in plan.segments]
    if len(rows) > 1 and sum(scope == "channel" for scope, _, _ in rows) > 1:
        rows.append(("overall", "all", "[dim]All channels[/]"))
    captions = []
    for scope, group, label in rows:
        channel = next((c for c in plan.channels if c.name == group), None)
        target, mark = "", ""
        if scope == "channel" and channel is not None and not math.isnan(channel.sla_target):
            target = f"{channel.sla_target:.0%} in {format_duration(channel.sla_within)}"
            if channel.sla_hours is not None:
                target += "*"
                captions.append("* counted in business hours only (sla.hours)")
            mark = _VERDICT_STYLE.get(verdicts.get(group, ""), "")
        own = getattr(result.scenario.segments.get(group), "sla", None)
        if scope == "segment" and own is not None:  # the segment's own target
            target = f"{own.target:.0%} in {format_duration(own.within)}"
        mixed = scope == "overall"
        cells = [
            label,
            _count(values.get((scope, group, "tickets"))),
            "" if mixed else _interval(result.summary, scope, group, "sla", wide),
            target,
            mark,
            "" if mixed else _percent(values.get((scope, group, "abandonment"))),
            "" if mixed else _duration(values.get((scope, group, "wait_p90"))),
        ]
        if wide:
            cells += ["" if mixed else _duration(values.get((scope, group, m)))
                      for m in ("wait_mean", "wait_median", "resolution_mean")]
            cells.append(_count(values.get((scope, group, "unresolved"))))
        table.add_row(*cells)
    if any(scope == "overall" for scope, _, _ in rows):
        captions.append("All channels: counts only (each channel has its own time scale).")
    if not wide:
        captions.append("More columns: --wide.")
    table.caption = " ".join(dict.fromkeys(captions)) or None
    return table


def tier_table(result: SimulationResult, wide: bool = True) -> Table:
    """Staffing and workload per tier; ``wide`` adds services per agent-day and the queue."""
    values = _estimate(result.summary)
    table = Table(title="Tiers (means per replication)", title_justify="left",
                  header_style="bold", caption_justify="left")
    columns = ["Tier", "Agent-hours/week", *map(label_of, ("utilization", "per_agent_day")),
               "Wait in queue"]
    if wide:
        columns[4:4] = map(label_of, ("handled", "services_per_agent_day", "queue_mean"))
    for column in columns:
        table.add_column(column, justify="left" if column == "Tier" else "right", no_wrap=True)
    for tier in result.plan.tiers:
        def get(metric: str, name: str = tier.name) -> tuple[float, float] | None:
            return values.get(("tier", name, metric))

        cells = [escape(tier.name), _scaled(get("agents_on_duty"), 168),
                 _percent(get("utilization")), _count(get("per_agent_day"), 1)]
        if wide:
            cells += [_count(get("handled")), _count(get("services_per_agent_day"), 1),
                      _count(get("queue_mean"), 1)]
        cells.append(_duration(get("wait_mean")))
        table.add_row(*cells)
    table.caption = ("Tickets/agent-day: conversations (a ticket's first contact at the tier) "
                     "per 8 hours on duty" + ("; services count every reply and repeat "
                                               "contact too." if wide else "."))
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


def print_result(console: Console, result: SimulationResult, *, wide: bool = True,
                 by_hour: bool = False, misses: Sequence[str] = ()) -> None:
    """The whole terminal summary of a run: ``wide`` shows every column (for a wide
    terminal or a file), ``by_hour`` the SLA per hour of the week, ``misses`` the lines
    saying why a target was missed."""
    console.print(describe_run(result), highlight=False, soft_wrap=False)
    console.print(ticket_table(result, wide), soft_wrap=False)
    for line in misses:
        console.print(line, highlight=False, soft_wrap=False)
    if by_hour:
        for part in hour_tables(result):
            console.print(part, soft_wrap=False, highlight=False)
    console.print(tier_table(result, wide), soft_wrap=False)
    print_behaviour(console, result, wide)
    customers = customer_table(result)
    if customers is not None:
        console.print(customers, soft_wrap=False)
    for part in rule_tables(result):
        console.print(part, soft_wrap=False)
    print_supervisor(console, result)
    print_outcomes(console, result)
