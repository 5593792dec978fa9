"""The supervisor's actions in the terminal (``supervisor:``, :mod:`simdesk.metrics.actions`)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.engine.supervisor import review_times
from simdesk.metrics.actions import action_text, rule_label
from simdesk.plan.reserve import RESERVE
from simdesk.simulation import SimulationResult

SHOWN = 6
"""Actions of the first replication listed one by one."""


def reserve_hours(result: SimulationResult) -> pd.Series:
    """Per tier: reserve agents' hours on the queue per replication (mean)."""
    names = {a.name: result.plan.tiers[a.tier].name for a in result.plan.agents
             if a.group == RESERVE}
    duty = result.duty
    rows = duty.loc[duty["agent"].astype(str).isin(list(names))]
    hours = (rows["off"] - rows["on"]) / 60
    by_tier = hours.groupby(rows["agent"].astype(str).map(names)).sum()
    return by_tier / result.replications


def action_tables(result: SimulationResult) -> list[Table]:
    """Per rule: how often it fired and how many agents it called; then the first
    replication's first actions."""
    supervisor = result.scenario.supervisor
    assert supervisor is not None
    actions = result.actions
    reviews = len(review_times(result.plan))
    summary = Table(title=f"Supervisor: {reviews} reviews per replication, every "
                          f"{supervisor.every:g} min (means per replication)",
                    title_justify="left", header_style="bold", caption_justify="left")
    for column in ("Rule", "Fired", "Agents called in", "Reserve hours on the queue"):
        summary.add_column(column, justify="left" if column == "Rule" else "right")
    hours = reserve_hours(result)
    for index, rule in enumerate(supervisor.rules):
        mine = actions[actions["rule"] == index] if len(actions) else actions
        fired = len(mine) / result.replications
        called = float(mine["called"].sum()) / result.replications if len(mine) else 0.0
        summary.add_row(escape(f"{rule_label(result.plan, index)} → "
                               f"{action_text(rule)} ({rule.tier})"),
                        f"{fired:,.1f}", f"{called:,.1f}",
                        f"{hours.get(rule.tier, 0.0):,.1f}")
    summary.caption = ("A tier's reserve hours are shared by the rules calling into it; "
                       "every action: actions.parquet.")
    tables = [summary]
    if len(actions):
        first = actions[actions["replication"] == actions["replication"].min()].head(SHOWN)
        detail = Table(title="First actions (replication "
                             f"{int(first['replication'].iloc[0])})",
                       title_justify="left", header_style="bold")
        for column in ("When", "Rule", "Measured", "Action", "Came on", "Stayed on", "Until"):
            detail.add_column(column, justify="left" if column in ("When", "Rule", "Action")
                              else "right")
        for row in first.to_dict("records"):
            measured = (f"{row['value']:.0%}" if row["measure"] == "sla"
                        else f"{row['value']:.0f} waiting")
            until = result.plan.clock.moment(float(row["until"]))
            detail.add_row(f"{row['at']:%a %d %b %H:%M}", escape(str(row["name"])), measured,
                           escape(str(row["action"])), str(row["called"]), str(row["kept"]),
                           f"{until:%H:%M}")
        tables.append(detail)
    return tables


def problem_table(result: SimulationResult) -> Table:
    """The analyst's fixes: per rule, when noticed and landed (median over replications),
    how many tickets or repeat contacts it removed per replication."""
    problems = result.scenario.problems
    assert problems is not None
    fixes = result.fixes
    table = Table(title=f"Problem management (analyst {escape(problems.analyst)}; medians "
                        "and means over replications)",
                  title_justify="left", header_style="bold", caption_justify="left")
    for column in ("Topic", "Lowers", "Fixed in", "Noticed", "Fix landed",
                   "Removed / replication"):
        table.add_column(column, justify="left" if column in ("Topic", "Lowers") else "right")
    clock = result.plan.clock
    for rule in problems.rules:
        mine = fixes[fixes["topic"] == rule.topic] if len(fixes) else fixes
        share = f"{rule.target} −{rule.lowers:.0%}"
        if mine.empty:
            table.add_row(escape(rule.topic), share, "0", "never", "—", "0")
            continue
        noticed = clock.moment(float(mine["noticed"].median()))
        landed = clock.moment(float(mine["lands"].median()))
        table.add_row(escape(rule.topic), share, f"{len(mine)} of {result.replications}",
                      f"{noticed:%a %d %b %H:%M}", f"{landed:%a %d %b %H:%M}",
                      f"{mine['removed'].sum() / result.replications:,.1f}")
    table.caption = ("Noticed: the rule's count of tickets within its window was reached; the "
                     "analyst's work came out of their queue time. Every fix: fixes.parquet.")
    return table


def print_supervisor(console: Console, result: SimulationResult) -> None:
    """The supervisor's actions and the analyst's fixes, for scenarios that have them."""
    if result.scenario.supervisor is not None:
        for table in action_tables(result):
            console.print(table, soft_wrap=False)
    if result.scenario.problems is not None:
        console.print(problem_table(result), soft_wrap=False)


__all__ = ["action_tables", "print_supervisor", "problem_table", "reserve_hours"]
