"""Tickets over time and through the desk: one week of queue and staffing per tier,
and the escalation Sankey."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simdesk.report import aggregate
from simdesk.report.figures import (
    OUTCOME_COLOURS,
    Chart,
    channel_colour,
    policy_colour,
)
from simdesk.report.style import (
    AGENTS_COLOUR,
    QUEUE_COLOUR,
    TIER_PALETTE,
    base_layout,
    colour,
    rgba,
    text,
)
from simdesk.store.read import DeskResults


def queue_chart(results: DeskResults) -> Chart:
    plan = results.plan
    window = aggregate.detail_week(plan)
    series = aggregate.queue_week(plan, results.visits, results.duty, window)
    tiers = list(plan.tiers)
    compare = len(results.labels) > 1
    figure = make_subplots(rows=len(tiers), cols=1, shared_xaxes=True,
                           vertical_spacing=0.07 if len(tiers) > 1 else 0.1,
                           specs=[[{"secondary_y": True}] for _ in tiers],
                           subplot_titles=[f"<b>{text(t.name)}</b>" for t in tiers])
    step_ms = aggregate.BIN_MINUTES * 60_000
    start = plan.clock.moment(window[0]).isoformat()
    for row, tier in enumerate(tiers, start=1):
        part = series.loc[series["tier"] == tier.name]
        agents = part.loc[part["policy"] == results.baseline, "agents_mean"].to_numpy()
        figure.add_trace(go.Scatter(
            x0=start, dx=step_ms, y=agents, mode="lines", name="agents on duty (right axis)",
            line={"color": AGENTS_COLOUR, "width": 1.2, "shape": "hv"},
            fill="tozeroy", fillcolor=rgba(AGENTS_COLOUR, 0.18), legendgroup="agents",
            showlegend=row == 1,
            hovertemplate="%{y:.1f} agents on duty<extra></extra>",
        ), row=row, col=1, secondary_y=True)
        for label in results.labels:
            rows = part.loc[part["policy"] == label]
            name = f"waiting — {text(label)}" if compare else "tickets waiting"
            figure.add_trace(go.Scatter(
                x0=start, dx=step_ms, y=rows["queue_mean"].to_numpy(),
                customdata=rows["queue_peak"].to_numpy(), mode="lines", name=name,
                line={"color": policy_colour(results, label) if compare else QUEUE_COLOUR,
                      "width": 1.8, "shape": "hv"},
                legendgroup=f"queue-{results.labels.index(label)}", showlegend=row == 1,
                meta=[name],
                hovertemplate=("<b>%{y:.1f}</b> %{meta[0]} on average (peak "
                               "%{customdata:.0f})<extra></extra>"),
            ), row=row, col=1, secondary_y=False)
        figure.update_yaxes(title_text="tickets waiting", rangemode="tozero", row=row, col=1,
                            secondary_y=False)
        peak = float(np.nanmax(agents, initial=0.0))
        figure.update_yaxes(title_text="agents", rangemode="tozero", showgrid=False,
                            range=[0, max(peak * 1.15, 1)], tickmode="linear", tick0=0,
                            dtick=max(1, math.ceil(peak / 4)), row=row, col=1,
                            secondary_y=True,
                            title_font={"color": AGENTS_COLOUR},
                            tickfont={"color": AGENTS_COLOUR})
    height = 190 * len(tiers) + 110
    layout = base_layout(height, showlegend=True, hovermode="x unified")
    layout["margin"]["t"] = 70
    layout["legend"]["y"] = 1.0 + 45 / height
    figure.update_layout(**{k: v for k, v in layout.items() if k not in ("xaxis", "yaxis")})
    figure.update_xaxes(type="date", tickformat="%a %d %b", gridcolor="#e4e7eb",
                        linecolor="#cbd2d9", dtick=86_400_000, ticklabelmode="period",
                        hoverformat="%a %d %b %H:%M")
    figure.update_yaxes(gridcolor="#e4e7eb", linecolor="#cbd2d9", zerolinecolor="#e4e7eb")
    figure.update_annotations(font={"size": 13}, xanchor="left", x=0)
    begin, end = (plan.clock.moment(m) for m in window)
    which = "replication 1" if results.replications > 1 else "the run"
    return Chart(
        "fig-queue-week", "One week in detail: queue and staffing",
        "How many tickets were waiting in each tier's queue (10-minute averages, left axis) "
        "and how many agents were on duty (grey, right axis) through one week: queues "
        "that build up while few people are on duty show where a shift would help; drag "
        "to zoom in, double-click to zoom out.",
        figure,
        f"{begin:%a %d %b %Y %H:%M} to {end:%a %d %b %Y %H:%M} of {which}, the first full week "
        "after the warm-up. The hover shows the peak queue in each 10 minutes.")


def _sankey_links(flows: pd.DataFrame) -> pd.DataFrame:
    """One link per step: each channel's entry on its own, the later steps summed over
    channels with the breakdown as text (``source, target, channel, tickets, detail``)."""
    first = flows["source"].str.startswith("channel:")
    rows = [(s, t, c, v, "") for c, s, t, v in flows.loc[first].itertuples(index=False)]
    later = flows.loc[~first]
    for (source, target), part in later.groupby(["source", "target"], sort=False):
        part = part.sort_values("tickets", ascending=False)
        detail = "<br>".join(f"{text(c)}: {v:,.1f}" for c, v in zip(
            part["channel"], part["tickets"], strict=True)) if len(part) > 1 else ""
        rows.append((source, target, "", float(part["tickets"].sum()), detail))
    return pd.DataFrame(rows, columns=["source", "target", "channel", "tickets", "detail"])


def escalation_chart(results: DeskResults) -> Chart:
    plan = results.plan
    flows = aggregate.escalation_flows(results.tickets, results.baseline, plan)
    links = _sankey_links(flows)
    depth = {t.index: 0 for t in plan.tiers}
    for channel in plan.channels:
        for step, tier_index in enumerate(channel.chain):
            depth[tier_index] = max(depth[tier_index], step)
    last = max(depth.values(), default=0) + 2
    columns: list[list[tuple[str, str, str]]] = [[] for _ in range(last + 1)]
    for channel in plan.channels:
        columns[0].append((f"channel:{channel.name}", text(channel.name),
                           channel_colour(channel.index)))
    for tier in plan.tiers:
        columns[depth[tier.index] + 1].append((f"tier:{tier.name}", text(tier.name),
                                               colour(TIER_PALETTE, tier.index)))
    column_of = {entry[0]: number for number, column in enumerate(columns)
                 for entry in column}
    for outcome in aggregate.OUTCOMES:
        node = f"outcome:{outcome}"
        sources = [column_of.get(s, last - 1) for s in links.loc[links["target"] == node,
                                                                  "source"]]
        # resolved on the right; the others just after the last tier they come from, so
        # that customers who gave up at a dispatcher do not cross the whole figure
        where = last if outcome == aggregate.OUTCOMES[0] or not sources else max(sources) + 1
        entry = (node, outcome, OUTCOME_COLOURS[outcome])
        # among tiers, on top: the bands to it leave their tier from the top
        columns[where].insert(0, entry) if where < last else columns[where].append(entry)
    size: dict[str, float] = {}
    for node in set(links["source"]) | set(links["target"]):
        size[node] = max(float(links.loc[links["source"] == node, "tickets"].sum()),
                         float(links.loc[links["target"] == node, "tickets"].sum()))
    ids, labels, colours, xs, ys = [], [], [], [], []
    for number, column in enumerate(columns):
        used = [entry for entry in column if size.get(entry[0], 0) > 0]
        total = sum(size[node] for node, _, _ in used) or 1.0
        gap = 0.06
        room = 1 - 0.04 - gap * max(len(used) - 1, 0)
        top = 0.02
        for node, label, colour_ in used:
            height = room * size[node] / total
            ids.append(node)
            labels.append(f"{label} · {size[node]:,.0f}")
            colours.append(colour_)
            xs.append(min(max(number / last, 0.001), 0.999))
            ys.append(min(max(top + height / 2, 0.001), 0.999))
            top += height + gap
    position = {node: i for i, node in enumerate(ids)}
    # bands leave a node in the order of their targets, top to bottom: fewer crossings
    links = links.assign(_order=[ys[position[t]] for t in links["target"]]).sort_values(
        "_order", kind="stable")
    link_colours = []
    for target, channel in links[["target", "channel"]].itertuples(index=False):
        if channel:
            index = next(c.index for c in plan.channels if c.name == channel)
            link_colours.append(rgba(channel_colour(index), 0.45))
        elif target.startswith("outcome:"):
            link_colours.append(rgba(OUTCOME_COLOURS[target.split(":", 1)[1]], 0.3))
        else:
            link_colours.append("rgba(62,76,89,0.22)")
    figure = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",.1f",
        node={"label": labels, "color": colours, "x": xs, "y": ys, "pad": 14,
              "thickness": 18, "line": {"color": "white", "width": 0.5},
              "hovertemplate": "<b>%{label}</b> (%{value:,.1f}) tickets per replication"
                               "<extra></extra>"},
        link={"source": [position[s] for s in links["source"]],
              "target": [position[t] for t in links["target"]],
              "value": links["tickets"].to_numpy(), "color": link_colours,
              "customdata": links["detail"].tolist(),
              "hovertemplate": "%{source.label} → %{target.label}: <b>%{value:,.1f}</b> "
                               "tickets per replication<br>%{customdata}<extra></extra>"},
    ))
    layout = base_layout(440)
    layout["margin"] = {"l": 10, "r": 10, "t": 10, "b": 10}
    figure.update_layout(layout)
    which = f" under {text(results.baseline)}" if len(results.labels) > 1 else ""
    return Chart(
        "fig-escalations", "Where tickets go: escalations",
        "Tickets flow from their channel (left) through the tiers that handled them to how "
        "they ended (right) — resolved, given up before an answer, or still open when the "
        "simulation stopped; the thicker the band, the more tickets. Each node shows its "
        "tickets per replication.",
        figure,
        f"Tickets that arrived after the warm-up{which}, mean per replication; hover a band "
        "for its count and its channels.")
