"""Simulating staffing plans on common random numbers, adding replications only while a
verdict that matters is undecided.

Every plan runs with the same root seed, so replication ``r`` of every plan sees the
same tickets. A plan starts with ``start`` replications; while a pool the caller needs
is undecided, the run is extended (doubling, replications ``R … 2R − 1``, the same
tickets as any other plan's) up to ``most``. What is still undecided then is reported
as such and the caller keeps the safe side.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
import pandas as pd

from simdesk.engine import compiled
from simdesk.fates.tickets import draw_tickets
from simdesk.metrics.stats import t_quantile
from simdesk.plan.model import DeskPlan
from simdesk.plan.prepare import Prepared, prepare
from simdesk.scenario.schema import Scenario
from simdesk.simulation import SLA_TICKETS, TABLES, SimulationResult, auto_workers, simulate
from simdesk.staffing.draws import TicketDraws
from simdesk.staffing.grid import WeekGrid
from simdesk.staffing.judge import (
    Goal,
    PoolVerdict,
    Verdict,
    batches_per_replication,
    judge,
    needed_replications,
    per_replication,
    pool_verdict,
)
from simdesk.staffing.seats import staffed_scenario

IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]
Progress = Callable[[int, str], None]
"""Called with (simulations so far, what is being done)."""


@dataclass(frozen=True)
class Evaluation:
    """One plan simulated: per tier, per pool, the verdicts."""

    levels: dict[str, IntArray]
    """Per tier, agents per interval."""
    parts: tuple[SimulationResult, ...]
    """The run and its extensions, in order (joined in :attr:`result`)."""
    verdicts: dict[str, list[dict[str, PoolVerdict]]]
    values: dict[str, dict[str, np.ndarray]]
    """Per tier, per judged channel: (replications × batches) × pools values."""
    batches: Mapping[str, int] = field(default_factory=dict)
    """Per tier, samples per replication (weeks, or 1)."""
    steps: tuple[int, ...] = ()
    """The replications the run grew through before its last size."""
    rerun: Callable[[], SimulationResult] | None = None
    """For a lean run (its parts hold only the tables the verdicts read): simulates it
    again with every table."""

    @cached_property
    def result(self) -> SimulationResult:
        """The whole run: its parts joined on first use (a search reads few); a lean
        run simulated again, the same replications on the same tickets."""
        return self.rerun() if self.rerun is not None else joined(self.parts)

    @property
    def replications(self) -> int:
        return sum(part.replications for part in self.parts)

    def needed(self, goal: Goal, pool: int, start: int) -> int:
        """Replications this pool's verdict needed (see :func:`needed_replications`)."""
        return needed_replications(self.values[goal.tier], pool, goal, self.parts[0].plan, start,
                                   self.batches.get(goal.tier, 1), self.steps)

    def state(self, tier: str, pool: int) -> Verdict:
        channels = self.verdicts[tier][pool]
        return pool_verdict(channels) if channels else Verdict.MET


def joined(parts: Sequence[SimulationResult]) -> SimulationResult:
    """The first of ``parts`` followed by the replications of the others (the same plan
    and seed, consecutive replications)."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    replications = sum(part.replications for part in parts)

    def all_(name: str) -> pd.DataFrame:
        tables: list[pd.DataFrame] = [getattr(part, name) for part in parts]
        return pd.concat(tables, ignore_index=True)

    return dataclasses.replace(
        first, replications=replications,
        scenario=first.scenario.model_copy(update={"replications": replications}),
        tickets=all_("tickets"), visits=all_("visits"), duty=all_("duty"),
        replies=all_("replies"), queue_area=all_("queue_area"), actions=all_("actions"),
        fixes=all_("fixes"))


def extend(result: SimulationResult, more: SimulationResult) -> SimulationResult:
    """``result`` followed by the replications of ``more`` (the same plan and seed)."""
    return joined([result, more])


@dataclass
class Runner:
    """Simulates plans of one scenario and counts what it spent."""

    scenario: Scenario
    plan: DeskPlan
    grid: WeekGrid
    goals: Sequence[Goal]
    seed: int
    start: int
    most: int
    workers: int = 0
    """Processes per simulation (0: by expected work)."""
    progress: Progress | None = None
    simulations: int = 0
    replications_run: int = 0
    undecided: set[tuple[str, int]] = field(default_factory=set)
    """(tier, pool) verdicts still undecided at ``most`` replications."""
    batches: dict[str, int] = field(default_factory=dict)
    """Per tier, samples of each pool per replication (see
    :func:`~simdesk.staffing.judge.batches_per_replication`)."""
    in_process: bool | None = None
    """With ``workers`` 0: whether the simulations run in this process (``None``: not
    known before the first)."""
    draws: TicketDraws = field(default_factory=TicketDraws)
    """Each replication's tickets, drawn once for every plan simulated in this process."""

    def __post_init__(self) -> None:
        self.batches = {goal.tier: batches_per_replication(self.plan, goal)
                        for goal in self.goals}

    def simulate(self, scenario: Prepared | Scenario, replications: int, first: int = 0,
                 tables: Collection[str] | None = TABLES) -> SimulationResult:
        """Replications ``first …`` of ``scenario``, on the compiled loop where it applies
        (:func:`~simdesk.engine.compiled.searching`).

        With ``workers`` 0, the search's first replication runs in this process; if the
        compiled loop ran it, so do all others (a replication then costs tens of
        milliseconds: worker processes would cost more CPU than they save, and little
        wall time), else they take workers by the work of the largest run the search may
        make (its extensions are as big). ``tables``: those to build (default all;
        ``None``: :attr:`lean` where the search runs in this process, else all).
        """
        self.replications_run += replications
        if self.in_process is None and not self.workers:
            before = compiled.runs()
            probe = self._simulate(scenario, 1, first, 1, tables or TABLES)
            self.in_process = compiled.runs() > before
            if replications == 1:
                return probe
            return joined([probe, self._simulate(scenario, replications - 1, first + 1,
                                                 self._workers(replications - 1),
                                                 self._tables(tables))])
        return self._simulate(scenario, replications, first, self._workers(replications),
                              self._tables(tables))

    def _tables(self, tables: Collection[str] | None) -> Collection[str]:
        if tables is not None:
            return tables
        return self.lean if self.in_process else TABLES

    def _workers(self, replications: int) -> int:
        if self.workers or self.in_process:
            return self.workers or 1
        return min(auto_workers(self.plan, self.most), replications)

    def _simulate(self, scenario: Prepared | Scenario, replications: int, first: int,
                  workers: int, tables: Collection[str] = TABLES) -> SimulationResult:
        with compiled.searching():
            return simulate(scenario, seed=self.seed, replications=replications,
                            workers=workers, first=first,
                            draw=self.draws if workers <= 1 else draw_tickets,
                            tables=tables)

    @property
    def lean(self) -> tuple[str, ...]:
        """The tables the verdicts read: the tickets' SLA columns, and visits for a tier
        judged on its queue's wait."""
        return ((SLA_TICKETS, "visits") if any(g.wait is not None for g in self.goals)
                else (SLA_TICKETS,))  # not even queue_area

    def evaluate(self, levels: Mapping[str, IntArray], what: str,
                 needed: Mapping[str, np.ndarray] | None = None, lean: bool = False
                 ) -> Evaluation:
        """Simulate ``levels``; extend while a pool in ``needed`` (per tier, a mask
        over pools; default all) is undecided.

        The run builds only the tables the verdicts read (:attr:`lean`) if ``lean`` (a
        plan the answer never shows), or if the search runs in this process: there a
        replication costs milliseconds, and the one plan the answer shows is simulated
        again with every table when its :attr:`Evaluation.result` is read, rather than
        every checked plan tabulated in full in case it is the last."""
        self.simulations += 1
        if self.progress is not None:
            self.progress(self.simulations, what)
        levels = {name: np.asarray(level, dtype=np.int64).copy()
                  for name, level in levels.items()}
        staffed = prepare(staffed_scenario(self.scenario, levels, self.grid, self.plan))
        tables = self.lean if lean else None
        parts = [self.simulate(staffed, self.start, tables=tables)]  # joined only if read
        steps: list[int] = []
        values = self._values(parts[0])
        while True:
            verdicts = {goal.tier: judge(values[goal.tier], goal, parts[0].plan)
                        for goal in self.goals}
            rerun = None
            if lean or self.in_process:  # some part lacks tables
                count = sum(part.replications for part in parts)
                rerun = partial(self._simulate, staffed, count, 0, self._workers(count))
            evaluation = Evaluation(levels, tuple(parts), verdicts, values, self.batches,
                                    tuple(steps), rerun)
            open_ = self._open(evaluation, needed)
            hopeful = [key for key in open_ if self._resolvable(evaluation, *key)]
            if not hopeful or evaluation.replications >= self.most:
                self.undecided |= set(open_)
                return evaluation
            more = self._more(evaluation, hopeful)
            steps.append(evaluation.replications)
            added = self.simulate(staffed, more, first=evaluation.replications, tables=tables)
            parts.append(added)
            values = {tier: {key: np.vstack([value, later[key]])
                             for key, value in values[tier].items()}
                      for tier, later in self._values(added).items()}

    def _values(self, result: SimulationResult) -> dict[str, dict[str, np.ndarray]]:
        """Per tier, :func:`~simdesk.staffing.judge.per_replication` of ``result``: rows
        by replication, so those of an extension follow those of the run it extends."""
        return {goal.tier: per_replication(result, goal, self.batches[goal.tier])
                for goal in self.goals}

    def _more(self, evaluation: Evaluation, hopeful: Sequence[tuple[str, int]]) -> int:
        """Replications to add: as many as the hopeful verdict that needs the most is
        expected to need (its half-width shrinking as 1/√n, with the t quantile), at
        least half as many as run so far (so the rounds stay few), at most up to
        ``most``."""
        done = evaluation.replications
        wanted = done
        for tier, pool in hopeful:
            batches = self.batches.get(tier, 1)
            for verdict in evaluation.verdicts[tier][pool].values():
                gap = abs(verdict.mean - verdict.target)
                if verdict.verdict is not Verdict.UNDECIDED:
                    continue
                if gap <= 0 or not math.isfinite(verdict.half_width):
                    return self.most - done
                count = verdict.replications
                samples = count * (verdict.half_width / gap) ** 2
                quantile = t_quantile(max(int(samples), 2)) / t_quantile(count)
                samples *= quantile ** 2
                need = math.ceil(samples * 1.1 / batches)  # a tenth more: the gap is noisy
                if need <= self.most:
                    wanted = max(wanted, need)
        more = max(wanted - done, math.ceil(done / 2))
        return max(1, min(more, self.most - done))

    def _resolvable(self, evaluation: Evaluation, tier: str, pool: int) -> bool:
        """Whether ``most`` replications can be expected to decide this pool: for some
        undecided channel, its distance to the target is at least the half-width it
        would have then (the interval shrinks as 1/√R, with the t quantile). A pool at
        its target within that is left undecided at once rather than simulated for
        nothing; it is judged on its mean, and reported."""
        for verdict in evaluation.verdicts[tier][pool].values():
            if verdict.verdict is not Verdict.UNDECIDED:
                continue
            count = verdict.replications
            if count < 2 or not math.isfinite(verdict.half_width):
                return True
            most = self.most * self.batches.get(tier, 1)  # samples at the most replications
            then = (verdict.half_width * math.sqrt(count / most)
                    * t_quantile(most) / t_quantile(count))
            if abs(verdict.mean - verdict.target) >= then:
                return True
        return False

    def _open(self, evaluation: Evaluation, needed: Mapping[str, np.ndarray] | None
              ) -> list[tuple[str, int]]:
        found = []
        for goal in self.goals:
            mask = needed.get(goal.tier) if needed is not None else None
            for pool in range(goal.demand.pools):
                if mask is not None and not mask[pool]:
                    continue
                if evaluation.state(goal.tier, pool) is Verdict.UNDECIDED:
                    found.append((goal.tier, pool))
        return found

    def run_scenario(self, scenario: Scenario, what: str, enough: Callable[
            [SimulationResult], bool]) -> SimulationResult:
        """Simulate a whole scenario; extend until ``enough`` says its verdicts are
        decided (or ``most`` replications)."""
        self.simulations += 1
        if self.progress is not None:
            self.progress(self.simulations, what)
        prepared = prepare(scenario)  # compiled once for the run and its extensions
        result = self.simulate(prepared, self.start)
        while not enough(result) and result.replications < self.most:
            more = min(result.replications, self.most - result.replications)
            result = extend(result, self.simulate(prepared, more, first=result.replications))
        return result
