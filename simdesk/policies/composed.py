"""Composed routing: an ordered list of keys and filters, written in YAML instead of code.

Each waiting ticket gets a rank, a tuple of the ``by`` keys ending with the order it
entered the queue (so equal keys keep arrival order), and sits in a heap. Without
filters one heap serves the whole tier. With filters the tickets are split into
classes — by topic for ``skills``, by whether they pass each team or effort filter —
with a heap per class (and per order, when a team has an order of its own); a free
agent takes the best head among the classes it may take. Classes are few (topics ×
filters), so a pop looks at a handful of heads.

The built-ins such a list expresses give the same records as their own implementations
(``tests/policies/test_composed.py``): ``fifo`` (``by: [oldest]``), ``newest-first``
(``[newest]``), ``sla-deadline`` (``[deadline]``), ``cherry-pick`` (``[effort]``),
``paid-first`` without aging or restrictions (``[segment, oldest]``), ``skills``
(``[oldest]`` and a skills filter) and ``ninja`` with a ``team`` (a team filter with
``by: [newest]``, ``max_effort`` and ``windows``).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import count
from typing import TYPE_CHECKING, Any

from simdesk.policies.base import estimate
from simdesk.scenario.calendar import parse_shift
from simdesk.scenario.composed import Composed, EffortFilter, SkillsFilter, TeamFilter

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan.model import DeskPlan, TierPlan

Entry = tuple[Any, ...]
"""(the rank's keys ..., order entered, stay, ticket): a heap entry; the stay makes it
lazily removable (``entry[-2]``, ticket ``entry[-1]``)."""
Rank = Callable[["Ticket", int, int], Entry]
"""Makes the heap entry of a ticket entering the queue as the ``n``-th, for its stay."""


def _priority(order: Sequence[str] | None, names: Sequence[str]) -> list[int]:
    """Rank of each name (by index): its position in ``order``, unlisted ones after."""
    if order is None:
        return list(range(len(names)))
    return [order.index(n) if n in order else len(order) for n in names]


def ranker(keys: Sequence[str], spec: Composed, plan: DeskPlan) -> Rank:
    """What makes a ticket's heap entry when it enters the queue as the ``n``-th: its
    ``keys`` in order, then ``n`` (ties keep the order tickets entered)."""
    segments = _priority(spec.segments, plan.segments)
    topics = _priority(spec.topics, plan.topics)
    channels = _priority(spec.channels, [c.name for c in plan.channels])
    noise = spec.noise

    def effort(ticket: Ticket) -> float:
        ticket.estimate = estimate(ticket, noise)
        return ticket.estimate

    parts: dict[str, Callable[[Ticket, int], float]] = {
        "segment": lambda t, n: segments[t.segment],
        "topic": lambda t, n: topics[t.topic],
        "channel": lambda t, n: channels[t.channel],
        "deadline": lambda t, n: t.deadline,
        "oldest": lambda t, n: n,
        "newest": lambda t, n: -n,
        "effort": lambda t, n: effort(t),
    }
    chosen = [parts[key] for key in keys]
    if len(chosen) == 1:
        (a,) = chosen
        return lambda t, n, stay: (a(t, n), n, stay, t)
    if len(chosen) == 2:
        a, b = chosen
        return lambda t, n, stay: (a(t, n), b(t, n), n, stay, t)
    if len(chosen) == 3:
        a, b, c = chosen
        return lambda t, n, stay: (a(t, n), b(t, n), c(t, n), n, stay, t)
    return lambda t, n, stay: (*(part(t, n) for part in chosen), n, stay, t)


class KeyedQueue:
    """One heap over the whole tier: no filters apply."""

    __slots__ = ("_heap", "_order", "_rank")
    any_agent = True

    def __init__(self, rank: Rank) -> None:
        self._heap: list[Entry] = []
        self._rank = rank
        self._order = count()

    def push(self, ticket: Ticket, now: float) -> None:
        heapq.heappush(self._heap, self._rank(ticket, next(self._order), ticket.waiting))

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        heap = self._heap
        while heap:
            entry = heapq.heappop(heap)
            ticket = entry[-1]
            if ticket.waiting == entry[-2]:
                return ticket  # type: ignore[no-any-return]
        return None

    def __len__(self) -> int:
        return len(self._heap)

    def __iter__(self) -> Iterator[Ticket]:
        """The waiting tickets in rank order."""
        return (entry[-1] for entry in sorted(self._heap) if entry[-1].waiting == entry[-2])


class Windows:
    """Weekly hours as sorted intervals in scenario minutes; the last answer is kept for
    the stretch of time it holds (the simulation clock mostly moves forward)."""

    __slots__ = ("_ends", "_open", "_since", "_starts", "_until")

    def __init__(self, intervals: Sequence[tuple[float, float]]) -> None:
        self._starts = [begin for begin, _ in intervals]
        self._ends = [end for _, end in intervals]
        self._since = self._until = -math.inf
        self._open = False

    def open(self, now: float) -> bool:
        if self._since <= now < self._until:
            return self._open
        index = bisect_right(self._starts, now) - 1
        self._open = index >= 0 and now < self._ends[index]
        if self._open:
            self._since, self._until = self._starts[index], self._ends[index]
        else:
            self._since = self._ends[index] if index >= 0 else -math.inf
            self._until = self._starts[index + 1] if index + 1 < len(self._starts) else math.inf
        return self._open

    def changes(self, now: float) -> list[float]:
        """The next opening after ``now`` and, inside a window, its closing."""
        index = bisect_right(self._starts, now)
        upcoming = [self._starts[index]] if index < len(self._starts) else []
        if index > 0 and now < self._ends[index - 1]:
            upcoming.append(self._ends[index - 1])
        return upcoming


class Rule:
    """A team or effort filter, compiled for one tier: who it binds, when, what passes."""

    __slots__ = ("agents", "bit", "order", "passes", "windows")

    def __init__(self, bit: int, agents: set[int] | None, windows: Windows,
                 passes: Callable[[Ticket], bool], order: int) -> None:
        self.bit = bit
        self.agents = agents
        """Agent indices it binds (``None``: everyone)."""
        self.windows = windows
        self.passes = passes
        self.order = order
        """Which of the queue's orders the bound agents take tickets in."""


class FilteredQueue:
    """Tickets split into classes (topic, filters passed), a heap per class and order."""

    __slots__ = ("_all", "_binding", "_classes", "_eligible", "_fallback", "_heaps",
                 "_order", "_ranks", "_rules", "_skills")

    def __init__(self, ranks: list[Rank], skills: bool, fallback: float | None,
                 rules: list[Rule]) -> None:
        self._ranks = ranks
        self._skills = skills
        self._fallback = fallback
        self._rules = rules
        self._binding: dict[int, list[Rule]] = {}
        """Per agent index, the rules that bind it."""
        self._heaps: list[dict[tuple[int, int], list[Entry]]] = [{} for _ in ranks]
        self._classes: list[tuple[int, int]] = []
        self._eligible: dict[tuple[Any, ...], list[list[Entry]]] = {}
        """Per (skills, filters in force, order): the heaps of the classes allowed."""
        self._all: deque[Entry] = deque()
        """Entries of the first order, in the order they entered (for the fallback)."""
        self._order = count()

    def push(self, ticket: Ticket, now: float) -> None:
        n = next(self._order)
        stay = ticket.waiting
        bits = 0
        for rule in self._rules:
            if rule.passes(ticket):
                bits |= 1 << rule.bit
        kind = (ticket.topic if self._skills else -1, bits)
        first = self._heaps[0]
        if kind not in first:
            self._classes.append(kind)
            self._eligible.clear()
            for heaps in self._heaps:
                heaps[kind] = []
        entry = self._ranks[0](ticket, n, stay)
        heapq.heappush(first[kind], entry)
        self._all.append(entry)
        for rank, heaps in zip(self._ranks[1:], self._heaps[1:], strict=True):
            heapq.heappush(heaps[kind], rank(ticket, n, stay))

    def _oldest(self) -> Entry | None:
        entries = self._all
        while entries:
            entry = entries[0]
            if entry[-1].waiting == entry[-2]:
                return entry
            entries.popleft()
        return None

    def _bound(self, agent: Agent) -> list[Rule]:
        rules = self._binding.get(agent.index)
        if rules is None:
            rules = self._binding[agent.index] = [
                r for r in self._rules if r.agents is None or agent.index in r.agents]
        return rules

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        order, need = 0, 0
        for rule in self._bound(agent):
            if rule.windows.open(now):
                need |= 1 << rule.bit
                if rule.order and not order:
                    order = rule.order
        skills = agent.skills if self._skills else None
        signature = (skills, need, order)
        allowed = self._eligible.get(signature)
        if allowed is None:
            heaps = self._heaps[order]
            allowed = [heaps[kind] for kind in self._classes if (kind[1] & need) == need
                       and (skills is None or kind[0] in skills)]
            self._eligible[signature] = allowed
        best: Entry | None = None
        best_heap: list[Entry] = []
        for heap in allowed:
            while heap:
                head = heap[0]
                if head[-1].waiting == head[-2]:
                    if best is None or head < best:
                        best, best_heap = head, heap
                    break
                heapq.heappop(heap)
        if self._fallback is not None and skills is not None:
            oldest = self._oldest()
            if oldest is not None and oldest[-1].queued_at + self._fallback <= now:
                # the same sum as wake_at: due exactly at the wake-up time
                ticket = oldest[-1]
                entry = self._ranks[order](ticket, oldest[-3], oldest[-2])
                if best is None or entry < best:
                    return ticket  # type: ignore[no-any-return]  # its entries go stale
        if best is None:
            return None
        heapq.heappop(best_heap)
        return best[-1]  # type: ignore[no-any-return]

    def wake_at(self, now: float) -> float | None:
        """When an idle agent may take what it cannot now: a filter's hours change, or
        the oldest ticket becomes anyone's."""
        upcoming = [t for rule in self._rules for t in rule.windows.changes(now)]
        if self._fallback is not None:
            oldest = self._oldest()
            if oldest is not None:
                upcoming.append(oldest[-1].queued_at + self._fallback)
        return min(upcoming) if upcoming else None

    def __len__(self) -> int:
        return len(self._all)

    def __iter__(self) -> Iterator[Ticket]:
        return (entry[-1] for entry in self._all if entry[-1].waiting == entry[-2])


class ComposedPolicy:
    """Routing composed in YAML: keys in order, filters in front (see the module
    docstring). *Helps:* the playbook's combinations — paid first, then by topic
    importance, oldest first within; skills as a filter in front of any order — without
    writing a policy class."""

    name = "composed"

    def __init__(self, spec: Composed) -> None:
        self.spec = spec

    def _passes(self, rule: TeamFilter | EffortFilter, plan: DeskPlan
                ) -> Callable[[Ticket], bool]:
        segments = (None if not isinstance(rule, TeamFilter) or rule.segments is None
                    else {plan.segments.index(s) for s in rule.segments})
        topics = (None if not isinstance(rule, TeamFilter) or rule.topics is None
                  else {plan.topics.index(t) for t in rule.topics})
        names = [c.name for c in plan.channels]
        channels = (None if not isinstance(rule, TeamFilter) or rule.channels is None
                    else {names.index(c) for c in rule.channels})
        cap, noise = rule.max_effort, self.spec.noise

        def passes(ticket: Ticket) -> bool:
            return ((segments is None or ticket.segment in segments)
                    and (topics is None or ticket.topic in topics)
                    and (channels is None or ticket.channel in channels)
                    and (cap is None or estimate(ticket, noise) <= cap))

        return passes

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]
              ) -> KeyedQueue | FilteredQueue:
        spec = self.spec
        ranks = [ranker(spec.by, spec, plan)]
        rules: list[Rule] = []
        skills: SkillsFilter | None = None
        for item in spec.filters:
            if isinstance(item, SkillsFilter):
                skills = item
                continue
            bound = None
            if isinstance(item, TeamFilter):
                bound = {a.index for a in agents if a.team == item.team}
                if not bound:
                    continue  # nobody of the team works this tier
            order = 0
            if isinstance(item, TeamFilter) and item.by is not None:
                ranks.append(ranker(item.by, spec, plan))
                order = len(ranks) - 1
            windows = Windows(parse_shift(item.windows).intervals(plan.clock, plan.horizon))
            rules.append(Rule(len(rules), bound, windows, self._passes(item, plan), order))
        if skills is None and not rules:
            return KeyedQueue(ranks[0])
        return FilteredQueue(ranks, skills is not None,
                             None if skills is None else skills.fallback_after, rules)
