"""Policies that order tickets by a key: cherry-pick (easiest first) and sla-deadline."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from itertools import count
from typing import TYPE_CHECKING

from simdesk.policies.base import estimate

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan


class KeyQueue:
    """Tickets by ascending ``key(ticket)``, ties in arrival order (a heap)."""

    __slots__ = ("_heap", "_key", "_order")
    any_agent = True

    def __init__(self, key: Callable[[Ticket], float]) -> None:
        self._heap: list[tuple[float, int, int, Ticket]] = []
        self._key = key
        self._order = count()

    def push(self, ticket: Ticket, now: float) -> None:
        entry = (self._key(ticket), next(self._order), ticket.waiting, ticket)
        heapq.heappush(self._heap, entry)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        heap = self._heap
        while heap:
            _, _, stay, ticket = heapq.heappop(heap)
            if ticket.waiting == stay:  # skip entries of stays that are over
                return ticket
        return None

    def __len__(self) -> int:
        return len(self._heap)

    def __iter__(self) -> Iterator[Ticket]:
        return (entry[3] for entry in self._heap if entry[3].waiting == entry[2])


class CherryPick:
    """Easiest-looking ticket first, by the agents' estimate of its effort. *Playbook:*
    quick answers to simple questions, hard tickets get the time they need — but easy
    tickets are better answered by help articles. *Helps:* many fast first replies.
    *Costs:* hard tickets wait longest and can starve in busy spells."""

    name = "cherry-pick"

    def __init__(self, noise: float = 0.0) -> None:
        self.noise = noise

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> KeyQueue:
        noise = self.noise

        def easiest(ticket: Ticket) -> float:
            ticket.estimate = estimate(ticket, noise)
            return ticket.estimate

        return KeyQueue(easiest)


class SlaDeadline:
    """Earliest SLA deadline first, across channels — what ticketing tools call "next
    breach". *Helps:* the most tickets within target when channels have different
    targets. *Costs:* a ticket already past its deadline keeps its (early) place, so a
    backlog of lost causes can hold up tickets that could still make it."""

    name = "sla-deadline"

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> KeyQueue:
        return KeyQueue(lambda ticket: ticket.deadline)
