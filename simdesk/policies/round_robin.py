"""Round-robin: each ticket assigned at arrival to the next agent, in turn."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from simdesk.policies.fifo import ArrivalQueue

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan


class PersonalQueues:
    """A queue per agent; arriving tickets go to the agents on duty in turn."""

    __slots__ = ("_agents", "_next", "_queues")

    def __init__(self, agents: Sequence[Agent]) -> None:
        self._agents = list(agents)
        self._queues = {agent.index: ArrivalQueue() for agent in agents}
        self._next = 0

    def push(self, ticket: Ticket, now: float) -> None:
        agents = self._agents
        if not agents:
            raise RuntimeError("round-robin on a tier without agents")
        for step in range(len(agents)):
            agent = agents[(self._next + step) % len(agents)]
            if agent.on:
                break
        else:
            step = 0  # nobody on duty: the next in turn gets it for their next shift
        chosen = (self._next + step) % len(agents)
        self._next = chosen + 1
        self._queues[agents[chosen].index].push(ticket, now)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        return self._queues[agent.index].pop(agent, now)

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def __iter__(self) -> Iterator[Ticket]:
        for queue in self._queues.values():
            yield from queue


class RoundRobin:
    """Tickets assigned automatically, in turn, so everyone gets the same number.
    *Playbook:* every agent works on every kind of problem, specialist or not. *Helps:*
    even workload and counts; clear ownership. *Costs:* no shared queue — a ticket waits
    for its agent even when a colleague is free."""

    name = "round-robin"

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> PersonalQueues:
        return PersonalQueues(agents)
