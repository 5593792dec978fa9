"""``staff --goal cost``: the agent counts with the lowest total cost.

Total cost = staff cost + cost of the customers lost − value of conversions
(:mod:`simdesk.metrics.money`); it needs a ``money:`` section, and an ``outcomes:``
section for waits to cost anything. The unknowns are the ``count`` of each shift group
of the staffed tiers. Every candidate is simulated with the same seed and replications
(common random numbers), so two candidates differ only by their staffing and the
difference of their costs is measured paired, per replication.

Search: coordinate descent from today's counts. For each group in turn, step one agent
down while the mean total falls, else one up while it falls; repeat the round until no
group moves. Each candidate is simulated once (memoised). On a one-tier desk this is a
walk to the minimum along one axis; :func:`exhaustive` checks it against every count.

Then, for a stable answer, the search *settles*: for each group, while the paired change
of total cost from one agent less to the current count has a 95 % CI that reaches zero
or above (that agent does not clearly pay for itself), it steps one agent down. So an
extra agent is kept only when it clearly pays, and noise between two near-equal counts
never decides the answer; the answer is the fewest agents no clearly dearer than the
cheapest mean.

The answer lists, along each group's axis around the best count, the staff cost, the
cost of customers lost and the total, and for each extra agent the paired difference of
total cost with its 95 % CI: where that difference turns positive, extra staff stop
paying for themselves.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.fates.streams import new_seed
from simdesk.metrics.stats import ConfidenceInterval, paired_interval
from simdesk.scenario.load import scenario_to_dict, validate_scenario
from simdesk.scenario.schema import Scenario

Counts = tuple[int, ...]
Group = tuple[str, int]
"""(tier, index of the shift group in the tier's ``agents`` list)."""
COSTS = ("staff_cost", "churn_cost", "conversion_value", "total_cost")
MOST_STEPS = 200
"""Most candidates one search may simulate."""


@dataclass(frozen=True)
class Candidate:
    """One staffing and its costs per replication."""

    counts: Counts
    costs: pd.DataFrame
    """``replication`` × :data:`COSTS`."""

    def mean(self, metric: str = "total_cost") -> float:
        return float(self.costs[metric].mean())


@dataclass
class CostStaffing:
    """The answer of a cost search."""

    scenario: Scenario
    groups: list[Group]
    labels: list[str]
    today: Counts
    best: Counts
    seed: int
    replications: int
    tried: dict[Counts, Candidate] = field(default_factory=dict)

    @property
    def best_candidate(self) -> Candidate:
        return self.tried[self.best]

    def staffed(self, counts: Counts | None = None) -> Scenario:
        """The scenario with ``counts`` (default: the best)."""
        return with_counts(self.scenario, self.groups, counts or self.best)

    def margins(self, group: int) -> pd.DataFrame:
        """Along one group's axis (others at their best), every tried count with its mean
        costs and the paired change of total cost from one agent less: ``count,
        staff_cost, churn_cost, conversion_value, total_cost, change, change_low,
        change_high``."""
        line = sorted((c for c in self.tried if all(
            c[i] == self.best[i] for i in range(len(c)) if i != group)),
            key=lambda c: c[group])
        rows: list[dict[str, Any]] = []
        for position, counts in enumerate(line):
            candidate = self.tried[counts]
            row: dict[str, Any] = {"count": counts[group],
                                   **{m: candidate.mean(m) for m in COSTS}}
            before = line[position - 1] if position else None
            change = (ConfidenceInterval(math.nan, math.nan, math.nan, 0)
                      if before is None or before[group] != counts[group] - 1
                      else paired_interval(candidate.costs["total_cost"].to_numpy(),
                                           self.tried[before].costs["total_cost"].to_numpy()))
            row.update(change=change.mean, change_low=change.low, change_high=change.high)
            rows.append(row)
        return pd.DataFrame(rows)


def staffed_groups(scenario: Scenario, tiers: Sequence[str] | None = None) -> list[Group]:
    """The shift groups whose counts the search varies: every group of ``tiers`` (default:
    every tier that has shift groups)."""
    names = list(tiers) if tiers else [n for n, t in scenario.tiers.items() if t.agents]
    groups = []
    for name in names:
        if name not in scenario.tiers:
            raise SimdeskError(f"--tiers: unknown tier {name!r}; known: "
                               f"{', '.join(scenario.tiers)}")
        tier = scenario.tiers[name]
        if not tier.agents:
            raise SimdeskError(f"--tiers: tier {name} has no shift groups (agents:) to vary")
        groups += [(name, index) for index in range(len(tier.agents))]
    if not groups:
        raise SimdeskError("no tier has shift groups (agents:) whose counts could vary; "
                           "staff --goal cost varies the count of each shift group")
    return groups


def group_label(scenario: Scenario, group: Group) -> str:
    """``L1`` for a tier's only group, else ``L1 daily 07:00-15:00 (evening)``."""
    tier, index = group
    agents = scenario.tiers[tier].agents
    if len(agents) == 1:
        return tier
    team = f" ({agents[index].team})" if agents[index].team else ""
    return f"{tier} {agents[index].shift}{team}"


def with_counts(scenario: Scenario, groups: Sequence[Group], counts: Counts) -> Scenario:
    """``scenario`` with each group's ``count`` replaced."""
    data = scenario_to_dict(scenario)
    for (tier, index), count in zip(groups, counts, strict=True):
        agents = data["tiers"][tier]["agents"]
        if isinstance(agents, int):
            data["tiers"][tier]["agents"] = count
        else:
            agents[index]["count"] = count
    return validate_scenario(data)


def today_counts(scenario: Scenario, groups: Sequence[Group]) -> Counts:
    return tuple(scenario.tiers[tier].agents[index].count for tier, index in groups)


def _feasible(groups: Sequence[Group], counts: Counts) -> bool:
    """No negative count, and every varied tier keeps at least one agent."""
    if min(counts) < 0:
        return False
    tiers: dict[str, int] = {}
    for (tier, _), count in zip(groups, counts, strict=True):
        tiers[tier] = tiers.get(tier, 0) + count
    return all(total > 0 for total in tiers.values())


Evaluate = Callable[[Counts], Candidate]


def simulator(scenario: Scenario, groups: Sequence[Group], seed: int, replications: int,
              workers: int = 1) -> Evaluate:
    """Simulate a staffing on the common seed and return its costs per replication."""
    from simdesk.engine.compiled import searching
    from simdesk.simulation import simulate

    def evaluate(counts: Counts) -> Candidate:
        with searching():  # the compiled loop where it applies, whatever the run's size
            result = simulate(with_counts(scenario, groups, counts), seed=seed,
                              replications=replications, workers=workers)
        metrics = result.metrics
        rows = metrics[(metrics["scope"] == "overall") & metrics["metric"].isin(COSTS)]
        costs = rows.pivot(index="replication", columns="metric", values="value")
        return Candidate(counts, costs[list(COSTS)].reset_index())

    return evaluate


def descend(start: Counts, groups: Sequence[Group], evaluate: Evaluate,
            tried: dict[Counts, Candidate],
            progress: Callable[[int], None] | None = None) -> Counts:
    """Coordinate descent on the mean total cost from ``start`` (see the module)."""

    def cost(counts: Counts) -> float:
        if counts not in tried:
            if len(tried) >= MOST_STEPS:
                raise SimdeskError(f"the cost search tried {MOST_STEPS} staffings without "
                                   "settling; start nearer (edit the counts) or vary fewer "
                                   "tiers (--tiers)")
            tried[counts] = evaluate(counts)
            if progress is not None:
                progress(len(tried))
        return tried[counts].mean()

    best = start
    cost(best)
    moved = True
    while moved:
        moved = False
        for axis in range(len(groups)):
            for step in (-1, 1):
                while True:
                    nxt = tuple(c + (step if i == axis else 0) for i, c in enumerate(best))
                    if not _feasible(groups, nxt) or cost(nxt) >= cost(best):
                        break
                    best, moved = nxt, True
            for step in (-1, 1):  # the neighbours, for the margins table
                nxt = tuple(c + (step if i == axis else 0) for i, c in enumerate(best))
                if _feasible(groups, nxt):
                    cost(nxt)
    return best


def pays(more: Candidate, fewer: Candidate) -> bool:
    """One more agent (``fewer`` → ``more``) clearly lowers the total cost: the paired
    change's 95 % CI is below zero."""
    change = paired_interval(more.costs["total_cost"].to_numpy(),
                             fewer.costs["total_cost"].to_numpy())
    return bool(change.high < 0)


def settle(best: Counts, groups: Sequence[Group], evaluate: Evaluate,
           tried: dict[Counts, Candidate]) -> Counts:
    """Step agents down from ``best`` while the last one does not clearly pay (see the
    module); every candidate is simulated once (memoised in ``tried``)."""
    moved = True
    while moved:
        moved = False
        for axis in range(len(groups)):
            while True:
                fewer = tuple(c - (1 if i == axis else 0) for i, c in enumerate(best))
                if not _feasible(groups, fewer):
                    break
                if fewer not in tried:
                    tried[fewer] = evaluate(fewer)
                if pays(tried[best], tried[fewer]):
                    break
                best, moved = fewer, True
    return best


def cost_staffing(scenario: Scenario, *, tiers: Sequence[str] | None = None,
                  seed: int | None = None, replications: int = 10, workers: int = 1,
                  progress: Callable[[int], None] | None = None) -> CostStaffing:
    """The shift-group counts with the lowest mean total cost (see the module)."""
    if scenario.money is None:
        raise SimdeskError("staff --goal cost needs a money: section (agent_hour, and "
                           "customers' values with an outcomes: section); see "
                           "docs/outcomes.md")
    groups = staffed_groups(scenario, tiers)
    seed = seed if seed is not None else scenario.seed if scenario.seed is not None \
        else new_seed()
    today = today_counts(scenario, groups)
    answer = CostStaffing(scenario, groups, [group_label(scenario, g) for g in groups],
                          today, today, seed, replications)
    evaluate = simulator(scenario, groups, seed, replications, workers)
    cheapest = descend(today, groups, evaluate, answer.tried, progress)
    answer.best = settle(cheapest, groups, evaluate, answer.tried)
    if today not in answer.tried:
        answer.tried[today] = evaluate(today)
    return answer


def exhaustive(counts: Sequence[int], evaluate: Evaluate) -> int:
    """Among ``counts`` (one group, consecutive), the fewest agents at or below the
    lowest mean total cost such that each agent up to the cheapest clearly pays — the
    search's answer, found by simulating every count."""
    tried = {n: evaluate((n,)) for n in counts}
    best = min(tried, key=lambda n: (tried[n].mean(), n))
    while best - 1 in tried and not pays(tried[best], tried[best - 1]):
        best -= 1
    return best


def margins_frame(answer: CostStaffing) -> pd.DataFrame:
    """Every group's margins table, with a leading ``group`` column (``cost.csv``)."""
    frames = []
    for axis, label in enumerate(answer.labels):
        frame = answer.margins(axis)
        frame.insert(0, "group", label)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


__all__ = ["Candidate", "CostStaffing", "cost_staffing", "descend", "exhaustive",
           "group_label", "margins_frame", "pays", "settle", "simulator", "staffed_groups",
           "with_counts"]
