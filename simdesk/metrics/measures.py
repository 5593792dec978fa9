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
* ``unresolved`` — tickets neither resolved nor abandoned (nor refused) at the horizon;
* ``refused`` — share turned away at arrival by the routing policy.

Reply metrics (scope ``reply``, group = the reply's number at the conversation tier,
when tickets can need several agent replies): ``wait_mean``, ``wait_median``,
``wait_p90`` from the customer's message to the agent's reply, and ``replies``.

Tier metrics (scope ``tier``) measure the window from the warm-up to the horizon:
``utilization`` (busy time / on-duty time, overtime to finish a ticket included),
``agents_on_duty`` (mean number on the queue), ``handled`` (services completed:
first contacts, follow-up replies and repeat contacts), ``per_agent_day`` (conversations
— a ticket's first service at the tier — completed per 8 on-duty hours, what "35 tickets
per agent per day" counts), ``services_per_agent_day`` (every service, ``handled``, per 8
on-duty hours), ``queue_mean`` (time-average number
waiting, measured by the engine) and ``wait_mean`` (time waiting in this tier's queue).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simdesk.metrics.agents import effort_metrics
from simdesk.metrics.daily_sla import day_metrics
from simdesk.metrics.helpers import helper_metrics, helper_rules
from simdesk.metrics.kernels import group_quantiles, long_metrics, ratio
from simdesk.metrics.ratings import BAD, GOOD, rating_codes
from simdesk.plan.model import DeskPlan
from simdesk.scenario.schema import Scenario

TICKET_SCOPES = ("overall", "channel", "segment", "topic")
SHARE_METRICS = ("sla", "abandonment", "utilization", "refused", "csat", "bad", "deflected",
                 "repeat_work", "queue_share", "overrun_share", "escalated", "csat_expected",
                 "days_met", "day_sla_p10", "day_sla_median", "day_sla_p90", "day_sla_worst")
"""Metrics that are shares of a whole (their intervals are clipped to 0–100 %)."""
SIGNED_METRICS = ("net", "csat_vs_mix")
"""Metrics that may be negative (their intervals are clipped to −100 %–100 %)."""
AGENT_DAY_MINUTES = 8 * 60
CONFIDENCE = 0.95


TICKET_METRICS = ("tickets", "sla", "wait_mean", "wait_median", "wait_p90", "abandonment",
                  "resolution_mean", "unresolved", "refused")
"""The ticket metrics of every run."""
SATISFACTION_METRICS = ("csat", "bad", "net", "rated")
"""Ticket metrics of a run with a ``satisfaction:`` model."""
DEFLECTION_METRICS = ("deflected",)
REOPEN_METRICS = ("reopen_rate",)


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
                   reopens: bool = False) -> pd.DataFrame:
    """Long table ``replication, scope, group, metric, value`` of ticket metrics.

    Vectorized with numpy (bincount per group, one sort of the waits for the
    quantiles); the median and p90 follow pandas' linear interpolation. Beyond
    :data:`TICKET_METRICS`: :data:`SATISFACTION_METRICS` when the table has a
    ``satisfaction`` column, ``deflected`` and ``reopen_rate`` when ``deflection`` and
    ``reopens`` ask for them (the scenario uses them: :func:`run_metrics`).
    Deflected tickets count in ``tickets`` and ``deflected`` only: they have no SLA
    outcome, wait, abandonment or resolution.
    """
    t = tickets.loc[~tickets["warmup"]]
    replications, rep_index = np.unique(t["replication"].to_numpy(), return_inverse=True)
    deflected = _flag(t, "deflected")
    abandoned = t["abandoned"].to_numpy(dtype=bool) & ~deflected
    refused = t["refused"].to_numpy(dtype=bool)
    wait = np.where(deflected, np.nan, t["wait"].to_numpy(dtype=float))
    answered = ~np.isnan(wait)
    sla = np.where(deflected, np.nan, t["sla_met"].to_numpy(dtype=float, na_value=np.nan))
    decided = ~np.isnan(sla)
    resolution = (t["resolved"] - t["arrived"]).to_numpy(dtype=float)
    resolved = ~np.isnan(resolution) & ~deflected
    repeats = (t["reopens"].to_numpy(dtype=float) if "reopens" in t
               else np.zeros(len(t)))
    ratings = rating_codes(t["satisfaction"]) if "satisfaction" in t else None
    optional = [*(SATISFACTION_METRICS if ratings is not None else ()),
                *(DEFLECTION_METRICS if deflection else ()),
                *(REOPEN_METRICS if reopens else ())]
    names_of_metrics = (*TICKET_METRICS, *optional)
    by_wait = np.argsort(np.where(answered, wait, np.inf), kind="stable")[: answered.sum()]
    frames = []
    for scope in TICKET_SCOPES:
        if scope == "overall":
            names, codes = ["all"], np.zeros(len(t), dtype=np.int64)
        else:
            column = t[scope]
            names = [str(c) for c in column.cat.categories]
            codes = column.cat.codes.to_numpy().astype(np.int64)
        width = len(names)
        groups = len(replications) * width
        keys = rep_index * width + codes

        def count(mask: np.ndarray, weights: np.ndarray | None = None,
                  keys: np.ndarray = keys, groups: int = groups) -> np.ndarray:
            return np.bincount(keys[mask], weights=None if weights is None else weights[mask],
                               minlength=groups).astype(float)

        everything = np.ones(len(t), dtype=bool)
        median, p90 = group_quantiles(keys[by_wait], wait[by_wait], groups, (0.5, 0.9))
        values = {
            "tickets": count(everything),
            "sla": ratio(count(decided, sla), count(decided)),
            "wait_mean": ratio(count(answered, wait), count(answered)),
            "wait_median": median,
            "wait_p90": p90,
            "abandonment": ratio(count(abandoned), count(answered | abandoned)),
            "resolution_mean": ratio(count(resolved, resolution), count(resolved)),
            "unresolved": count(~resolved & ~abandoned & ~refused & ~deflected),
            "refused": ratio(count(refused), count(everything)),
        }
        if "deflected" in optional:
            values["deflected"] = ratio(count(deflected), count(everything))
        if "reopen_rate" in optional:
            values["reopen_rate"] = ratio(count(resolved, repeats), count(resolved))
        if ratings is not None:
            rated = ratings >= 0
            good, bad = count(ratings == GOOD), count(ratings == BAD)
            total = count(rated)
            values.update(csat=ratio(good, total), bad=ratio(bad, total),
                          net=ratio(good - bad, total), rated=total)
        frames.append(long_metrics(replications, scope, names,
                                   {m: values[m] for m in names_of_metrics}))
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


def _overlap(begin: np.ndarray, end: np.ndarray, low: float, high: float) -> np.ndarray:
    """Length of each interval ``[begin, end]`` inside ``[low, high]``."""
    return np.asarray(np.clip(np.minimum(end, high) - np.maximum(begin, low), 0, None))


def _keys(frame: pd.DataFrame, column: str, replications: np.ndarray, width: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """Group keys ``replication index × width + code`` and which rows have a code."""
    codes = frame[column].cat.codes.to_numpy().astype(np.int64)
    rows = np.searchsorted(replications, frame["replication"].to_numpy())
    return rows * width + codes, codes >= 0


def agent_metrics(plan: DeskPlan, visits: pd.DataFrame, duty: pd.DataFrame) -> pd.DataFrame:
    """Per replication and agent: on-duty and busy minutes in the window, services done.

    ``capacity`` is on-duty minutes times the agent's seats (tickets it may hold at
    once), so ``utilization`` — busy over capacity — is the share of seats in use."""
    low, high = plan.warmup, plan.horizon
    agents = plan.agents
    width = len(agents)
    replications = np.unique(np.concatenate([visits["replication"].to_numpy(),
                                             duty["replication"].to_numpy()]))
    groups = len(replications) * width
    keys, served = _keys(visits, "agent", replications, width)
    end = visits["end"].to_numpy()
    busy = _overlap(visits["start"].to_numpy(), np.where(np.isnan(end), high, end), low, high)
    done = (end >= low) & (end < high)
    duty_keys, _ = _keys(duty, "agent", replications, width)
    duty_codes = duty["agent"].cat.codes.to_numpy().astype(np.int64)
    seats = np.array([a.seats for a in agents], dtype=float)
    staffed = _overlap(duty["on"].to_numpy(), duty["off"].to_numpy(), low, high)
    table = pd.DataFrame({
        "replication": np.repeat(replications, width),
        "tier": np.tile(np.array([plan.tiers[a.tier].name for a in agents], dtype=object),
                        len(replications)),
        "agent": np.tile(np.array([a.name for a in agents], dtype=object), len(replications)),
        "staffed": np.bincount(duty_keys, weights=staffed, minlength=groups),
        "capacity": np.bincount(duty_keys, weights=staffed * seats[duty_codes],
                                minlength=groups),
        "busy": np.bincount(keys[served], weights=busy[served], minlength=groups),
        "handled": np.bincount(keys[served], weights=done[served].astype(float),
                               minlength=groups),
    })
    table["utilization"] = ratio(table["busy"].to_numpy(), table["capacity"].to_numpy())
    return table


def _first_services(visits: pd.DataFrame, low: float, high: float) -> np.ndarray:
    """Which visits are a conversation's first service at their tier (the ticket's first
    contact there, not a follow-up reply or a repeat contact), completed in ``[low,
    high)``."""
    end = visits["end"].to_numpy(dtype=float)
    served = visits["agent"].cat.codes.to_numpy() >= 0
    contact = (visits["contact"].to_numpy() if "contact" in visits
               else np.zeros(len(visits), dtype=np.int16))
    candidate = served & ~np.isnan(end) & (contact == 0)
    tier = visits["tier"].cat.codes.to_numpy()
    ticket = visits["ticket"].to_numpy()
    replication = visits["replication"].to_numpy()
    order = np.lexsort((end, tier, ticket, replication, ~candidate))
    rows = order[: int(candidate.sum())]
    key = np.stack([replication[rows], ticket[rows], tier[rows]])
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    first = np.zeros(len(visits), dtype=bool)
    first[rows[new]] = True
    return first & (end >= low) & (end < high)


def tier_metrics(
    plan: DeskPlan, visits: pd.DataFrame, duty: pd.DataFrame, queue_area: pd.DataFrame,
    *, repeat_work: bool = False,
) -> pd.DataFrame:
    """Long table of tier metrics (scope ``tier``), one value per replication and tier.

    With ``repeat_work``, also the share of the tier's handling time in the window spent
    on repeat contacts (visits without a ``contact`` column have none)."""
    window = plan.horizon - plan.warmup
    agents = agent_metrics(plan, visits, duty)
    names = [t.name for t in plan.tiers]
    wide = agents.groupby(["replication", "tier"], sort=False)[
        ["staffed", "capacity", "busy", "handled"]].sum()
    index = pd.MultiIndex.from_product([np.unique(agents["replication"]), names])
    wide = wide.reindex(index, fill_value=0.0)
    staffed = wide["staffed"].to_numpy()
    wide["utilization"] = ratio(wide["busy"].to_numpy(), wide["capacity"].to_numpy())
    wide["agents_on_duty"] = staffed / window
    replications = index.levels[0].to_numpy()
    keys, _ = _keys(visits, "tier", replications, len(names))
    groups = len(replications) * len(names)
    first = _first_services(visits, plan.warmup, plan.horizon)
    agent_days = staffed / AGENT_DAY_MINUTES
    wide["per_agent_day"] = ratio(
        np.bincount(keys[first], minlength=groups).astype(float), agent_days)
    wide["services_per_agent_day"] = ratio(wide["handled"].to_numpy(), agent_days)
    waited = (visits["queued"].to_numpy() >= plan.warmup) & visits["start"].notna().to_numpy()
    wait = (visits["start"] - visits["queued"]).to_numpy()
    wide["wait_mean"] = ratio(np.bincount(keys[waited], weights=wait[waited], minlength=groups),
                               np.bincount(keys[waited], minlength=groups))
    areas = queue_area.set_index(["replication", "tier"])["area"]
    wide["queue_mean"] = areas.reindex(wide.index).to_numpy() / window
    if repeat_work:
        end = visits["end"].to_numpy(dtype=float)
        busy = _overlap(visits["start"].to_numpy(dtype=float),
                        np.where(np.isnan(end), plan.horizon, end), plan.warmup, plan.horizon)
        busy = np.nan_to_num(busy)
        repeat = (visits["contact"].to_numpy(dtype=float) > 0 if "contact" in visits
                  else np.zeros(len(visits), dtype=bool))
        wide["repeat_work"] = ratio(
            np.bincount(keys[repeat], weights=busy[repeat], minlength=groups),
            np.bincount(keys, weights=busy, minlength=groups))
    wide = wide.drop(columns=["staffed", "capacity", "busy"])
    long = wide.rename_axis(index=["replication", "group"]).reset_index().melt(
        id_vars=["replication", "group"], var_name="metric", value_name="value"
    )
    long.insert(1, "scope", "tier")
    order = {name: i for i, name in enumerate(names)}
    long["_order"] = long["group"].map(order)
    return long.sort_values(["_order", "replication"], kind="stable").drop(columns="_order")


def run_metrics(plan: DeskPlan, tickets: pd.DataFrame, visits: pd.DataFrame,
                duty: pd.DataFrame, replies: pd.DataFrame, queue_area: pd.DataFrame
                ) -> pd.DataFrame:
    """Every metric of a run, per replication: tickets, days, tiers, replies and, with a
    satisfaction model, the work and ratings per agent and topic
    (:mod:`simdesk.metrics.agents`). Deflection and repeat-contact metrics come when the
    scenario uses them."""
    scenario = plan.scenario
    reopens = uses_reopens(scenario)
    parts = [ticket_metrics(tickets, deflection=uses_deflection(scenario), reopens=reopens),
             day_metrics(plan, tickets),
             tier_metrics(plan, visits, duty, queue_area, repeat_work=reopens)]
    if len(replies):
        parts.append(reply_metrics(replies, tickets))
    if helper_rules(plan):
        parts.append(helper_metrics(plan, duty))
    if "satisfaction" in tickets:
        parts.append(effort_metrics(plan, tickets, visits))
    return pd.concat(parts, ignore_index=True)


def t_quantile(replications: int) -> float:
    """Two-sided 95 % Student-t quantile for ``replications`` values (NaN below 2)."""
    if replications < 2:
        return math.nan
    from scipy.special import stdtrit

    return float(stdtrit(replications - 1, 0.5 + CONFIDENCE / 2))


def summarize(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95 % confidence interval across replications of each metric.

    Columns: ``scope, group, metric, mean, ci_low, ci_high, half_width, replications``.
    The interval is Student-t on independent replications (NaN with one), clipped to
    the range the metric can take (no negative waits, no share above 100 %).
    """
    groups = metrics.groupby(["scope", "group", "metric"], sort=False)["value"]
    summary = groups.agg(mean="mean", sd="std", replications="count").reset_index()
    quantiles = summary["replications"].map(t_quantile)
    summary["half_width"] = quantiles * summary["sd"] / np.sqrt(summary["replications"])
    low = summary["mean"] - summary["half_width"]
    high = summary["mean"] + summary["half_width"]
    shares = summary["metric"].isin(SHARE_METRICS)
    signed = summary["metric"].isin(SIGNED_METRICS)
    summary["ci_low"] = low.where(signed, low.clip(lower=0.0)).clip(lower=-1.0)
    summary["ci_high"] = high.where(~(shares | signed), high.clip(upper=1.0))
    columns = ["scope", "group", "metric", "mean", "ci_low", "ci_high", "half_width",
               "replications"]
    return summary[columns]
