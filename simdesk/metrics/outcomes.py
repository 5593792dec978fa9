"""Customers' reactions to their tickets: who was unhappy, complained, left, converted.

With an ``outcomes:`` section (:class:`~simdesk.scenario.outcomes.Outcomes`) each ticket's
customer gets, from the ticket's experience, a chance of being unhappy ::

    P(unhappy) = 1 − Π (1 − p_e)   over the experiences e the ticket had

(``bad_rating``, ``gave_up``, ``refused``, ``late`` — first response after the channel's
target, not given up — and ``repeat`` — at least one repeat contact). An unhappy customer
complains with chance ``complain``; one who does not complain leaves with chance
``churn``, one who complains with chance ``churn_after_complaint``. A free user (segment
``conversion.segment``) who stays converts with chance ``rate · 2^(−wait / halves_after)``
if answered (a deflected ticket counts as answered at once).

The draws come from the stream ``outcomes`` of the replication, four uniforms per ticket
in ticket order, so every policy and staffing plan gives the same ticket the same luck
(common random numbers): a plan changes outcomes only through the experience.

Tables: ``customers`` (one row per ticket: its customer), metrics per ticket scope:
``unhappy`` (share), ``complaints``, ``churned``, ``converted`` (counts) and
``churn_per_1000`` (customers lost per 1,000 tickets), counted over tickets that arrived
after the warm-up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.fates.streams import Streams
from simdesk.metrics.catalogue import TICKET_SCOPES, from_source
from simdesk.metrics.kernels import long_metrics, ratio, scope_keys
from simdesk.plan.model import DeskPlan
from simdesk.scenario.outcomes import Outcomes

DRAWS = ("unhappy", "complain", "churn", "convert")
"""The uniforms each ticket draws, in this order."""
PER_CUSTOMERS = 1000.0


def _column(tickets: pd.DataFrame, name: str) -> np.ndarray:
    if name not in tickets:
        return np.zeros(len(tickets), dtype=bool)
    return tickets[name].to_numpy(dtype=bool)


def experiences(tickets: pd.DataFrame) -> dict[str, np.ndarray]:
    """Which bad experiences each ticket had, by the names of
    :class:`~simdesk.scenario.outcomes.Unhappy`."""
    deflected = _column(tickets, "deflected")
    gave_up = tickets["abandoned"].to_numpy(dtype=bool) & ~deflected
    missed = tickets["sla_met"].to_numpy(dtype=float, na_value=np.nan) == 0
    bad = (tickets["satisfaction"].to_numpy(dtype=object) == "bad"
           if "satisfaction" in tickets else np.zeros(len(tickets), dtype=bool))
    repeat = (tickets["reopens"].to_numpy(dtype=float) > 0 if "reopens" in tickets
              else np.zeros(len(tickets), dtype=bool))
    return {"bad_rating": bad, "gave_up": gave_up, "refused": _column(tickets, "refused"),
            "late": missed & ~gave_up & ~deflected, "repeat": repeat & ~deflected}


def unhappy_chance(outcomes: Outcomes, tickets: pd.DataFrame) -> np.ndarray:
    """``1 − Π(1 − p_e)`` over each ticket's bad experiences."""
    happy = np.ones(len(tickets))
    for name, had in experiences(tickets).items():
        happy *= np.where(had, 1.0 - getattr(outcomes.unhappy, name), 1.0)
    return 1.0 - happy


def conversion_chance(outcomes: Outcomes, tickets: pd.DataFrame) -> np.ndarray:
    """Each ticket's chance to convert if its customer stays (0 outside the free
    segment, and for free users never answered)."""
    conversion = outcomes.conversion
    if conversion is None:
        return np.zeros(len(tickets))
    free = tickets["segment"].astype(str).to_numpy() == conversion.segment
    wait = tickets["wait"].to_numpy(dtype=float)
    wait = np.where(_column(tickets, "deflected"), 0.0, wait)
    with np.errstate(invalid="ignore"):
        chance = conversion.rate * np.exp2(-wait / conversion.halves_after)
    return np.where(free & ~np.isnan(wait), chance, 0.0)


def _draws(seed: int, replication: int, count: int) -> np.ndarray:
    """The ``count × 4`` uniforms of one replication's tickets (:data:`DRAWS`)."""
    return Streams(seed, replication).generator("outcomes").random((count, len(DRAWS)))


def customer_table(plan: DeskPlan, tickets: pd.DataFrame) -> pd.DataFrame:
    """One row per ticket: ``replication, ticket, channel, segment, topic, warmup,
    p_unhappy, unhappy, complained, churned, p_convert, converted``."""
    outcomes = plan.scenario.outcomes
    if outcomes is None:
        raise ValueError("the scenario has no outcomes: section")
    seed = plan.scenario.seed or 0
    ordered = tickets.sort_values(["replication", "ticket"], kind="stable")
    reps, counts = np.unique(ordered["replication"].to_numpy(), return_counts=True)
    draws = np.concatenate([_draws(seed, int(r), int(n)) for r, n in zip(reps, counts,
                                                                         strict=True)]) \
        if len(reps) else np.zeros((0, len(DRAWS)))
    p_unhappy = unhappy_chance(outcomes, ordered)
    unhappy = draws[:, 0] < p_unhappy
    complained = unhappy & (draws[:, 1] < outcomes.complain)
    leave = np.where(complained, outcomes.churn_after_complaint, outcomes.churn)
    churned = unhappy & (draws[:, 2] < leave)
    p_convert = np.where(churned, 0.0, conversion_chance(outcomes, ordered))
    table = ordered[["replication", "ticket", "channel", "segment", "topic", "warmup"]].copy()
    table["p_unhappy"] = p_unhappy
    table["unhappy"] = unhappy
    table["complained"] = complained
    table["churned"] = churned
    table["p_convert"] = p_convert
    table["converted"] = draws[:, 3] < p_convert
    return table.reset_index(drop=True)


def outcome_metrics(customers: pd.DataFrame) -> pd.DataFrame:
    """``replication, scope, group, metric, value`` of the outcome metrics per ticket
    scope, over customers whose ticket arrived after the warm-up."""
    c = customers.loc[~customers["warmup"].to_numpy(dtype=bool)]
    replications, rep_index = np.unique(c["replication"].to_numpy(), return_inverse=True)
    names_of_metrics = from_source("outcomes", "overall", ("outcomes",))
    flags = {name: c[name].to_numpy(dtype=bool)
             for name in ("unhappy", "complained", "churned", "converted")}
    frames = []
    for scope in TICKET_SCOPES:
        names, keys = scope_keys(c, scope, rep_index)
        groups = len(replications) * len(names)
        total = np.bincount(keys, minlength=groups).astype(float)
        count = {name: np.bincount(keys[flag], minlength=groups).astype(float)
                 for name, flag in flags.items()}
        values = {"unhappy": ratio(count["unhappy"], total),
                  "complaints": count["complained"], "churned": count["churned"],
                  "converted": count["converted"],
                  "churn_per_1000": ratio(count["churned"] * PER_CUSTOMERS, total)}
        frames.append(long_metrics(replications, scope, names,
                                   {m: values[m] for m in names_of_metrics}))
    return pd.concat(frames, ignore_index=True)


__all__ = ["DRAWS", "conversion_chance", "customer_table", "experiences", "outcome_metrics",
           "unhappy_chance"]
