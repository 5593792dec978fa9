"""Skills: tickets go to agents who know the topic; anyone after a fallback delay."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from simdesk.policies.base import Entries

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan


class SkillQueue:
    """A FIFO queue per topic, plus one over all topics for the fallback."""

    __slots__ = ("_all", "_fallback", "_topics")

    def __init__(self, topics: int, fallback: float | None) -> None:
        self._topics = [Entries() for _ in range(topics)]
        self._all = Entries()
        self._fallback = fallback

    def push(self, ticket: Ticket, now: float) -> None:
        self._topics[ticket.topic].push(ticket)
        self._all.push(ticket)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        skills = agent.skills
        queues = self._topics if skills is None else [self._topics[t] for t in skills]
        heads = [t for t in (q.oldest() for q in queues) if t is not None]
        if self._fallback is not None:
            oldest = self._all.oldest()
            # the same sum as wake_at: at the wake-up time the ticket is due, exactly
            # (``now - queued_at >= fallback`` can round below the fallback)
            if oldest is not None and oldest.queued_at + self._fallback <= now:
                heads.append(oldest)
        return min(heads, key=lambda t: t.queued_at) if heads else None

    def wake_at(self, now: float) -> float | None:
        """When the oldest ticket becomes anyone's."""
        oldest = self._all.oldest()
        if self._fallback is None or oldest is None:
            return None
        return oldest.queued_at + self._fallback

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._all)


class Skills:
    """Tickets go to agents whose ``skills`` include the topic (agents without a skills
    list take everything). *Playbook:* triage by topic tags so agents take what they
    are good at. *Helps:* expert answers. *Costs:* a topic with few experts queues while
    others sit idle — unless ``fallback_after`` lets anyone take it after a while."""

    name = "skills"

    def __init__(self, fallback_after: float | None = None) -> None:
        self.fallback_after = fallback_after

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> SkillQueue:
        return SkillQueue(len(plan.topics), self.fallback_after)
