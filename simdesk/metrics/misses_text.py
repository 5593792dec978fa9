"""The lines that say why a target was missed and what to try: under the terminal's
ticket table (:mod:`simdesk.cli.run`) and, markup stripped, in the report's "Why
targets were missed" section (:mod:`simdesk.report.misses`). They live here, next to
:mod:`simdesk.metrics.misses`, because the report never imports the console; the
lines carry rich markup (names escaped) that the report reads back as plain text."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.markup import escape

from simdesk.metrics.misses import ChannelMisses, QueueAhead, Suggestion

_HEAD = {"missed": "[red]✗ missed[/]", "borderline": "[yellow]≈ close to[/]"}


def _points(value: float) -> str:
    points = round(value * 100, 1)
    return "0.0" if points == 0 else f"{points:+.1f}"


def suggestion_text(s: Suggestion) -> str:
    """``one more L1 agent Mon–Fri 08:00–10:00: +12.3 points (8.1 to 16.5), significant``."""
    if math.isnan(s.gain):
        return f"{escape(s.change)}: no result"
    interval = ("no interval" if math.isnan(s.low)
                else f"{_points(s.low)} to {_points(s.high)}")
    verdict = ("[green]a significant gain[/]" if s.significant and s.gain > 0 else
               "[red]a significant loss[/]" if s.significant else "[dim]not significant[/]")
    return f"{escape(s.change)}: {_points(s.gain)} points ({interval}), {verdict}"


def _queue_text(queue: QueueAhead, block: str) -> str:
    parts = [f"{n:.1f} {escape(name)}" for name, n in queue.other_channels.items() if n >= 0.05]
    if queue.same_channel >= 0.05:
        parts.append(f"{queue.same_channel:.1f} of the same channel")
    if queue.escalated >= 0.05:
        parts.append(f"{queue.escalated:.1f} passed on from an earlier tier")
    if queue.repeat >= 0.05:
        parts.append(f"{queue.repeat:.1f} follow-up replies or repeat contacts")
    text = (f"  Queued behind: when the missed customers of {block} arrived, "
            f"{queue.waiting:.1f} tickets were already waiting at {escape(queue.tier)} on "
            f"average")
    if parts:
        text += " (" + ", ".join(parts) + ")"
    if queue.from_closed_hours >= 0.05:
        text += (f"; {queue.from_closed_hours:.1f} of them had queued while no "
                 f"{escape(queue.tier)} agent was on duty (a backlog carried over)")
    return text + "."


def channel_lines(misses: ChannelMisses) -> list[str]:
    """A few lines for one channel: the verdict, where, who gave up, the queue, what to try."""
    lines = [f"[bold]{escape(misses.channel)}[/] {_HEAD.get(misses.verdict, '')} its "
             f"{misses.target:.0%} target ({misses.sla:.1%}): {misses.missed:,.0f} misses per "
             f"replication, {misses.gave_up:.0%} of them gave up"
             + (f", {misses.refused:.0%} refused" if misses.refused >= 0.005 else "") + "."]
    if misses.blocks:
        where = "; ".join(
            f"{b.label} holds {b.share:.0%} of the misses ({b.tickets_share:.0%} of the "
            f"tickets; SLA there {b.sla:.0%}, {b.gave_up:.0%} of its missed gave up)"
            for b in misses.blocks)
        lines.append(f"  Where: {where}.")
    if misses.queue is not None and misses.blocks:
        lines.append(_queue_text(misses.queue, misses.blocks[0].label))
    if misses.suggestions:
        lines.append(f"  What to try — {misses.suggestion_note}; the paired change in "
                     f"{escape(misses.channel)}'s SLA with its 95 % CI:")
        lines += [f"    • {suggestion_text(s)}" for s in misses.suggestions]
    elif misses.suggestion_note:
        lines.append(f"  [dim]{misses.suggestion_note}[/]")
    return lines


def miss_lines(explained: Sequence[ChannelMisses]) -> list[str]:
    """Every channel's lines, in channel order."""
    return [line for misses in explained for line in channel_lines(misses)]


__all__ = ["channel_lines", "miss_lines", "suggestion_text"]
