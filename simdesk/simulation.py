"""Run a scenario: replications on spawned seeds, tables, metrics, summary."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from simdesk.engine.run import run_desk
from simdesk.fates.duty import draw_duty
from simdesk.fates.problems import fix_table, manage_problems
from simdesk.fates.streams import Streams, new_seed
from simdesk.fates.tickets import TicketBatch, draw_tickets, for_tables
from simdesk.metrics.actions import action_table
from simdesk.metrics.outcomes import customer_table
from simdesk.metrics.ratings import satisfaction_draw
from simdesk.metrics.rules import rule_table
from simdesk.metrics.run import run_metrics
from simdesk.metrics.stats import summarize
from simdesk.metrics.tables import duty_table, reply_table, ticket_table, visit_table
from simdesk.plan.model import DeskPlan
from simdesk.plan.prepare import Prepared, prepare
from simdesk.policies import make_policy
from simdesk.policies.base import Policy
from simdesk.scenario.schema import Scenario


@dataclass(frozen=True)
class SimulationResult:
    """Everything a run produced. ``scenario`` is the resolved scenario, seed included.

    ``metrics`` and ``summary`` are computed from the tables on first use.
    """

    scenario: Scenario
    plan: DeskPlan
    seed: int
    replications: int
    policy: str
    tickets: pd.DataFrame
    """One row per ticket per replication (see :mod:`simdesk.metrics.tables`)."""
    visits: pd.DataFrame
    duty: pd.DataFrame
    replies: pd.DataFrame
    """Agent replies at the conversation tier (empty without conversations)."""
    queue_area: pd.DataFrame
    """Per replication and tier, the engine's ∫ queue length dt over the measured window."""
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The supervisor's actions (:mod:`simdesk.metrics.actions`); empty without one."""
    fixes: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The analyst's fixes (:mod:`simdesk.fates.problems`); empty without ``problems:``."""
    rules: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The desk rules' interruptions and rests (:mod:`simdesk.metrics.rules`); empty
    without desk rules."""

    @cached_property
    def customers(self) -> pd.DataFrame:
        """One row per ticket's customer: unhappy, complained, churned, converted (with an
        ``outcomes:`` section; empty without: :mod:`simdesk.metrics.outcomes`)."""
        if self.scenario.outcomes is None:
            return pd.DataFrame()
        return customer_table(self.plan, self.tickets)

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """Every metric of every replication: ``replication, scope, group, metric, value``."""
        return run_metrics(self.plan, self.tickets, self.visits, self.duty, self.replies,
                           self.queue_area, self.rules)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Mean and 95 % CI per metric: ``scope, group, metric, mean, ci_low, ci_high, ...``."""
        return summarize(self.metrics)

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
TicketDraw = Callable[[DeskPlan, Streams], TicketBatch]
"""Draws a replication's tickets (:func:`~simdesk.fates.tickets.draw_tickets`, or one
that returns the same batch, e.g. kept from an earlier plan of a search)."""
TABLES = ("tickets", "visits", "duty", "replies", "queue_area", "actions", "fixes", "rules")
"""The tables a replication can tabulate."""
SLA_TICKETS = "sla_tickets"
"""Instead of ``tickets`` among the tables to build: a slim ticket table, only the columns a
staffing verdict reads (:data:`~simdesk.metrics.tables.SLA_COLUMNS`)."""


@dataclass(frozen=True)
class ReplicationTables:
    """The tables of one replication."""

    tickets: pd.DataFrame
    visits: pd.DataFrame
    duty: pd.DataFrame
    replies: pd.DataFrame
    queue_area: pd.DataFrame
    actions: pd.DataFrame
    fixes: pd.DataFrame
    rules: pd.DataFrame


def run_replication(plan: DeskPlan, policy: Policy, seed: int, replication: int,
                    draw: TicketDraw = draw_tickets, tables: Collection[str] = TABLES
                    ) -> ReplicationTables:
    """Draw the tickets of one replication, simulate it, and tabulate what happened.

    ``tables`` names those to build (default: all, :data:`TABLES`); the others are left
    empty — for a caller that reads only those it asked for (a staffing search)."""
    streams = Streams(seed, replication)
    batch = draw(plan, streams)
    batch, duty, fixes = manage_problems(plan, batch, draw_duty(plan, streams), streams)
    record = run_desk(plan, batch, policy, duty=duty)
    luck = satisfaction_draw(plan, streams, len(batch))
    empty = pd.DataFrame()
    areas = pd.DataFrame({
        "replication": replication,
        "tier": [tier.name for tier in plan.tiers],
        "area": record.queue_area,
    }) if "queue_area" in tables else empty
    # Memory of a big run: what only the engine read is freed before the ticket table
    # is built, the tickets' draws before the visit table.
    batch = for_tables(batch)
    tickets = (ticket_table(plan, batch, record, replication, satisfaction=luck)
               if "tickets" in tables else
               ticket_table(plan, batch, record, replication, slim=True)
               if SLA_TICKETS in tables else empty)
    del batch, luck
    return ReplicationTables(
        tickets,
        visit_table(plan, record, replication) if "visits" in tables else empty,
        duty_table(plan, record, replication) if "duty" in tables else empty,
        reply_table(plan, record, replication) if "replies" in tables else empty,
        areas,
        action_table(plan, record, replication) if "actions" in tables else empty,
        fix_table(fixes, replication) if "fixes" in tables else empty,
        rule_table(plan, record, replication)
        if record.rules is not None and "rules" in tables else empty,
    )


def _replications(plan: DeskPlan, policy: Policy, seed: int, indices: range, workers: int,
                  progress: ProgressHook | None, draw: TicketDraw = draw_tickets,
                  tables: Collection[str] = TABLES) -> list[ReplicationTables]:
    """The replications ``indices``, in order, in this process or in ``workers`` processes.

    Seeds come from the replication index, never from the order of completion, so the
    tables are the same whichever way they are run.
    """
    count = len(indices)
    results: dict[int, ReplicationTables] = {}
    if workers <= 1 or count <= 1:
        for done, replication in enumerate(indices, start=1):
            results[replication] = run_replication(plan, policy, seed, replication, draw,
                                                   tables)
            if progress is not None:
                progress(done, count)
    else:
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ProcessPoolExecutor(max_workers=min(workers, count), mp_context=context) as pool:
            futures = {pool.submit(run_replication, plan, policy, seed, r, draw, tables): r
                       for r in indices}
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, count)
    return [results[r] for r in indices]


PARALLEL_TICKETS = 200_000
"""Below this many tickets in all, worker processes cost more than they save."""


def auto_workers(plan: DeskPlan, replications: int) -> int:
    """One worker per core for big runs, none for small ones."""
    expected = sum(stream.expected for stream in plan.streams) * replications
    if expected < PARALLEL_TICKETS or replications < 2:
        return 1
    return min(os.cpu_count() or 1, replications)


def simulate(
    scenario: Prepared | Scenario | Mapping[str, Any] | str | Path,
    seed: int | None = None,
    replications: int | None = None,
    *,
    policy: Policy | None = None,
    workers: int = 1,
    progress: ProgressHook | None = None,
    first: int = 0,
    draw: TicketDraw = draw_tickets,
    tables: Collection[str] = TABLES,
) -> SimulationResult:
    """Simulate ``scenario``; ``seed`` and ``replications`` override the scenario's own.

    ``scenario`` may be :func:`~simdesk.plan.prepare.prepare`'d already: it is then
    neither loaded nor compiled again.

    Replication ``r`` draws from streams spawned from ``(seed, r)``, so the same scenario
    and seed give identical tables, and any replication can be rerun on its own: the
    run covers replications ``first`` … ``first + replications − 1``. With ``workers``
    above 1, replications run in that many processes; the result is the same.

    ``draw`` draws each replication's tickets; ``tables`` names the tables to build
    (default: all): those left out are empty, and so are the metrics that read them — a
    lean run, for a caller that reads only what it asked for.
    """
    prepared = prepare(scenario)
    scenario = prepared.scenario
    seed = seed if seed is not None else scenario.seed if scenario.seed is not None else new_seed()
    count = replications if replications is not None else scenario.replications
    if count < 1:
        raise ValueError(f"replications must be at least 1, got {count}")
    scenario = scenario.model_copy(update={"seed": seed, "replications": count})
    plan = replace(prepared.plan, scenario=scenario)  # the plan does not depend on either
    plan.cache.update(prepared.plan.cache)
    policy = policy or make_policy(scenario.routing)
    parts = _replications(plan, policy, seed, range(first, first + count), workers, progress,
                          draw, tables)
    # Joined one kind of table at a time, each replication's copy let go once joined: a
    # run holds its tables about once, not twice.
    pending: dict[str, list[pd.DataFrame]] = {
        name: [getattr(p, name) for p in parts] for name in TABLES}
    del parts

    def joined(name: str) -> pd.DataFrame:
        return pd.concat(pending.pop(name), ignore_index=True)

    tickets, visits, duty, replies = (joined(n) for n in ("tickets", "visits", "duty",
                                                           "replies"))
    areas = joined("queue_area")
    actions = joined("actions") if scenario.supervisor is not None else pd.DataFrame()
    fixes = joined("fixes") if scenario.problems is not None else pd.DataFrame()
    rules = (joined("rules") if any(len(r.columns) for r in pending["rules"])
             else pd.DataFrame())
    return SimulationResult(
        scenario=scenario,
        plan=plan,
        seed=seed,
        replications=count,
        policy=policy.name,
        tickets=tickets,
        visits=visits,
        duty=duty,
        replies=replies,
        queue_area=areas,
        actions=actions,
        fixes=fixes,
        rules=rules,
    )
