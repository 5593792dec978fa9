"""Bar charts of shares per channel and per tier: SLA, abandonment, utilization
(per tier and per agent), each with its 95 % confidence interval where there is one."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from simdesk.metrics.verdicts import verdict
from simdesk.report import aggregate
from simdesk.report.figures import (
    Chart,
    Estimates,
    channel_colour,
    error_bars,
    policy_colour,
    target_text,
)
from simdesk.report.style import (
    MUTED,
    TARGET_COLOUR,
    TIER_PALETTE,
    VERDICT_WORDS,
    base_layout,
    colour,
    exact_duration,
    interval,
    percent,
    text,
)
from simdesk.store.read import DeskResults


def _channel_ticks(results: DeskResults, targets: bool) -> list[str]:
    """Category labels: the channel, and under it its target."""
    labels = []
    for channel in results.plan.channels:
        label = f"<b>{text(channel.name)}</b>"
        if targets:
            label += f"<br><span style='font-size:11px;color:{MUTED}'>"
            label += ("no target" if math.isnan(channel.sla_target) else
                      f"target {percent(channel.sla_target, 0)} in "
                      f"{exact_duration(channel.sla_within)}"
                      + ("*" if channel.sla_hours is not None else ""))
            label += "</span>"
        labels.append(label)
    return labels


def _channel_bars(results: DeskResults, metric: str, *, targets: bool) -> go.Figure:
    """Bars per channel (a group per policy) of a share with its 95 % CI."""
    estimates = Estimates(results.summary)
    channels = list(results.plan.channels)
    names = _channel_ticks(results, targets)
    compare = len(results.labels) > 1
    figure = go.Figure()
    word = "SLA" if metric == "sla" else "Gave up"
    top = 0.0
    for label in results.labels:
        values = [estimates.get(label, "channel", c.name, metric) for c in channels]
        means = [v[0] for v in values]
        top = max([top, *[v[2] if not math.isnan(v[2]) else v[0] for v in values
                          if not math.isnan(v[0])]])
        hover = []
        for channel, (mean, low, high) in zip(channels, values, strict=True):
            line = f"<b>{text(channel.name)}</b>"
            if compare:
                line += f" — {text(label)}"
            line += f"<br>{word}: {interval(mean, low, high)}"
            if targets and not math.isnan(channel.sla_target):
                judged = verdict(mean, low, high, channel.sla_target)
                line += (f"<br>target {target_text(results, channel.index)}: "
                         f"<b>{VERDICT_WORDS[judged]}</b>")
            hover.append(line)
        figure.add_trace(go.Bar(
            x=names, y=means, name=text(label),
            marker={"color": policy_colour(results, label) if compare else
                    [channel_colour(c.index) for c in channels]},
            error_y=error_bars(means, [v[1] for v in values], [v[2] for v in values]),
            text=[percent(m, 1 if not compare else 0) if metric == "sla" else ""
                  for m in means],
            textposition="inside", insidetextanchor="start", constraintext="none",
            textfont={"size": 12, "color": "white"}, cliponaxis=False,
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            showlegend=compare,
        ))
    layout = base_layout(380 if not compare else 420, barmode="group", bargap=0.25,
                         bargroupgap=0.06)
    if metric == "sla":
        layout["yaxis"].update(tickformat=".0%", range=[0, 1.04], title={"text": word})
    else:
        layout["yaxis"].update(tickformat=".0%", rangemode="tozero",
                               range=[0, max(top * 1.25, 0.05)], title={"text": word})
    shapes = []
    if targets:
        half = 0.75 / 2
        for position, channel in enumerate(channels):
            if math.isnan(channel.sla_target):
                continue
            shapes.append({"type": "line", "xref": "x", "yref": "y", "x0": position - half,
                           "x1": position + half, "y0": channel.sla_target,
                           "y1": channel.sla_target,
                           "line": {"color": TARGET_COLOUR, "width": 2.5, "dash": "dash"}})
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="target",
                                    line={"color": TARGET_COLOUR, "dash": "dash", "width": 2.5},
                                    hoverinfo="skip"))
        layout["showlegend"] = True
    layout["shapes"] = shapes
    figure.update_layout(layout)
    return figure


def sla_chart(results: DeskResults) -> Chart:
    compare = len(results.labels) > 1
    sentence = ("The share of customers who got a first response within the channel's "
                "target time; the dashed line is the target, and the whiskers show the 95 % "
                "confidence interval — a bar whose whisker crosses the line is too close "
                "to call.")
    if compare:
        sentence = ("The share of customers answered within target for each policy, side by "
                    "side; the dashed line is the target and the whiskers the 95 % "
                    "confidence interval.")
    note = ("Abandoned tickets count as missed. * counted in business hours only (the "
            "channel's sla.hours).")
    return Chart("fig-sla", "SLA attainment per channel", sentence,
                 _channel_bars(results, "sla", targets=True), note)


def abandonment_chart(results: DeskResults) -> Chart:
    return Chart(
        "fig-abandonment", "Customers who gave up",
        "The share of customers who left before anyone answered (hung up, walked away, "
        "closed the chat), per channel, with its 95 % confidence interval.",
        _channel_bars(results, "abandonment", targets=False),
        "Out of the tickets that were answered or abandoned; channels without patience "
        "(email) never abandon.")


def utilization_chart(results: DeskResults) -> Chart:
    estimates = Estimates(results.summary)
    tiers = list(results.plan.tiers)
    names = [text(t.name) for t in tiers]
    compare = len(results.labels) > 1
    figure = go.Figure()
    for label in results.labels:
        values = [estimates.get(label, "tier", t.name, "utilization") for t in tiers]
        means = [v[0] for v in values]
        hover = []
        for tier, (mean, low, high) in zip(tiers, values, strict=True):
            agents = estimates.get(label, "tier", tier.name, "agents_on_duty")[0]
            handled = estimates.get(label, "tier", tier.name, "per_agent_day")[0]
            line = f"<b>{text(tier.name)}</b>" + (f" — {text(label)}" if compare else "")
            line += (f"<br>busy {interval(mean, low, high)} of the time on duty"
                     f"<br>{agents:.1f} agents on duty on average"
                     f"<br>{handled:.1f} tickets per agent-day (8 h)")
            hover.append(line)
        figure.add_trace(go.Bar(
            x=names, y=means, name=text(label), showlegend=compare,
            marker={"color": policy_colour(results, label) if compare else
                    [colour(TIER_PALETTE, t.index) for t in tiers]},
            error_y=error_bars(means, [v[1] for v in values], [v[2] for v in values]),
            text=[percent(m, 0) for m in means], textposition="inside",
            insidetextanchor="start", textfont={"color": "white", "size": 12},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    layout = base_layout(340, barmode="group", bargap=0.3)
    layout["yaxis"].update(tickformat=".0%", range=[0, 1.05], title={"text": "busy"})
    figure.update_layout(layout)
    return Chart(
        "fig-utilization", "How busy each tier is",
        "The share of their time on duty that agents spent working tickets, per tier, with "
        "its 95 % confidence interval: above about 85 % queues grow quickly with any extra "
        "load, far below it there is room to move people.",
        figure,
        "Measured after the warm-up; time on duty includes the minutes an agent stays to "
        "finish a ticket after the shift.")


def agents_chart(results: DeskResults) -> Chart:
    table = aggregate.agent_utilization(results.plan, results.visits, results.duty)
    compare = len(results.labels) > 1
    agents = [a for a in results.plan.agents if (table["agent"] == a.name).any()]
    names = [text(a.name) for a in agents]
    figure = go.Figure()
    for label in results.labels:
        records = {str(r["agent"]): r for r in
                   table.loc[table["policy"] == label].to_dict("records")}
        values, hover = [], []
        for agent in agents:
            if agent.name not in records:
                values.append(math.nan)
                hover.append("")
                continue
            row = records[agent.name]
            values.append(float(row["utilization"]))
            shift = "rotation" if agent.group == "rotation" else agent.group
            line = (f"<b>{text(agent.name)}</b> ({text(shift)})"
                    + (f" — {text(label)}" if compare else "")
                    + f"<br>busy {percent(float(row['utilization']))} of the time on duty"
                    f"<br>{float(row['hours_per_week']):.1f} h on duty per week"
                    f"<br>{float(row['handled_per_week']):.0f} tickets handled per week")
            hover.append(line)
        figure.add_trace(go.Bar(
            x=names, y=values, name=text(label), showlegend=compare,
            marker={"color": policy_colour(results, label) if compare else
                    [colour(TIER_PALETTE, a.tier) for a in agents]},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    if not compare:
        for tier in results.plan.tiers:
            if any(a.tier == tier.index for a in agents):
                figure.add_trace(go.Bar(x=[None], y=[None], name=text(tier.name),
                                        marker={"color": colour(TIER_PALETTE, tier.index)},
                                        hoverinfo="skip"))
    layout = base_layout(340, barmode="group", bargap=0.2, showlegend=True)
    layout["yaxis"].update(tickformat=".0%", range=[0, 1.05], title={"text": "busy"})
    layout["xaxis"].update(tickangle=-45 if len(agents) > 16 else 0)
    figure.update_layout(layout)
    return Chart(
        "fig-utilization-agents", "How busy each agent is",
        "The same measure per person: uneven bars in one tier mean some shifts carry more "
        "of the load than others (the hover gives each agent's shift and hours).",
        figure,
        "All replications after the warm-up; rota members are busy over their own turns "
        "on duty only.")
