"""What every figure of the report shares: :class:`Chart`, summary lookups, colours.

Each figure builder (:mod:`~simdesk.report.bars`, :mod:`~simdesk.report.waits`,
:mod:`~simdesk.report.flows`, :mod:`~simdesk.report.differences`,
:mod:`~simdesk.report.sweep_figures`) returns a :class:`Chart`: the figure id, a title,
one sentence a manager understands, and the plotly figure, built from aggregated
tables. In a run every channel keeps its colour; in a comparison colours are the
policies' (the baseline grey) and channels are panels or categories.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from simdesk.report.style import (
    PALETTE,
    POLICY_PALETTE,
    colour,
    exact_duration,
    percent,
)
from simdesk.store.read import DeskResults

OUTCOME_COLOURS = {"resolved": "#1a7f37", "gave up": "#cf222e", "still open": "#9a6700"}


@dataclass
class Chart:
    """A figure of the report with its id, title and one-sentence explanation."""

    id: str
    title: str
    sentence: str
    figure: go.Figure
    note: str = ""
    """An optional second line (small print) under the figure."""


# -- lookups ---------------------------------------------------------------------------


class Estimates:
    """``(policy, scope, group, metric) → (mean, low, high)`` from the summary."""

    def __init__(self, summary: pd.DataFrame) -> None:
        self.values: dict[tuple[str, str, str, str], tuple[float, float, float]] = {
            (str(p), str(s), str(g), str(m)): (float(mean), float(low), float(high))
            for p, s, g, m, mean, low, high in summary[
                ["policy", "scope", "group", "metric", "mean", "ci_low", "ci_high"]
            ].itertuples(index=False)
        }

    def get(self, policy: str, scope: str, group: str, metric: str
            ) -> tuple[float, float, float]:
        return self.values.get((policy, scope, group, metric), (math.nan, math.nan, math.nan))


def error_bars(means: Sequence[float], lows: Sequence[float], highs: Sequence[float]
            ) -> dict[str, Any]:
    """Asymmetric error bars from an interval (none where it is NaN)."""
    plus = [h - m if not (math.isnan(h) or math.isnan(m)) else None
            for m, h in zip(means, highs, strict=True)]
    minus = [m - lo if not (math.isnan(lo) or math.isnan(m)) else None
             for m, lo in zip(means, lows, strict=True)]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
            "color": "#3E4C59", "thickness": 1.5, "width": 5}


def policy_colour(results: DeskResults, label: str) -> str:
    return colour(POLICY_PALETTE, results.labels.index(label))


def channel_colour(index: int) -> str:
    return colour(PALETTE, index)


def legend_only(name: str, colour_: str, dash: str = "solid", symbol: str | None = None
                 ) -> go.Scatter:
    """A legend entry without data (for styles shared by several traces)."""
    return go.Scatter(x=[None], y=[None], name=name, mode="lines" if symbol is None
                      else "markers", line={"color": colour_, "dash": dash, "width": 2.5},
                      marker={"symbol": symbol or "circle", "color": colour_, "size": 10},
                      hoverinfo="skip")


def grid_of(count: int, columns: int = 2) -> tuple[int, int]:
    cols = min(count, columns)
    return math.ceil(count / cols), cols


def target_text(results: DeskResults, index: int) -> str:
    channel = results.plan.channels[index]
    if math.isnan(channel.sla_target):
        return "no target"
    hours = " (business hours)" if channel.sla_hours is not None else ""
    return f"{percent(channel.sla_target, 0)} within {exact_duration(channel.sla_within)}{hours}"
