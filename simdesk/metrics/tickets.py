"""Ticket and reply metrics per replication (scopes ``overall``, ``channel``, ``segment``,
``topic`` and ``reply``).

Ticket metrics count tickets that arrived after the warm-up. Per scope and group:

* ``tickets`` — tickets that arrived;
* ``sla`` — share that got a first response within their channel's target time.
  Abandoned tickets count as missed; a ticket still waiting at the horizon counts as
  missed once it has waited longer than the target, and is left out before that;
* ``wait_mean``, ``wait_median``, ``wait_p90`` — first-response wait of answered tickets;
* ``abandonment`` — share of tickets whose customer left before a first response,
  among tickets answered or abandoned;
* ``resolution_mean`` — time from arrival to resolution of resolved tickets;
* ``unresolved`` — tickets neither resolved nor abandoned (nor refused) at the horizon;
* ``refused`` — share turned away at arrival by the routing policy;
* with a feature: ``csat``, ``bad``, ``net``, ``rated`` (satisfaction), ``deflected``
  (deflection), ``reopen_rate`` (reopens).

Which metrics, in which order, comes from :mod:`simdesk.metrics.catalogue`.

Reply metrics (scope ``reply``, group = the reply's number at the conversation tier,
when tickets can need several agent replies): ``wait_mean``, ``wait_median``,
``wait_p90`` from the customer's message to the agent's reply, and ``replies``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.metrics.catalogue import TICKET_SCOPES, from_source
from simdesk.metrics.customers import customer_values
from simdesk.metrics.kernels import group_quantiles, long_metrics, measured, ratio, scope_keys
from simdesk.metrics.ratings import BAD, GOOD, rating_codes
from simdesk.scenario.schema import Scenario


def uses_deflection(scenario: Scenario) -> bool:
    """Some topic sends a share of its tickets to self-service."""
    return any(t.deflection is not None and t.deflection.share > 0
               for t in scenario.topics.values())


def uses_reopens(scenario: Scenario) -> bool:
    """Some topic or tier has repeat contacts."""
    written = [t.reopens for t in scenario.topics.values()]
    written += [t.reopens for t in scenario.tiers.values()]
    return any(r is not None and r.share > 0 for r in written)


def _flag(tickets: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean column, all False when the table has no such column."""
    if column not in tickets:
        return np.zeros(len(tickets), dtype=bool)
    return tickets[column].to_numpy(dtype=bool)


def ticket_metrics(tickets: pd.DataFrame, *, deflection: bool = False,
                   reopens: bool = False, customers: frozenset[str] = frozenset()
                   ) -> pd.DataFrame:
    """Long table ``replication, scope, group, metric, value`` of ticket metrics.

    Vectorized with numpy (bincount per group, one sort of the waits for the
    quantiles); the median and p90 follow pandas' linear interpolation. The metrics of
    the catalogue's ``tickets`` source: those of feature ``satisfaction`` when the table
    has a ``satisfaction`` column, of ``deflection`` and ``reopens`` when the flags ask
    for them (the scenario uses them: :func:`simdesk.metrics.run.run_metrics`).
    Deflected tickets count in ``tickets`` and ``deflected`` only: they have no SLA
    outcome, wait, abandonment or resolution.
    """
    t = measured(tickets)
    replications, rep_index = np.unique(t["replication"].to_numpy(), return_inverse=True)
    deflected = _flag(t, "deflected")
    abandoned = t["abandoned"].to_numpy(dtype=bool) & ~deflected
    refused = t["refused"].to_numpy(dtype=bool)
    wait = t["wait"].to_numpy(dtype=float)
    sla = t["sla_met"].to_numpy(dtype=float, na_value=np.nan)
    if deflected.any():  # (else no copy: each is a column's worth of memory in a big run)
        wait = np.where(deflected, np.nan, wait)
        sla = np.where(deflected, np.nan, sla)
    answered = ~np.isnan(wait)
    decided = ~np.isnan(sla)
    resolution = (t["resolved"] - t["arrived"]).to_numpy(dtype=float)
    resolved = ~np.isnan(resolution) & ~deflected
    repeats = (t["reopens"].to_numpy(dtype=float) if "reopens" in t
               else np.zeros(len(t))) if reopens else None
    ratings = rating_codes(t["satisfaction"]) if "satisfaction" in t else None
    features = [name for name, used in (("satisfaction", ratings is not None),
                                        ("deflection", deflection), ("reopens", reopens))
                if used] + sorted(customers)
    trials = t["sla_trials"].to_numpy(dtype=float) if "sla_trials" in t else None
    blocked = _flag(t, "blocked")
    names_of_metrics = from_source("tickets", "overall", features)
    by_wait = np.argsort(np.where(answered, wait, np.inf), kind="stable")[: answered.sum()]
    frames = []
    overall: dict[str, np.ndarray] | None = None
    for scope in TICKET_SCOPES:
        names, keys = scope_keys(t, scope, rep_index)
        if overall is not None and len(names) == 1 and np.array_equal(keys, rep_index):
            # one group holding every ticket (one segment, topic or channel): the same
            # keys as overall, so the same values, computed once
            frames.append(long_metrics(replications, scope, names, overall))
            continue
        width = len(names)
        groups = len(replications) * width

        def count(mask: np.ndarray, weights: np.ndarray | None = None,
                  keys: np.ndarray = keys, groups: int = groups) -> np.ndarray:
            return np.bincount(keys[mask], weights=None if weights is None else weights[mask],
                               minlength=groups).astype(float)

        everything = np.ones(len(t), dtype=bool)
        median, p90 = group_quantiles(keys[by_wait], wait[by_wait], groups, (0.5, 0.9))
        values = {
            "tickets": count(everything),
            "sla": ratio(count(decided, sla),
                         count(decided) if trials is None else count(decided, trials)),
            "wait_mean": ratio(count(answered, wait), count(answered)),
            "wait_median": median,
            "wait_p90": p90,
            "abandonment": ratio(count(abandoned), count(answered | abandoned)),
            "resolution_mean": ratio(count(resolved, resolution), count(resolved)),
            "unresolved": count(~resolved & ~abandoned & ~refused & ~deflected & ~blocked),
            "refused": ratio(count(refused), count(everything)),
        }
        if deflection:
            values["deflected"] = ratio(count(deflected), count(everything))
        if reopens:
            values["reopen_rate"] = ratio(count(resolved, repeats), count(resolved))
        if customers:
            values.update(customer_values(t, count, everything, answered, set(customers)))
        if ratings is not None:
            rated = ratings >= 0
            good, bad = count(ratings == GOOD), count(ratings == BAD)
            total = count(rated)
            values.update(csat=ratio(good, total), bad=ratio(bad, total),
                          net=ratio(good - bad, total), rated=total)
        chosen = {m: values[m] for m in names_of_metrics}
        if scope == "overall":
            overall = chosen
        frames.append(long_metrics(replications, scope, names, chosen))
    return pd.concat(frames, ignore_index=True)


def reply_metrics(replies: pd.DataFrame, warmup_tickets: pd.DataFrame) -> pd.DataFrame:
    """Per replication and reply number: waits from the customer's message to the reply,
    for tickets that arrived after the warm-up."""
    measured = warmup_tickets.loc[~warmup_tickets["warmup"], ["replication", "ticket"]]
    r = replies.merge(measured, on=["replication", "ticket"])
    groups = r.groupby(["replication", "touch"])["wait"]
    wide = pd.DataFrame({
        "wait_mean": groups.mean(),
        "wait_median": groups.median(),
        "wait_p90": groups.quantile(0.9),
        "replies": groups.size().astype(float),
    })
    long = wide.rename_axis(index=["replication", "group"]).reset_index().melt(
        id_vars=["replication", "group"], var_name="metric", value_name="value")
    long["group"] = (long["group"] + 1).astype(str)
    long.insert(1, "scope", "reply")
    return long.sort_values(["group", "metric", "replication"], kind="stable")

