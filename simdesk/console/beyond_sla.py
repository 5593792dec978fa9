"""Terminal tables of how customers fared beyond the SLA: per day, satisfaction, repeat
contacts and self-service. Each is printed only when the run has something to show."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.metrics.daily_sla import measured_days
from simdesk.metrics.helpers import helper_rules
from simdesk.metrics.tickets import uses_deflection, uses_reopens
from simdesk.scenario.units import format_duration, humanize_minutes
from simdesk.simulation import SimulationResult

MIN_DAYS = 2
"""The per-day section needs at least this many measured days."""

Estimate = tuple[float, float, float]
"""mean, ci_low, ci_high."""


class Lookup:
    """``(scope, group, metric) → (mean, low, high)`` from a summary."""

    def __init__(self, summary: pd.DataFrame) -> None:
        self.values: dict[tuple[str, str, str], Estimate] = {
            (str(s), str(g), str(m)): (float(mean), float(low), float(high))
            for s, g, m, mean, low, high in summary[
                ["scope", "group", "metric", "mean", "ci_low", "ci_high"]
            ].itertuples(index=False)
        }

    def get(self, scope: str, group: str, metric: str) -> Estimate:
        return self.values.get((scope, group, metric), (math.nan, math.nan, math.nan))

    def has(self, scope: str, metric: str) -> bool:
        return any(s == scope and m == metric for s, _, m in self.values)


def percent(value: Estimate, digits: int = 1) -> str:
    return "—" if math.isnan(value[0]) else f"{value[0]:.{digits}%}"


def percent_ci(value: Estimate) -> str:
    """``68.0% (60.1–75.9%)``; the mean alone without an interval."""
    mean, low, high = value
    if math.isnan(mean):
        return "—"
    if math.isnan(low) or math.isnan(high):
        return f"{mean:.1%}"
    return f"{mean:.1%} [dim]({low * 100:.1f}–{high:.1%})[/]"


def points_ci(value: Estimate) -> str:
    """A signed difference in percentage points with its interval: ``-1.2pp (-4.0 to
    +1.6)``, marked when the interval excludes 0."""
    mean, low, high = value
    if math.isnan(mean):
        return "—"
    text = f"{mean * 100:+.1f}pp"
    if math.isnan(low) or math.isnan(high):
        return text
    interval = f"[dim]({low * 100:+.1f} to {high * 100:+.1f})[/]"
    if low > 0:
        return f"[green]{text}[/] {interval}"
    if high < 0:
        return f"[red]{text}[/] {interval}"
    return f"{text} {interval}"


def count(value: Estimate, digits: int = 0) -> str:
    return "—" if math.isnan(value[0]) else f"{value[0]:,.{digits}f}"


def minutes(value: Estimate) -> str:
    return "—" if math.isnan(value[0]) else humanize_minutes(value[0])


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold",
                  caption_justify="left")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right", no_wrap=True)
    return table


# -- SLA per day ---------------------------------------------------------------------


def days_met_text(days: Estimate, met: Estimate) -> str:
    """``19 of 28 days, 68% (60–75%)``."""
    if math.isnan(met[0]) or math.isnan(days[0]):
        return "—"
    return (f"{met[0] * days[0]:.0f} of {days[0]:.0f} days, "
            f"{percent_ci(met)}")


def day_table(result: SimulationResult, wide: bool = True) -> Table | None:
    """Per channel with a target: on how many measured days it was met, and the spread of
    daily attainment (``wide``: with the P10 and P90 days); None with fewer than
    :data:`MIN_DAYS` measured days."""
    if measured_days(result.plan).count < MIN_DAYS:
        return None
    values = Lookup(result.summary)
    if not values.has("channel", "days_met"):
        return None
    table = _table("SLA per day (whole calendar days after the warm-up; means per "
                   "replication, 95 % CI)",
                   ["Channel", "Target", "Target met on", "Worst day",
                    *(["P10 day", "Median day", "P90 day"] if wide else ["Median day"])])
    overall = values.get("overall", "all", "days_met")
    if not math.isnan(overall[0]):
        table.add_row("[bold]Every channel[/]†", "", days_met_text(
            values.get("overall", "all", "days"), overall), "", *([""] * (3 if wide else 1)))
    for channel in result.plan.channels:
        if ("channel", channel.name, "days_met") not in values.values:
            continue
        def get(metric: str, name: str = channel.name) -> Estimate:
            return values.get("channel", name, metric)

        target = f"{channel.sla_target:.0%} in {format_duration(channel.sla_within)}"
        spread = ([percent(get("day_sla_p10")), percent(get("day_sla_median")),
                   percent(get("day_sla_p90"))] if wide else [percent(get("day_sla_median"))])
        table.add_row(escape(channel.name), target,
                      days_met_text(get("days"), get("days_met")),
                      percent(get("day_sla_worst")), *spread)
    table.caption = ("A day's attainment is over the tickets that arrived that day; days "
                     "without tickets on a channel are not counted for it. † Every channel: "
                     "over the days on which every channel had tickets.")
    return table


# -- satisfaction ----------------------------------------------------------------------


def _rating_cells(values: Lookup, scope: str, group: str) -> list[str]:
    good, bad = values.get(scope, group, "csat"), values.get(scope, group, "bad")
    okay = (1 - good[0] - bad[0], math.nan, math.nan)
    return [percent_ci(good), percent(okay), percent(bad)]


def satisfaction_table(result: SimulationResult) -> Table:
    """Good / okay / bad shares overall, per channel and per segment."""
    values = Lookup(result.summary)
    table = _table("Satisfaction proxy (good / okay / bad per resolved ticket; means per "
                   "replication, 95 % CI)",
                   ["", "Rated", "Good (95% CI)", "Okay", "Bad", "Net (good − bad)"])
    rows = [("overall", "all", "[bold]All tickets[/]")]
    rows += [("channel", c.name, escape(c.name)) for c in result.plan.channels]
    if len(result.plan.segments) > 1:
        rows += [("segment", s, f"[dim]segment[/] {escape(s)}") for s in result.plan.segments]
    for scope, group, label in rows:
        if math.isnan(values.get(scope, group, "rated")[0]):
            continue
        table.add_row(label, count(values.get(scope, group, "rated")),
                      *_rating_cells(values, scope, group),
                      percent(values.get(scope, group, "net")))
    return table


def topic_table(result: SimulationResult) -> Table:
    """Per topic: the work a resolved ticket took next to how it was rated."""
    values = Lookup(result.summary)
    table = _table("Satisfaction and effort per topic (means per replication)",
                   ["Topic", "Resolved", "Handle/ticket", "Escalated", "Good (95% CI)",
                    "Okay", "Bad"])
    rows = [("overall", "all", "[bold]All tickets[/]")]
    rows += [("topic", t, escape(t)) for t in result.plan.topics]
    for scope, group, label in rows:
        table.add_row(label, count(values.get(scope, group, "resolved")),
                      minutes(values.get(scope, group, "handle_mean")),
                      percent(values.get(scope, group, "escalated")),
                      *_rating_cells(values, scope, group))
    table.caption = ("Handle/ticket: agents' minutes on a resolved ticket, every tier, reply "
                     "and repeat contact. Escalated: went past its first working tier.")
    return table


def agent_table(result: SimulationResult, wide: bool = True) -> Table:
    """Per agent: the work, the ratings of the tickets they resolved, and the ratings the
    whole desk gets on the same kinds of tickets (narrow: the work and Δ only)."""
    values = Lookup(result.summary)
    columns = (["Agent", "Worked", "Resolved", "Handle/ticket", "Escalated",
                "Good (95% CI)", "Bad", "Same tickets", "Δ (95% CI)"] if wide else
               ["Agent", "Resolved", "Handle/ticket", "Good", "Same tickets", "Δ (95% CI)"])
    table = _table("Satisfaction and effort per agent (means per replication; the rating "
                   "of a ticket goes to the agent who resolved it)", columns)
    for agent in result.plan.agents:
        def get(metric: str, name: str = agent.name) -> Estimate:
            return values.get("agent", name, metric)

        if not get("worked")[0] > 0:
            continue
        label = escape(agent.name)
        if agent.team or agent.skills is not None:
            topics = result.plan.topics
            takes = agent.team or ", ".join(topics[t] for t in sorted(agent.skills or ()))
            label += f" [dim]({escape(takes)})[/]"
        if wide:
            table.add_row(label, count(get("worked")), count(get("resolved")),
                          minutes(get("handle_mean")), percent(get("escalated")),
                          percent_ci(get("csat")), percent(get("bad")),
                          percent(get("csat_expected")), points_ci(get("csat_vs_mix")))
        else:
            table.add_row(escape(agent.name), count(get("resolved")),
                          minutes(get("handle_mean")), percent(get("csat")),
                          percent(get("csat_expected")), points_ci(get("csat_vs_mix")))
    table.caption = ("Same tickets: the whole desk's good share on tickets of the same channel, "
                     "topic and path through the tiers, over this agent's mix; Δ: good minus "
                     "that. A Δ whose interval holds 0 is a hard (or easy) mix, not a worse "
                     "(or better) agent. It does not adjust for when an agent works: a shift "
                     "that inherits the night's backlog rates lower.")
    return table


# -- repeat contacts and self-service -------------------------------------------------------


def behaviour_table(result: SimulationResult) -> Table | None:
    """Deflected shares and repeat contacts per channel and topic, when the scenario
    uses them (None otherwise)."""
    scenario = result.scenario
    deflection, reopens = uses_deflection(scenario), uses_reopens(scenario)
    values = Lookup(result.summary)
    columns = ["", "Tickets"]
    if deflection:
        columns.append("Self-service (deflected)")
    if reopens:
        columns.append("Repeat contacts per resolved ticket")
    if len(columns) == 2:
        return None
    table = _table("Self-service and repeat contacts (means per replication, 95 % CI)", columns)
    rows = [("overall", "all", "[bold]All tickets[/]")]
    rows += [("channel", c.name, escape(c.name)) for c in result.plan.channels]
    rows += [("topic", t, f"[dim]topic[/] {escape(t)}") for t in result.plan.topics]
    for scope, group, label in rows:
        cells = [label, count(values.get(scope, group, "tickets"))]
        if deflection:
            cells.append(percent_ci(values.get(scope, group, "deflected")))
        if reopens:
            cells.append(count(values.get(scope, group, "reopen_rate"), 2))
        table.add_row(*cells)
    if reopens:
        work = ", ".join(f"{escape(t.name)} {percent(values.get('tier', t.name, 'repeat_work'))}"
                         for t in result.plan.tiers)
        table.caption = f"Share of handling time on repeat contacts: {work}."
    return table


# -- helpers ---------------------------------------------------------------------------


def helper_table(result: SimulationResult, wide: bool = True) -> Table | None:
    """Time each helper spent in the queue against their cap (None without helpers)."""
    caps = helper_rules(result.plan)
    if not caps:
        return None
    values = Lookup(result.summary)
    columns = ["Helper", "Tier", "Joins at", "Hours/week", "Share (cap)", "Cap",
               "Past the cap", "Called in/week"]
    if not wide:
        columns = [c for c in columns if c not in ("Tier", "Joins at")]
    table = _table("Helpers in the queue (per person; means per replication, 95 % CI)",
                   columns)
    for name, (tier, rule) in caps.items():
        cells = [escape(name), escape(tier), f"{rule.joins_at} waiting",
                 count(values.get("helper", name, "queue_hours"), 1),
                 percent_ci(values.get("helper", name, "queue_share")),
                 f"{rule.cap:.0%}", percent_ci(values.get("helper", name, "overrun_share")),
                 count(values.get("helper", name, "joins"), 1)]
        table.add_row(*(cells if wide else [cells[0], *cells[3:]]))
    table.caption = ("Hours/week: all their time in the queue. Their hours: the helper's "
                     "shift, in which they may join; they leave once the "
                     "queue is short again or the cap of the day is spent. Share (cap): their "
                     "time in the queue up to each day's cap; past the cap: finishing the "
                     "ticket in hand when the cap ran out (hours/week count both).")
    return table


def behaviour_tables(result: SimulationResult, wide: bool = True) -> Iterator[Table]:
    """The tables of this module that apply to ``result``, in print order (``wide``:
    every column; else what fits 100 columns)."""
    days = day_table(result, wide)
    if days is not None:
        yield days
    if "satisfaction" in result.tickets:
        yield satisfaction_table(result)
        yield topic_table(result)
        yield agent_table(result, wide)
    for extra in (behaviour_table(result), helper_table(result, wide)):
        if extra is not None:
            yield extra


def print_behaviour(console: Console, result: SimulationResult, wide: bool = True) -> None:
    for table in behaviour_tables(result, wide):
        console.print(table, soft_wrap=False)
