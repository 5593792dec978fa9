"""The supervisor's actions as a table (``actions.parquet``): one row per rule that fired.

Columns: ``replication, time`` (scenario minutes), ``at`` (the calendar moment),
``rule`` (its number, from 0), ``name`` (the rule's name, else ``tier: threshold``),
``tier``, ``channel``, ``measure`` (``sla`` or ``queue``), ``value`` (what the review
measured), ``threshold``, ``action`` (``call`` reserve agents, switch to ``policy`` NAME,
``prioritize`` CHANNEL), ``called`` (reserve agents who came on), ``kept`` (already on,
kept on), ``until`` (scenario minutes), ``waiting`` (tickets waiting in the tier after the
action)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from simdesk.engine.records import RunRecord
from simdesk.engine.supervisor import (
    ACTION_CALLED,
    ACTION_KEPT,
    ACTION_RULE,
    ACTION_THRESHOLD,
    ACTION_TIME,
    ACTION_UNTIL,
    ACTION_VALUE,
    ACTION_WAITING,
)
from simdesk.plan.model import DeskPlan
from simdesk.scenario.supervisor import SupervisorRule

COLUMNS = ("replication", "time", "at", "rule", "name", "tier", "channel", "measure",
           "value", "threshold", "action", "called", "kept", "until", "waiting")


def rule_label(plan: DeskPlan, index: int) -> str:
    """A rule's name, else ``chat SLA < 80%`` / ``L1 queue > 10``."""
    supervisor = plan.scenario.supervisor
    assert supervisor is not None
    rule = supervisor.rules[index]
    if rule.name:
        return rule.name
    if rule.queue_above is not None:
        return f"{rule.tier} queue > {rule.queue_above}"
    return f"{rule.channel} SLA < {rule.sla_below:.0%}"


def action_text(rule: SupervisorRule) -> str:
    """``call 2``, ``policy paid-first``, ``prioritize chat``."""
    if rule.call is not None:
        return f"call {rule.call}"
    return f"policy {rule.policy}" if rule.policy is not None else f"prioritize {rule.prioritize}"


@functools.cache
def _empty() -> pd.DataFrame:
    """The table with no action (built once: each replication without one copies it)."""
    return pd.DataFrame({c: pd.Series(dtype=float) for c in COLUMNS})


def action_table(plan: DeskPlan, record: RunRecord, replication: int) -> pd.DataFrame:
    """The actions of one replication (empty, with the columns, when there were none)."""
    supervisor = plan.scenario.supervisor
    rows = record.actions if record.actions is not None else np.zeros((0, 8))
    if supervisor is None or not len(rows):
        return _empty().copy()
    rules = rows[:, ACTION_RULE].astype(np.int64)
    spec = supervisor.rules
    return pd.DataFrame({
        "replication": np.full(len(rows), replication, dtype=np.int32),
        "time": rows[:, ACTION_TIME],
        "at": [plan.clock.moment(float(t)) for t in rows[:, ACTION_TIME]],
        "rule": rules,
        "name": [rule_label(plan, int(r)) for r in rules],
        "tier": [spec[r].tier for r in rules],
        "channel": [spec[r].channel or "" for r in rules],
        "measure": ["queue" if spec[r].queue_above is not None else "sla" for r in rules],
        "value": rows[:, ACTION_VALUE],
        "threshold": rows[:, ACTION_THRESHOLD],
        "action": [action_text(spec[r]) for r in rules],
        "called": rows[:, ACTION_CALLED].astype(np.int64),
        "kept": rows[:, ACTION_KEPT].astype(np.int64),
        "until": rows[:, ACTION_UNTIL],
        "waiting": rows[:, ACTION_WAITING].astype(np.int64),
    })


__all__ = ["COLUMNS", "action_table", "action_text", "rule_label"]
