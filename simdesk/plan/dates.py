"""The ``calendar:`` section compiled: per-date arrival multipliers and closures as
scenario-minute windows (weekday profiles and shifts elsewhere stay as written)."""

from __future__ import annotations

from dataclasses import replace

from simdesk.plan.model import AgentPlan
from simdesk.scenario.behaviour import day_number
from simdesk.scenario.calendar import Clock, Interval, day_window, subtract_intervals
from simdesk.scenario.schema import Scenario


def arrival_windows(scenario: Scenario, clock: Clock) -> list[tuple[float, float, float]]:
    """(begin, end, multiplier) of every dated arrival multiplier; a date closed to
    arrivals has multiplier 0 (a closure wins over a multiplier of the same date)."""
    calendar = scenario.calendar
    if calendar is None:
        return []
    start = clock.start.date()
    closed = {day_number(c.date, start) for c in calendar.closed if c.closed != "staff"}
    windows = [(*day_window(day, clock), 0.0) for day in sorted(closed)]
    for dated in calendar.multipliers:
        number = day_number(dated.date, start)
        if number not in closed:
            windows.append((*day_window(number, clock), dated.multiplier))
    return windows


def staff_closures(scenario: Scenario, clock: Clock) -> list[Interval]:
    """The windows of the dates closed to staff, sorted."""
    calendar = scenario.calendar
    if calendar is None:
        return []
    start = clock.start.date()
    return [day_window(number, clock) for number in sorted(
        {day_number(c.date, start) for c in calendar.closed if c.closed != "arrivals"})]


def without_closures(agent: AgentPlan, closed: list[Interval]) -> AgentPlan:
    """The agent with no duty (nor breaks) on closed dates."""
    if not closed:
        return agent
    breaks = tuple((due, length) for due, length in agent.breaks
                   if not any(begin <= due < end for begin, end in closed))
    return replace(agent, duty=tuple(subtract_intervals(list(agent.duty), closed)),
                   breaks=breaks)
