"""Simulation-based staffing: the fewest agents per interval of the week that meet the
targets — with routing, escalations, abandonment and time-varying load, which Erlang
formulas ignore.

Goal ``interval`` (the WFM convention): every interval meets its target.

1. Per staffed tier, the intervals are pooled where the scenario makes them identical
   and idle intervals (no counted work) get no agents (:mod:`simdesk.staffing.demand`).
2. Start from Erlang's answer per pool (Erlang A where customers have patience).
3. Simulate the whole week on common random numbers; a pool's verdict is taken only
   when its 95 % interval is clear of the target, adding replications where it is not
   (:mod:`simdesk.staffing.runner`). Raise every missed pool by one agent; repeat.
4. When all are met, try one agent less in every pool of one colour — pools of a colour
   never border each other, so a failure is traced to the cut that caused it (in the
   pool itself or a bordering one) — and keep the harmless cuts. When a whole round of
   colours keeps no cut, every pool has been shown to need its last agent against the
   final plan: the plan is *locally minimal*.

Goal ``channel`` (the ``run`` verdict) starts from that plan and removes agents where
the targets have the most room, in batches, while every channel's whole-horizon SLA
(lower end of its 95 % CI) and every ``expect:`` still hold (:mod:`simdesk.staffing.channel`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.fates.streams import new_seed
from simdesk.plan.compile import compile_plan
from simdesk.plan.diagnostics import reach
from simdesk.plan.model import DeskPlan, TierPlan
from simdesk.scenario.schema import Scenario
from simdesk.staffing.calculator import agents_needed
from simdesk.staffing.demand import demand_for
from simdesk.staffing.grid import WeekGrid, arrival_rates
from simdesk.staffing.judge import Goal, PoolVerdict, Verdict, binding
from simdesk.staffing.runner import Evaluation, Progress, Runner
from simdesk.staffing.seats import staffed_scenario
from simdesk.staffing.today import Today, today_for

IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]
FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]

GOALS = ("interval", "channel")


@dataclass
class Staffing:
    """The answer: per tier, agents per interval by simulation and by Erlang."""

    scenario: Scenario
    grid: WeekGrid
    goals: list[Goal]
    levels: dict[str, IntArray]
    """Goal ``interval``: per tier, agents per interval."""
    erlang: dict[str, IntArray]
    rates: dict[str, FloatArray]
    seed: int
    replications: int
    """Replications each simulation starts with."""
    most: int = 0
    """The most replications a simulation may grow to."""
    simulations: int = 0
    replications_run: int = 0
    seconds: float = 0.0
    minimal: bool = False
    """Every pool was shown to need its last agent against the final plan."""
    final: Evaluation | None = None
    first: Evaluation | None = None
    """The Erlang plan, simulated."""
    decided_at: dict[str, np.ndarray] = field(default_factory=dict)
    """Per tier, per pool: replications the decisions on its level needed."""
    undecided: int = 0
    today: Today | None = None
    channel_levels: dict[str, IntArray] | None = None
    """Goal ``channel``: per tier, agents per interval (None: not searched)."""
    channel_result: Any = None
    channel_note: str = ""

    def table(self) -> pd.DataFrame:
        """Interval by interval: requirement by simulation and Erlang, verdicts, binding
        channel, and the pool each interval belongs to."""
        rows = []
        for goal in self.goals:
            demand = goal.demand
            for index in range(self.grid.count):
                pool = int(demand.classes[index])
                row: dict[str, Any] = {
                    "tier": goal.tier, "interval": index, "when": self.grid.label(index),
                    "pool": pool, "counted_per_hour": float(demand.rate[index] * 60),
                    "arrivals_per_hour": self.rates[goal.tier][index] * 60,
                    "erlang": int(self.erlang[goal.tier][index]),
                    "simulated": int(self.levels[goal.tier][index]),
                }
                if self.channel_levels is not None:
                    row["channel_goal"] = int(self.channel_levels[goal.tier][index])
                for name, evaluation in (("simulated", self.final), ("erlang", self.first)):
                    found = (evaluation.verdicts[goal.tier][pool] if evaluation is not None
                             else {})
                    worst = _worst(found)
                    row[f"{name}_value"] = worst.mean if worst is not None else math.nan
                    state = (Verdict.MET if evaluation is None
                             else evaluation.state(goal.tier, pool))
                    row[f"{name}_met"] = state is Verdict.MET or (
                        state is Verdict.UNDECIDED and evaluation is not None
                        and _on_average(evaluation, goal.tier, pool))
                    row[f"{name}_decided"] = state is not Verdict.UNDECIDED
                final = self.final.verdicts[goal.tier][pool] if self.final is not None else {}
                row["binding"] = binding(final)
                row["replications"] = int(self.decided_at.get(goal.tier, np.zeros(0))[pool]
                                          if goal.tier in self.decided_at else 0)
                rows.append(row)
        return pd.DataFrame(rows)

    def staffed(self, which: str = "simulated") -> Scenario:
        """The scenario with a plan's levels ("simulated", "channel" or "erlang")."""
        levels = {"simulated": self.levels, "erlang": self.erlang,
                  "channel": self.channel_levels or self.levels}[which]
        return staffed_scenario(self.scenario, levels, self.grid)

    def agent_hours(self, which: str = "simulated") -> dict[str, float]:
        levels = {"simulated": self.levels, "erlang": self.erlang,
                  "channel": self.channel_levels or self.levels}[which]
        return {name: float(level.sum()) * self.grid.minutes / 60
                for name, level in levels.items()}


def _worst(channels: Mapping[str, PoolVerdict]) -> PoolVerdict | None:
    if not channels:
        return None
    return min(channels.values(), key=lambda v: v.mean - v.target)


def goals_for(plan: DeskPlan, tiers: Sequence[str] | None, tier_wait: float, grid: WeekGrid
              ) -> list[Goal]:
    """The tiers to staff (default: those answering first) and what each must achieve."""
    names = [t.name for t in plan.tiers]
    chosen = list(tiers) if tiers else [
        t.name for t in plan.tiers if any(c.chain[0] == t.index for c in plan.channels)]
    for name in chosen:
        if name not in names:
            raise SimdeskError(f"--tiers: unknown tier {name!r}; the tiers are "
                               f"{', '.join(names)}")
    goals = []
    for name in chosen:
        tier = plan.tiers[names.index(name)]
        first = tuple(c.index for c in plan.channels
                      if c.chain[0] == tier.index and not math.isnan(c.sla_target))
        demand = demand_for(plan, tier, first, grid)
        targets = tuple(plan.channels[c].sla_target for c in first)
        goals.append(Goal(name, tier.index, demand, None if first else tier_wait, targets))
    return goals


def _streams(plan: DeskPlan, tier: TierPlan) -> list[tuple[Any, float]]:
    return [(s, reach(plan, s, tier.index)) for s in plan.streams if reach(plan, s, tier.index)]


def erlang_levels(plan: DeskPlan, goal: Goal, grid: WeekGrid) -> tuple[IntArray, FloatArray]:
    """Per interval, the Erlang answer for the tier, and the arrival rates it used."""
    tier = plan.tiers[goal.tier_index]
    streams = _streams(plan, tier)
    rates = arrival_rates(plan, streams, grid)
    handle = (sum(share * s.expected * tier.expected_handle(s.channel, s.topic_shares,
                                                            plan.efforts)
                  for s, share in streams)
              / max(sum(share * s.expected for s, share in streams), 1e-12))
    levels = np.zeros(grid.count, dtype=np.int64)
    known: dict[float, int] = {}  # intervals of equal rate (most of a week) asked once
    for index, rate in enumerate(rates):
        if rate <= 0:
            continue
        if float(rate) not in known:
            known[float(rate)] = (
                max(_channel_agents(plan, channel, rate, handle)
                    for channel in goal.demand.channels)
                if goal.wait is None else _wait_agents(rate, handle, goal.wait))
        levels[index] = known[float(rate)]
    return levels, rates


def _channel_agents(plan: DeskPlan, channel: int, rate: float, handle: float) -> int:
    spec = plan.channels[channel]
    patience = spec.patience.expected if spec.patience is not None else None
    return agents_needed(rate, handle, spec.sla_within, spec.sla_target, patience).agents


def _wait_agents(rate: float, handle: float, wait: float) -> int:
    from simdesk.analytic import erlang_c

    agents = max(1, math.ceil(rate * handle))
    while erlang_c(rate, handle, agents).asa > wait:
        agents += 1
    return agents


def _borders(goal: Goal) -> list[set[int]]:
    """Per pool, the other pools with an interval next to one of its own."""
    classes = goal.demand.classes
    count = len(classes)
    found: list[set[int]] = [set() for _ in range(goal.demand.pools)]
    for index in range(count):
        for other in ((index - 1) % count, (index + 1) % count):
            a, b = int(classes[index]), int(classes[other])
            if a != b:
                found[a].add(b)
    return found


def _colours(borders: list[set[int]]) -> np.ndarray:
    """A greedy colouring: bordering pools never share a colour."""
    colour = np.full(len(borders), -1, dtype=np.int64)
    for pool in range(len(borders)):
        taken = {int(colour[b]) for b in borders[pool] if colour[b] >= 0}
        colour[pool] = next(c for c in range(len(borders) + 1) if c not in taken)
    return colour


def staff(scenario: Scenario, *, tiers: Sequence[str] | None = None, interval: int = 60,
          seed: int | None = None, replications: int = 5, most: int = 20,
          tier_wait: float = 60.0, workers: int = 0, max_rounds: int = 12,
          goal: str = "interval", compare_today: bool = True,
          progress: Progress | None = None) -> Staffing:
    """Find, per interval of the week and per tier, the fewest agents meeting the targets
    (``goal="interval"``), and with ``goal="channel"`` also the fewest agent-hours meeting
    the whole-horizon channel targets and ``expect:``."""
    if goal not in GOALS:
        raise SimdeskError(f"--goal: unknown goal {goal!r}; choose interval or channel")
    started = time.perf_counter()
    grid = WeekGrid(interval)
    plan = compile_plan(scenario)
    goals = goals_for(plan, tiers, tier_wait, grid)
    seed = seed if seed is not None else scenario.seed if scenario.seed is not None else (
        new_seed())
    runner = Runner(scenario, plan, grid, goals, seed, max(2, replications),
                    max(most, replications), workers, progress)
    erlang, rates = {}, {}
    for tier_goal in goals:
        erlang[tier_goal.tier], rates[tier_goal.tier] = erlang_levels(plan, tier_goal, grid)
    answer = Staffing(scenario, grid, goals, {}, erlang, rates, seed, runner.start, runner.most)
    pools = _search(runner, goals, erlang, answer, max_rounds)
    answer.levels = {g.tier: pools[g.tier][g.demand.classes] for g in goals}
    if compare_today:
        answer.today = today_for(runner, plan)
    if goal == "channel":
        from simdesk.staffing.channel import channel_goal

        channel_goal(runner, answer, pools)
    answer.simulations = runner.simulations
    answer.replications_run = runner.replications_run
    answer.undecided = len(runner.undecided)
    answer.seconds = time.perf_counter() - started
    return answer


def _search(runner: Runner, goals: Sequence[Goal], erlang: Mapping[str, IntArray],
            answer: Staffing, max_rounds: int) -> dict[str, IntArray]:
    """The interval goal, over pools: up until all are met, then cuts by colour."""
    level: dict[str, IntArray] = {}
    low: dict[str, IntArray] = {}  # the highest level shown to miss (−1: none)
    live: dict[str, np.ndarray] = {}
    borders = {g.tier: _borders(g) for g in goals}
    colours = {g.tier: _colours(borders[g.tier]) for g in goals}
    decided: dict[str, np.ndarray] = {}
    for g in goals:
        demand = g.demand
        live[g.tier] = np.array([not demand.idle[demand.members(p)].all()
                                 for p in range(demand.pools)], dtype=bool)
        start = np.array([int(erlang[g.tier][demand.members(p)].max(initial=0))
                          for p in range(demand.pools)], dtype=np.int64)
        level[g.tier] = np.where(live[g.tier], np.maximum(start, 1), 0)
        low[g.tier] = np.where(live[g.tier], -1, 0).astype(np.int64)
        decided[g.tier] = np.zeros(demand.pools, dtype=np.int64)

    def by_interval(pools: Mapping[str, IntArray]) -> dict[str, IntArray]:
        return {g.tier: pools[g.tier][g.demand.classes] for g in goals}

    for _ in range(max_rounds):
        evaluation = runner.evaluate(by_interval(level), "checking the plan")
        if answer.first is None:
            answer.first = evaluation
        raised = False
        for g in goals:
            for pool in np.flatnonzero(live[g.tier]):
                state = evaluation.state(g.tier, int(pool))
                if state is Verdict.UNDECIDED and _on_average(evaluation, g.tier, int(pool)):
                    state = Verdict.MET  # undecided at the most replications, met on average
                if state is not Verdict.MET:
                    low[g.tier][pool] = max(low[g.tier][pool], level[g.tier][pool])
                    level[g.tier][pool] += 1
                    for other in borders[g.tier][pool]:  # its neighbours' proofs are stale
                        low[g.tier][other] = -1 if live[g.tier][other] else 0
                    raised = True
                else:
                    decided[g.tier][pool] = evaluation.needed(g, int(pool), runner.start)
        if raised:
            continue
        answer.final = evaluation
        kept = False
        for colour in range(max(int(c.max(initial=0)) for c in colours.values()) + 1):
            cut = {g.tier: live[g.tier] & (colours[g.tier] == colour)
                   & (level[g.tier] - 1 > low[g.tier]) & (level[g.tier] > 0) for g in goals}
            if not any(c.any() for c in cut.values()):
                continue
            needed = {g.tier: cut[g.tier] | _near(cut[g.tier], borders[g.tier]) for g in goals}
            trial = {name: level[name] - cut[name] for name in level}
            after = runner.evaluate(by_interval(trial), "trying one agent less", needed,
                                    lean=True)
            for g in goals:
                failed = np.array([after.state(g.tier, p) is Verdict.MISSED or (
                    after.state(g.tier, p) is Verdict.UNDECIDED
                    and not _on_average(after, g.tier, p)) for p in range(g.demand.pools)],
                    dtype=bool)
                for pool in np.flatnonzero(cut[g.tier]):
                    hurt = failed[pool] or any(failed[b] for b in borders[g.tier][pool])
                    if hurt:
                        low[g.tier][pool] = level[g.tier][pool] - 1
                        decided[g.tier][pool] = max(decided[g.tier][pool],
                                                    after.needed(g, int(pool), runner.start))
                    else:
                        level[g.tier][pool] -= 1
                        kept = True
        if not kept:
            answer.minimal = True
            break
    answer.decided_at = decided
    if not answer.minimal:  # out of rounds: report what the final plan itself achieves
        answer.final = runner.evaluate(by_interval(level), "checking the final plan")
    return level


def _on_average(evaluation: Evaluation, tier: str, pool: int) -> bool:
    """Every judged channel of the pool meets its target on average."""
    return all(v.mean >= v.target for v in evaluation.verdicts[tier][pool].values())


def _near(mask: np.ndarray, borders: list[set[int]]) -> np.ndarray:
    near = np.zeros_like(mask)
    for pool in np.flatnonzero(mask):
        for other in borders[pool]:
            near[other] = True
    return near
