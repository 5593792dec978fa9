"""Terminal rendering of staffing: Erlang tables, the week's requirement, rosters."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from simdesk.scenario.calendar import DAY_NAMES, MINUTES_PER_DAY
from simdesk.scenario.units import humanize_minutes
from simdesk.staffing.calculator import Figures
from simdesk.staffing.judge import channel_sla
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


def _abbreviations(names: Sequence[str]) -> dict[str, str]:
    """Shortest prefixes telling the channels apart."""
    for size in range(1, max((len(n) for n in names), default=1) + 1):
        short = {name: name[:size] for name in names}
        if len(set(short.values())) == len(short):
            return short
    return {name: name for name in names}


def requirement_grid(staffing: Staffing, tier: str) -> Table:
    """Hour rows × weekday columns: agents by simulation (Erlang's in brackets where it
    differs; red where Erlang's plan missed the target), and the channel that binds."""
    grid = staffing.grid
    per_day = MINUTES_PER_DAY // grid.minutes
    levels, erlang = staffing.levels[tier], staffing.erlang[tier]
    rows = staffing.table()
    rows = rows.loc[rows["tier"] == tier].sort_values("interval")
    missed = set(rows.loc[~rows["erlang_met"], "interval"])
    binding = rows["binding"].tolist()
    short = _abbreviations(sorted({b for b in binding if b}))
    legend = ", ".join(f"{v}={k}" for k, v in short.items())
    caption = ("(n): Erlang's answer where different; red: Erlang's plan misses"
               + (f"; binding channel {legend}" if len(short) > 1 else ""))
    table = Table(title=f"{tier}: agents needed, every interval meeting its target",
                  caption=caption, title_justify="left", caption_justify="left",
                  header_style="bold")
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
            if len(short) > 1 and levels[index] and binding[index]:
                text += f" {short[binding[index]]}"
            cells.append(f"[red]{text}[/]" if index in missed else text)
        minute = slot * grid.minutes
        table.add_row(f"{minute // 60:02d}:{minute % 60:02d}", *cells)
    return table


def _ci(row: pd.Series | None) -> str:
    if row is None:
        return "—"
    return f"{row['mean']:.1%} ({row['ci_low']:.1%}–{row['ci_high']:.1%})"


def sla_table(staffing: Staffing) -> Table:
    """Per channel: target, and the whole-horizon SLA (95 % CI) of today's plan and the
    proposed ones."""
    plans: list[tuple[str, pd.DataFrame]] = []
    if staffing.today is not None:
        plans.append(("today", staffing.today.sla))
    if staffing.final is not None:
        plans.append(("interval goal", channel_sla(staffing.final.result)))
    if staffing.channel_result is not None:
        plans.append(("channel goal", channel_sla(staffing.channel_result)))
    table = Table(title="Channel SLA over the whole horizon (95 % CI)", title_justify="left",
                  header_style="bold")
    table.add_column("Channel")
    table.add_column("Target", justify="right")
    for name, _ in plans:
        table.add_column(name.capitalize(), justify="right")
    channels = plans[0][1]["channel"].tolist() if plans else []
    for channel in channels:
        cells = []
        target = math.nan
        for _, frame in plans:
            found = frame.loc[frame["channel"] == channel]
            row = found.iloc[0] if len(found) else None
            if row is not None:
                target = float(row["target"])
            cells.append(_ci(row))
        table.add_row(channel, f"{target:.0%}", *cells)
    return table


def staffing_summary(staffing: Staffing) -> list[str]:
    """A few sentences: agent-hours of every plan, how each decision was taken."""
    lines = []
    today = staffing.today.agent_hours if staffing.today is not None else {}
    interval = staffing.agent_hours("simulated")
    erlang = staffing.agent_hours("erlang")
    channel = staffing.agent_hours("channel") if staffing.channel_levels is not None else {}
    table = staffing.table()
    for goal in staffing.goals:
        name = goal.tier
        parts = [f"today {today[name]:,.0f}"] if name in today else []
        parts.append(f"interval goal {interval[name]:,.0f}")
        if channel:
            parts.append(f"channel goal {channel[name]:,.0f}")
        parts.append(f"Erlang {erlang[name]:,.0f}")
        lines.append(f"{name}: agent-hours a week: " + ", ".join(parts))
        rows = table.loc[table["tier"] == name]
        misses = rows.loc[~rows["erlang_met"] & (rows["erlang"] > 0)]
        if len(misses):
            where = ", ".join(misses["when"].head(4))
            more = f" and {len(misses) - 4} more" if len(misses) > 4 else ""
            lines.append(f"  Erlang's plan misses the target in {len(misses)} interval(s): "
                         f"{where}{more}")
        idle = int(goal.demand.idle.sum())
        lines.append(f"  {staffing.grid.count} intervals in {goal.demand.pools} pools of "
                     f"identical demand; {idle} count no work and get no agents")
        needed = staffing.decided_at.get(name)
        if needed is not None:
            live = needed[needed > 0]
            counts = {int(k): int(v) for k, v in zip(*np.unique(live, return_counts=True),
                                                      strict=True)}
            text = ", ".join(f"{k} replications for {v}" for k, v in counts.items())
            if text:
                lines.append(f"  decisions per pool: {text}")
    if staffing.minimal:
        lines.append("Locally minimal: one agent less in any pool made a target fail (in "
                     "the pool or next to it), checked against the final plan.")
    else:
        missed = int((~table["simulated_met"]).sum())
        state = (f"{missed} interval(s) still miss their target" if missed
                 else "the plan meets every target")
        lines.append(f"Not shown locally minimal: the search stopped after its rounds; {state}.")
    if staffing.undecided:
        lines.append(f"{staffing.undecided} verdict(s) stayed undecided — the pool is at its "
                     f"target within what {staffing.most} replications resolve — and were "
                     "judged on the mean.")
    if staffing.channel_levels is not None and staffing.channel_note:
        lines.append(f"Channel goal: {staffing.channel_note}.")
    lines.append(f"{staffing.simulations} simulations, {staffing.replications_run} "
                 f"replications in all ({staffing.replications} to start, up to "
                 f"{staffing.most} where undecided), {staffing.seconds:.1f} s "
                 f"(seed {staffing.seed})")
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
        console.print(requirement_grid(staffing, goal.tier))
    console.print(sla_table(staffing))
    for line in staffing_summary(staffing):
        console.print(line, highlight=False, soft_wrap=False)


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

