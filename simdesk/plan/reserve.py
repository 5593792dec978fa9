"""Reserve agents: the people a supervisor rule may call into a tier (``supervisor:``).

A tier named by rules gets as many reserve agents as its largest ``call``; they have no
duty of their own (``group`` ``reserve``) and are on the queue only when called in."""

from __future__ import annotations

from simdesk.plan.model import AgentPlan
from simdesk.scenario.supervisor import Supervisor

RESERVE = "reserve"
"""The ``group`` of a reserve agent."""


def reserve_agents(supervisor: Supervisor | None, tier: str, tier_index: int,
                   first: int) -> list[AgentPlan]:
    """The reserve agents of ``tier`` (none without a supervisor rule naming it)."""
    if supervisor is None:
        return []
    count = max((rule.call for rule in supervisor.rules
                 if rule.tier == tier and rule.call is not None), default=0)
    return [AgentPlan(index=first + k, name=f"{tier}#reserve{k + 1}", tier=tier_index,
                      group=RESERVE, duty=()) for k in range(count)]


__all__ = ["RESERVE", "reserve_agents"]
