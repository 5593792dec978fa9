"""Run a sweep: every point on the same seeds, each written as soon as it finishes.

Replication ``r`` of every point uses the seed's streams for ``r``, so differences
between points are paired (common random numbers). Points already finished in the
results folder are skipped; a point that fails is recorded and the others go on; an
interrupt keeps everything finished so far.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.experiments.sweeps.executors import Executor
from simdesk.experiments.sweeps.spec import Point, Sweep
from simdesk.experiments.sweeps.store import SweepStore, value_types
from simdesk.experiments.sweeps.work import PointResult, PointTask, Replications
from simdesk.experiments.sweeps.workers import signals_deferred
from simdesk.fates.streams import new_seed
from simdesk.plan.budget import limits

SweepProgress = Callable[[int, int, int], None]
"""Called with (points finished, points in all, points failed in this run)."""


@dataclass
class SweepOutcome:
    """What a sweep run did."""

    folder: Path
    seed: int
    points: list[Point]
    skipped: int
    """Points already finished before this run (not recomputed)."""
    ran: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False
    rejected: list[str] = field(default_factory=list)
    """Point files that did not check out on resume (moved aside and run again)."""
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def complete(self) -> bool:
        return not self.interrupted and not self.failures


def replications_of(sweep: Sweep) -> Replications:
    spec = sweep.spec
    fixed = None if spec.replications == "auto" else int(spec.replications)
    return Replications(fixed, spec.precision, spec.min_replications, spec.max_replications,
                        spec.main_metric())


def check_sweep_folder(sweep: Sweep, folder: Path, *, resume: bool = False
                       ) -> tuple[Sweep, int]:
    """Check that ``folder`` can take ``sweep`` (new, empty, or holding this very sweep)
    before any work; the sweep as it will run there, its seed set, and the seed.

    The seed is the sweep's, else the one recorded in the folder, else a fresh one. A
    folder whose points kept their tickets keeps them for the rest.
    """
    from simdesk.store.writable import check_writable

    check_writable(folder)
    store = SweepStore(folder)
    state = store.state()
    if resume and state is None:
        raise SimdeskError(f"{folder} holds no sweep to resume (no {folder}/state.json)")
    seed = sweep.spec.seed if sweep.spec.seed is not None else (
        int(state["seed"]) if state is not None else new_seed())
    keep_tickets = sweep.spec.keep_tickets or bool(state and state.get("keep_tickets"))
    sweep = replace(sweep, spec=sweep.spec.model_copy(
        update={"seed": seed, "keep_tickets": keep_tickets}))
    store.check(sweep, seed)
    return sweep, seed


def run_sweep(sweep: Sweep, folder: Path, executor: Executor, *,
              progress: SweepProgress | None = None, resume: bool = False,
              work: Sequence[float] | None = None) -> SweepOutcome:
    """Run every unfinished point of ``sweep`` into ``folder`` with ``executor`` (which
    is closed at the end). ``work``: each point's expected work (the
    :func:`~simdesk.experiments.sweeps.preflight.preflight` estimate), by which parallel
    executors start the heaviest points first; without it, in the order of the points.

    A folder that already holds this sweep is resumed: its finished points are kept and
    not run again, its failed points are retried. ``resume=True`` insists on that (an
    error when the folder holds no sweep). A failing point is recorded in
    ``failures/`` and the others go on; Ctrl-C stops the run, keeping every finished
    point (``outcome.interrupted``).
    """
    try:
        sweep, seed = check_sweep_folder(sweep, folder, resume=resume)
        points = sweep.points()
        weights = list(work) if work is not None else [0.0] * len(points)
        if len(weights) != len(points):
            raise ValueError(f"work gives {len(weights)} estimates for {len(points)} points")
        store = SweepStore(folder)
        store.prepare(sweep, seed, points, resume=True)
    except BaseException:
        executor.close()
        raise
    finished = store.finished()
    todo = [p for p in points if p.key not in finished]
    outcome = SweepOutcome(Path(folder), seed, points, skipped=len(points) - len(todo),
                           rejected=list(store.rejected))
    by_key = {p.key: p for p in todo}
    types = value_types(points)
    plan = replications_of(sweep)
    budget = limits()
    tasks = [PointTask(p.key, sweep.scenario_data(p), seed, plan, sweep.spec.keep_tickets,
                       budget.max_tickets, budget.enforced, weights[p.index]) for p in todo]
    done, failed = outcome.skipped, 0
    if progress is not None:
        progress(done, len(points), failed)
    try:
        for result in executor.run(tasks):
            point = by_key[result.key]
            with signals_deferred():  # a point is written and counted, or neither
                if isinstance(result, PointResult):
                    store.save(point, result, types)
                    outcome.ran += 1
                    done += 1
                else:
                    store.save_failure(point, result)
                    failed += 1
            if progress is not None:
                progress(done, len(points), failed)
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        executor.close()
    outcome.failures = store.failures()
    outcome.summary = store.write_summary(points)
    return outcome
