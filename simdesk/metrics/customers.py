"""The ticket columns and metrics of the customer rules and resolution targets.

Columns of the ``tickets`` table, present only when the scenario uses the feature (so a
scenario without them gives the same tables): ``attempts`` (attempts the customer made,
1 without a redial), ``blocked`` (the last attempt got a busy signal), ``callback`` (an
agent called the customer back), ``overflowed_from`` (the channel the ticket overflowed
from; its ``channel`` is where it ended), ``sla_trials`` (with ``sla: {counts:
attempts}``: the SLA chances the row stands for, one per attempt) and
``resolution_met`` (resolved within its channel's ``resolution`` target; empty while
undecided, or for a customer who gave up, was blocked, refused or deflected).

Metrics (each with its feature): ``blocked`` (share of customers whose last attempt got a
busy signal), ``attempts`` (attempts per customer), ``callbacks`` (share of answered
customers called back), ``overflowed`` (share of a channel's tickets that came by
overflow), ``resolution_sla`` (share resolved within the target, among decided tickets).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simdesk.engine.records import CustomerRecord
from simdesk.metrics.kernels import ratio
from simdesk.plan.model import DeskPlan
from simdesk.scenario.calendar import WorkingTime, parse_shift
from simdesk.scenario.schema import Scenario

Count = Callable[..., np.ndarray]


def customer_features(scenario: Scenario) -> set[str]:
    """The customer features a scenario uses (their metrics are measured)."""
    used: set[str] = set()
    for channel in scenario.channels.values():
        if channel.redial is not None:
            used.add("redial")
        if channel.callback is not None:
            used.add("callback")
        if channel.overflow is not None:
            used.add("overflow")
        if channel.queue_limit is not None:
            used.add("queue_limit")
        if channel.resolution is not None:
            used.add("resolution")
    if any(tier.queue_limit is not None for tier in scenario.tiers.values()):
        used.add("queue_limit")
    return used


def add_customer_columns(plan: DeskPlan, table: pd.DataFrame, record: CustomerRecord) -> None:
    """The customer rules' columns, after the contract's."""
    names = [c.name for c in plan.channels]
    table["attempts"] = record.attempts.astype(np.int16)
    table["blocked"] = record.blocked
    table["callback"] = record.callback
    table["overflowed_from"] = pd.Categorical.from_codes(record.overflowed_from,
                                                         categories=pd.Index(names))
    counts = np.array([c.sla is not None and c.sla.counts == "attempts"
                       for c in plan.scenario.channels.values()])
    if counts.any():
        table["sla_trials"] = np.where(counts[record.channel], record.attempts, 1
                                       ).astype(np.int16)


def segment_targets(plan: DeskPlan) -> dict[int, tuple[float, WorkingTime | None]]:
    """Per segment index with its own ``sla``: (within, business hours or None)."""
    targets = {}
    for index, name in enumerate(plan.segments):
        sla = getattr(plan.scenario.segments.get(name), "sla", None)
        if sla is not None:
            hours = None if sla.hours is None else WorkingTime.within(
                parse_shift(sla.hours).intervals(plan.clock, plan.horizon))
            targets[index] = (sla.within, hours)
    return targets


def apply_segment_targets(plan: DeskPlan, segment: np.ndarray, first_response: np.ndarray,
                          clock_from: np.ndarray, within: np.ndarray, sla_wait: np.ndarray,
                          waited_by_horizon: np.ndarray) -> None:
    """Hold each segment with its own ``sla`` to it (in place): its target time, and its
    waits counted in its business hours (or on the clock)."""
    for index, (limit, hours) in segment_targets(plan).items():
        rows = segment == index
        within[rows] = limit
        if hours is None:
            sla_wait[rows] = first_response[rows] - clock_from[rows]
            waited_by_horizon[rows] = plan.horizon - clock_from[rows]
        else:
            start = hours.elapsed(clock_from[rows])
            sla_wait[rows] = hours.elapsed(first_response[rows]) - start
            waited_by_horizon[rows] = hours.elapsed(np.full(rows.sum(), plan.horizon)) - start


def resolution_targets(plan: DeskPlan) -> bool:
    return any(c.resolution is not None for c in plan.scenario.channels.values())


def resolution_met(plan: DeskPlan, table: pd.DataFrame) -> pd.arrays.BooleanArray:
    """Resolved within the channel's resolution target (NA: undecided or no target)."""
    arrived = table["arrived"].to_numpy(dtype=float)
    resolved = table["resolved"].to_numpy(dtype=float)
    codes = table["channel"].cat.codes.to_numpy()
    gone = table["abandoned"].to_numpy(dtype=bool) | table["refused"].to_numpy(dtype=bool)
    for column in ("deflected", "blocked"):
        if column in table:
            gone |= table[column].to_numpy(dtype=bool)
    met = np.zeros(len(table), dtype=bool)
    decided = np.zeros(len(table), dtype=bool)
    for index, spec in enumerate(plan.scenario.channels.values()):
        target = spec.resolution
        if target is None:
            continue
        rows = codes == index
        if target.hours is None:
            took, by_horizon = resolved[rows] - arrived[rows], plan.horizon - arrived[rows]
        else:
            hours = WorkingTime.within(
                parse_shift(target.hours).intervals(plan.clock, plan.horizon))
            start = hours.elapsed(arrived[rows])
            took = hours.elapsed(resolved[rows]) - start
            by_horizon = hours.elapsed(np.full(rows.sum(), plan.horizon)) - start
        done = ~np.isnan(took)
        met[rows] = done & (took <= target.within)
        decided[rows] = (done | (by_horizon > target.within)) & ~gone[rows]
    values = pd.array(met, dtype="boolean")
    values[~decided] = pd.NA
    return values


def customer_values(t: pd.DataFrame, count: Count, everything: np.ndarray,
                    answered: np.ndarray, features: set[str]) -> dict[str, np.ndarray]:
    """The customer metrics of one scope (``count(mask, weights)`` sums per group)."""
    values: dict[str, np.ndarray] = {}
    customers = everything & ~t["refused"].to_numpy(dtype=bool)
    if "deflected" in t:
        customers &= ~t["deflected"].to_numpy(dtype=bool)
    if "queue_limit" in features:
        values["blocked"] = ratio(count(t["blocked"].to_numpy(dtype=bool) & customers),
                                  count(customers))
    if "redial" in features:
        attempts = t["attempts"].to_numpy(dtype=float)
        values["attempts"] = ratio(count(customers, attempts), count(customers))
    if "callback" in features:
        values["callbacks"] = ratio(count(t["callback"].to_numpy(dtype=bool) & answered),
                                    count(answered))
    if "overflow" in features:
        values["overflowed"] = ratio(count((t["overflowed_from"].cat.codes >= 0).to_numpy()
                                           & customers), count(customers))
    if "resolution" in features:
        met = t["resolution_met"].to_numpy(dtype=float, na_value=np.nan)
        decided = ~np.isnan(met)
        values["resolution_sla"] = ratio(count(decided, met), count(decided))
    return values
