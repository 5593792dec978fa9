"""Ninja: designated agents take the newest light tickets during busy windows."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from simdesk.policies.base import Entries, Policy, TicketQueue, estimate
from simdesk.scenario.calendar import parse_shift

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan


class NinjaQueue:
    """The base policy's queue, plus a newest-first view for the ninjas in their windows."""

    __slots__ = ("_base", "_ends", "_max_effort", "_ninjas", "_noise", "_recent", "_starts")

    def __init__(self, base: TicketQueue, ninjas: set[int], windows: list[tuple[float, float]],
                 max_effort: float, noise: float) -> None:
        self._base = base
        self._recent = Entries()
        self._ninjas = ninjas
        self._starts = [begin for begin, _ in windows]
        self._ends = [end for _, end in windows]
        self._max_effort = max_effort
        self._noise = noise

    def in_window(self, now: float) -> bool:
        """Whether the ninjas are playing ninja at ``now``."""
        index = bisect_right(self._starts, now) - 1
        return index >= 0 and now < self._ends[index]

    def push(self, ticket: Ticket, now: float) -> None:
        self._base.push(ticket, now)
        recent = self._recent
        recent.push(ticket)
        recent.oldest()  # drops the stale entries at the old end: the view stays short

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        if agent.index not in self._ninjas or not self.in_window(now):
            return self._base.pop(agent, now)
        if self._recent.newest() is None:
            return None
        for ticket in self._recent.newest_first():  # heavy ones passed over
            if estimate(ticket, self._noise) <= self._max_effort:
                return ticket
        return None

    def wake_at(self, now: float) -> float | None:
        """The next window boundary (ninjas change behaviour), or the base's own."""
        index = bisect_right(self._starts, now)
        upcoming = [self._starts[index]] if index < len(self._starts) else []
        if index > 0 and now < self._ends[index - 1]:
            upcoming.append(self._ends[index - 1])
        base = getattr(self._base, "wake_at", None)
        if base is not None and (when := base(now)) is not None:
            upcoming.append(when)
        return min(upcoming) if upcoming else None

    def __len__(self) -> int:
        return len(self._base)

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._base)


class Ninja:
    """One or two "ninjas" take the newest tickets in the busiest hours and answer them
    as fast as possible, passing over any that would take long. *Playbook:* a rotating
    role at Zapier: a share of customers gets a surprisingly fast reply and the backlog
    shrinks for the others (good for morale). *Helps:* fast first replies in the rush.
    *Costs:* heavy tickets are left to fewer people; a ninja may idle while only heavy
    tickets wait."""

    name = "ninja"

    def __init__(self, base: Policy, *, team: str | None = None, agents: int = 1,
                 windows: str = "24x7", max_effort: float = 1.0, noise: float = 0.0) -> None:
        self.base = base
        self.team = team
        self.agents = agents
        self.windows = windows
        self.max_effort = max_effort
        self.noise = noise

    def ninjas(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> set[int]:
        """The agents of ``tier`` who play ninja."""
        if self.team is not None:
            return {a.index for a in agents if a.team == self.team}
        first = next(t for t in plan.tiers if t.role != "dispatcher")
        return {a.index for a in agents[: self.agents]} if tier.index == first.index else set()

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> TicketQueue:
        base = self.base.queue(plan, tier, agents)
        ninjas = self.ninjas(plan, tier, agents)
        if not ninjas:
            return base
        windows = parse_shift(self.windows).intervals(plan.clock, plan.horizon)
        return NinjaQueue(base, ninjas, windows, self.max_effort, self.noise)

    def refuses(self, ticket: Ticket) -> bool:
        refuses = getattr(self.base, "refuses", None)
        return bool(refuses is not None and refuses(ticket))
