"""Plotly figures of a sweep: the metrics of every point against the swept parameters.

The x axis is the first numeric parameter (else the first); every combination of the
other parameters' values is one line. With exactly two parameters a heatmap shows
every point at once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simdesk.metrics.verdicts import verdict
from simdesk.report.figures import Chart, channel_colour
from simdesk.report.style import (
    PALETTE,
    TARGET_COLOUR,
    VERDICT_WORDS,
    base_layout,
    colour,
    interval,
    percent,
    rgba,
    text,
)
from simdesk.scenario.schema import Scenario
from simdesk.store.read import SweepResults

_AGENT_COUNT = re.compile(r"^tiers\.([^.\[\]]+)\.agents\[(-?\d+)\]\.count$")
_ARRIVAL = re.compile(r"^arrivals\[(-?\d+)\]\.(rate|volume)$")
_SLA = re.compile(r"^channels\.([^.\[\]]+)\.sla\.(target|within)$")
_ROTATION = re.compile(r"^tiers\.([^.\[\]]+)\.rotation\.([a-z_]+)$")


def parameter_label(base: Scenario | None, path: str) -> str:
    """A reader's name for a key path (``L1 agents on Mon-Fri 08:00-16:00``), else the
    path itself. Not escaped."""
    try:
        if (match := _AGENT_COUNT.match(path)) and base is not None:
            tier, index = match.group(1), int(match.group(2))
            shift = base.tiers[tier].agents[index].shift
            return f"{tier} agents on {shift}"
        if (match := _ARRIVAL.match(path)) and base is not None:
            arrival = base.arrivals[int(match.group(1))]
            return f"{arrival.channel} arrival {match.group(2)}"
        if match := _SLA.match(path):
            return f"{match.group(1)} SLA {match.group(2)}"
        if match := _ROTATION.match(path):
            return f"{match.group(1)} rota {match.group(2).replace('_', ' ')}"
    except (KeyError, IndexError, AttributeError):
        pass
    if path == "routing.policy":
        return "routing policy"
    return path


@dataclass(frozen=True)
class Layout:
    """How the points are laid out: the x parameter, its values in order, and the
    series (combinations of the other parameters' values)."""

    x: str
    x_values: list[Any]
    numeric: bool
    others: list[str]
    series: list[tuple[Any, ...]]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def point_layout(results: SweepResults) -> Layout:
    summary = results.summary
    parameters = [p for p in results.parameters if p in summary.columns]
    numeric = [p for p in parameters if pd.api.types.is_numeric_dtype(summary[p])
               and not pd.api.types.is_bool_dtype(summary[p])]
    x = numeric[0] if numeric else parameters[0]
    others = [p for p in parameters if p != x]
    points = summary.drop_duplicates("point")
    values = [_plain(v) for v in dict.fromkeys(points[x].tolist())]
    if numeric:
        values = sorted(values)
    series = list(dict.fromkeys(tuple(_plain(v) for v in row)
                                for row in points[others].itertuples(index=False)))
    return Layout(x, values, bool(numeric), others, series or [()])


def _series_name(layout: Layout, key: tuple[Any, ...], base: Scenario | None) -> str:
    return ", ".join(f"{text(parameter_label(base, p))} = {text(v)}"
                     for p, v in zip(layout.others, key, strict=True))


def _table(results: SweepResults, scope: str, group: str, metric: str) -> pd.DataFrame:
    summary = results.summary
    return summary.loc[(summary["scope"] == scope) & (summary["group"] == group)
                       & (summary["metric"] == metric)]


def _targets(results: SweepResults) -> dict[tuple[str, str], float]:
    """``(point, channel) → SLA target`` from each point's own scenario."""
    targets: dict[tuple[str, str], float] = {}
    for point in results.points:
        scenario = point.scenario or results.base
        if scenario is None:
            continue
        for name, channel in scenario.channels.items():
            if channel.sla is not None:
                targets[(point.key, name)] = float(channel.sla.target)
    return targets


def sweep_channels(results: SweepResults) -> list[str]:
    summary = results.summary
    found = [str(g) for g in dict.fromkeys(
        summary.loc[summary["scope"] == "channel", "group"].tolist())]
    if results.base is not None:
        order = [c for c in results.base.channels if c in found]
        return order + [c for c in found if c not in order]
    return found


def sweep_tiers(results: SweepResults) -> list[str]:
    summary = results.summary
    return [str(g) for g in dict.fromkeys(
        summary.loc[summary["scope"] == "tier", "group"].tolist())]


def _hover_values(results: SweepResults, row: pd.Series) -> str:
    return "<br>".join(f"{text(parameter_label(results.base, p))} = <b>{text(row[p])}</b>"
                       for p in results.parameters if p in row.index)


def _lines(results: SweepResults, layout: Layout, figure: go.Figure, rows: pd.DataFrame,
           *, row: int, col: int, name_of: str, single_colour: str | None,
           targets: dict[tuple[str, str], float] | None = None, channel: str = "",
           legend: bool = True) -> None:
    """One line with its CI band per series, into subplot (row, col)."""
    order = {v: i for i, v in enumerate(layout.x_values)}
    for number, key in enumerate(layout.series):
        part = rows
        for parameter, value in zip(layout.others, key, strict=True):
            part = part.loc[part[parameter].map(_plain) == value]
        if part.empty:
            continue
        part = part.assign(_order=[order.get(_plain(v), 0) for v in part[layout.x]]
                           ).sort_values("_order")
        xs = [_plain(v) if layout.numeric else text(v) for v in part[layout.x]]
        means = part["mean"].to_numpy(dtype=float)
        lows = part["ci_low"].to_numpy(dtype=float)
        highs = part["ci_high"].to_numpy(dtype=float)
        colour_ = single_colour if single_colour and len(layout.series) == 1 else colour(
            PALETTE, number)
        if not (np.isnan(lows).all() or np.isnan(highs).all()):
            figure.add_trace(go.Scatter(
                x=xs + xs[::-1], y=np.concatenate([highs, lows[::-1]]), fill="toself",
                fillcolor=rgba(colour_, 0.15), line={"width": 0}, hoverinfo="skip",
                showlegend=False, mode="lines", legendgroup=f"series-{number}",
            ), row=row, col=col)
        hover = []
        for (_, record), mean, low, high in zip(part.iterrows(), means, lows, highs,
                                                strict=True):
            line = _hover_values(results, record) + f"<br>{name_of}: {interval(mean, low, high)}"
            if targets is not None:
                target = targets.get((str(record["point"]), channel), math.nan)
                if not math.isnan(target):
                    line += (f"<br>target {percent(target, 0)}: "
                             f"<b>{VERDICT_WORDS[verdict(mean, low, high, target)]}</b>")
            line += f"<br>{int(record['replications'])} replications"
            hover.append(line)
        name = _series_name(layout, key, results.base) or name_of
        figure.add_trace(go.Scatter(
            x=xs, y=means, mode="lines+markers", name=name, legendgroup=f"series-{number}",
            showlegend=legend and len(layout.series) > 1,
            line={"color": colour_, "width": 2.2}, marker={"size": 8, "color": colour_},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ), row=row, col=col)


def _axis_for(layout: Layout, results: SweepResults) -> dict[str, Any]:
    axis: dict[str, Any] = {"title_text": text(parameter_label(results.base, layout.x))}
    if layout.numeric:
        axis["tickvals"] = layout.x_values
    else:
        axis["type"] = "category"
        axis["categoryorder"] = "array"
        axis["categoryarray"] = [text(v) for v in layout.x_values]
    return axis


def _finish(figure: go.Figure, height: int) -> None:
    layout = base_layout(height, showlegend=True)
    layout["margin"]["t"] = 80
    layout["legend"]["y"] = 1.0 + 55 / height
    figure.update_layout(**{k: v for k, v in layout.items() if k not in ("xaxis", "yaxis")})
    figure.update_xaxes(gridcolor="#e4e7eb", linecolor="#cbd2d9", ticks="outside")
    figure.update_yaxes(gridcolor="#e4e7eb", linecolor="#cbd2d9", zerolinecolor="#e4e7eb")
    figure.update_annotations(font={"size": 13})


def sweep_sla_chart(results: SweepResults) -> Chart:
    layout = point_layout(results)
    channels = sweep_channels(results)
    targets = _targets(results)
    cols = min(len(channels), 2) or 1
    rows_ = math.ceil(len(channels) / cols) or 1
    figure = make_subplots(rows=rows_, cols=cols, horizontal_spacing=0.1,
                           vertical_spacing=0.18,
                           subplot_titles=[f"<b>{text(c)}</b> SLA" for c in channels] or None)
    index = {c: i for i, c in enumerate(channels)}
    for number, channel in enumerate(channels):
        row, col = number // cols + 1, number % cols + 1
        table = _table(results, "channel", channel, "sla")
        _lines(results, layout, figure, table, row=row, col=col, name_of="SLA",
               single_colour=channel_colour(index[channel]), targets=targets,
               channel=channel, legend=number == 0)
        values = {targets[(p.key, channel)] for p in results.points
                  if (p.key, channel) in targets}
        if len(values) == 1:
            target = values.pop()
            figure.add_hline(y=target, line={"color": TARGET_COLOUR, "dash": "dash",
                                             "width": 2},
                             annotation_text=f"target {percent(target, 0)}",
                             annotation_position="top left",
                             annotation_font={"size": 11}, row=row, col=col)
        elif values:  # the target itself is swept: a dashed line per series
            for number, key in enumerate(layout.series):
                part = table
                for parameter, value in zip(layout.others, key, strict=True):
                    part = part.loc[part[parameter].map(_plain) == value]
                order = {v: i for i, v in enumerate(layout.x_values)}
                part = part.assign(_order=[order.get(_plain(v), 0) for v in part[layout.x]]
                                   ).sort_values("_order")
                xs = [_plain(v) if layout.numeric else text(v) for v in part[layout.x]]
                ys = [targets.get((str(k), channel), math.nan) for k in part["point"]]
                colour_ = colour(PALETTE, number) if len(layout.series) > 1 else TARGET_COLOUR
                figure.add_trace(go.Scatter(
                    x=xs, y=ys, mode="lines", name="target", legendgroup="target",
                    showlegend=number == 0 and row == 1 and col == 1,
                    line={"color": colour_, "dash": "dash", "width": 1.5},
                    hovertemplate="target %{y:.0%}<extra></extra>"), row=row, col=col)
        figure.update_xaxes(**_axis_for(layout, results), row=row, col=col)
        shown = [*table["mean"], *table["ci_low"], *table["ci_high"],
                 *(targets.get((p.key, channel), math.nan) for p in results.points)]
        shown = [v for v in shown if not math.isnan(v)]
        low, high = (min(shown), max(shown)) if shown else (0.0, 1.0)
        margin = max((high - low) * 0.15, 0.02)
        figure.update_yaxes(tickformat=".0%", range=[max(low - margin, 0), min(high + margin,
                                                                               1.005)],
                            row=row, col=col,
                            title_text="answered within target" if col == 1 else None)
    _finish(figure, 360 * rows_ + 110)
    label = text(parameter_label(results.base, layout.x))
    lines = (" — one line per value of the other parameters" if len(layout.series) > 1
             else "")
    return Chart(
        "fig-sweep-sla", "SLA at every point of the sweep",
        f"The share of customers answered within target as {label} changes{lines}; the "
        "band is the 95 % confidence interval and the dashed line the target: the first "
        "point whose whole band is above the line is the staffing that meets the target.",
        figure,
        "Every point runs on the same tickets (common random numbers), so the differences "
        "between neighbouring points are the parameters', not noise.")


def sweep_heatmap_chart(results: SweepResults) -> Chart | None:
    """With exactly two parameters: SLA at every combination, coloured by its distance
    to the target (None otherwise)."""
    if len(results.parameters) != 2:
        return None
    layout = point_layout(results)
    y_parameter = layout.others[0]
    y_values = [key[0] for key in layout.series]
    targets = _targets(results)
    channels = [c for c in sweep_channels(results)
                if any((p.key, c) in targets for p in results.points)]
    if not channels:
        return None
    cols = min(len(channels), 2)
    rows_ = math.ceil(len(channels) / cols)
    figure = make_subplots(rows=rows_, cols=cols, horizontal_spacing=0.12,
                           vertical_spacing=0.2,
                           subplot_titles=[f"<b>{text(c)}</b> SLA" for c in channels])
    spread = 0.0
    for number, channel in enumerate(channels):
        table = _table(results, "channel", channel, "sla")
        z = np.full((len(y_values), len(layout.x_values)), np.nan)
        cells = [["" for _ in layout.x_values] for _ in y_values]
        hover = [["" for _ in layout.x_values] for _ in y_values]
        x_index = {v: i for i, v in enumerate(layout.x_values)}
        y_index = {v: i for i, v in enumerate(y_values)}
        for _, record in table.iterrows():
            i = y_index.get(_plain(record[y_parameter]))
            j = x_index.get(_plain(record[layout.x]))
            target = targets.get((str(record["point"]), channel), math.nan)
            if i is None or j is None or math.isnan(target):
                continue
            mean, low, high = (float(record[c]) for c in ("mean", "ci_low", "ci_high"))
            z[i, j] = (mean - target) * 100
            judged = VERDICT_WORDS[verdict(mean, low, high, target)]
            cells[i][j] = f"<b>{percent(mean)}</b><br>{judged}"
            hover[i][j] = (_hover_values(results, record)
                           + f"<br>SLA {interval(mean, low, high)}<br>target "
                             f"{percent(target, 0)}: <b>{judged}</b>")
        if not np.isnan(z).all():
            spread = max(spread, float(np.nanmax(np.abs(z))))
        figure.add_trace(go.Heatmap(
            z=z, x=[text(v) for v in layout.x_values], y=[text(v) for v in y_values],
            text=cells, texttemplate="%{text}", textfont={"size": 12}, hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>", coloraxis="coloraxis", xgap=2,
            ygap=2, hoverongaps=False,
        ), row=number // cols + 1, col=number % cols + 1)
        figure.update_xaxes(type="category",
                            title_text=text(parameter_label(results.base, layout.x)),
                            row=number // cols + 1, col=number % cols + 1)
        figure.update_yaxes(type="category", autorange="reversed",
                            title_text=text(parameter_label(results.base, y_parameter)),
                            row=number // cols + 1, col=number % cols + 1)
    spread = max(spread, 5.0)
    height = 300 * rows_ + 110
    layout_ = base_layout(height)
    layout_["margin"]["t"] = 60
    figure.update_layout(**{k: v for k, v in layout_.items() if k not in ("xaxis", "yaxis")})
    figure.update_layout(coloraxis={
        "colorscale": "RdYlGn", "cmin": -spread, "cmax": spread, "cmid": 0,
        "colorbar": {"title": {"text": "vs target", "side": "right"}, "ticksuffix": " pp",
                     "thickness": 12}})
    figure.update_annotations(font={"size": 13})
    return Chart(
        "fig-sweep-heatmap", "Every combination at a glance",
        "Each cell is one point of the sweep with its SLA and verdict against the target; "
        "green cells meet it with room to spare, red ones miss it — read along a row to see "
        "how many people each situation needs.",
        figure,
        "The colour is the SLA minus the target in percentage points; “close” means the 95 % "
        "confidence interval contains the target.")


def sweep_utilization_chart(results: SweepResults) -> Chart:
    layout = point_layout(results)
    tiers = sweep_tiers(results)
    cols = min(len(tiers), 3) or 1
    rows_ = math.ceil(len(tiers) / cols) or 1
    figure = make_subplots(rows=rows_, cols=cols, horizontal_spacing=0.07,
                           vertical_spacing=0.2,
                           subplot_titles=[f"<b>{text(t)}</b>" for t in tiers] or None)
    for number, tier in enumerate(tiers):
        row, col = number // cols + 1, number % cols + 1
        _lines(results, layout, figure, _table(results, "tier", tier, "utilization"),
               row=row, col=col, name_of="busy", single_colour="#3E4C59",
               legend=number == 0)
        figure.update_xaxes(**_axis_for(layout, results), row=row, col=col)
        figure.update_yaxes(tickformat=".0%", range=[0, 1.03], row=row, col=col,
                            title_text="busy" if col == 1 else None)
    _finish(figure, 320 * rows_ + 110)
    return Chart(
        "fig-sweep-utilization", "How busy each tier is at every point",
        "The share of their time on duty that each tier's agents spend working tickets: "
        "where the SLA is met, this shows the headroom left; above about 85 % small "
        "surprises turn into long queues.",
        figure, "With its 95 % confidence interval, after the warm-up.")



__all__ = ["parameter_label", "point_layout", "sweep_heatmap_chart", "sweep_sla_chart",
           "sweep_utilization_chart"]
