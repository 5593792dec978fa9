"""Shared test helpers: small scenarios, scripted tickets, replication statistics."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simdesk.engine.records import RunRecord
from simdesk.engine.run import run_desk
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.compile import compile_plan
from simdesk.plan.model import DeskPlan
from simdesk.policies import Policy, make_policy
from simdesk.scenario.load import load_scenario


def scenario_dict(**overrides: Any) -> dict[str, Any]:
    """A one-channel, one-tier scenario; keyword arguments replace top-level keys."""
    base: dict[str, Any] = {
        "name": "test desk",
        "horizon": "1d",
        "channels": {"phone": {"sla": {"within": "30s", "target": "80%"}}},
        "arrivals": [{"channel": "phone", "rate": "10/h"}],
        "tiers": {"L1": {"agents": 1, "handle": {"dist": "exponential", "mean": "5m"}}},
    }
    base.update(overrides)
    return base


def plan_for(**overrides: Any) -> DeskPlan:
    return compile_plan(load_scenario(scenario_dict(**overrides)))


@dataclass(frozen=True)
class Scripted:
    """One scripted ticket: arrival, handle time at each tier visited, patience; for a
    conversation, the customer's answer delays (``replies``) and the handle times of the
    follow-up agent replies (``followups``)."""

    at: float
    handles: Sequence[float]
    channel: int = 0
    patience: float = math.inf
    segment: int = 0
    topic: int = 0
    error: float = 0.0
    replies: Sequence[float] = ()
    followups: Sequence[float] = ()
    visits: int = 0
    """Tiers visited, if fewer than ``len(handles)``."""
    reopens: Sequence[tuple[float, float]] = ()
    """Repeat contacts: (minutes after the resolution, handle time) each."""
    deflected: bool = False


def batch_of(plan: DeskPlan, tickets: Sequence[Scripted]) -> TicketBatch:
    """A ticket batch with exactly these arrivals and handle times."""
    width = max(len(c.chain) for c in plan.channels)
    handles = np.full((len(tickets), width), math.nan)
    for row, ticket in enumerate(tickets):
        handles[row, : len(ticket.handles)] = ticket.handles
    arrived = np.array([t.at for t in tickets], dtype=float)
    channel = np.array([t.channel for t in tickets], dtype=np.int64)
    extra = max([plan.max_touches - 1, *(len(t.replies) for t in tickets)])
    replies = np.full((len(tickets), extra), math.nan)
    followups = np.full((len(tickets), extra), math.nan)
    for row, ticket in enumerate(tickets):
        replies[row, : len(ticket.replies)] = ticket.replies
        followups[row, : len(ticket.followups)] = ticket.followups
    deadline = np.array([plan.channels[c].deadline(np.array([a]))[0]
                         for a, c in zip(arrived, channel, strict=True)])
    width = max((len(t.reopens) for t in tickets), default=0)
    reopen_after = np.full((len(tickets), width), math.nan)
    reopen_handles = np.full((len(tickets), width), math.nan)
    for row, ticket in enumerate(tickets):
        for k, (after, handle) in enumerate(ticket.reopens):
            reopen_after[row, k], reopen_handles[row, k] = after, handle
    reopening = width > 0
    return TicketBatch(
        arrived=arrived,
        channel=channel,
        segment=np.array([t.segment for t in tickets], dtype=np.int64),
        topic=np.array([t.topic for t in tickets], dtype=np.int64),
        patience=np.array([t.patience for t in tickets], dtype=float),
        visits=np.array([t.visits or len(t.handles) for t in tickets], dtype=np.int64),
        handles=handles,
        deadline=deadline.astype(float),
        estimate_error=np.array([t.error for t in tickets], dtype=float),
        touches=np.array([len(t.replies) + 1 for t in tickets], dtype=np.int64),
        reply_after=replies,
        followups=followups,
        deflected=(np.array([t.deflected for t in tickets], dtype=bool)
                   if any(t.deflected for t in tickets) else None),
        reopens=(np.array([len(t.reopens) for t in tickets], dtype=np.int64)
                 if reopening else None),
        reopen_after=reopen_after if reopening else None,
        reopen_handles=reopen_handles if reopening else None,
    )


def run_scripted(plan: DeskPlan, tickets: Sequence[Scripted],
                 policy: Policy | None = None) -> RunRecord:
    return run_desk(plan, batch_of(plan, tickets), policy or make_policy(plan.scenario.routing),
                    trace=True)


def events(record: RunRecord, *kinds: str) -> list[tuple[float, str, int | None, str]]:
    """The trace, optionally only some kinds of event, times rounded to 1e-9."""
    assert record.log is not None
    return [
        (round(time, 9), kind, ticket, where)
        for time, kind, ticket, where in record.log
        if not kinds or kind in kinds
    ]


def mean_and_se(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard error of independent replication estimates."""
    array = np.asarray(values, dtype=float)
    return float(array.mean()), float(array.std(ddof=1) / math.sqrt(len(array)))


def assert_close_to(values: Sequence[float], expected: float, *, alpha: float = 1e-3,
                    what: str = "") -> None:
    """``expected`` lies in the two-sided ``1 − alpha`` Student-t interval of the mean of
    independent replication estimates (so a correct engine fails once in 1/alpha seeds).
    """
    from scipy import stats

    mean, se = mean_and_se(values)
    tolerance = float(stats.t.ppf(1 - alpha / 2, len(values) - 1)) * se
    assert abs(mean - expected) <= tolerance, (
        f"{what}: simulated {mean:.6g} ± {se:.3g} (SE), analytic {expected:.6g}, "
        f"difference {mean - expected:+.3g} > {tolerance:.3g}"
    )
