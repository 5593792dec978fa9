"""The report's charts beyond the SLA: attainment day by day, and the satisfaction proxy
overall, per channel and topic, and per agent next to the desk on the same tickets."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simdesk.metrics.daily_sla import day_table, measured_days
from simdesk.metrics.helpers import helper_rules
from simdesk.metrics.tickets import uses_deflection, uses_reopens
from simdesk.report.blocks import table
from simdesk.report.customers import customer_table
from simdesk.report.figures import (
    Chart,
    Estimates,
    grid_of,
    legend_only,
    policy_colour,
    target_text,
)
from simdesk.report.style import (
    TARGET_COLOUR,
    TIER_PALETTE,
    VERDICT_COLOURS,
    base_layout,
    colour,
    duration,
    interval,
    percent,
    text,
)
from simdesk.store.read import DeskResults

MIN_DAYS = 2
"""The per-day chart needs at least this many measured days."""
BIN = 0.025
"""Width of the bins of daily attainment: 2.5 percentage points."""
RATING_COLOURS = {"good": "#1a7f37", "okay": "#bfc5cc", "bad": "#cf222e"}


def has_days(results: DeskResults) -> bool:
    """The measured window holds enough whole days for the per-day chart."""
    return measured_days(results.plan).count >= MIN_DAYS


def has_satisfaction(results: DeskResults) -> bool:
    return results.scenario.satisfaction is not None


# -- SLA per day -----------------------------------------------------------------------


def policy_days(results: DeskResults) -> pd.DataFrame:
    """The per-day table of every policy, with a ``policy`` column; days with an SLA
    outcome only."""
    frames = []
    for label in results.labels:
        tickets = results.tickets.loc[results.tickets["policy"].to_numpy() == label]
        frame = day_table(results.plan, tickets)
        frames.append(frame.loc[frame["decided"] > 0].assign(policy=label))
    return pd.concat(frames, ignore_index=True)


def days_chart(results: DeskResults) -> Chart:
    """One panel per channel: how many days reached each level of attainment, the target
    as a dashed line, and the share of days that met it in the panel's title."""
    days = policy_days(results)
    estimates = Estimates(results.summary)
    channels = [c for c in results.plan.channels if (days["channel"] == c.name).any()]
    rows, cols = grid_of(max(len(channels), 1))
    compare = len(results.labels) > 1
    titles = []
    for channel in channels:
        share_met = estimates.get(results.baseline, "channel", channel.name, "days_met")
        count = estimates.get(results.baseline, "channel", channel.name, "days")[0]
        share = "" if compare else (f"<br><span style='font-size:12px'>target met on "
                                    f"{interval(*share_met)} of {count:.0f} days</span>")
        titles.append(f"<b>{text(channel.name)}</b> — target "
                      f"{target_text(results, channel.index)}{share}")
    figure = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None,
                           horizontal_spacing=0.09, vertical_spacing=0.22 if rows > 1 else 0.1)
    shapes = []
    for number, channel in enumerate(channels):
        row, col = number // cols + 1, number % cols + 1
        part = days.loc[days["channel"] == channel.name]
        # bins aligned on the target, so no bin holds both days that met it and days
        # that did not
        target = channel.sla_target
        below = math.ceil((target - min(float(part["sla"].min()), target - BIN)) / BIN - 1e-9)
        above = max(math.ceil((1.0 - target) / BIN - 1e-9), 1)
        edges = target + BIN * np.arange(-below, above + 1)
        edges = edges[edges > -BIN]
        middles = (edges[:-1] + edges[1:]) / 2
        ranges = [f"{a * 100:.1f}–{b * 100:.1f} %" for a, b in itertools.pairwise(edges)]
        for label in results.labels:
            values = part.loc[part["policy"] == label, "sla"].to_numpy(dtype=float)
            counts, _ = np.histogram(np.clip(values, edges[0], 1.0), bins=edges)
            shares = counts / max(len(values), 1)
            hover = [f"{r}: {s:.0%} of days" for r, s in zip(ranges, shares, strict=True)]
            if compare:  # one falling line per policy: share of days at or above x
                levels = np.unique(np.clip(values, edges[0], 1.0))
                at_least = [(values >= x).mean() for x in levels]
                figure.add_trace(go.Scatter(
                    x=[edges[0], *levels.tolist()], y=[1.0, *at_least], mode="lines",
                    showlegend=False,
                    line={"color": policy_colour(results, label), "width": 2, "shape": "hv",
                          "dash": "solid" if label == results.baseline else None},
                    name=text(label), meta=[text(label)],
                    hovertemplate=("<b>%{meta[0]}</b><br>%{y:.0%} of days at or above "
                                   "%{x:.1%}<extra></extra>"),
                ), row=row, col=col)
                continue
            met = middles >= channel.sla_target
            for mask, word in ((met, "met"), (~met, "missed")):
                figure.add_trace(go.Bar(
                    x=list(middles[mask]), y=list(shares[mask]), width=BIN * 0.92,
                    marker={"color": VERDICT_COLOURS[word]}, showlegend=False,
                    hovertext=[h for h, m in zip(hover, mask, strict=True) if m],
                    hovertemplate=f"%{{hovertext}} (target {word})<extra></extra>",
                ), row=row, col=col)
        axis = "" if number == 0 else str(number + 1)
        shapes.append({"type": "line", "xref": f"x{axis}", "yref": f"y{axis} domain",
                       "x0": channel.sla_target, "x1": channel.sla_target, "y0": 0, "y1": 1,
                       "line": {"color": TARGET_COLOUR, "width": 2, "dash": "dash"}})
        figure.update_xaxes(tickformat=".0%", range=[edges[0], max(edges[-1], 1.0)],
                            title_text="SLA attainment of the day", row=row, col=col)
        figure.update_yaxes(tickformat=".0%", rangemode="tozero", row=row, col=col,
                            title_text=("share of days at or above" if compare else
                                        "share of days") if col == 1 else None)
    figure.add_trace(legend_only("target", TARGET_COLOUR, dash="dash"))
    if compare:
        for label in results.labels:
            figure.add_trace(legend_only(text(label), policy_colour(results, label)))
    else:
        figure.add_trace(go.Bar(x=[None], y=[None], name="day met the target",
                                marker={"color": VERDICT_COLOURS["met"]}, hoverinfo="skip"))
        figure.add_trace(go.Bar(x=[None], y=[None], name="day missed it",
                                marker={"color": VERDICT_COLOURS["missed"]}, hoverinfo="skip"))
    layout = base_layout(330 * rows + 110, barmode="overlay", showlegend=True, shapes=shapes)
    layout["margin"].update(t=70, b=90)
    layout["legend"].update(yanchor="top", y=-0.22 if rows == 1 else -0.1)
    figure.update_layout(layout)
    axes = {key: value for key, value in layout["xaxis"].items() if key != "title"}
    figure.update_xaxes(**axes, title_font=layout["xaxis"]["title"]["font"])
    figure.update_yaxes(**axes, title_font=layout["yaxis"]["title"]["font"])
    for annotation in figure.layout.annotations:
        annotation.font = {"size": 13}
    first = measured_days(results.plan)
    dates = first.dates(results.plan)
    return Chart(
        "fig-days", "SLA attainment day by day",
        "A plan that meets the target on average can still miss it on many days: each panel "
        + ("shows, per policy, the share of days at or above each level of attainment (all "
           "replications pooled) — where a line crosses the dashed target is the share of "
           "days that met it; the higher the line, the better." if compare else
           "shows how many days reached each level of attainment (all replications pooled); "
           "bars left of the dashed target line are days that missed it."),
        figure,
        f"Whole calendar days after the warm-up ({dates[0]:%a %Y-%m-%d} to "
        f"{dates[-1]:%a %Y-%m-%d}); a day's attainment is over the tickets that arrived "
        "that day; days without tickets on a channel are left out of its panel.")


# -- satisfaction ------------------------------------------------------------------------


def satisfaction_chart(results: DeskResults) -> Chart:
    """Stacked good / okay / bad shares for all tickets, each channel and each topic."""
    estimates = Estimates(results.summary)
    compare = len(results.labels) > 1
    groups = [("overall", "all", "all tickets")]
    groups += [("channel", c.name, c.name) for c in results.plan.channels]
    if len(results.plan.topics) > 1:
        groups += [("topic", t, f"topic {t}") for t in results.plan.topics]
    rows: list[tuple[str, str, str, str]] = []
    for scope, group, label in groups:
        for policy in results.labels:
            rated = estimates.get(policy, scope, group, "rated")[0]
            if not rated > 0:
                continue
            shown = text(label) + (f" — {text(policy)}" if compare else "")
            rows.append((scope, group, policy, shown))
    names = [r[3] for r in rows]
    good = [estimates.get(p, s, g, "csat") for s, g, p, _ in rows]
    bad = [estimates.get(p, s, g, "bad") for s, g, p, _ in rows]
    okay = [1 - a[0] - b[0] for a, b in zip(good, bad, strict=True)]
    figure = go.Figure()
    for word, values in (("good", [v[0] for v in good]), ("okay", okay),
                         ("bad", [v[0] for v in bad])):
        hover = [f"<b>{n}</b><br>{word}: {percent(v)}<br>good {interval(*g_)}<br>"
                 f"bad {interval(*b_)}"
                 for n, v, g_, b_ in zip(names, values, good, bad, strict=True)]
        figure.add_trace(go.Bar(
            y=names, x=values, orientation="h", name=word,
            marker={"color": RATING_COLOURS[word]},
            text=[percent(v, 0) if v >= 0.06 else "" for v in values],
            textposition="inside", insidetextanchor="middle",
            textfont={"color": "white" if word != "okay" else "#1f2933", "size": 12},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    layout = base_layout(max(260, 34 * len(rows) + 110), barmode="stack", showlegend=True)
    layout["legend"]["traceorder"] = "normal"
    layout["xaxis"].update(tickformat=".0%", range=[0, 1], title={"text": "share of ratings"})
    layout["yaxis"].update(autorange="reversed")
    figure.update_layout(layout)
    return Chart(
        "fig-satisfaction", "How customers rated their tickets",
        "The satisfaction proxy's good / okay / bad share of resolved tickets, for all "
        "tickets, each channel and each topic: hard topics (long, escalated, many replies) "
        "rate worse whoever works them.",
        figure,
        "A proxy from each ticket's wait, replies, repeat contacts, escalations and "
        "resolution time (docs/behaviour.md), not customers' answers; the hover gives the "
        "95 % confidence intervals.")


def agents_rating_chart(results: DeskResults) -> Chart:
    """Per agent: their good share (with its CI) next to the desk's good share on the same
    kinds of tickets (a hollow diamond), joined by a line."""
    estimates = Estimates(results.summary)
    compare = len(results.labels) > 1
    rows: list[tuple[str, str, int, str]] = []
    for agent in results.plan.agents:
        for policy in results.labels:
            if not estimates.get(policy, "agent", agent.name, "rated")[0] > 0:
                continue
            label = text(agent.name)
            if agent.team or agent.skills is not None:
                takes = agent.team or ", ".join(results.plan.topics[t]
                                                for t in sorted(agent.skills or ()))
                label += f" ({text(takes)})"
            rows.append((agent.name, policy, agent.tier,
                         label + (f" — {text(policy)}" if compare else "")))
    names = [r[3] for r in rows]
    good = [estimates.get(p, "agent", a, "csat") for a, p, _, _ in rows]
    same = [estimates.get(p, "agent", a, "csat_expected")[0] for a, p, _, _ in rows]
    hover = []
    for (who, policy, _, name), g, s in zip(rows, good, same, strict=True):
        def get(metric: str, who: str = who, policy: str = policy
                ) -> tuple[float, float, float]:
            return estimates.get(policy, "agent", who, metric)

        difference = get("csat_vs_mix")
        hover.append(
            f"<b>{name}</b><br>good {interval(*g)} of {get('rated')[0]:.0f} rated"
            f"<br>bad {percent(get('bad')[0])}"
            f"<br>desk on the same tickets: {percent(s)}"
            f"<br>difference {difference[0] * 100:+.1f} pp"
            + ("" if math.isnan(difference[1]) else
               f" ({difference[1] * 100:+.1f} to {difference[2] * 100:+.1f})")
            + f"<br>worked {get('worked')[0]:.0f}, resolved {get('resolved')[0]:.0f}"
            f"<br>{duration(get('handle_mean')[0])} per ticket, escalated "
            f"{percent(get('escalated')[0])}")
    figure = go.Figure()
    xs: list[float | None] = []
    ys: list[str | None] = []
    for name, g, s in zip(names, good, same, strict=True):
        xs += [s, g[0], None]
        ys += [name, name, None]
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="lines", showlegend=False,
                                line={"color": "#9aa5b1", "width": 2}, hoverinfo="skip"))
    figure.add_trace(go.Scatter(
        x=same, y=names, mode="markers", name="desk on the same tickets",
        marker={"symbol": "diamond-open", "size": 12, "color": TARGET_COLOUR,
                "line": {"width": 2}},
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    figure.add_trace(go.Scatter(
        x=[g[0] for g in good], y=names, mode="markers", name="agent's good share",
        marker={"size": 11,
                "color": [policy_colour(results, p) if compare else colour(TIER_PALETTE, t)
                          for _, p, t, _ in rows]},
        error_x={"type": "data", "symmetric": False,
                 "array": [g[2] - g[0] if not math.isnan(g[2]) else None for g in good],
                 "arrayminus": [g[0] - g[1] if not math.isnan(g[1]) else None for g in good],
                 "color": "#3E4C59", "thickness": 1.2, "width": 4},
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    layout = base_layout(max(260, 30 * len(rows) + 120), showlegend=True)
    layout["xaxis"].update(tickformat=".0%", title={"text": "share of ratings that are good"})
    layout["yaxis"].update(autorange="reversed")
    figure.update_layout(layout)
    return Chart(
        "fig-satisfaction-agents", "Ratings per agent, next to the same tickets",
        "Each agent's good share (dot, with its 95 % confidence interval) next to what the "
        "whole desk scores on tickets of the same channel, topic and path through the "
        "tiers (diamond): an agent far left of the others but on their diamond takes hard "
        "tickets; one left of their own diamond scores worse on the same work.",
        figure,
        "The rating of a ticket goes to the agent who resolved it. The diamond does not "
        "adjust for when an agent works (a shift that inherits a backlog rates lower). The "
        "hover gives the work behind the ratings.")


def effort_tables(results: DeskResults) -> str:
    """HTML tables of the baseline's work and ratings per topic and per agent."""
    estimates = Estimates(results.summary)
    label = results.baseline
    plan = results.plan

    def get(scope: str, group: str, metric: str) -> tuple[float, float, float]:
        return estimates.get(label, scope, group, metric)

    topics = [("overall", "all", "<b>All tickets</b>")]
    topics += [("topic", t, text(t)) for t in plan.topics]
    topic_rows = [[name, f"{get(s, g, 'resolved')[0]:,.0f}",
                   duration(get(s, g, "handle_mean")[0]), percent(get(s, g, "escalated")[0]),
                   interval(*get(s, g, "csat")), percent(get(s, g, "bad")[0])]
                  for s, g, name in topics]
    agent_rows = []
    for agent in plan.agents:
        if not get("agent", agent.name, "worked")[0] > 0:
            continue
        difference = get("agent", agent.name, "csat_vs_mix")
        shown = ("—" if math.isnan(difference[0]) else f"{difference[0] * 100:+.1f} pp"
                 + ("" if math.isnan(difference[1]) else
                    f" ({difference[1] * 100:+.1f} to {difference[2] * 100:+.1f})"))
        takes = agent.team or ", ".join(plan.topics[t] for t in sorted(agent.skills or ()))
        agent_rows.append([
            f"{text(agent.name)}" + (f" <span class='muted'>({text(takes)})</span>"
                                     if takes else ""),
            f"{get('agent', agent.name, 'worked')[0]:,.0f}",
            f"{get('agent', agent.name, 'resolved')[0]:,.0f}",
            duration(get("agent", agent.name, "handle_mean")[0]),
            percent(get("agent", agent.name, "escalated")[0]),
            interval(*get("agent", agent.name, "csat")),
            percent(get("agent", agent.name, "bad")[0]),
            percent(get("agent", agent.name, "csat_expected")[0]), shown])
    return ("<h3>Per topic</h3>"
            + table(["", "Resolved", "Handle / ticket", "Escalated", "Good (95 % CI)", "Bad"],
                    topic_rows, "numbers")
            + "<h3>Per agent</h3>"
            + table(["Agent", "Worked", "Resolved", "Handle / ticket", "Escalated",
                     "Good (95 % CI)", "Bad", "Same tickets", "Difference (95 % CI)"],
                    agent_rows, "numbers"))


def workload_tables(results: DeskResults) -> str:
    """HTML tables of the baseline's self-service share, repeat contacts and helpers' time
    in the queue: empty when the scenario uses none of them."""
    estimates = Estimates(results.summary)
    label, plan, scenario = results.baseline, results.plan, results.scenario

    def get(scope: str, group: str, metric: str) -> tuple[float, float, float]:
        return estimates.get(label, scope, group, metric)

    def number(value: float, digits: int) -> str:
        return "—" if math.isnan(value) else f"{value:,.{digits}f}"

    parts = []
    deflection, reopens = uses_deflection(scenario), uses_reopens(scenario)
    if deflection or reopens:
        rows = []
        groups = [("overall", "all", "<b>All tickets</b>")]
        groups += [("channel", c.name, text(c.name)) for c in plan.channels]
        groups += [("topic", t, f"<span class='muted'>topic</span> {text(t)}")
                   for t in plan.topics]
        for scope, group, name in groups:
            row = [name, number(get(scope, group, "tickets")[0], 0)]
            if deflection:
                row.append(interval(*get(scope, group, "deflected")))
            if reopens:
                row.append(number(get(scope, group, "reopen_rate")[0], 2))
            rows.append(row)
        headers = ["", "Tickets"] + (["Self-service (95 % CI)"] if deflection else []) + (
            ["Repeat contacts per resolved ticket"] if reopens else [])
        parts.append("<h3>Self-service and repeat contacts</h3>"
                     + table(headers, rows, "numbers"))
        if reopens:
            work = ", ".join(f"{text(t.name)} {interval(*get('tier', t.name, 'repeat_work'))}"
                             for t in plan.tiers)
            parts.append(f"<p class='small'>Share of each tier's handling time spent on "
                         f"repeat contacts: {work}.</p>")
    helpers = helper_rules(plan)
    if helpers:
        rows = [[text(name), text(tier), f"{rule.joins_at} waiting",
                 number(get("helper", name, "queue_hours")[0], 1),
                 interval(*get("helper", name, "queue_share")), percent(rule.cap, 0),
                 interval(*get("helper", name, "overrun_share")),
                 number(get("helper", name, "joins")[0], 1)]
                for name, (tier, rule) in helpers.items()]
        parts.append("<h3>Helpers in the queue</h3>"
                     + table(["Helper", "Tier", "Joins at", "Hours / week in the queue",
                              "Share of their hours, up to the cap (95 % CI)", "Cap",
                              "Past the cap, finishing the ticket in hand", "Called in / week"],
                             rows, "numbers"))
    parts.append(customer_table(scenario, plan, get, table))
    return "".join(parts)


__all__ = ["agents_rating_chart", "days_chart", "effort_tables", "has_days",
           "has_satisfaction", "policy_days", "satisfaction_chart", "workload_tables"]
