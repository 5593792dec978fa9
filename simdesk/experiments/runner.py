"""Run a sweep: every point on the same seeds, each written as soon as it finishes.

Replication ``r`` of every point uses the seed's streams for ``r``, so differences
between points are paired (common random numbers). Points already finished in the
results folder are skipped; a point that fails is recorded and the others go on; an
interrupt keeps everything finished so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simdesk.experiments.executors import Executor
from simdesk.experiments.spec import Point, Sweep
from simdesk.experiments.store import SweepStore
from simdesk.experiments.work import PointResult, PointTask, Replications
from simdesk.streams import new_seed

SweepProgress = Callable[[int, int, int], None]
"""Called with (points finished, points in all, points failed)."""


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
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def complete(self) -> bool:
        return not self.interrupted and not self.failures


def replications_of(sweep: Sweep) -> Replications:
    spec = sweep.spec
    fixed = None if spec.replications == "auto" else int(spec.replications)
    return Replications(fixed, spec.precision, spec.min_replications, spec.max_replications,
                        spec.main_metric())


def run_sweep(sweep: Sweep, folder: Path, executor: Executor, *,
              progress: SweepProgress | None = None) -> SweepOutcome:
    """Run every unfinished point of ``sweep`` into ``folder`` with ``executor``."""
    store = SweepStore(folder)
    state = store.state()
    seed = sweep.spec.seed if sweep.spec.seed is not None else (
        state["seed"] if state is not None else new_seed())
    points = sweep.points()
    store.prepare(sweep, seed, points, resume=True)
    finished = store.finished()
    todo = [p for p in points if p.key not in finished]
    outcome = SweepOutcome(Path(folder), seed, points, skipped=len(points) - len(todo))
    by_key = {p.key: p for p in todo}
    plan = replications_of(sweep)
    tasks = [PointTask(p.key, sweep.scenario_data(p), seed, plan, sweep.spec.keep_tickets)
             for p in todo]
    done, failed = outcome.skipped, 0
    if progress is not None:
        progress(done, len(points), failed)
    try:
        for result in executor.run(tasks):
            point = by_key[result.key]
            if isinstance(result, PointResult):
                store.save(point, result)
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
