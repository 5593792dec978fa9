"""``run --by-hour``: SLA attainment per hour of the week, per channel, in the terminal."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd
from rich.markup import escape
from rich.table import Table

from simdesk.metrics.hours import MIN_DECIDED, cell_verdict, hour_table
from simdesk.simulation import SimulationResult

_MARK = {"met": "[green]✓[/]", "missed": "[red]✗[/]", "uncertain": "[yellow]?[/]"}


def _cell(row: pd.Series, target: float) -> str:
    sla = float(row["sla"])
    if math.isnan(sla):
        return "[dim]·[/]"
    verdict, _ = cell_verdict(sla, float(row["sla_low"]), float(row["sla_high"]),
                              float(row["decided"]), target)
    gave_up = float(row["abandonment"])
    left = "" if math.isnan(gave_up) or gave_up < 0.005 else f" [dim]{gave_up:.0%}[/]"
    return f"{sla:.0%} {_MARK[verdict]}{left}"


def hour_tables(result: SimulationResult) -> Iterator[str | Table]:
    """Per channel with a target: hour rows × weekday columns (identical weekdays pooled),
    each cell the SLA attainment of the tickets arriving in that hour, its verdict (✓ met,
    ✗ missed, ? uncertain: the interval straddles the target or too few tickets) and the
    share who gave up."""
    plan = result.plan
    table_data = hour_table(plan, result.tickets, pooled=True)
    for channel in plan.channels:
        if math.isnan(channel.sla_target):
            continue
        part = table_data.loc[table_data["channel"] == channel.name]
        if part.empty:
            continue
        days = list(dict.fromkeys(part.sort_values("weekday")["days"]))
        yield (f"[bold]{escape(channel.name)}: SLA per hour of arrival[/] (target "
               f"{channel.sla_target:.0%}; ✓ met, ✗ missed, ? uncertain; dim: share who "
               "gave up)")
        table = Table(header_style="bold", caption_justify="left")
        table.add_column("Hour", no_wrap=True)
        for day in days:
            table.add_column(day, justify="right", no_wrap=True)
        cells = {(r["days"], int(r["hour"])): r for _, r in part.iterrows()}
        for hour in sorted(part["hour"].unique().tolist()):
            table.add_row(f"{hour:02d}:00", *[
                _cell(cells[(day, hour)], channel.sla_target) if (day, hour) in cells
                else "[dim]·[/]" for day in days])
        pooled = [d for d in days if "–" in d or "," in d]
        notes = []
        if pooled:
            notes.append(f"{', '.join(pooled)} pooled: the scenario makes those days "
                         "identical (same arrivals and agents on duty, hour by hour).")
        notes.append(f"?: the 95 % interval straddles the target, or fewer than "
                     f"{MIN_DECIDED} tickets.")
        yield table
        yield f"[dim]{' '.join(notes)}[/]"


__all__ = ["hour_tables"]
