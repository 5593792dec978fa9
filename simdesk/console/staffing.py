"""Terminal rendering of staffing: Erlang tables, the week's requirement, rosters."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.console import Console
from rich.table import Table

from simdesk.scenario.calendar import DAY_NAMES, MINUTES_PER_DAY
from simdesk.scenario.units import humanize_minutes
from simdesk.staffing.calculator import Figures
from simdesk.staffing.roster import Roster
from simdesk.staffing.search import Staffing


def figures_table(rows: Sequence[Figures], highlight: int | None = None,
                  digits: int = 1) -> Table:
    """Agents → service level, ASA, P(wait), occupancy (and abandonment); the service
    level with ``digits`` decimals (enough to tell it from a target such as 99.9 %)."""
    first = rows[0]
    title = (f"{first.model}: {first.rate * 60:,.1f}/h, handle "
             f"{humanize_minutes(first.mean_handle)}, offered load "
             f"{first.offered_load:.2f} Erlang, answer within {humanize_minutes(first.within)}")
    table = Table(title=title, title_justify="left", header_style="bold")
    columns = ["Agents", "Service level", "ASA", "P(wait)", "Occupancy"]
    if first.abandonment is not None:
        columns.append("Abandoned")
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        cells = [str(row.agents), f"{row.service_level:.{digits}%}", humanize_minutes(row.asa),
                 f"{row.p_wait:.1%}", f"{row.occupancy:.1%}"]
        if row.abandonment is not None:
            cells.append(f"{row.abandonment:.1%}")
        style = "bold green" if highlight == row.agents else None
        table.add_row(*cells, style=style)
    return table


def requirement_grid(staffing: Staffing, tier: str) -> Table:
    """Hour rows × weekday columns: agents by simulation, Erlang's in brackets where it
    differs, red where Erlang's plan missed the target in simulation."""
    grid = staffing.grid
    per_day = MINUTES_PER_DAY // grid.minutes
    levels, erlang = staffing.levels[tier], staffing.erlang[tier]
    table_data = staffing.table()
    rows = table_data.loc[table_data["tier"] == tier]
    missed = set(rows.loc[~rows["erlang_met"], "interval"]) if "erlang_met" in rows else set()
    table = Table(title=f"{tier}: agents needed by simulation (Erlang's answer in brackets "
                        "where different; red: Erlang's plan misses the target there)",
                  title_justify="left", header_style="bold")
    table.add_column("")
    for name in DAY_NAMES:
        table.add_column(name, justify="right")
    for slot in range(per_day):
        cells = []
        for day in range(7):
            index = day * per_day + slot
            text = str(levels[index]) if levels[index] or erlang[index] else "·"
            if erlang[index] != levels[index]:
                text += f" ({erlang[index]})"
            cells.append(f"[red]{text}[/]" if index in missed else text)
        minute = slot * grid.minutes
        table.add_row(f"{minute // 60:02d}:{minute % 60:02d}", *cells)
    return table


def staffing_summary(staffing: Staffing) -> list[str]:
    """A few sentences: agent-hours of both plans, where Erlang misses."""
    lines = []
    hours = staffing.grid.minutes / 60
    table = staffing.table()
    for goal in staffing.goals:
        rows = table.loc[table["tier"] == goal.name]
        sim, erl = staffing.levels[goal.name], staffing.erlang[goal.name]
        extra = (sim.sum() - erl.sum()) * hours
        lines.append(f"{goal.name}: {sim.sum() * hours:,.0f} agent-hours a week by simulation, "
                     f"{erl.sum() * hours:,.0f} by Erlang ({extra:+,.0f})")
        if "erlang_met" in rows:
            misses = rows.loc[~rows["erlang_met"]]
            if len(misses):
                where = ", ".join(misses["when"].head(6))
                more = f" and {len(misses) - 6} more" if len(misses) > 6 else ""
                lines.append(f"  Erlang's plan misses the target in {len(misses)} interval(s):"
                             f" {where}{more}")
            else:
                lines.append("  Erlang's plan meets the target in every interval here")
        over = int(np.sum(erl > sim))
        if over:
            lines.append(f"  Erlang over-staffs {over} interval(s)")
    lines.append(f"{staffing.simulations} simulations of {staffing.replications} replications, "
                 f"{staffing.seconds:.1f} s (seed {staffing.seed})")
    return lines


def roster_table(tier: str, roster: Roster) -> Table:
    table = Table(title=f"{tier}: roster (cost {roster.cost:,.1f} a week)", title_justify="left",
                  header_style="bold")
    for column in ("Shift", "Days", "Hours", "People", "Cost"):
        table.add_column(column, justify="left" if column in ("Shift", "Days", "Hours")
                         else "right")
    for shift, count in roster.shifts:
        days = ",".join(DAY_NAMES[d] for d in shift.days)
        table.add_row(shift.pattern, days, shift.hours(), str(count),
                      f"{shift.cost * count:,.1f}")
    return table


def print_staffing(console: Console, staffing: Staffing) -> None:
    for goal in staffing.goals:
        console.print(requirement_grid(staffing, goal.name))
    for line in staffing_summary(staffing):
        console.print(line, highlight=False)


def shortfall_lines(tier: str, roster: Roster, staffing: Staffing) -> list[str]:
    gaps = np.nonzero(roster.shortfall > 1e-9)[0]
    if not len(gaps):
        return [f"{tier}: the roster covers the requirement in every interval"]
    listed = ", ".join(f"{staffing.grid.label(int(k))} short {roster.shortfall[k]:.1f}"
                       for k in gaps[:8])
    more = f" and {len(gaps) - 8} more" if len(gaps) > 8 else ""
    return [f"{tier}: the allowed shifts cannot cover {len(gaps)} interval(s): {listed}{more}"]


def verdict_line(missed: Sequence[str]) -> str:
    if not missed:
        return "Verified by simulation: every interval meets its target with the roster."
    where = ", ".join(missed[:6]) + (f" and {len(missed) - 6} more" if len(missed) > 6 else "")
    return (f"Verified by simulation: the roster misses the target in {len(missed)} "
            f"interval(s): {where}")

