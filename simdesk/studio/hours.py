"""SLA attainment by weekday × hour of arrival, judged against the target with its
interval: an adapter until the report has its own (issue 13).

Per channel and cell, the SLA of each replication counts the tickets whose outcome is
decided, as the channel SLA does (answered in time = met; answered late, gave up, or
still waiting past the target = missed; deflected and refused tickets left out). The
cell shows the mean over replications with its Student-t 95 % interval, and is judged
met (all of the interval at or above the target), missed (all of it below) or uncertain
(it holds the target, fewer than two replications decided it, or it rests on fewer than
:data:`FEW` tickets): an uncertain cell is grey, never red or green.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from simdesk.metrics.measures import t_quantile
from simdesk.report.aggregate import measured, week_cells
from simdesk.report.style import base_layout
from simdesk.scenario.calendar import DAY_NAMES
from simdesk.store.read import DeskResults

FEW = 30
"""Tickets (over all replications) below which a cell is not judged."""
MISSED, UNCERTAIN, MET = -1, 0, 1
COLOURS = {MISSED: "#cf222e", UNCERTAIN: "#d9dde3", MET: "#1a7f37"}
WORDS = {MISSED: "missed", UNCERTAIN: "uncertain", MET: "met"}


def hour_table(results: DeskResults) -> pd.DataFrame:
    """Per channel and cell (weekday × 24 + hour): ``tickets`` decided, ``sla`` (mean over
    replications), ``low``, ``high`` and ``verdict`` (:data:`MET`, :data:`MISSED` or
    :data:`UNCERTAIN`)."""
    t = measured(results.tickets)
    sla = t["sla_met"].to_numpy(dtype=float, na_value=np.nan)
    if "deflected" in t:
        sla = np.where(t["deflected"].to_numpy(dtype=bool), np.nan, sla)
    frame = pd.DataFrame({"channel": t["channel"].astype(str).to_numpy(),
                          "replication": t["replication"].to_numpy(),
                          "cell": week_cells(results.plan, t["arrived"].to_numpy(dtype=float)),
                          "met": sla})
    frame = frame.dropna(subset=["met"])
    per_run = frame.groupby(["channel", "cell", "replication"]).agg(
        met=("met", "mean"), tickets=("met", "size")).reset_index()
    cells = per_run.groupby(["channel", "cell"]).agg(
        sla=("met", "mean"), sd=("met", "std"), runs=("met", "size"),
        tickets=("tickets", "sum")).reset_index()
    targets = {c.name: c.sla_target for c in results.plan.channels}
    quantile = cells["runs"].map(lambda n: t_quantile(int(n)))
    half = quantile * cells["sd"] / np.sqrt(cells["runs"])
    cells["low"], cells["high"] = cells["sla"] - half, cells["sla"] + half
    verdicts = [
        judge(sla, low, high, int(tickets), targets.get(str(channel), math.nan))
        for channel, sla, low, high, tickets in zip(
            cells["channel"], cells["sla"].to_numpy(dtype=float),
            cells["low"].to_numpy(dtype=float), cells["high"].to_numpy(dtype=float),
            cells["tickets"].to_numpy(dtype=np.int64), strict=True)]
    cells["verdict"] = verdicts
    return cells.drop(columns=["sd"])


def judge(sla: float, low: float, high: float, tickets: int, target: float) -> int:
    """:data:`MET`, :data:`MISSED` or :data:`UNCERTAIN` for one cell."""
    if math.isnan(target) or tickets < FEW or math.isnan(low):
        return UNCERTAIN
    if low >= target:
        return MET
    return MISSED if high < target else UNCERTAIN


def _hover(channel: str, cell: int, sla: float, low: float, high: float, tickets: int,
           verdict: int) -> str:
    when = f"{DAY_NAMES[cell // 24]} {cell % 24:02d}:00"
    interval = "" if math.isnan(low) else f" ({max(low, 0) * 100:.0f}–{min(high, 1) * 100:.0f}%)"
    return (f"{channel}, {when}: SLA {sla * 100:.0f}%{interval} over {tickets} tickets: "
            f"{WORDS[verdict]}")


def sla_hours_figure(results: DeskResults) -> dict[str, Any]:
    """One weekday × hour map per channel with a target, as plain figure data."""
    table = hour_table(results)
    channels = [c for c in results.plan.channels if not math.isnan(c.sla_target)]
    traces: list[dict[str, Any]] = []
    count = max(len(channels), 1)
    gap = 0.16 / count
    height = 1 / count
    layout = base_layout(150 + 190 * count)
    layout.update(margin={"l": 60, "r": 20, "t": 30, "b": 40}, annotations=[])
    scale = [[0, COLOURS[MISSED]], [0.33, COLOURS[MISSED]], [0.33, COLOURS[UNCERTAIN]],
             [0.67, COLOURS[UNCERTAIN]], [0.67, COLOURS[MET]], [1, COLOURS[MET]]]
    for index, channel in enumerate(channels):
        rows = table.loc[table["channel"] == channel.name]
        z: list[list[Any]] = [[None] * 24 for _ in range(7)]
        text = [[""] * 24 for _ in range(7)]
        hover = [[f"{channel.name}, {DAY_NAMES[d]} {h:02d}:00: no ticket decided"
                  for h in range(24)] for d in range(7)]
        for cell, verdict, sla, low, high, tickets in zip(
                *(rows[c].to_numpy() for c in ("cell", "verdict", "sla", "low", "high",
                                               "tickets")), strict=True):
            day, hour = divmod(int(cell), 24)
            z[day][hour] = int(verdict)
            text[day][hour] = f"{sla * 100:.0f}"
            hover[day][hour] = _hover(channel.name, int(cell), float(sla), float(low),
                                      float(high), int(tickets), int(verdict))
        axis = "" if index == 0 else str(index + 1)
        top = 1 - index * height
        last = index == count - 1
        layout[f"xaxis{axis}"] = {**layout["xaxis"], "anchor": f"y{axis}", "dtick": 2,
                                  "title": {"text": "hour of arrival"} if last else None,
                                  "showticklabels": last, "domain": [0, 1]}
        layout[f"yaxis{axis}"] = {**layout["yaxis"], "anchor": f"x{axis}",
                                  "domain": [max(0, top - height + gap), top - gap / 2],
                                  "autorange": "reversed", "ticks": ""}
        layout["annotations"].append({
            "text": f"<b>{channel.name}</b> — target {channel.sla_target * 100:.0f}%",
            "xref": "paper", "yref": "paper", "x": 0, "y": top - gap / 2, "yanchor": "bottom",
            "showarrow": False, "font": {"size": 13}})
        traces.append({"type": "heatmap", "x": list(range(24)), "y": list(DAY_NAMES),
                       "z": z, "text": text, "texttemplate": "%{text}",
                       "hovertext": hover, "hoverinfo": "text", "zmin": -1, "zmax": 1,
                       "colorscale": scale, "showscale": False, "xgap": 1, "ygap": 1,
                       "xaxis": f"x{axis}", "yaxis": f"y{axis}"})
    return {"data": traces, "layout": layout}
