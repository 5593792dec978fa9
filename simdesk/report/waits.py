"""How long customers wait: the wait curves (ECDF) per channel, and the weekday ×
hour maps of SLA attainment (and who gave up) and of arrivals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simdesk.metrics.hours import MIN_DECIDED, cell_verdict, hour_table
from simdesk.report import aggregate
from simdesk.report.figures import (
    Chart,
    channel_colour,
    grid_of,
    legend_only,
    policy_colour,
    target_text,
)
from simdesk.report.style import (
    DASHES,
    SEGMENT_GREY,
    TARGET_COLOUR,
    base_layout,
    colour,
    duration,
    exact_duration,
    percent,
    text,
    wait_unit,
)
from simdesk.scenario.calendar import DAY_NAMES
from simdesk.store.read import DeskResults


def wait_ecdf_chart(results: DeskResults) -> Chart:
    plan = results.plan
    curves = aggregate.wait_curves(plan, results.tickets)
    channels = [c for c in plan.channels
                if not curves.empty and (curves["channel"] == c.name).any()]
    rows, cols = grid_of(max(len(channels), 1))
    units = {}
    for channel in channels:
        within = channel.sla_within
        if math.isinf(within):
            part = curves.loc[curves["channel"] == channel.name]
            within = float(np.nanmedian(part["wait"])) if len(part) else 1.0
        units[channel.name] = wait_unit(within)
    titles = []
    for channel in channels:
        hours = " (business hours)" if channel.sla_hours is not None else ""
        titles.append(f"<b>{text(channel.name)}</b> — target "
                      f"{target_text(results, channel.index).replace(' (business hours)', '')}"
                      f"{hours}")
    figure = make_subplots(rows=rows, cols=cols, subplot_titles=titles or None,
                           horizontal_spacing=0.09, vertical_spacing=0.16 if rows > 1 else 0.1)
    compare = len(results.labels) > 1
    many_segments = len(plan.segments) > 1
    shapes = []
    for number, channel in enumerate(channels):
        row, col = number // cols + 1, number % cols + 1
        unit, per = units[channel.name]
        part = curves.loc[curves["channel"] == channel.name]
        limit = 0.0
        first_trace = len(figure.data)
        for (policy, segment), curve in part.groupby(["policy", "segment"], sort=False):
            waits = curve["wait"].to_numpy(dtype=float)
            shares = curve["share"].to_numpy(dtype=float)
            segment_index = plan.segments.index(str(segment))
            label = text(channel.name)
            if many_segments:
                label += f" · {text(segment)}"
            if compare:
                label += f" — {text(policy)}"
            colour_ = policy_colour(results, str(policy)) if compare else channel_colour(
                channel.index)
            first = curve.iloc[0]
            gave_up = first["gave_up"] / first["tickets"] if first["tickets"] else math.nan
            figure.add_trace(go.Scatter(
                x=list(waits / per), y=list(shares), mode="lines", showlegend=False,
                line={"color": colour_, "dash": colour(DASHES, segment_index), "width": 2.2,
                      "shape": "linear"},
                text=[duration(w) for w in waits], meta=[label],
                hovertemplate=("<b>%{meta[0]}</b><br>%{y:.1%} answered within %{text}"
                               f"<br>{percent(gave_up)} gave up<extra></extra>"),
            ), row=row, col=col)
            reached = waits[min(np.searchsorted(shares, 0.97 * shares[-1]), len(waits) - 1)]
            limit = max(limit, float(reached))
        within = channel.sla_within
        if not math.isinf(within):
            limit = min(max(limit, 1.25 * within), 20 * within)
        for trace in figure.data[first_trace:]:
            if len(trace.x) and trace.x[-1] < limit / per:  # flat to the right edge
                trace.x = (*trace.x, limit / per * 1.5)
                trace.y = (*trace.y, trace.y[-1])
                trace.text = (*trace.text, "")
            figure.add_trace(go.Scatter(
                x=[within / per], y=[channel.sla_target], mode="markers", showlegend=False,
                marker={"symbol": "diamond", "size": 11, "color": TARGET_COLOUR,
                        "line": {"color": "white", "width": 1}},
                hovertemplate=(f"target: {percent(channel.sla_target, 0)} answered within "
                               f"{exact_duration(within)}<extra></extra>"),
            ), row=row, col=col)
            axis = "" if number == 0 else str(number + 1)
            shapes.append({"type": "line", "xref": f"x{axis}", "yref": f"y{axis} domain",
                           "x0": within / per, "x1": within / per, "y0": 0, "y1": 1,
                           "line": {"color": TARGET_COLOUR, "width": 1.5, "dash": "dot"}})
        hours = "business " if channel.sla_hours is not None else ""
        figure.update_xaxes(title_text=f"first-response wait ({hours}{unit})",
                            range=[0, (limit or 1) / per * 1.02], rangemode="tozero",
                            row=row, col=col)
        figure.update_yaxes(tickformat=".0%", range=[0, 1.03], row=row, col=col,
                            title_text="answered within" if col == 1 else None)
    figure.add_trace(legend_only("target (within, share)", TARGET_COLOUR, symbol="diamond"))
    if compare:
        for label in results.labels:
            figure.add_trace(legend_only(text(label), policy_colour(results, label)))
    if many_segments:
        for index, segment in enumerate(plan.segments):
            figure.add_trace(legend_only(f"segment {text(segment)}", SEGMENT_GREY,
                                          colour(DASHES, index)))
    layout = base_layout(330 * rows + 80, showlegend=True)
    layout["margin"]["t"] = 70
    layout["legend"]["y"] = 1.0 + 50 / (330 * rows + 80)
    figure.update_layout(**{k: v for k, v in layout.items() if k not in ("xaxis", "yaxis")})
    figure.update_xaxes(gridcolor="#e4e7eb", linecolor="#cbd2d9", ticks="outside",
                        zerolinecolor="#e4e7eb")
    figure.update_yaxes(gridcolor="#e4e7eb", linecolor="#cbd2d9", ticks="outside",
                        zerolinecolor="#e4e7eb")
    figure.update_annotations(font={"size": 13})
    for shape in shapes:
        figure.add_shape(shape)
    return Chart(
        "fig-wait-ecdf", "How long customers wait for a first response",
        "Each curve shows the share of customers answered within a given wait (read up "
        "from the wait, across to the share); the curve should pass above the diamond, the "
        "SLA target, and it levels off below 100 % by the share who gave up.",
        figure,
        "All replications after the warm-up; each curve is drawn from 200 quantiles.")


def _hour_labels() -> list[str]:
    return [f"{hour:02d}" for hour in range(24)]


def _menu(labels: list[str], count: int) -> list[dict[str, Any]]:
    """Buttons (a dropdown when there are many) that show one trace of ``count`` at a time."""
    buttons = []
    for index, label in enumerate(labels):
        visible = [i == index for i in range(count)]
        buttons.append({"label": label, "method": "restyle", "args": [{"visible": visible}]})
    dropdown = len(labels) > 5
    return [{"type": "dropdown" if dropdown else "buttons", "direction": "down" if dropdown
             else "right", "buttons": buttons, "x": 0, "xanchor": "left", "y": 1.02,
             "yanchor": "bottom", "showactive": True, "active": 0, "pad": {"r": 4, "t": 0},
             "bgcolor": "#f5f7fa", "bordercolor": "#cbd2d9", "font": {"size": 12}}]


VERDICT_COLOURS = {"missed": "#d73027", "uncertain": "#bdbdbd", "met": "#1a9850"}
"""Cell colours of the SLA map: missed, uncertain (grey), met."""
_CODE = {"missed": 0, "uncertain": 1, "met": 2}


def _hour_cells(results: DeskResults, label: str) -> pd.DataFrame:
    tickets = results.tickets
    if "policy" in tickets:
        tickets = tickets.loc[tickets["policy"] == label]
    return hour_table(results.plan, tickets, pooled=True)


def heatmap_sla_chart(results: DeskResults) -> Chart:
    """Per channel (and policy): day × hour of arrival, SLA attainment coloured by its
    verdict — red missed, green met, grey uncertain (interval straddles the target, or
    too few tickets) — and, on a second tab each, the share who gave up."""
    plan = results.plan
    traces: list[go.Heatmap] = []
    labels: list[str] = []
    rows_of: list[list[str]] = []
    pooled_note = ""
    compact = len(results.labels) > 1
    hours = _hour_labels()
    for channel in plan.channels:
        if math.isnan(channel.sla_target):
            continue
        for label in results.labels:
            cells = _hour_cells(results, label)
            part = cells.loc[cells["channel"] == channel.name]
            if part.empty:
                continue
            days = list(dict.fromkeys(part.sort_values("weekday")["days"]))
            if any("–" in d or "," in d for d in days):
                pooled_note = (" Days the scenario makes identical (the same arrivals and "
                               "agents on duty, hour by hour) are pooled into one row, e.g. "
                               f"{next(d for d in days if '–' in d or ',' in d)}.")
            z = np.full((len(days), 24), np.nan)
            gave_up = np.full((len(days), 24), np.nan)
            shown = [["" for _ in range(24)] for _ in days]
            hover = [["" for _ in range(24)] for _ in days]
            gave_text = [["" for _ in range(24)] for _ in days]
            name = text(channel.name) + (f" — {text(label)}" if compact else "")
            for row in part.to_dict("records"):
                y, x = days.index(str(row["days"])), int(row["hour"])
                value, low, high, share, decided = (
                    float(row[k]) for k in ("sla", "sla_low", "sla_high", "abandonment",
                                             "decided"))
                verdict, reason = cell_verdict(value, low, high, decided, channel.sla_target)
                z[y, x] = _CODE[verdict]
                gave_up[y, x] = share
                sla = "—" if math.isnan(value) else f"{value:.0%}"
                shown[y][x] = sla + ("?" if verdict == "uncertain" else "")
                gave_text[y][x] = "" if math.isnan(share) else f"{share:.0%}"
                interval = ("no interval" if math.isnan(low)
                            else f"{percent(low)}–{percent(high)}")
                hover[y][x] = (
                    f"<b>{name}</b><br>arriving {text(str(row['days']))} "
                    f"{x:02d}:00–{x:02d}:59<br>SLA <b>{sla}</b> ({interval}), target "
                    f"{channel.sla_target:.0%} in {exact_duration(channel.sla_within)}"
                    f"<br><b>{verdict}</b>" + (f": {reason}" if reason else "")
                    + f"<br>{percent(share)} gave up; 9 in 10 answered within "
                    f"{duration(float(row['wait_p90']))}"
                    f"<br>{float(row['tickets']):,.1f} tickets per replication, "
                    f"{decided:,.0f} with an outcome in {results.replications} "
                    "replication(s)")
            traces.append(go.Heatmap(
                z=z, x=hours, y=days, text=shown, hovertext=hover, texttemplate="%{text}",
                textfont={"size": 10}, xgap=1, ygap=1, hoverongaps=False,
                visible=not traces, name=f"{name} — SLA", zmin=0, zmax=2,
                colorscale=[[0, VERDICT_COLOURS["missed"]], [0.33, VERDICT_COLOURS["missed"]],
                            [0.34, VERDICT_COLOURS["uncertain"]],
                            [0.66, VERDICT_COLOURS["uncertain"]],
                            [0.67, VERDICT_COLOURS["met"]], [1, VERDICT_COLOURS["met"]]],
                colorbar={"title": {"text": "SLA verdict", "side": "right"},
                          "tickvals": [0.33, 1, 1.67],
                          "ticktext": ["missed", "uncertain", "met"],
                          "thickness": 12, "len": 0.9},
                meta={"verdicts": [[_verdict_name(v) for v in row] for row in z]},
                hovertemplate="%{hovertext}<extra></extra>"))
            labels.append(f"{name} — SLA")
            rows_of.append(days)
            traces.append(go.Heatmap(
                z=gave_up, x=hours, y=days, text=gave_text, hovertext=hover,
                texttemplate="%{text}", textfont={"size": 10}, xgap=1, ygap=1,
                hoverongaps=False, visible=False, name=f"{name} — gave up",
                colorscale="Reds", zmin=0, zmax=max(float(np.nanmax(gave_up)), 0.05)
                if not np.isnan(gave_up).all() else 1,
                colorbar={"title": {"text": "share who gave up", "side": "right"},
                          "tickformat": ".0%", "thickness": 12, "len": 0.9},
                hovertemplate="%{hovertext}<extra></extra>"))
            labels.append(f"{name} — gave up")
            rows_of.append(days)
    figure = _week_map(traces, labels, height=max(220, 60 + 34 * max(
        (len(r) for r in rows_of), default=7)))
    return Chart(
        "fig-heatmap-sla", "When targets are missed: SLA by hour of arrival",
        "Each cell is the share of the customers arriving in that hour who were answered "
        "within the channel's target — those who gave up count as missed. Red: missed "
        "(all of its 95 % interval below the target); green: met; grey with a '?': "
        "uncertain — the interval straddles the target or too few tickets, so neither. "
        "The red cells are where to add or move people; a tab per channel shows the "
        "share who gave up." + pooled_note,
        figure,
        "Means over the replications after the warm-up, with 95 % Student-t intervals "
        f"across them; a cell with fewer than {MIN_DECIDED} tickets with an outcome is "
        "uncertain. The hover gives the interval, the share who gave up, the p90 wait "
        "of the answered and the tickets a cell rests on. hours.parquet holds every "
        "weekday apart.")


def _verdict_name(code: float) -> str:
    return "" if math.isnan(code) else {v: k for k, v in _CODE.items()}[int(code)]


def _week_map(traces: list[go.Heatmap], labels: list[str], height: int = 390) -> go.Figure:
    """Weekday × hour heatmaps, one per label, with a menu to switch between them."""
    figure = go.Figure(traces)
    layout = base_layout(height)
    layout["yaxis"].update(autorange="reversed", title={"text": "day of arrival"}, ticks="",
                           showgrid=False)
    layout["xaxis"].update(title={"text": "hour of arrival (09 = 09:00–09:59)"}, ticks="",
                           showgrid=False, tickangle=0, type="category")
    layout["margin"]["t"] = 60
    if len(traces) > 1:
        layout["updatemenus"] = _menu(labels, len(traces))
    figure.update_layout(layout)
    return figure


def heatmap_arrivals_chart(results: DeskResults, grid: aggregate.WeekGrid) -> Chart:
    plan = results.plan
    label = results.baseline
    options = [("", "All channels")] + [(c.name, text(c.name)) for c in plan.channels]
    traces: list[go.Heatmap] = []
    names: list[str] = []
    for channel, name in options:
        values = grid.arrivals.get((label, channel))
        if values is None:
            continue
        cells = [[("" if v <= 0 else f"{v:.1f}" if v < 9.95 else f"{v:.0f}") for v in row]
                 for row in values]
        traces.append(go.Heatmap(
            z=values, x=_hour_labels(), y=list(DAY_NAMES), text=cells,
            texttemplate="%{text}", textfont={"size": 10}, xgap=1, ygap=1,
            colorscale="Blues", zmin=0, visible=not traces, name=name, meta=[name],
            colorbar={"title": {"text": "tickets per week", "side": "right"},
                      "thickness": 12, "len": 0.9},
            hovertemplate=("<b>%{meta[0]}</b><br>%{y} %{x}:00–%{x}:59: <b>%{z:.1f}</b> tickets "
                           "arrive in this hour, in an average week<extra></extra>"),
        ))
        names.append(name)
    figure = _week_map(traces, names)
    return Chart(
        "fig-heatmap-arrivals", "When tickets arrive",
        "How many tickets arrive in each hour of an average week — put it next to the "
        "wait map above: long waits where many tickets arrive call for more people, long "
        "waits in quiet hours for a shift that starts earlier or ends later.",
        figure,
        "Means over the measured weeks of every replication, outages and surges included.")
