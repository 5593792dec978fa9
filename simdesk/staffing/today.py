"""Today's plan beside the proposed one: agent-hours per tier and the channel SLA."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simdesk.plan.model import DeskPlan
from simdesk.scenario.calendar import MINUTES_PER_WEEK
from simdesk.simulation import SimulationResult
from simdesk.staffing.judge import channel_sla
from simdesk.staffing.runner import Runner


@dataclass(frozen=True)
class Today:
    """The scenario as written: agent-hours a week per tier, and what it achieves."""

    agent_hours: dict[str, float]
    result: SimulationResult

    @property
    def sla(self) -> pd.DataFrame:
        return channel_sla(self.result)


def weekly_agent_hours(plan: DeskPlan) -> dict[str, float]:
    """Per tier, on-duty agent-hours per week over the measured part of the horizon."""
    begin, end = plan.warmup, plan.horizon
    if end <= begin:
        begin = 0.0
    weeks = (end - begin) / MINUTES_PER_WEEK
    found = {}
    for tier in plan.tiers:
        minutes = sum(max(0.0, min(e, end) - max(b, begin))
                      for agent in tier.agents if agent.helper is None for b, e in agent.duty)
        found[tier.name] = minutes / 60 / weeks
    return found


def decided(result: SimulationResult) -> bool:
    """Every channel's SLA interval is clear of its target."""
    sla = channel_sla(result)
    low, high, target = (sla[c].to_numpy(dtype=float) for c in ("ci_low", "ci_high", "target"))
    return bool(np.all((low >= target) | (high < target)))


def today_for(runner: Runner, plan: DeskPlan) -> Today:
    """Simulate the scenario as written on the same tickets as every plan."""
    result = runner.run_scenario(plan.scenario, "simulating today's plan", decided)
    return Today(weekly_agent_hours(plan), result)
