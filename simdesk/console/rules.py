"""The terminal tables of the desk rules: how often calls interrupted other work, how
much of a tier's work other tiers did, how long capped agents rested — printed only
when a scenario writes those rules (:mod:`simdesk.metrics.rules`)."""

from __future__ import annotations

import math

from rich.markup import escape
from rich.table import Table

from simdesk.console.beyond_sla import Estimate, Lookup
from simdesk.metrics.rules import rule_features
from simdesk.plan.rules import desk_rules
from simdesk.simulation import SimulationResult

TITLE = "(means per replication ± 95 % CI)"


def rule_tables(result: SimulationResult) -> list[Table]:
    """The pre-emption table (per interrupted channel) and the tier table (help, rests),
    each when the scenario uses its rules."""
    used = rule_features(result.plan)
    values = Lookup(result.summary)
    tables = []
    if "preemption" in used:
        tables.append(_interruptions(result, values))
    if used & {"help", "occupancy"}:
        tables.append(_tiers(result, values, used))
    return tables


def _interruptions(result: SimulationResult, values: Lookup) -> Table:
    plan = result.plan
    rules = desk_rules(plan)
    names = [c.name for c in plan.channels]
    by: dict[int, set[int]] = {}
    for pairs in rules.preempt:
        for high, lows in pairs.items():
            for low in lows:
                by.setdefault(low, set()).add(high)
    table = Table(title=f"Interruptions {TITLE}", title_justify="left",
                  header_style="bold", caption_justify="left")
    for header in ("", "Interrupted by", "Tickets interrupted"):
        table.add_column(header, justify="left" if not header.startswith("T") else "right")
    table.add_row("[bold]All tickets[/]", "", _share(values.get("overall", "all",
                                                                  "interrupted")))
    for low in sorted(by):
        table.add_row(escape(names[low]), ", ".join(escape(names[h]) for h in sorted(by[low])),
                      _share(values.get("channel", names[low], "interrupted")))
    hours = values.get("overall", "all", "restart_hours")
    table.caption = (f"Restart cost: {_number(hours)} hours of agent time per day. A ticket "
                     "counts once however often it was set aside.")
    return table


def _tiers(result: SimulationResult, values: Lookup, used: set[str]) -> Table:
    plan = result.plan
    rules = desk_rules(plan)
    names = [t.name for t in plan.tiers]
    helpers: dict[int, list[int]] = {}
    for rule in rules.helps:
        helpers.setdefault(rule.helped, []).append(rule.helper)
    capped = {plan.agents[i].tier for i, rule in enumerate(rules.occupancy) if rule is not None}
    table = Table(title=f"Help between tiers and rests {TITLE}", title_justify="left",
                  header_style="bold", caption_justify="left")
    table.add_column("Tier")
    columns: list[tuple[str, str]] = []
    if "help" in used:
        table.add_column("Helped by")
        columns += [("helped", "share"), ("helping", "share")]
        table.add_column("Served by others", justify="right")
        table.add_column("Time on others", justify="right")
    if "occupancy" in used:
        columns += [("rests", "rate"), ("rest_share", "share")]
        table.add_column("Rests/agent-day", justify="right")
        table.add_column("Resting", justify="right")
    givers = {rule.helper for rule in rules.helps}
    for index, name in enumerate(names):
        if index not in helpers and index not in givers and index not in capped:
            continue
        cells = [escape(name)]
        if "help" in used:
            cells.append(", ".join(escape(names[h]) for h in helpers.get(index, [])) or "—")
        for metric, kind in columns:
            if (metric == "helped" and index not in helpers) or (
                    metric == "helping" and index not in givers):
                cells.append("—")  # the tier is not helped, or helps nobody
                continue
            value = values.get("tier", name, metric)
            cells.append(_share(value) if kind == "share" else _number(value))
        table.add_row(*cells)
    notes = []
    if "help" in used:
        notes.append("Served by others: share of the tier's services done by helpers; time "
                     "on others: share of its agents' handling time on other tiers' "
                     "tickets.")
    if "occupancy" in used:
        notes.append("Rests and resting: agents with an occupancy cap only (resting: share "
                     "of their time on the queue or resting).")
    table.caption = " ".join(notes)
    return table


def _share(value: Estimate) -> str:
    mean, low, high = value
    if math.isnan(mean):
        return "—"
    if math.isnan(low) or math.isnan(high):
        return f"{mean:.1%}"
    return f"{mean:.1%} [dim]±{max(mean - low, high - mean) * 100:.1f}[/]"


def _number(value: Estimate) -> str:
    mean, low, high = value
    if math.isnan(mean):
        return "—"
    if math.isnan(low) or math.isnan(high):
        return f"{mean:.2f}"
    return f"{mean:.2f} [dim]±{max(mean - low, high - mean):.2f}[/]"
