"""Two ways to write your own routing policy for simdesk (see docs/policies.md).

Run it from this folder:

    simdesk run desk.yaml --seed 1

`desk.yaml` says `routing: {policy: my_policies:QuickWinsFirst, options: {...}}`;
simdesk imports `my_policies` from the current directory.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from itertools import count

from simdesk.policies import ChoosingPolicy, estimate


class QuickWinsFirst(ChoosingPolicy):
    """The short way: one ``choose`` method.

    Agents take the oldest ticket that looks quick (estimated effort at most
    ``threshold``); when there is none, the oldest ticket. Like cherry-picking, but a
    hard ticket that has waited ``patience_limit`` minutes goes first.
    """

    name = "quick-wins-first"

    def __init__(self, threshold: float = 1.0, patience_limit: float = 240.0) -> None:
        self.threshold = threshold
        self.patience_limit = patience_limit

    def choose(self, waiting, agent, now):  # type: ignore[no-untyped-def]
        overdue = [t for t in waiting if now - t.queued_at >= self.patience_limit]
        if overdue:
            return overdue[0]
        quick = [t for t in waiting if estimate(t, 0.0) <= self.threshold]
        return (quick or list(waiting))[0]


class ChannelPriority:
    """The full protocol: a queue per tier with ``push``/``pop``, here a heap keyed by
    the channel's rank in ``order`` (e.g. chat before email), then by age."""

    def __init__(self, order: Sequence[str]) -> None:
        self.order = list(order)
        self.name = "channel-priority"

    def queue(self, plan, tier, agents):  # type: ignore[no-untyped-def]
        names = [c.name for c in plan.channels]
        rank = [self.order.index(n) if n in self.order else len(self.order) for n in names]
        return _RankedQueue(rank)


class _RankedQueue:
    def __init__(self, rank: list[int]) -> None:
        self._heap: list = []  # type: ignore[type-arg]
        self._rank = rank
        self._order = count()

    def push(self, ticket, now):  # type: ignore[no-untyped-def]
        heapq.heappush(self._heap, (self._rank[ticket.channel], next(self._order), ticket))

    def pop(self, agent, now):  # type: ignore[no-untyped-def]
        while self._heap:
            ticket = heapq.heappop(self._heap)[2]
            if ticket.waiting:  # skip tickets taken elsewhere or whose customer left
                return ticket
        return None

    def __len__(self) -> int:
        return len(self._heap)

    def __iter__(self) -> Iterator:  # type: ignore[type-arg]
        return (entry[2] for entry in self._heap)
