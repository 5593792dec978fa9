"""What the desk rules did, measured: pre-emption, cross-tier help, occupancy caps.

The engine records each interruption and each rest (:class:`~simdesk.engine.records.
RuleRecord`); :func:`rule_table` makes them the ``rules`` table (``replication, rule,
time, ticket, agent, tier, minutes``). A helped visit needs no record: its agent belongs
to another tier than the visit's.

Metrics, over the window from the warm-up to the horizon, each with its feature:

* ``preemption``: ``interrupted`` (share of a ticket scope's measured tickets set aside
  at least once by a higher channel) and ``restart_hours`` (hours of restart cost per
  day, all tiers);
* ``help``: ``helped`` (share of a tier's services, started in the window, done by
  another tier's agents) and ``helping`` (share of a tier's agents' handling time spent
  on other tiers' tickets);
* ``occupancy``: ``rests`` (rests begun per 8 on-queue hours of the tier's capped
  agents) and ``rest_share`` (their rest time over their on-queue plus rest time); NaN
  for a tier without capped agents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.engine.records import (
    RULE_AGENT,
    RULE_COLUMNS,
    RULE_KIND,
    RULE_MINUTES,
    RULE_TICKET,
    RULE_TIME,
    RunRecord,
)
from simdesk.metrics.catalogue import TICKET_SCOPES, from_source
from simdesk.metrics.kernels import measured, ratio, scope_keys
from simdesk.metrics.tiers import AGENT_DAY_MINUTES
from simdesk.plan.model import DeskPlan
from simdesk.plan.rules import desk_rules

RULES = ("interrupt", "rest")
"""The ``rule`` categories of the table, in the order of the engine's ``RULE_*`` kinds."""
DAY_MINUTES = 24 * 60


def rule_features(plan: DeskPlan) -> set[str]:
    """The desk rules a plan uses (their metrics are measured)."""
    rules = desk_rules(plan)
    used = set()
    if rules.helps:
        used.add("help")
    if any(rules.preempt):
        used.add("preemption")
    if any(rule is not None for rule in rules.occupancy):
        used.add("occupancy")
    return used


def rule_table(plan: DeskPlan, record: RunRecord, replication: int) -> pd.DataFrame:
    """The interruptions and rests of one replication (empty without desk rules)."""
    events = (record.rules.events if record.rules is not None
              else np.zeros((0, RULE_COLUMNS), dtype=float))
    agents = events[:, RULE_AGENT].astype(np.int64)
    tier_of = np.array([a.tier for a in plan.agents], dtype=np.int64)
    return pd.DataFrame({
        "replication": np.full(len(events), replication, dtype=np.int32),
        "rule": pd.Categorical.from_codes(events[:, RULE_KIND].astype(np.int64),
                                          categories=pd.Index(RULES)),
        "time": events[:, RULE_TIME],
        "ticket": events[:, RULE_TICKET].astype(np.int64),
        "agent": pd.Categorical.from_codes(agents, categories=pd.Index(
            [a.name for a in plan.agents])),
        "tier": pd.Categorical.from_codes(tier_of[agents] if len(events) else agents,
                                          categories=pd.Index([t.name for t in plan.tiers])),
        "minutes": events[:, RULE_MINUTES],
    })


def _long(replications: np.ndarray, names: list[str], scope: str,
          values: dict[str, np.ndarray]) -> pd.DataFrame:
    """The long table of per-(replication, group) values laid out replication-major."""
    width = len(names)
    frames = [pd.DataFrame({"replication": np.repeat(replications, width), "scope": scope,
                            "group": np.tile(np.array(names, dtype=object), len(replications)),
                            "metric": metric, "value": value})
              for metric, value in values.items()]
    return pd.concat(frames, ignore_index=True)


def _overlap(begin: np.ndarray, end: np.ndarray, low: float, high: float) -> np.ndarray:
    return np.asarray(np.clip(np.minimum(end, high) - np.maximum(begin, low), 0, None))


def rule_metrics(plan: DeskPlan, tickets: pd.DataFrame, visits: pd.DataFrame,
                 duty: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Long table ``replication, scope, group, metric, value`` of the desk rules' metrics
    (those of the rules the plan uses)."""
    used = rule_features(plan)
    low, high = plan.warmup, plan.horizon
    replications = np.unique(tickets["replication"].to_numpy())
    frames: list[pd.DataFrame] = []
    if "preemption" in used:
        frames += _preemption(plan, tickets, rules, replications)
    tier_values: dict[str, np.ndarray] = {}
    names = [t.name for t in plan.tiers]
    width = len(names)
    groups = len(replications) * width
    if "help" in used:
        tier_values.update(_help(plan, visits, replications, low, high))
    if "occupancy" in used:
        capped = np.array([rule is not None for rule in desk_rules(plan).occupancy])
        duty = duty.loc[capped[duty["agent"].cat.codes.to_numpy()]]
        rows = np.searchsorted(replications, duty["replication"].to_numpy())
        keys = rows * width + duty["tier"].cat.codes.to_numpy().astype(np.int64)
        staffed = np.bincount(keys, weights=_overlap(
            duty["on"].to_numpy(), duty["off"].to_numpy(), low, high), minlength=groups)
        rests = rules.loc[rules["rule"] == "rest"]
        begin = rests["time"].to_numpy()
        rest_keys = (np.searchsorted(replications, rests["replication"].to_numpy()) * width
                     + rests["tier"].cat.codes.to_numpy().astype(np.int64))
        inside = (begin >= low) & (begin < high)
        rested = np.bincount(rest_keys, weights=_overlap(
            begin, begin + rests["minutes"].to_numpy(), low, high), minlength=groups)
        tier_values["rests"] = ratio(
            np.bincount(rest_keys[inside], minlength=groups).astype(float),
            staffed / AGENT_DAY_MINUTES)
        tier_values["rest_share"] = ratio(rested, staffed + rested)
    if tier_values:
        order = [m for m in from_source("rules", "tier", used) if m in tier_values]
        long = _long(replications, names, "tier", {m: tier_values[m] for m in order})
        long["_order"] = long["group"].map({name: i for i, name in enumerate(names)})
        long["_metric"] = long["metric"].map({name: i for i, name in enumerate(order)})
        frames.append(long.sort_values(["_order", "_metric", "replication"], kind="stable")
                      .drop(columns=["_order", "_metric"]))
    if not frames:
        return pd.DataFrame(columns=["replication", "scope", "group", "metric", "value"])
    return pd.concat(frames, ignore_index=True)


def _preemption(plan: DeskPlan, tickets: pd.DataFrame, rules: pd.DataFrame,
                replications: np.ndarray) -> list[pd.DataFrame]:
    """``interrupted`` per ticket scope and ``restart_hours`` overall."""
    interrupts = rules.loc[rules["rule"] == "interrupt"]
    t = measured(tickets)
    hit = pd.MultiIndex.from_arrays([interrupts["replication"].to_numpy(),
                                     interrupts["ticket"].to_numpy()])
    interrupted = pd.MultiIndex.from_arrays([t["replication"].to_numpy(),
                                             t["ticket"].to_numpy()]).isin(hit)
    rep_index = np.searchsorted(replications, t["replication"].to_numpy())
    frames = []
    for scope in TICKET_SCOPES:
        names, keys = scope_keys(t, scope, rep_index)
        groups = len(replications) * len(names)
        frames.append(_long(replications, names, scope, {"interrupted": ratio(
            np.bincount(keys[interrupted], minlength=groups).astype(float),
            np.bincount(keys, minlength=groups).astype(float))}))
    time = interrupts["time"].to_numpy()
    inside = (time >= plan.warmup) & (time < plan.horizon)
    keys = np.searchsorted(replications, interrupts["replication"].to_numpy())
    restart = np.bincount(keys[inside], weights=interrupts["minutes"].to_numpy()[inside],
                          minlength=len(replications))
    days = (plan.horizon - plan.warmup) / DAY_MINUTES
    frames.insert(1, _long(replications, ["all"], "overall",
                           {"restart_hours": restart / 60 / days}))
    return frames


def _help(plan: DeskPlan, visits: pd.DataFrame, replications: np.ndarray, low: float,
          high: float) -> dict[str, np.ndarray]:
    """``helped`` and ``helping`` per tier."""
    width = len(plan.tiers)
    groups = len(replications) * width
    home = np.array([a.tier for a in plan.agents], dtype=np.int64)
    agent = visits["agent"].cat.codes.to_numpy().astype(np.int64)
    served = agent >= 0
    rows = np.searchsorted(replications, visits["replication"].to_numpy())[served]
    tier = visits["tier"].cat.codes.to_numpy().astype(np.int64)[served]
    helper = home[agent[served]]
    start = visits["start"].to_numpy(dtype=float)[served]
    end = visits["end"].to_numpy(dtype=float)[served]
    other = helper != tier
    started = (start >= low) & (start < high)
    at_tier = rows * width + tier
    busy = np.nan_to_num(_overlap(start, np.where(np.isnan(end), high, end), low, high))
    by_helper = rows * width + helper
    return {
        "helped": ratio(np.bincount(at_tier[started & other], minlength=groups).astype(float),
                        np.bincount(at_tier[started], minlength=groups).astype(float)),
        "helping": ratio(np.bincount(by_helper[other], weights=busy[other], minlength=groups),
                         np.bincount(by_helper, weights=busy, minlength=groups)),
    }
