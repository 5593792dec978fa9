"""The desk rules in the HTML report: the baseline's interruptions per channel, help
between tiers and rests of capped agents per tier, with 95 % CIs (empty when the
scenario writes no desk rules; :mod:`simdesk.metrics.rules`)."""

from __future__ import annotations

import math
from collections.abc import Callable

from simdesk.metrics.rules import rule_features
from simdesk.plan.model import DeskPlan
from simdesk.plan.rules import desk_rules
from simdesk.report.blocks import table as html_table
from simdesk.report.figures import Estimates
from simdesk.report.style import interval, text
from simdesk.store.read import DeskResults

TITLE = "What the desk rules did"
NOTE = ("How often a higher channel pulled an agent off lower work, how much of a tier's "
        "work other tiers did, and how long capped agents rested: means per replication "
        "after the warm-up, for the baseline.")


def rule_tables(results: DeskResults) -> str:
    """The section's content for a results folder (empty without desk rules)."""
    estimates = Estimates(results.summary)

    def get(scope: str, group: str, metric: str) -> tuple[float, float, float]:
        return estimates.get(results.baseline, scope, group, metric)

    return rule_section(results.plan, get, html_table)

Get = Callable[[str, str, str], tuple[float, float, float]]


def rule_section(plan: DeskPlan, get: Get, table: Callable[..., str]) -> str:
    """The baseline's desk-rule metrics (empty without desk rules)."""
    used = rule_features(plan)
    if not used:
        return ""
    rules = desk_rules(plan)
    names = [t.name for t in plan.tiers]
    channels = [c.name for c in plan.channels]
    parts = []
    if "preemption" in used:
        by: dict[int, set[int]] = {}
        for pairs in rules.preempt:
            for high, lows in pairs.items():
                for low in lows:
                    by.setdefault(low, set()).add(high)
        rows = [["<b>All tickets</b>", "", interval(*get("overall", "all", "interrupted"))]]
        rows += [[text(channels[low]), ", ".join(text(channels[h]) for h in sorted(by[low])),
                  interval(*get("channel", channels[low], "interrupted"))] for low in sorted(by)]
        hours = get("overall", "all", "restart_hours")
        parts.append(table(["Channel", "Interrupted by", "Tickets interrupted (95 % CI)"],
                           rows, "numbers"))
        parts.append(f"<p>Restart cost: {_number(*hours)} hours of agent time per day "
                     "(95 % CI). A ticket counts once however often it was set aside.</p>")
    if used & {"help", "occupancy"}:
        helpers: dict[int, list[int]] = {}
        for rule in rules.helps:
            helpers.setdefault(rule.helped, []).append(rule.helper)
        givers = {rule.helper for rule in rules.helps}
        capped = {plan.agents[i].tier for i, r in enumerate(rules.occupancy) if r is not None}
        headers = ["Tier"]
        if "help" in used:
            headers += ["Helped by", "Services done by other tiers (95 % CI)",
                        "Handling time on other tiers (95 % CI)"]
        if "occupancy" in used:
            headers += ["Rests per agent-day (95 % CI)", "Time resting (95 % CI)"]
        rows = []
        for index, name in enumerate(names):
            if index not in helpers and index not in givers and index not in capped:
                continue
            row = [text(name)]
            if "help" in used:
                row.append(", ".join(text(names[h]) for h in helpers.get(index, [])) or "—")
                row += [interval(*get("tier", name, "helped")) if index in helpers else "—",
                        interval(*get("tier", name, "helping")) if index in givers else "—"]
            if "occupancy" in used:
                row += [_number(*get("tier", name, "rests")),
                        interval(*get("tier", name, "rest_share"))]
            rows.append(row)
        parts.append(table(headers, rows, "numbers"))
        if "occupancy" in used:
            parts.append("<p>Rests count the agents with an occupancy cap only; time "
                         "resting is over their time on the queue or resting.</p>")
    return "".join(parts)


def _number(mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "—"
    if math.isnan(low) or math.isnan(high):
        return f"{mean:.2f}"
    return f"{mean:.2f} ({low:.2f}–{high:.2f})"
