"""The behaviour a scenario assumes, in words, for the report's "What was simulated":
each agent group's speed, channels, concurrency, breaks and dates, and the desk's volume
uncertainty, self-service, repeat contacts, shrinkage, helpers and rating model."""

from __future__ import annotations

from simdesk.report.customers import customer_items
from simdesk.report.style import exact_duration, percent, round_duration, text
from simdesk.scenario.schema import Scenario, ShiftGroup, Tier
from simdesk.scenario.units import format_growth


def group_details(group: ShiftGroup) -> list[str]:
    """What sets a group of agents apart, e.g. ``speed 80 % (from 50 % over 8w)``."""
    details = []
    if group.channels:
        details.append("takes " + text(" before ".join(group.channels)))
    if group.concurrency is not None and group.concurrency.max > 1:
        slower = (f", each {percent(group.concurrency.slowdown, 0)} slower per other"
                  if group.concurrency.slowdown else "")
        details.append(f"up to {group.concurrency.max} at once{slower}")
    if group.speed != 1 or group.ramp is not None:
        speed = f"speed {percent(group.speed, 0)}"
        if group.ramp is not None:
            speed += (f" (from {percent(group.speed * group.ramp.start, 0)} over "
                      f"{exact_duration(group.ramp.over)})")
        details.append(speed)
    for rest in group.breaks:
        when = (f"at {rest.at}" if rest.at is not None
                else f"{round_duration(rest.after or 0.0)} into the shift")
        stagger = f", staggered {round_duration(rest.stagger)}" if rest.stagger else ""
        details.append(f"break {round_duration(rest.for_)} {when}{stagger}")
    if group.dates:
        details.append("only on " + text(", ".join(group.dates)))
    return details


def tier_lines(tier: Tier) -> list[str]:
    """Helpers of a tier, one line each."""
    return [f"helper {text(h.name)}{f' ×{h.count}' if h.count > 1 else ''}: "
            f"{text(h.shift)}, joins at {h.joins_at} waiting, leaves at {h.leaves_at}, "
            f"at most {percent(h.cap, 0)} of the day"
            + (f", speed {percent(h.speed, 0)}" if h.speed != 1 else "")
            for h in tier.helpers]


def behaviour_items(scenario: Scenario) -> list[str]:
    """The desk-wide behaviour switched on, one sentence each (empty: none)."""
    items = []
    volume = scenario.volume
    if volume is not None and volume.day_factor is not None:
        factor = volume.day_factor
        items.append(f"<b>Day-to-day volume</b>: every day × a {text(factor.dist)} factor, "
                     f"mean 1, cv {percent(factor.cv, 0)}, "
                     + ("one for all channels" if volume.shared else "one per channel"))
    if volume is not None and volume.trend:
        items.append(f"<b>Trend</b>: volume grows {text(format_growth(volume.trend))}, "
                     "compounding from the start")
    deflected = [f"{text(name)} {percent(t.deflection.share, 0)}"
                 + (" (the easiest)" if t.deflection.picks == "easiest" else "")
                 for name, t in scenario.topics.items()
                 if t.deflection is not None and t.deflection.share > 0]
    if deflected:
        items.append("<b>Self-service</b> answers " + ", ".join(deflected))
    reopens = [(f"topic {name}", t.reopens) for name, t in scenario.topics.items()]
    reopens += [(f"tier {name}", t.reopens) for name, t in scenario.tiers.items()]
    come_back = [f"{text(where)} {percent(spec.share, 0)}" for where, spec in reopens
                 if spec is not None and spec.share > 0]
    if come_back:
        items.append("<b>Repeat contacts</b>: a resolved ticket comes back from "
                     + ", ".join(come_back))
    shrinkage = [("every tier", scenario.shrinkage)]
    shrinkage += [(f"tier {name}", t.shrinkage) for name, t in scenario.tiers.items()]
    for where, spec in shrinkage:
        if spec is not None and (spec.absence or spec.off_queue):
            items.append(f"<b>Shrinkage</b> ({text(where)}): {percent(spec.absence, 0)} of "
                         f"shifts missed, {percent(spec.off_queue, 0)} of the time off the "
                         f"queue in blocks of {exact_duration(spec.block)}")
    if scenario.satisfaction is not None:
        items.append("<b>Satisfaction</b>: every resolved ticket rated good, okay or bad "
                     "(docs/behaviour.md)")
    items += customer_items(scenario)
    return items
