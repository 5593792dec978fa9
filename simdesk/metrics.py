"""Metrics per replication, and their means with 95 % confidence intervals across replications.

Ticket metrics count tickets that arrived after the warm-up. Per ``scope`` (overall,
channel, segment, topic) and group:

* ``tickets`` — tickets that arrived;
* ``sla`` — share that got a first response within their channel's target time.
  Abandoned tickets count as missed; a ticket still waiting at the horizon counts as
  missed once it has waited longer than the target, and is left out before that;
* ``wait_mean``, ``wait_median``, ``wait_p90`` — first-response wait of answered tickets;
* ``abandonment`` — share of tickets whose customer left before a first response,
  among tickets answered or abandoned;
* ``resolution_mean`` — time from arrival to resolution of resolved tickets;
* ``unresolved`` — tickets neither resolved nor abandoned at the horizon.

Tier metrics (scope ``tier``) measure the window from the warm-up to the horizon:
``utilization`` (busy time / on-duty time, overtime to finish a ticket included),
``agents_on_duty`` (mean number on the queue), ``handled`` (services completed),
``per_agent_day`` (handled per 8 on-duty hours), ``queue_mean`` (time-average number
waiting, measured by the engine) and ``wait_mean`` (time waiting in this tier's queue).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simdesk.plan import DeskPlan

TICKET_SCOPES = ("overall", "channel", "segment", "topic")
AGENT_DAY_MINUTES = 8 * 60
CONFIDENCE = 0.95


def ticket_metrics(tickets: pd.DataFrame) -> pd.DataFrame:
    """Long table ``replication, scope, group, metric, value`` of ticket metrics."""
    t = tickets.loc[~tickets["warmup"]]
    answered = t["first_response"].notna()
    resolved = t["resolved"].notna()
    data = pd.DataFrame({
        "replication": t["replication"],
        "overall": pd.Categorical(np.full(len(t), "all")),
        "channel": t["channel"],
        "segment": t["segment"],
        "topic": t["topic"],
        "sla": t["sla_met"],
        "wait": t["wait"],
        "abandoned": t["abandoned"].astype(float).where(answered | t["abandoned"]),
        "resolution": t["resolved"] - t["arrived"],
        "unresolved": (~resolved & ~t["abandoned"]).astype(float),
    })
    frames = []
    for scope in TICKET_SCOPES:
        groups = data.groupby(["replication", scope], observed=False)
        wide = pd.DataFrame({
            "tickets": groups.size().astype(float),
            "sla": groups["sla"].mean().astype(float),
            "wait_mean": groups["wait"].mean(),
            "wait_median": groups["wait"].median(),
            "wait_p90": groups["wait"].quantile(0.9),
            "abandonment": groups["abandoned"].mean(),
            "resolution_mean": groups["resolution"].mean(),
            "unresolved": groups["unresolved"].sum(),
        })
        long = wide.rename_axis(index=["replication", "group"]).reset_index().melt(
            id_vars=["replication", "group"], var_name="metric", value_name="value"
        )
        long.insert(1, "scope", scope)
        long["group"] = long["group"].astype(str)
        frames.append(long)
    return pd.concat(frames, ignore_index=True)


def _overlap(begin: np.ndarray, end: np.ndarray, low: float, high: float) -> np.ndarray:
    """Length of each interval ``[begin, end]`` inside ``[low, high]``."""
    return np.asarray(np.clip(np.minimum(end, high) - np.maximum(begin, low), 0, None))


def agent_metrics(plan: DeskPlan, visits: pd.DataFrame, duty: pd.DataFrame) -> pd.DataFrame:
    """Per replication and agent: on-duty and busy minutes in the window, services done."""
    low, high = plan.warmup, plan.horizon
    served = visits.loc[visits["agent"].notna()]
    end = served["end"].fillna(high).to_numpy()
    busy = pd.DataFrame({
        "replication": served["replication"],
        "agent": served["agent"],
        "busy": _overlap(served["start"].to_numpy(), end, low, high),
        "handled": ((served["end"] >= low) & (served["end"] < high)).astype(float),
    }).groupby(["replication", "agent"], observed=False)[["busy", "handled"]].sum()
    staffed = pd.DataFrame({
        "replication": duty["replication"],
        "agent": duty["agent"],
        "staffed": _overlap(duty["on"].to_numpy(), duty["off"].to_numpy(), low, high),
    }).groupby(["replication", "agent"], observed=False)["staffed"].sum()
    table = pd.concat([staffed, busy], axis=1).fillna(0.0).reset_index()
    tier_of = {a.name: plan.tiers[a.tier].name for a in plan.agents}
    table.insert(1, "tier", table["agent"].map(tier_of).astype(str))
    table["utilization"] = table["busy"] / table["staffed"].where(table["staffed"] > 0)
    return table


def tier_metrics(
    plan: DeskPlan, visits: pd.DataFrame, duty: pd.DataFrame, queue_area: pd.DataFrame
) -> pd.DataFrame:
    """Long table of tier metrics (scope ``tier``), one value per replication and tier."""
    window = plan.horizon - plan.warmup
    agents = agent_metrics(plan, visits, duty)
    wide = agents.groupby(["replication", "tier"])[["staffed", "busy", "handled"]].sum()
    wide["utilization"] = wide["busy"] / wide["staffed"].where(wide["staffed"] > 0)
    wide["agents_on_duty"] = wide["staffed"] / window
    wide["per_agent_day"] = wide["handled"] / (wide["staffed"] / AGENT_DAY_MINUTES).where(
        wide["staffed"] > 0)
    in_window = visits.loc[(visits["queued"] >= plan.warmup) & visits["start"].notna()]
    waits = (in_window["start"] - in_window["queued"]).groupby(
        [in_window["replication"], in_window["tier"].astype(str)]).mean()
    wide["wait_mean"] = waits.reindex(wide.index)
    areas = queue_area.set_index(["replication", "tier"])["area"]
    wide["queue_mean"] = areas.reindex(wide.index) / window
    wide = wide.drop(columns=["staffed", "busy"])
    long = wide.rename_axis(index=["replication", "group"]).reset_index().melt(
        id_vars=["replication", "group"], var_name="metric", value_name="value"
    )
    long.insert(1, "scope", "tier")
    order = {t.name: i for i, t in enumerate(plan.tiers)}
    long["_order"] = long["group"].map(order)
    return long.sort_values(["_order", "replication"], kind="stable").drop(columns="_order")


def t_quantile(replications: int) -> float:
    """Two-sided 95 % Student-t quantile for ``replications`` values (NaN below 2)."""
    if replications < 2:
        return math.nan
    from scipy.special import stdtrit

    return float(stdtrit(replications - 1, 0.5 + CONFIDENCE / 2))


def summarize(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95 % confidence interval across replications of each metric.

    Columns: ``scope, group, metric, mean, ci_low, ci_high, half_width, replications``.
    The interval is Student-t on independent replications; it is NaN with one.
    """
    groups = metrics.groupby(["scope", "group", "metric"], sort=False)["value"]
    summary = groups.agg(mean="mean", sd="std", replications="count").reset_index()
    quantiles = summary["replications"].map(t_quantile)
    summary["half_width"] = quantiles * summary["sd"] / np.sqrt(summary["replications"])
    summary["ci_low"] = summary["mean"] - summary["half_width"]
    summary["ci_high"] = summary["mean"] + summary["half_width"]
    columns = ["scope", "group", "metric", "mean", "ci_low", "ci_high", "half_width",
               "replications"]
    return summary[columns]
