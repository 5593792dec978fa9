"""Split: one team on the newest tickets, the others on the oldest."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from simdesk.policies.base import Entries

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan


class SplitQueue:
    """One arrival-ordered queue, taken from the newest end by some agents."""

    __slots__ = ("_newest", "_tickets")
    any_agent = True

    def __init__(self, newest: set[int]) -> None:
        self._tickets = Entries()
        self._newest = newest

    def push(self, ticket: Ticket, now: float) -> None:
        self._tickets.push(ticket)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        if agent.index in self._newest:
            return self._tickets.newest()
        return self._tickets.oldest()

    def __len__(self) -> int:
        return len(self._tickets)

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._tickets)


class Split:
    """One team on the newest tickets, one on the oldest. *Playbook:* a way to cut reply
    times when the queue is long. *Helps:* new customers get quick first replies while
    the backlog still moves. *Costs:* tickets in the middle of the queue wait for
    whichever end reaches them first."""

    name = "split"

    def __init__(self, newest: list[str] | None = None) -> None:
        self.newest = newest

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> SplitQueue:
        if self.newest is not None:
            chosen = {a.index for a in agents if a.team in self.newest}
        else:
            chosen = {a.index for a in agents[: len(agents) // 2]}
        return SplitQueue(chosen)
