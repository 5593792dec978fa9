"""A comparison's paired differences against the baseline (``comparison.csv``)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simdesk.metrics.catalogue import better_of, label_of
from simdesk.metrics.verdicts import judgement
from simdesk.report.figures import (
    Chart,
)
from simdesk.report.style import (
    VERDICT_COLOURS,
    base_layout,
    text,
)
from simdesk.store.read import DeskResults

DIFFERENCE_METRICS = tuple((m, label_of(m)) for m in ("sla", "abandonment"))
"""The shares drawn in the difference figure (percentage points)."""


def difference_rows(results: DeskResults) -> list[tuple[str, str, str]]:
    """``(scope, group, label)`` of the compared groups: all tickets, channels, segments."""
    rows = [("overall", "all", "all tickets")]
    rows += [("channel", c.name, text(c.name)) for c in results.plan.channels]
    if len(results.plan.segments) > 1:
        rows += [("segment", s, f"segment {text(s)}") for s in results.plan.segments]
    return rows


def difference_chart(results: DeskResults) -> Chart:
    differences = results.differences
    assert differences is not None
    index = {(str(r["scope"]), str(r["group"]), str(r["metric"]), str(r["policy"])): r
             for r in differences.to_dict("records")}
    others = list(results.labels[1:])
    groups = difference_rows(results)
    categories = [f"{label} — {text(policy)}" for _, _, label in groups for policy in others]
    figure = make_subplots(rows=1, cols=len(DIFFERENCE_METRICS), shared_yaxes=True,
                           horizontal_spacing=0.04,
                           subplot_titles=[f"<b>{title}</b> (percentage points, vs "
                                           f"{text(results.baseline)})"
                                           for _, title in DIFFERENCE_METRICS])
    styles = {"better": ("significantly better", VERDICT_COLOURS["met"], "circle"),
              "worse": ("significantly worse", VERDICT_COLOURS["missed"], "circle"),
              "same": ("no significant difference", "#9aa5b1", "circle-open")}
    shown: set[str] = set()
    for col, (metric, title) in enumerate(DIFFERENCE_METRICS, start=1):
        for kind, (name, colour_, symbol) in styles.items():
            xs, ys, plus, minus, hover = [], [], [], [], []
            for scope, group, label in groups:
                for policy in others:
                    row = index.get((scope, group, metric, policy))
                    if row is None or math.isnan(float(row["mean_difference"])):
                        continue
                    judged = judgement(str(row["better"]), policy, bool(row["significant"]))
                    if judged != kind:
                        continue
                    mean = float(row["mean_difference"]) * 100
                    low, high = float(row["ci_low"]) * 100, float(row["ci_high"]) * 100
                    xs.append(mean)
                    ys.append(f"{label} — {text(policy)}")
                    plus.append(None if math.isnan(high) else high - mean)
                    minus.append(None if math.isnan(low) else mean - low)
                    ci = "" if math.isnan(low) else f" (95 % CI {low:+.1f} to {high:+.1f})"
                    direction = "higher is better" if better_of(metric) == "higher" else \
                        "lower is better"
                    hover.append(f"<b>{label}</b>: {text(policy)} vs {text(results.baseline)}"
                                 f"<br>{title} {mean:+.1f} pp{ci}<br>{name} ({direction})")
            if not xs:
                continue
            figure.add_trace(go.Scatter(
                x=xs, y=ys, mode="markers", name=name, legendgroup=kind,
                showlegend=kind not in shown,
                marker={"color": colour_, "symbol": symbol, "size": 10,
                        "line": {"color": colour_, "width": 2}},
                error_x={"type": "data", "symmetric": False, "array": plus,
                         "arrayminus": minus, "color": colour_, "thickness": 1.8, "width": 4},
                hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            ), row=1, col=col)
            shown.add(kind)
        axis = "" if col == 1 else str(col)
        figure.add_shape({"type": "line", "xref": f"x{axis}", "yref": f"y{axis} domain",
                          "x0": 0, "x1": 0, "y0": 0, "y1": 1,
                          "line": {"color": "#3E4C59", "width": 1}})
        figure.update_xaxes(ticksuffix=" pp", zeroline=False, row=1, col=col)
    height = 26 * len(categories) + 150
    layout = base_layout(height, showlegend=True)
    layout["margin"]["t"] = 80
    layout["legend"]["y"] = 1.0 + 55 / height
    figure.update_layout(**{k: v for k, v in layout.items() if k not in ("xaxis", "yaxis")})
    figure.update_yaxes(categoryorder="array", categoryarray=categories[::-1],
                        gridcolor="#e4e7eb", automargin=True)
    figure.update_xaxes(gridcolor="#e4e7eb", linecolor="#cbd2d9")
    figure.update_annotations(font={"size": 13})
    return Chart(
        "fig-compare-diff", f"Each policy against {text(results.baseline)}",
        f"How many percentage points each policy gains or loses against "
        f"{text(results.baseline)} on the same tickets, with the 95 % confidence interval "
        "of the paired difference: filled green dots are significantly better, red "
        "significantly worse, hollow grey ones could be chance.",
        figure,
        "Higher SLA is better, fewer customers giving up is better. Among many differences "
        "with no real effect, about one in twenty is marked by chance.")
