"""Figures as the page sends them: plain JSON data, drawn once on the server."""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True}


def plain(figure: go.Figure) -> dict[str, Any]:
    """``figure`` as plain JSON data without plotly's template: built once (in the job
    that made it), so the page's answers stay small and quick to send."""
    spec: dict[str, Any] = json.loads(pio.to_json(figure, validate=False, remove_uids=True))
    spec.get("layout", {}).pop("template", None)
    return spec
