"""The terminal table of the customer rules: busy signals, redials, callbacks, overflow
and resolution targets per channel (and segment), printed only when a scenario uses
them."""

from __future__ import annotations

import math

from rich.markup import escape
from rich.table import Table

from simdesk.console.beyond_sla import Estimate, Lookup, count
from simdesk.metrics.customers import customer_features
from simdesk.scenario.units import format_duration
from simdesk.simulation import SimulationResult

COLUMNS = (("queue_limit", "blocked", "Busy signal"),
           ("redial", "attempts", "Attempts"),
           ("callback", "callbacks", "Called back"),
           ("overflow", "overflowed", "Overflow in"),
           ("resolution", "resolution_sla", "Resolved in target"))
"""(feature, metric, header) of each column, shown when the scenario uses the feature."""


def customer_table(result: SimulationResult) -> Table | None:
    """Per channel and segment, the metrics of the customer rules the scenario uses
    (None when it uses none)."""
    used = customer_features(result.scenario)
    columns = [(metric, header) for feature, metric, header in COLUMNS if feature in used]
    if not columns:
        return None
    values = Lookup(result.summary)
    table = Table(title="Customers when busy, and resolution targets (means per "
                  "replication ± 95 % CI)", title_justify="left", header_style="bold",
                  caption_justify="left")
    table.add_column("")
    table.add_column("Tickets", justify="right")
    for _, header in columns:
        table.add_column(header, justify="right")
    rows = [("overall", "all", "[bold]All tickets[/]")]
    rows += [("channel", c.name, escape(c.name)) for c in result.plan.channels]
    if len(result.plan.segments) > 1:
        rows += [("segment", s, f"[dim]segment[/] {escape(s)}") for s in result.plan.segments]
    for scope, group, label in rows:
        cells = [label, count(values.get(scope, group, "tickets"))]
        for metric, _ in columns:
            value = values.get(scope, group, metric)
            cells.append(_plus_minus(value, share=metric != "attempts"))
        table.add_row(*cells)
    notes = ["Attempts: per customer (1 without redials)."] if "redial" in used else []
    if "resolution" in used:
        targets = [f"{escape(name)} {spec.resolution.target:.0%} within "
                   f"{format_duration(spec.resolution.within)}"
                   + (" (business hours)" if spec.resolution.hours else "")
                   for name, spec in result.scenario.channels.items()
                   if spec.resolution is not None]
        notes.append("Resolution targets: " + ", ".join(targets) + ".")
    if "overflow" in used:
        notes.append("An overflowed ticket counts in the channel it ended in.")
    if "redial" in used:
        counts = [name for name, spec in result.scenario.channels.items()
                  if spec.sla is not None and spec.sla.counts == "attempts"]
        notes.append("SLA counts every attempt on " + ", ".join(map(escape, counts)) + "; "
                     "elsewhere each customer once, from the first attempt." if counts else
                     "SLA counts each customer once, from their first attempt.")
    table.caption = " ".join(notes) or None
    return table


def _plus_minus(value: Estimate, share: bool) -> str:
    """``11.1% ±1.1`` (a share, half-width in points) or ``1.22 ±0.05``; the mean alone
    without an interval."""
    mean, low, high = value
    if math.isnan(mean):
        return "—"
    text = f"{mean:.1%}" if share else f"{mean:.2f}"
    if math.isnan(low) or math.isnan(high):
        return text
    half = max(mean - low, high - mean)
    return f"{text} [dim]±{half * 100:.1f}[/]" if share else f"{text} [dim]±{half:.2f}[/]"
