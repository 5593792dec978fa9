"""The customer rules in the HTML report: what the scenario assumes (one sentence per
rule, for the assumptions block) and the baseline's measured shares (a table), both empty
when the scenario uses none of them."""

from __future__ import annotations

import math
from collections.abc import Callable

from simdesk.metrics.customers import customer_features
from simdesk.plan.model import DeskPlan
from simdesk.report.style import exact_duration, interval, percent, text
from simdesk.scenario.schema import Scenario

Get = Callable[[str, str, str], tuple[float, float, float]]
COLUMNS = (("queue_limit", "blocked", "Busy signal (95 % CI)"),
           ("redial", "attempts", "Attempts per customer"),
           ("callback", "callbacks", "Called back (95 % CI)"),
           ("overflow", "overflowed", "Came by overflow (95 % CI)"),
           ("resolution", "resolution_sla", "Resolved within target (95 % CI)"))


def customer_items(scenario: Scenario) -> list[str]:
    """The customer rules, calendar and extra targets, one sentence each."""
    items = []
    for name, channel in scenario.channels.items():
        rules = []
        if channel.queue_limit is not None:
            rules.append(f"at most {channel.queue_limit} waiting (then a busy signal)")
        if channel.redial is not None:
            spec = channel.redial
            rules.append(f"{percent(spec.share, 0)} redial after a mean "
                         f"{exact_duration(spec.after.expected)}, at most {spec.max} times")
        if channel.callback is not None:
            rules.append(f"{percent(channel.callback.share, 0)} take a callback when offered")
        if channel.overflow is not None:
            rules.append(f"overflow to {text(channel.overflow.to)}")
        if channel.resolution is not None:
            rules.append(f"resolution target {percent(channel.resolution.target, 0)} within "
                         f"{exact_duration(channel.resolution.within)}")
        if rules:
            items.append(f"<b>{text(name)}</b>: " + "; ".join(rules))
    items += [f"<b>Tier {text(name)}</b>: at most {tier.queue_limit} waiting"
              for name, tier in scenario.tiers.items() if tier.queue_limit is not None]
    for name, share in scenario.segments.items():
        own = getattr(share, "sla", None)
        if own is not None:
            items.append(f"<b>Segment {text(name)}</b>: its own SLA, "
                         f"{percent(own.target, 0)} within {exact_duration(own.within)}")
    calendar = scenario.calendar
    if calendar is not None:
        items += [f"<b>Closed</b> {text(c.date)} ({text(c.closed)})" for c in calendar.closed]
        items += [f"<b>Arrivals</b> × {m.multiplier:g} on {text(m.date)}"
                  for m in calendar.multipliers]
    return items


def customer_table(scenario: Scenario, plan: DeskPlan, get: Get,
                   table: Callable[..., str]) -> str:
    """The baseline's customer-rule metrics per channel (empty without the rules)."""
    used = customer_features(scenario)
    columns = [(metric, header) for feature, metric, header in COLUMNS if feature in used]
    if not columns:
        return ""
    rows = []
    groups = [("overall", "all", "<b>All tickets</b>")]
    groups += [("channel", c.name, text(c.name)) for c in plan.channels]
    for scope, group, name in groups:
        row = [name]
        for metric, _ in columns:
            mean, low, high = get(scope, group, metric)
            row.append(("—" if math.isnan(mean) else f"{mean:.2f}") if metric == "attempts"
                       else interval(mean, low, high))
        rows.append(row)
    return ("<h3>Customers when busy, and resolution targets</h3>"
            + table(["", *(header for _, header in columns)], rows, "numbers"))
