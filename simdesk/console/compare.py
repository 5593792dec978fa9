"""Terminal rendering of a comparison of routing policies with rich.

One table per scope (all tickets, each channel, each segment): a row per policy with
its SLA (95 % CI), waits, resolution and abandonment; under each value of a policy other
than the baseline, its paired difference to the baseline ± the 95 % half-width and a
mark: ✓ significantly better, ✗ significantly worse, = no significant difference.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.console.beyond_sla import MIN_DAYS
from simdesk.experiments.compare import Comparison
from simdesk.metrics.catalogue import format_difference, format_metric, label_of
from simdesk.metrics.verdicts import judgement, verdict
from simdesk.plan.model import ChannelPlan
from simdesk.scenario.units import format_duration

COLUMNS = tuple((m, label_of(m) + (" (95% CI)" if m == "sla" else ""))
                for m in ("sla", "wait_mean", "wait_median", "wait_p90", "resolution_mean",
                          "abandonment", "refused"))
"""The metrics in each policy's table, in order, with their headers (the catalogue's
labels)."""
OVERVIEWS = (("sla", "[bold]SLA attainment[/] by policy, side by side"),
             ("days_met", "[bold]Days meeting the target[/] by policy (whole calendar days "
                          "after the warm-up; all tickets: every channel met it)"),
             ("csat", "[bold]Good ratings[/] (satisfaction proxy) by policy"),
             ("resolution_sla", "[bold]Resolved within the resolution target[/] by policy"),
             ("blocked", "[bold]Busy signals[/] (share of customers turned away) by policy"),
             ("attempts", "[bold]Attempts per customer[/] (redials) by policy"),
             ("callbacks", "[bold]Called back[/] (share of answered customers) by policy"),
             ("overflowed", "[bold]Came by overflow[/] (share of a channel's tickets) by "
                            "policy"))
"""The metrics shown side by side for every scope, where the run has them: SLA; the
share of days meeting the target (two measured days or more); the share of good
ratings (a satisfaction model); the customer rules' metrics (a resolution target, busy
signals, redials, callbacks, overflow)."""

_MARKS = {"better": "[green]✓[/]", "worse": "[red]✗[/]", "same": "[dim]=[/]"}
_STYLES = {"better": "green", "worse": "red", "same": "dim"}
_TARGET = {"met": "[green]met[/]", "missed": "[red]missed[/]",
           "borderline": "[yellow]close[/]"}
"""Against the channel's target, judged by the 95 % CI (words, not the marks of Δ)."""

Key = tuple[str, str, str, str]
"""policy, scope, group, metric."""


class _Lookup:
    """The comparison's summary and differences, indexed for the tables."""

    def __init__(self, comparison: Comparison) -> None:
        summary = comparison.summary
        self.estimates: dict[Key, tuple[float, float, float]] = {
            (r["policy"], r["scope"], r["group"], r["metric"]):
                (float(r["mean"]), float(r["ci_low"]), float(r["ci_high"]))
            for r in summary.to_dict("records")
        }
        self.differences: dict[Key, dict[Any, Any]] = {
            (r["policy"], r["scope"], r["group"], r["metric"]): r
            for r in comparison.differences.to_dict("records")
        }

    def mean(self, key: Key) -> float:
        return self.estimates.get(key, (math.nan, math.nan, math.nan))[0]

    def sla(self, key: Key) -> str:
        mean, low, high = self.estimates.get(key, (math.nan, math.nan, math.nan))
        if math.isnan(mean):
            return "—"
        if math.isnan(low):
            return f"{mean:.1%}"
        return f"{mean:.1%} [dim]({max(low, 0):.1%}–{min(high, 1):.1%})[/]"

    def difference(self, key: Key) -> str:
        row = self.differences.get(key)
        if row is None:
            return ""
        mean, low, high = (float(row[c]) for c in ("mean_difference", "ci_low", "ci_high"))
        text = format_difference(key[3], mean, (high - low) / 2)
        if math.isnan(mean) or math.isnan(low):
            return f"[dim]Δ {text}[/]"
        if mean == 0 and low == high:
            return "[dim]Δ 0 =[/]"  # the same in every replication
        judged = judgement(str(row["better"]), key[0], bool(row["significant"]))
        return f"[{_STYLES[judged]}]Δ {text}[/] {_MARKS[judged]}"


def _scopes(comparison: Comparison) -> Iterator[tuple[str, str, str]]:
    """``(scope, group, title)`` of each table: all tickets, channels, segments."""
    plan = comparison.results[comparison.baseline].plan
    lookup_tickets = comparison.summary.loc[
        (comparison.summary["policy"] == comparison.baseline)
        & (comparison.summary["metric"] == "tickets")].set_index(["scope", "group"])["mean"]

    def count(scope: str, group: str) -> str:
        value = lookup_tickets.get((scope, group), math.nan)
        return "" if math.isnan(value) else f"{value:,.0f} tickets per replication"

    yield "overall", "all", f"[bold]All tickets[/] — {count('overall', 'all')}"
    for channel in plan.channels:
        if ("channel", channel.name) not in lookup_tickets.index:
            continue
        title = f"[bold]Channel {escape(channel.name)}[/] — {count('channel', channel.name)}"
        if not math.isnan(channel.sla_target):
            title += (f", target {channel.sla_target:.0%} answered within "
                      f"{format_duration(channel.sla_within)}")
            if channel.sla_hours is not None:
                title += " (business hours)"
        yield "channel", channel.name, title
    if len(plan.segments) > 1:
        for segment in plan.segments:
            yield "segment", segment, (f"[bold]Segment {escape(segment)}[/] — "
                                       f"{count('segment', segment)}")


def _targets(comparison: Comparison) -> dict[str, ChannelPlan]:
    """The channels with an SLA target, by name."""
    plan = comparison.results[comparison.baseline].plan
    return {c.name: c for c in plan.channels if not math.isnan(c.sla_target)}


def _against_target(lookup: _Lookup, key: Key, channel: ChannelPlan) -> str:
    """``met``, ``missed`` or ``close`` (the 95 % CI contains the target), coloured."""
    mean, low, high = lookup.estimates.get(key, (math.nan,) * 3)
    return "" if math.isnan(mean) else _TARGET[verdict(mean, low, high, channel.sla_target)]


def _policy_cell(comparison: Comparison, label: str) -> str:
    name = escape(label)
    return f"{name} [dim](baseline)[/]" if label == comparison.baseline else name


def refused_any(comparison: Comparison) -> bool:
    """Some run turned tickets away."""
    summary = comparison.summary
    values = summary.loc[summary["metric"] == "refused", "mean"]
    return bool((values.fillna(0) > 0).any())


def shown_columns(comparison: Comparison) -> tuple[tuple[str, str], ...]:
    """The table columns: ``Refused`` beside ``Abandoned`` when any run refused tickets
    (otherwise a line under the description says none was)."""
    if refused_any(comparison):
        return COLUMNS
    return tuple(c for c in COLUMNS if c[0] != "refused")


def scope_table(comparison: Comparison, lookup: _Lookup, scope: str, group: str,
                title: str) -> Table:
    """One scope's table: a row per policy, differences under the non-baseline values."""
    channel = _targets(comparison).get(group) if scope == "channel" else None
    table = Table(title=title, title_justify="left", header_style="bold", show_lines=True)
    table.add_column("Scenario" if comparison.by_file else "Policy", overflow="fold",
                     min_width=min(max(10, *map(len, comparison.labels)), 20))
    columns = shown_columns(comparison)
    for metric, header in columns:
        table.add_column(header, justify="right", overflow="fold",  # narrow: wrapped, not cut
                         min_width=14 if metric == "sla" else None)  # "(93.8%–100.0%)"
        if metric == "sla" and channel is not None:
            table.add_column("Target", no_wrap=True, min_width=6)
    for label in comparison.labels:
        cells = [_policy_cell(comparison, label)]
        for metric, _ in columns:
            key = (label, scope, group, metric)
            value = lookup.sla(key) if metric == "sla" else format_metric(metric, lookup.mean(key))
            if label != comparison.baseline:
                value += "\n" + lookup.difference(key)
            cells.append(value)
            if metric == "sla" and channel is not None:
                cells.append(_against_target(lookup, key, channel))
        table.add_row(*cells)
    return table


def describe_comparison(comparison: Comparison) -> str:
    """What was compared, on which tickets, and how to read the differences."""
    result = comparison.results[comparison.baseline]
    plan, scenario = result.plan, comparison.scenario
    measured = format_duration(plan.horizon - plan.warmup)
    others = ", ".join(escape(label) for label in comparison.labels[1:])
    lines = [
        f"[bold]{escape(scenario.name)}[/] — {comparison.replications} replication(s) of "
        f"{format_duration(plan.horizon)} from {scenario.start:%a %Y-%m-%d} (measured after "
        f"a {format_duration(plan.warmup)} warm-up: {measured}), seed {comparison.seed}",
    ]
    if comparison.by_file:
        lines.append("Scenario files compared on common random numbers: "
                     f"[bold]{escape(comparison.baseline)}[/] (baseline) against "
                     + ", ".join(escape(label) for label in comparison.labels[1:]))
        lines += [f"  {escape(label)}: {escape(comparison.files[label])}"
                  for label in comparison.labels]
        lines += pairing_lines(comparison)
    else:
        lines.append(f"Policies compared on the same tickets: [bold]"
                     f"{escape(comparison.baseline)}[/] (baseline) against {others}")
    if not refused_any(comparison):
        lines.append("No run refused a ticket (the Refused column is left out).")
    lines += unchanged_lines(comparison)
    if comparison.replications < 2:
        lines.append("[yellow]One replication: no confidence intervals, nothing can be "
                     "called significant; run more with --replications.[/]")
    else:
        lines += [
            f"Δ = difference to {escape(comparison.baseline)}, replication by replication "
            "on the same tickets, ± its 95 % confidence half-width (pp: percentage points)",
            "    [green]✓[/] significantly better, [red]✗[/] significantly worse, [dim]=[/] "
            "no significant difference — higher SLA is better; shorter waits and "
            "resolution, less abandonment and fewer refused are better; more days meeting "
            "the target, more "
            "good and fewer bad ratings are better",
        ]
    return "\n".join(lines)


def unchanged_lines(comparison: Comparison) -> list[str]:
    """A line for each policy (or file) that changed nothing: every ticket fared as under
    the baseline — with the likely reason where one is known."""
    lines = []
    plan = comparison.results[comparison.baseline].plan
    for label in comparison.unchanged:
        why = ""
        spec = comparison.results[label].scenario.routing
        if (not comparison.by_file and getattr(spec, "policy", "") in ("paid-first", "priority")
                and len(plan.segments) < 2):
            why = (" — the scenario has no segments to rank (add e.g. segments: "
                   "{paid: 20%, free: 80%})")
        lines.append(f"[yellow]{escape(label)} changed nothing: every ticket fared exactly "
                     f"as under {escape(comparison.baseline)}, replication by replication"
                     f"{why}.[/]")
    return lines


def pairing_lines(comparison: Comparison) -> list[str]:
    """Per variant: identical tickets, or which draws differ (the pairing is partial)."""
    lines = []
    for label, pairing in comparison.pairing.items():
        if pairing.full:
            lines.append(f"  {escape(label)}: identical tickets, fully paired (checked: "
                         f"{pairing.tickets:,} of replication 0)")
        else:
            lines.append(f"  [yellow]{escape(label)}: the pairing is partial — its "
                         f"{', '.join(pairing.differ)} differ from "
                         f"{escape(comparison.baseline)}'s[/]")
    return lines


def sla_overview(comparison: Comparison, lookup: _Lookup, metric: str = "sla",
                 title: str = OVERVIEWS[0][1]) -> Table | None:
    """One metric (SLA by default) of every policy in every scope side by side, with the
    differences; None when the run does not measure it."""
    table = Table(title=title, title_justify="left", header_style="bold", show_lines=True)
    table.add_column("Scenario" if comparison.by_file else "Policy", no_wrap=True)
    scopes = [(scope, group) for scope, group, _ in _scopes(comparison)
              if not math.isnan(lookup.mean((comparison.baseline, scope, group, metric)))]
    if metric == "days_met":  # as in a run's per-day table: two measured days or more
        scopes = [(scope, group) for scope, group in scopes
                  if lookup.mean((comparison.baseline, scope, group, "days")) >= MIN_DAYS]
    if not scopes:
        return None
    targets = _targets(comparison) if metric in ("sla", "days_met") else {}
    for scope, group in scopes:
        header = "All tickets" if scope == "overall" else escape(group)
        if scope == "segment":
            header = f"segment {header}"
        if scope == "channel" and group in targets:
            channel = targets[group]
            header += (f" ({channel.sla_target:.0%} in "
                       f"{format_duration(channel.sla_within)})")
        table.add_column(header, justify="right", no_wrap=True)
    for label in comparison.labels:
        cells = [_policy_cell(comparison, label)]
        for scope, group in scopes:
            key = (label, scope, group, metric)
            text = format_metric(metric, lookup.mean(key))
            if metric == "sla" and scope == "channel" and group in targets:
                text = f"{text} {_against_target(lookup, key, targets[group])}".rstrip()
            if label != comparison.baseline:
                text += "\n" + lookup.difference(key)
            cells.append(text)
        table.add_row(*cells)
    return table


def print_comparison(console: Console, comparison: Comparison) -> None:
    """The whole terminal report of a comparison."""
    console.print(describe_comparison(comparison), highlight=False)
    lookup = _Lookup(comparison)
    for scope, group, title in _scopes(comparison):
        console.print(scope_table(comparison, lookup, scope, group, title))
    for metric, title in OVERVIEWS:
        overview = sla_overview(comparison, lookup, metric, title)
        if overview is not None:
            console.print(overview)
    from simdesk.console.outcomes import compared_outcomes

    outcomes = compared_outcomes(comparison, lookup)
    if outcomes is not None:
        console.print(outcomes)

