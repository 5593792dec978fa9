"""A scenario before it runs, on the terminal: what it holds, and the warnings about it.
No pandas and no engine: ``simdesk validate`` prints only this."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape

from simdesk.plan.diagnostics import Notice
from simdesk.plan.model import DeskPlan
from simdesk.scenario.units import format_duration


def print_notices(console: Console, notices: Iterable[Notice]) -> None:
    for notice in notices:
        console.print(f"[yellow]Warning:[/] {escape(str(notice))}", highlight=False)


def describe_plan(plan: DeskPlan) -> str:
    """One line about a valid scenario: what it contains and the volume it expects."""
    weekly = sum(s.expected for s in plan.streams) / plan.horizon * 10080
    scenario = plan.scenario
    agents = sum(g.count for tier in scenario.tiers.values() for g in tier.agents)
    rotations = [t.rotation for t in scenario.tiers.values() if t.rotation is not None]
    people = f"{agents} agent(s)"
    if rotations:
        people += " and " + ", ".join(f"a rota of {r.on_duty} from {r.pool}" for r in rotations)
    return (
        f"{len(plan.channels)} channel(s), {len(plan.tiers)} tier(s) with {people}, "
        f"about {weekly:,.0f} tickets per week over {format_duration(plan.horizon)}"
    )
