"""How much of their time helpers (a manager who joins when the queue is long) spend in
the queue: per replication and helper, in the measured window.

The engine records a helper's stretches in the queue as on-duty rows; their *hours* are
the shift in which they may join. What the ``cap`` bounds: a helper joins, and starts a
ticket, only while their time in the queue in that stretch of hours is under ``cap`` × its
length (the *allowance*); the ticket in hand when it runs out is finished. So:

* ``queue_share`` — time in the queue *counted against the cap* (each stretch of hours'
  queue time up to its allowance) over their hours: never above the cap, and what the
  articles' 20 % warning is about;
* ``overrun_share`` — time past the allowance, finishing the ticket in hand, over their
  hours (``queue_share + overrun_share`` is all their time in the queue);
* ``queue_hours`` — all their time in the queue, per person and week;
* ``joins`` — how often per person and week they were called in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.metrics.catalogue import from_source
from simdesk.metrics.kernels import ratio
from simdesk.plan.model import DeskPlan, HelperRule

HELPER_METRICS = from_source("helpers")
"""Per helper (scope ``helper``, group: the helper's name), from the catalogue."""
WEEK = 7 * 24 * 60


def helper_rules(plan: DeskPlan) -> dict[str, tuple[str, HelperRule]]:
    """Each helper's name → (their tier, their rule), in the order of the tiers."""
    return {a.helper.name: (plan.tiers[a.tier].name, a.helper)
            for a in plan.agents if a.helper is not None}


def _within_allowance(plan: DeskPlan, replication: np.ndarray, agent: np.ndarray,
                      on: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Minutes of each helper stretch in the queue that count against the cap: those
    before the allowance of its stretch of hours (``cap`` × its length) ran out, in the
    order the stretches came, as the engine spends it."""
    counted = np.zeros(len(on))
    order = np.lexsort((on, agent, replication))
    used: dict[tuple[int, int, int], float] = {}
    for row in order.tolist():
        helper = plan.agents[int(agent[row])]
        assert helper.helper is not None
        begins = [begin for begin, _ in helper.duty]
        which = max(int(np.searchsorted(begins, on[row], side="right")) - 1, 0)
        begin, end = helper.duty[which]
        key = (int(replication[row]), int(agent[row]), which)
        before = used.get(key, 0.0)
        length = off[row] - on[row]
        counted[row] = min(max(helper.helper.cap * (end - begin) - before, 0.0), length)
        used[key] = before + length
    return counted


def helper_metrics(plan: DeskPlan, duty: pd.DataFrame) -> pd.DataFrame:
    """Long table ``replication, scope, group, metric, value`` (scope ``helper``)."""
    names = tuple(helper_rules(plan))
    low, high = plan.warmup, plan.horizon
    weeks = (high - low) / WEEK
    of_agent = np.full(len(plan.agents), -1)
    hours = np.zeros(len(names))
    people = np.zeros(len(names))
    for agent in plan.agents:
        if agent.helper is not None:
            which = names.index(agent.helper.name)
            of_agent[agent.index] = which
            people[which] += 1
            hours[which] += sum(max(0.0, min(end, high) - max(begin, low))
                                for begin, end in agent.duty)
    replications = np.unique(duty["replication"].to_numpy())
    codes = duty["agent"].cat.codes.to_numpy()
    helper = np.where(codes >= 0, of_agent[codes], -1)
    rows = helper >= 0
    keys = (np.searchsorted(replications, duty["replication"].to_numpy()[rows]) * len(names)
            + helper[rows])
    on, off = duty["on"].to_numpy()[rows], duty["off"].to_numpy()[rows]
    inside = np.clip(np.minimum(off, high) - np.maximum(on, low), 0, None)
    counted_end = on + _within_allowance(plan, duty["replication"].to_numpy()[rows],
                                         codes[rows], on, off)
    counted = np.clip(np.minimum(counted_end, high) - np.maximum(on, low), 0, None)
    size = len(replications) * len(names)
    queue = np.bincount(keys, weights=inside, minlength=size).reshape(-1, len(names))
    capped = np.bincount(keys, weights=counted, minlength=size).reshape(-1, len(names))
    joins = np.bincount(keys, weights=((on >= low) & (on < high)).astype(float),
                        minlength=size).reshape(-1, len(names))
    values = {
        "queue_hours": queue / 60 / people / weeks,
        "queue_share": ratio(capped, np.broadcast_to(hours, queue.shape)),
        "overrun_share": ratio(queue - capped, np.broadcast_to(hours, queue.shape)),
        "joins": joins / people / weeks,
    }
    return pd.DataFrame({
        "replication": np.tile(np.repeat(replications, len(names)), len(HELPER_METRICS)),
        "scope": "helper",
        "group": np.tile(np.array(names, dtype=object), len(replications) * len(HELPER_METRICS)),
        "metric": np.repeat(np.array(HELPER_METRICS, dtype=object), size),
        "value": np.concatenate([values[m].ravel() for m in HELPER_METRICS]),
    })
