"""Colours, fonts, number formats and text escaping shared by every report figure.

Text from a scenario (names of channels, segments, tiers, agents, policies, parameters)
is escaped with :func:`text` before it reaches a figure: plotly renders some HTML tags
(``<b>``, ``<a href>``, ``<br>``…) in titles, labels, legends and hover texts and decodes
entities, so an escaped ``<script>`` shows as the text ``<script>``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from simdesk.scenario.units import format_duration, humanize_minutes

FONT = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
        'sans-serif')
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D31",
           "#6A3D9A", "#B15928", "#1B9E77")
"""Okabe–Ito based, colour-blind safe; channels take them in scenario order."""
POLICY_PALETTE = ("#52606D", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                  "#56B4E9", "#6A3D9A", "#8C6D31", "#1B9E77")
"""Comparisons colour by policy: the baseline in slate grey, the others in colour."""
TIER_PALETTE = ("#3E4C59", "#0072B2", "#56B4E9", "#009E73", "#8C6D31", "#6A3D9A")
QUEUE_COLOUR = "#D55E00"
AGENTS_COLOUR = "#7B8794"
SEGMENT_GREY = "#9AA5B1"
TARGET_COLOUR = "#1f2933"
VERDICT_COLOURS = {"met": "#1a7f37", "missed": "#cf222e", "borderline": "#9a6700"}
VERDICT_WORDS = {"met": "met", "missed": "missed", "borderline": "close"}
"""The words of :func:`simdesk.console.run.verdict` as the terminal shows them."""
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "displayModeBar": "hover",
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines",
                               "hoverClosestCartesian", "hoverCompareCartesian",
                               "zoomIn2d", "zoomOut2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
"""Plotly's config for every figure: no logo, only zoom, pan, reset and download."""


def text(value: object) -> str:
    """Scenario text made safe for HTML text and for plotly's text rendering: ``&``,
    ``<`` and ``>`` escaped. Quotes are left alone (plotly does not decode ``&quot;``);
    scenario text never goes into an HTML attribute."""
    return html.escape(str(value), quote=False)


def colour(palette: Sequence[str], index: int) -> str:
    return palette[index % len(palette)]


def rgba(hex_colour: str, alpha: float) -> str:
    """``#0072B2`` → ``rgba(0,114,178,0.2)``."""
    value = hex_colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha:g})"


def percent(value: float, digits: int = 1) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.{digits}%}"


def duration(minutes: float) -> str:
    """A rounded duration (``4m30s``, ``2h05m``, ``0s``); ``—`` for NaN."""
    shown = humanize_minutes(minutes)
    return "0s" if shown in ("0.0s", "-0.0s") else shown


def compact_duration(minutes: float) -> str:
    """At most four characters, for heatmap cells: ``41s``, ``6.6m``, ``25m``, ``2.1h``,
    ``1.5d``; empty for NaN."""
    if math.isnan(minutes):
        return ""
    seconds = minutes * 60
    if seconds < 59.5:
        return f"{seconds:.0f}s"
    if minutes < 9.95:
        return f"{minutes:.1f}m"
    if minutes < 59.5:
        return f"{minutes:.0f}m"
    if minutes < 597:
        return f"{minutes / 60:.1f}h"
    if minutes < 2160:
        return f"{minutes / 60:.0f}h"
    return f"{minutes / 1440:.1f}d"


def round_duration(minutes: float) -> str:
    """A duration for assumptions: ``15m`` rather than ``15m00s``, ``2h`` for ``2h00m``."""
    shown = duration(minutes)
    if len(shown) > 3 and shown.endswith(("m00s", "h00m")):
        return shown[:-3]
    return shown


def exact_duration(minutes: float) -> str:
    """The duration as a scenario writes it (``30s``, ``4h``)."""
    return format_duration(minutes) if math.isfinite(minutes) else "—"


def interval(mean: float, low: float, high: float, fmt: str = "percent") -> str:
    """``72.3% (69.1–75.5%)``, or the mean alone without an interval."""
    shown = percent if fmt == "percent" else duration
    if math.isnan(mean):
        return "—"
    if math.isnan(low) or math.isnan(high):
        return shown(mean)
    return f"{shown(mean)} ({shown(low)}–{shown(high)})"


def wait_unit(minutes: float) -> tuple[str, float]:
    """The unit to draw waits around ``minutes`` in: (label, minutes per unit)."""
    if minutes < 3:
        return "seconds", 1 / 60
    if minutes < 180:
        return "minutes", 1.0
    if minutes < 3 * 1440:
        return "hours", 60.0
    return "days", 1440.0


def base_layout(height: int, **extra: Any) -> dict[str, Any]:
    """The layout every figure starts from: white, light grid, the page's font."""
    axis = {"gridcolor": GRID, "zerolinecolor": GRID, "linecolor": "#cbd2d9",
            "ticks": "outside", "tickcolor": "#cbd2d9", "automargin": True,
            "title": {"font": {"size": 13, "color": MUTED}}}
    layout: dict[str, Any] = {
        "height": height,
        "font": {"family": FONT, "size": 13, "color": INK},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        "hoverlabel": {"font": {"family": FONT, "size": 13}, "align": "left"},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left",
                   "x": 0, "font": {"size": 12}},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "colorway": list(PALETTE),
    }
    layout.update(extra)
    return layout

