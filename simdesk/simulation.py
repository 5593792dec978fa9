"""Run a scenario: replications on spawned seeds, tables, metrics, summary."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simdesk.engine.desk import run_desk
from simdesk.metrics import summarize, ticket_metrics, tier_metrics
from simdesk.plan import DeskPlan, compile_plan
from simdesk.policies import make_policy
from simdesk.policies.base import Policy
from simdesk.scenario.load import load_scenario
from simdesk.scenario.schema import Scenario
from simdesk.streams import Streams, new_seed
from simdesk.tables import duty_table, ticket_table, visit_table
from simdesk.tickets import draw_tickets


@dataclass(frozen=True)
class SimulationResult:
    """Everything a run produced. ``scenario`` is the resolved scenario, seed included."""

    scenario: Scenario
    plan: DeskPlan
    seed: int
    replications: int
    policy: str
    tickets: pd.DataFrame
    """One row per ticket per replication (see :mod:`simdesk.tables`)."""
    visits: pd.DataFrame
    duty: pd.DataFrame
    metrics: pd.DataFrame
    """Every metric of every replication: ``replication, scope, group, metric, value``."""
    summary: pd.DataFrame
    """Mean and 95 % CI per metric: ``scope, group, metric, mean, ci_low, ci_high, ...``."""

    def value(self, scope: str, group: str, metric: str) -> float:
        """The mean of one metric, e.g. ``result.value("channel", "phone", "sla")``."""
        rows = self.summary.loc[
            (self.summary["scope"] == scope)
            & (self.summary["group"] == group)
            & (self.summary["metric"] == metric)
        ]
        if rows.empty:
            raise KeyError(f"no metric {scope}/{group}/{metric}")
        return float(rows["mean"].iloc[0])


ProgressHook = Callable[[int, int], None]


def simulate(
    scenario: Scenario | Mapping[str, Any] | str | Path,
    seed: int | None = None,
    replications: int | None = None,
    *,
    policy: Policy | None = None,
    progress: ProgressHook | None = None,
) -> SimulationResult:
    """Simulate ``scenario``; ``seed`` and ``replications`` override the scenario's own.

    Replication ``r`` draws from streams spawned from ``(seed, r)``, so the same scenario
    and seed give identical tables, and any replication can be rerun on its own.
    """
    scenario = load_scenario(scenario)
    seed = seed if seed is not None else scenario.seed if scenario.seed is not None else new_seed()
    count = replications if replications is not None else scenario.replications
    if count < 1:
        raise ValueError(f"replications must be at least 1, got {count}")
    scenario = scenario.model_copy(update={"seed": seed, "replications": count})
    plan = compile_plan(scenario)
    policy = policy or make_policy(scenario.routing.policy)
    tickets: list[pd.DataFrame] = []
    visits: list[pd.DataFrame] = []
    duty: list[pd.DataFrame] = []
    areas: list[dict[str, object]] = []
    for replication in range(count):
        batch = draw_tickets(plan, Streams(seed, replication))
        record = run_desk(plan, batch, policy)
        tickets.append(ticket_table(plan, batch, record, replication))
        visits.append(visit_table(plan, record, replication))
        duty.append(duty_table(plan, record, replication))
        areas.extend(
            {"replication": replication, "tier": tier.name, "area": area}
            for tier, area in zip(plan.tiers, record.queue_area, strict=True)
        )
        if progress is not None:
            progress(replication + 1, count)
    ticket_frame = pd.concat(tickets, ignore_index=True)
    visit_frame = pd.concat(visits, ignore_index=True)
    duty_frame = pd.concat(duty, ignore_index=True)
    parts = [ticket_metrics(ticket_frame),
             tier_metrics(plan, visit_frame, duty_frame, pd.DataFrame(areas))]
    metrics = pd.concat(parts, ignore_index=True)
    return SimulationResult(
        scenario=scenario,
        plan=plan,
        seed=seed,
        replications=count,
        policy=policy.name,
        tickets=ticket_frame,
        visits=visit_frame,
        duty=duty_frame,
        metrics=metrics,
        summary=summarize(metrics),
    )
