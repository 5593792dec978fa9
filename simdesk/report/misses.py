"""The report's "Why targets were missed" section, from ``misses.json`` (written by
``simdesk run``): the same lines as under the terminal table."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from rich.text import Text

from simdesk.metrics.misses import Block, ChannelMisses, QueueAhead, Suggestion
from simdesk.metrics.misses_text import channel_lines
from simdesk.report.style import text


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def read_misses(folder: Path) -> list[ChannelMisses]:
    """``misses.json`` of a results folder as :class:`ChannelMisses` (empty without it)."""
    path = folder / "misses.json"
    if not path.is_file():
        return []
    found = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        blocks = [Block(tuple(b["days"]), b["start"], b["end"], _number(b["share"]),
                        _number(b["tickets_share"]), _number(b["sla"]),
                        _number(b["gave_up"])) for b in entry["blocks"]]
        queue = entry.get("queue")
        found.append(ChannelMisses(
            entry["channel"], entry["verdict"], _number(entry["sla"]),
            _number(entry["target"]), _number(entry["missed"]), _number(entry["gave_up"]),
            _number(entry["refused"]), blocks,
            None if queue is None else QueueAhead(
                queue["tier"], _number(queue["waiting"]),
                {k: _number(v) for k, v in queue["other_channels"].items()},
                _number(queue["same_channel"]), _number(queue["escalated"]),
                _number(queue["repeat"]), _number(queue["from_closed_hours"])),
            [Suggestion(s["change"], _number(s["gain"]), _number(s["low"]),
                        _number(s["high"]), int(s["replications"]))
             for s in entry["suggestions"]],
            entry.get("suggestion_note", "")))
    return found


def misses_html(folder: Path) -> str:
    """One paragraph per channel that missed (or nearly missed), '' when none did."""
    parts = []
    for misses in read_misses(folder):
        lines = [text(Text.from_markup(line).plain.strip()) for line in channel_lines(misses)]
        head, rest = lines[0], lines[1:]
        items = "".join(f"<li>{line.lstrip('• ')}</li>" for line in rest)
        parts.append(f'<div class="misses" data-channel="{text(misses.channel)}">'
                     f"<p><b>{head}</b></p><ul>{items}</ul></div>")
    return "".join(parts)


__all__ = ["misses_html", "read_misses"]
