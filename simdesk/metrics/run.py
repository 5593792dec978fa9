"""Every metric of a run, per replication: the long table ``replication, scope, group,
metric, value`` that :func:`simdesk.metrics.stats.summarize` turns into the summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.metrics.agents import effort_metrics
from simdesk.metrics.customers import customer_features
from simdesk.metrics.daily_sla import day_metrics
from simdesk.metrics.helpers import helper_metrics, helper_rules
from simdesk.metrics.money import money_metrics
from simdesk.metrics.outcomes import customer_table, outcome_metrics
from simdesk.metrics.rules import rule_features, rule_metrics
from simdesk.metrics.tickets import reply_metrics, ticket_metrics, uses_deflection, uses_reopens
from simdesk.metrics.tiers import tier_metrics
from simdesk.plan.model import DeskPlan


def run_metrics(plan: DeskPlan, tickets: pd.DataFrame, visits: pd.DataFrame,
                duty: pd.DataFrame, replies: pd.DataFrame, queue_area: pd.DataFrame,
                rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every metric of a run, per replication: tickets, days, tiers, replies and, with a
    satisfaction model, the work and ratings per agent and topic
    (:mod:`simdesk.metrics.agents`). Deflection and repeat-contact metrics come when the
    scenario uses them; customers' outcomes and money with an ``outcomes:`` or ``money:``
    section (:mod:`simdesk.metrics.outcomes`, :mod:`simdesk.metrics.money`); what the
    desk rules did from the ``rules`` table (:mod:`simdesk.metrics.rules`)."""
    scenario = plan.scenario
    reopens = uses_reopens(scenario)
    parts = [ticket_metrics(tickets, deflection=uses_deflection(scenario), reopens=reopens,
                            customers=frozenset(customer_features(scenario))),
             day_metrics(plan, tickets),
             tier_metrics(plan, visits, duty, queue_area, repeat_work=reopens)]
    if rule_features(plan):
        if rules is None:
            raise ValueError("a plan with desk rules needs the rules table")
        parts.append(rule_metrics(plan, tickets, visits, duty, rules))
    if len(replies):
        parts.append(reply_metrics(replies, tickets))
    if helper_rules(plan):
        parts.append(helper_metrics(plan, duty))
    if "satisfaction" in tickets:
        parts.append(effort_metrics(plan, tickets, visits))
    customers = customer_table(plan, tickets) if scenario.outcomes is not None else None
    if customers is not None:
        parts.append(outcome_metrics(customers))
    if scenario.money is not None:
        measured = tickets.loc[~tickets["warmup"], "replication"].to_numpy()
        parts.append(money_metrics(plan, customers, np.unique(measured), duty))
    return pd.concat(parts, ignore_index=True)
