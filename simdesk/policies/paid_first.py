"""Paid first: segments in strict priority order, with optional aging and restrictions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from simdesk.policies.base import Entries

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan


class ClassQueue:
    """One FIFO queue per priority class; old tickets of lower classes may be promoted."""

    __slots__ = ("_classes", "_promote_after", "_rank")
    any_agent = True

    def __init__(self, rank: list[int], promote_after: float | None) -> None:
        self._rank = rank
        self._classes = [Entries() for _ in range(max(rank) + 1)]
        self._promote_after = promote_after

    def push(self, ticket: Ticket, now: float) -> None:
        self._classes[self._rank[ticket.segment]].push(ticket)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        heads = [queue.oldest() for queue in self._classes]
        if self._promote_after is not None:
            due = now - self._promote_after
            top = [t for rank, t in enumerate(heads)
                   if t is not None and (rank == 0 or t.queued_at <= due)]
            if top:
                return min(top, key=lambda t: t.queued_at)
        # the head stays in its class queue, skipped once the engine marks it taken (or
        # it waits elsewhere: see Entries)
        return next((ticket for ticket in heads if ticket is not None), None)

    def __len__(self) -> int:
        return sum(len(q) for q in self._classes)

    def __iter__(self) -> Iterator[Ticket]:
        for queue in self._classes:
            yield from queue


class PaidFirst:
    """Paying customers' tickets before older free ones. *Playbook:* Zapier answers paid
    plans first; MailChimp gives email support to paid plans only, having invested in
    help articles. *Helps:* paying customers get fast answers. *Costs:* free users — who
    often need the most help — wait, and convert less; aging (``promote_after``) stops
    them starving."""

    name = "paid-first"

    def __init__(self, order: list[str] | None = None, promote_after: float | None = None,
                 restrict: dict[str, list[str]] | None = None) -> None:
        self.order = order
        self.promote_after = promote_after
        self.restrict = restrict or {}
        self._refused: dict[int, set[int]] = {}

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> ClassQueue:
        order = self.order or list(plan.segments)
        rank = [order.index(s) if s in order else len(order) for s in plan.segments]
        channels = [c.name for c in plan.channels]
        self._refused = {
            channels.index(channel): {i for i, s in enumerate(plan.segments) if s not in allowed}
            for channel, allowed in self.restrict.items()
        }
        return ClassQueue(rank, self.promote_after)

    def refuses(self, ticket: Ticket) -> bool:
        """A channel restricted to some segments turns the others away."""
        refused = self._refused.get(ticket.channel)
        return refused is not None and ticket.segment in refused
