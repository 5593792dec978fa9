"""Simulation-based staffing: the fewest agents per interval of the week that meet the
targets — with routing, escalations, abandonment and time-varying load, which Erlang
formulas ignore.

1. Start from the Erlang answer per interval (Erlang A where customers have patience).
2. Simulate the whole week plan (common random numbers: the same seed every round).
3. Raise every interval that misses its target by one agent; when all meet it, try one
   agent less wherever the level is above what was shown necessary; keep the cuts that
   still meet the targets. Repeat until nothing changes.

An interval *meets its target* when, for every channel answered first at that tier, the
SLA attainment of tickets arriving in it — averaged over replications, or its one-sided
lower confidence bound with ``confidence`` above 50 % — is at least the channel's target.
A tier that never answers first (an escalation tier) is held to a mean wait in its queue
of at most ``tier_wait`` instead.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simdesk.errors import SimdeskError
from simdesk.fates.streams import new_seed
from simdesk.plan.compile import compile_plan
from simdesk.plan.diagnostics import reach
from simdesk.plan.model import DeskPlan, TierPlan
from simdesk.scenario.load import scenario_to_dict, validate_scenario
from simdesk.scenario.schema import Scenario
from simdesk.simulation import SimulationResult, simulate
from simdesk.staffing.calculator import agents_needed
from simdesk.staffing.grid import WeekGrid, arrival_rates

IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]
FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
Progress = Callable[[int, str], None]
"""Called with (simulations so far, what is being done)."""

NEIGHBOURS = 2
"""A cut is undone when an interval this close to it misses its target after the cut."""


@dataclass(frozen=True)
class TierGoal:
    """What one staffed tier must achieve."""

    tier: TierPlan
    channels: tuple[int, ...]
    """Channels answered first at this tier (their SLA targets apply)."""
    wait: float
    """For a tier answering no channel first: the most its queue may make tickets wait."""

    @property
    def name(self) -> str:
        return self.tier.name


@dataclass
class Staffing:
    """The answer: per tier, agents per interval by simulation and by Erlang."""

    scenario: Scenario
    grid: WeekGrid
    goals: list[TierGoal]
    levels: dict[str, IntArray]
    erlang: dict[str, IntArray]
    rates: dict[str, FloatArray]
    seed: int
    replications: int
    simulations: int = 0
    seconds: float = 0.0
    attainment: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Per plan ("simulated", "erlang"): the per-interval result of simulating it."""

    def table(self) -> pd.DataFrame:
        """Interval by interval: both requirements and what each achieves in simulation."""
        rows = []
        for goal in self.goals:
            for index in range(self.grid.count):
                row: dict[str, Any] = {
                    "tier": goal.name, "interval": index, "when": self.grid.label(index),
                    "arrivals_per_hour": self.rates[goal.name][index] * 60,
                    "erlang": int(self.erlang[goal.name][index]),
                    "simulated": int(self.levels[goal.name][index]),
                }
                for plan_name, frame in self.attainment.items():
                    found = frame.loc[(frame["tier"] == goal.name) & (frame["interval"] == index)]
                    row[f"{plan_name}_value"] = (float(found["value"].iloc[0]) if len(found)
                                                 else math.nan)
                    row[f"{plan_name}_met"] = bool(found["met"].iloc[0]) if len(found) else True
                rows.append(row)
        return pd.DataFrame(rows)

    def staffed(self, which: str = "simulated") -> Scenario:
        """The scenario with a plan's levels as each staffed tier's agents."""
        levels = self.levels if which == "simulated" else self.erlang
        return staffed_scenario(self.scenario, levels, self.grid)


def staffed_scenario(scenario: Scenario, levels: Mapping[str, IntArray], grid: WeekGrid
                     ) -> Scenario:
    """``scenario`` with each named tier's agents set to ``levels`` (rotations removed)."""
    data = scenario_to_dict(scenario)
    for name, level in levels.items():
        tier = data["tiers"][name]
        tier["agents"] = grid.shifts(level)
        tier.pop("rotation", None)
    return validate_scenario(data)


def goals_for(plan: DeskPlan, tiers: Sequence[str] | None, tier_wait: float) -> list[TierGoal]:
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
        goals.append(TierGoal(tier, first, tier_wait))
    return goals


def _streams(plan: DeskPlan, tier: TierPlan) -> list[tuple[Any, float]]:
    return [(s, reach(plan, s, tier.index)) for s in plan.streams if reach(plan, s, tier.index)]


def erlang_levels(plan: DeskPlan, goal: TierGoal, grid: WeekGrid) -> tuple[IntArray, FloatArray]:
    """Per interval, the Erlang answer for the tier, and the arrival rates it used."""
    streams = _streams(plan, goal.tier)
    rates = arrival_rates(plan, streams, grid)
    tier = goal.tier
    handle = (sum(share * s.expected * tier.expected_handle(s.channel, s.topic_shares,
                                                            plan.efforts)
                  for s, share in streams)
              / max(sum(share * s.expected for s, share in streams), 1e-12))
    levels = np.zeros(grid.count, dtype=np.int64)
    for index, rate in enumerate(rates):
        if rate <= 0:
            continue
        if goal.channels:
            levels[index] = max(_channel_agents(plan, channel, rate, handle)
                                for channel in goal.channels)
        else:
            levels[index] = _wait_agents(rate, handle, goal.wait)
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


def assess(result: SimulationResult, goals: Sequence[TierGoal], grid: WeekGrid,
           confidence: float) -> pd.DataFrame:
    """Per tier and interval: the judged value and whether it meets the goal."""
    plan = result.plan
    tickets = result.tickets.loc[~result.tickets["warmup"]]
    replications = result.replications
    rows = []
    for goal in goals:
        if goal.channels:
            frame = _attainment(plan, tickets, goal, grid)
        else:
            frame = _tier_waits(result, goal, grid)
        for index in range(grid.count):
            values = frame.get(index)
            judged, met = _judge(values, replications, confidence, goal)
            rows.append({"tier": goal.name, "interval": index, "value": judged, "met": met})
    return pd.DataFrame(rows)


def _attainment(plan: DeskPlan, tickets: pd.DataFrame, goal: TierGoal, grid: WeekGrid
                ) -> dict[int, list[tuple[np.ndarray, float]]]:
    """Per interval: per channel, its replications' SLA attainment and its target."""
    found: dict[int, list[tuple[np.ndarray, float]]] = {}
    names = [plan.channels[c].name for c in goal.channels]
    chosen = tickets.loc[tickets["channel"].isin(names) & tickets["sla_met"].notna()]
    intervals = grid.of(chosen["arrived"].to_numpy(), plan.clock)
    met = chosen["sla_met"].astype(float).to_numpy()
    frame = pd.DataFrame({"interval": intervals, "channel": chosen["channel"].astype(str),
                          "replication": chosen["replication"].to_numpy(), "met": met})
    means = frame.groupby(["interval", "channel", "replication"])["met"].mean()
    targets = {plan.channels[c].name: plan.channels[c].sla_target for c in goal.channels}
    for key, values in means.groupby(level=[0, 1]):
        index, channel = key  # type: ignore[misc, str-unpack]
        found.setdefault(int(index), []).append((values.to_numpy(), targets[str(channel)]))
    return found


def _tier_waits(result: SimulationResult, goal: TierGoal, grid: WeekGrid
                ) -> dict[int, list[tuple[np.ndarray, float]]]:
    """Per interval: the replications' mean wait in the tier's queue (negated, so that
    higher is better like an attainment) against the negated limit."""
    plan = result.plan
    visits = result.visits.loc[(result.visits["tier"] == goal.name)
                               & (result.visits["queued"] >= plan.warmup)]
    left = visits["start"].fillna(visits["end"]).fillna(plan.horizon)
    frame = pd.DataFrame({"interval": grid.of(visits["queued"].to_numpy(), plan.clock),
                          "replication": visits["replication"].to_numpy(),
                          "wait": -(left - visits["queued"]).to_numpy()})
    means = frame.groupby(["interval", "replication"])["wait"].mean()
    return {int(str(index)): [(values.to_numpy(), -goal.wait)]
            for index, values in means.groupby(level=0)}


def _judge(values: list[tuple[np.ndarray, float]] | None, replications: int,
           confidence: float, goal: TierGoal) -> tuple[float, bool]:
    if not values:
        return math.nan, True
    judged_all, met_all = [], True
    for samples, target in values:
        mean = float(np.mean(samples))
        if confidence > 0.5 and len(samples) > 1:
            spread = float(np.std(samples, ddof=1)) / math.sqrt(len(samples))
            mean -= float(stats.t.ppf(confidence, len(samples) - 1)) * spread
        judged_all.append(mean)
        met_all &= mean >= target - 1e-12
    worst = min(judged_all)
    return (-worst if not goal.channels else worst), met_all


def staff(scenario: Scenario, *, tiers: Sequence[str] | None = None, interval: int = 60,
          seed: int | None = None, replications: int = 10, confidence: float = 0.5,
          tier_wait: float = 60.0, workers: int = 1, max_rounds: int = 40,
          progress: Progress | None = None) -> Staffing:
    """Find, per interval of the week and per tier, the fewest agents meeting the targets."""
    started = time.perf_counter()
    grid = WeekGrid(interval)
    plan = compile_plan(scenario)
    goals = goals_for(plan, tiers, tier_wait)
    seed = seed if seed is not None else scenario.seed if scenario.seed is not None else (
        new_seed())
    erlang, rates = {}, {}
    for goal in goals:
        erlang[goal.name], rates[goal.name] = erlang_levels(plan, goal, grid)
    answer = Staffing(scenario, grid, goals, {k: v.copy() for k, v in erlang.items()},
                      erlang, rates, seed, replications)

    def run(levels: Mapping[str, IntArray], what: str) -> pd.DataFrame:
        answer.simulations += 1
        if progress is not None:
            progress(answer.simulations, what)
        staffed = staffed_scenario(scenario, levels, grid)
        result = simulate(staffed, seed=seed, replications=replications, workers=workers)
        return assess(result, goals, grid, confidence)

    floor = {goal.name: np.zeros(grid.count, dtype=np.int64) for goal in goals}
    levels = answer.levels
    for _ in range(max_rounds):
        verdict = run(levels, "checking the plan")
        missed = _by_tier(verdict, goals, grid, met=False)
        if any(m.any() for m in missed.values()):
            for name, miss in missed.items():
                floor[name][miss] = np.maximum(floor[name][miss], levels[name][miss] + 1)
                levels[name][miss] += 1
            continue
        cut = {name: levels[name] > floor[name] for name in levels}
        if not any(c.any() for c in cut.values()):
            break
        trial = {name: levels[name] - cut[name] for name in levels}
        after = _by_tier(run(trial, "trying fewer agents"), goals, grid, met=False)
        for name in levels:
            failed = after[name]
            own = failed & cut[name]
            floor[name][own] = levels[name][own]  # one fewer was not enough
            undo = cut[name] & _near(failed, NEIGHBOURS)
            floor[name][undo] = levels[name][undo]  # kept: cutting them hurt a neighbour
            levels[name] = np.where(undo, levels[name], trial[name])
    else:
        raise SimdeskError(f"no stable staffing after {max_rounds} simulations; try a "
                           "longer horizon or more replications")
    answer.attainment["simulated"] = verdict
    answer.attainment["erlang"] = run(erlang, "simulating the Erlang plan")
    answer.seconds = time.perf_counter() - started
    return answer


def _by_tier(verdict: pd.DataFrame, goals: Sequence[TierGoal], grid: WeekGrid, *, met: bool
             ) -> dict[str, np.ndarray]:
    found = {}
    for goal in goals:
        rows = verdict.loc[verdict["tier"] == goal.name].sort_values("interval")
        flags = rows["met"].to_numpy(dtype=bool)
        found[goal.name] = flags if met else ~flags
    return found


def _near(flags: np.ndarray, distance: int) -> np.ndarray:
    """Intervals within ``distance`` of a flagged one (the week wraps around)."""
    near = flags.copy()
    for shift in range(1, distance + 1):
        near |= np.roll(flags, shift) | np.roll(flags, -shift)
    return near
