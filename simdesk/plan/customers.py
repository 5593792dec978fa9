"""The customer rules of a plan (redial, callbacks, overflow, queue limits), by index:
what :class:`~simdesk.engine.customers.CustomerDesk` and
:mod:`simdesk.fates.customers` read. ``None`` when the scenario uses none of them, so
the plain desks run unchanged."""

from __future__ import annotations

from dataclasses import dataclass

from simdesk.plan.model import DeskPlan
from simdesk.scenario.customers import Callback, Redial


@dataclass(frozen=True)
class ChannelRules:
    """One channel's customer rules."""

    redial: Redial | None
    callback: Callback | None
    limit: int | None
    """Most of the channel's tickets waiting at its entry tier (more: busy signal)."""
    overflow_to: int | None
    overflow_after: float | None
    overflow_closed: bool
    overflow_full: bool
    overflow_restarts: bool
    """The SLA clock restarts at the overflow (else it keeps running)."""
    counts_attempts: bool


@dataclass(frozen=True)
class CustomerRules:
    """Every channel's rules and every tier's queue limit."""

    channels: tuple[ChannelRules, ...]
    tier_limits: tuple[int | None, ...]

    @property
    def max_redials(self) -> int:
        return max((c.redial.max for c in self.channels if c.redial is not None), default=0)

    @property
    def overflows(self) -> bool:
        return any(c.overflow_to is not None for c in self.channels)


def customer_rules(plan: DeskPlan) -> CustomerRules | None:
    """The plan's customer rules (cached on the plan), ``None`` if it has none."""
    key = ("customer_rules",)
    if key in plan.cache:
        rules: CustomerRules | None = plan.cache[key]
        return rules
    scenario = plan.scenario
    names = list(scenario.channels)
    channels = []
    for channel in scenario.channels.values():
        overflow = channel.overflow
        channels.append(ChannelRules(
            redial=channel.redial if channel.redial is not None and channel.redial.share > 0
            else None,
            callback=channel.callback if channel.callback is not None
            and channel.callback.share > 0 else None,
            limit=channel.queue_limit,
            overflow_to=None if overflow is None else names.index(overflow.to),
            overflow_after=None if overflow is None else overflow.after,
            overflow_closed=overflow is not None and overflow.closed,
            overflow_full=overflow is not None and overflow.full,
            overflow_restarts=overflow is None or overflow.sla == "restart",
            counts_attempts=channel.sla is not None and channel.sla.counts == "attempts"))
    limits = tuple(tier.queue_limit for tier in scenario.tiers.values())
    used = any(limit is not None for limit in limits) or any(
        c.redial or c.callback or c.limit is not None or c.overflow_to is not None
        for c in channels)
    rules = CustomerRules(tuple(channels), limits) if used else None
    plan.cache[key] = rules
    return rules
