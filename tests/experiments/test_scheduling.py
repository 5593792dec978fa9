"""How points are handed to workers: the heaviest first (by the preflight's estimate of
each point's tickets), the next point started before the last one is written, and each
point's summary computed where it ran — without changing any result."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from simdesk.engine import compiled
from simdesk.engine.compiled import MIN_TICKETS
from simdesk.experiments import InProcess, LocalProcesses, load_sweep, run_sweep
from simdesk.experiments.sweeps.executors import heaviest_first
from simdesk.experiments.sweeps.preflight import preflight
from simdesk.experiments.sweeps.runner import replications_of
from simdesk.experiments.sweeps.store import SweepStore
from simdesk.experiments.sweeps.work import PointResult, PointTask
from tests.experiments.helpers import desk, probe_routing, write_sweep

RATES = ["10/h", "30/h", "20/h"]


def rates_sweep(folder: Path, **options: object) -> Path:
    return write_sweep(folder, {"tiers.L1.agents[0].count": [2, 3],
                                "arrivals[0].rate": RATES}, **options)


def test_the_preflight_estimates_each_points_tickets(tmp_path: Path) -> None:
    """Grid order (the last parameter fastest); each point's estimate is the base's
    times the ratio its rate brings, and they add up to the sweep's."""
    work = preflight(load_sweep(rates_sweep(tmp_path)))
    assert work is not None and len(work.by_point) == 6
    base = work.by_point[0] / 10
    assert work.by_point == pytest.approx([base * r for r in (10, 30, 20, 10, 30, 20)],
                                          rel=1e-12)
    assert sum(work.by_point) == pytest.approx(work.per_replication, rel=1e-12)


def test_zip_points_are_estimated_side_by_side(tmp_path: Path) -> None:
    sweep = load_sweep(write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3, 4],
                                              "arrivals[0].rate": RATES}, mode="zip"))
    work = preflight(sweep)
    assert work is not None
    assert [w / work.by_point[0] for w in work.by_point] == pytest.approx([1, 3, 2])


def tasks_of(sweep_file: Path, work: list[float]) -> list[PointTask]:
    sweep = load_sweep(sweep_file)
    return [PointTask(p.key, sweep.scenario_data(p), 7, replications_of(sweep), work=w)
            for p, w in zip(sweep.points(), work, strict=True)]


def test_heaviest_first_keeps_the_order_of_ties(tmp_path: Path) -> None:
    tasks = tasks_of(rates_sweep(tmp_path), [1.0, 3.0, 2.0, 1.0, 3.0, 0.0])
    assert [t.work for t in heaviest_first(tasks)] == [3.0, 3.0, 2.0, 1.0, 1.0, 0.0]
    assert [t.key for t in heaviest_first(tasks)][:2] == [tasks[1].key, tasks[4].key]
    unestimated = tasks_of(rates_sweep(tmp_path / "none"), [0.0] * 6)
    assert heaviest_first(unestimated) == unestimated


def test_local_processes_start_the_heaviest_point_first(tmp_path: Path) -> None:
    """One worker runs the points one at a time: they come back heaviest first."""
    tasks = tasks_of(rates_sweep(tmp_path), [1.0, 3.0, 2.0, 1.5, 3.5, 0.5])
    outcomes = list(LocalProcesses(1).run(tasks))
    assert [o.key for o in outcomes] == [tasks[i].key for i in (4, 1, 2, 3, 0, 5)]
    assert all(isinstance(o, PointResult) for o in outcomes)


def test_the_next_point_starts_before_the_last_one_is_written(tmp_path: Path) -> None:
    """While the caller holds a point (writing it), the worker that ran it is already on
    the next one: each point marks a file when it starts."""
    marks = [tmp_path / f"started-{i}" for i in range(3)]
    sweep_file = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3, 4],
                                        "routing.options.mark": [str(m) for m in marks]},
                             base=desk(horizon="1d", routing=probe_routing()), mode="zip")
    executor = LocalProcesses(1)
    outcomes = executor.run(tasks_of(sweep_file, [3.0, 2.0, 1.0]))
    first = next(outcomes)
    assert isinstance(first, PointResult) and marks[0].exists()
    deadline = time.monotonic() + 30
    while not marks[1].exists():  # the generator is suspended here, at the first point
        assert time.monotonic() < deadline, "the next point did not start meanwhile"
        time.sleep(0.01)
    assert len(list(outcomes)) == 2
    executor.close()


@pytest.mark.parametrize("executor", [InProcess, lambda: LocalProcesses(2)],
                         ids=["in-process", "local-processes"])
def test_the_summary_from_the_workers_is_the_one_from_the_files(tmp_path: Path,
                                                                executor: object) -> None:
    """Each point's summary, computed where it ran, is exactly the one computed from its
    file: a fresh store (as on a resume) writes the same table."""
    sweep = load_sweep(rates_sweep(tmp_path, replications=3))
    work = preflight(sweep)
    assert work is not None and callable(executor)
    outcome = run_sweep(sweep, tmp_path / "out", executor(), work=work.by_point)
    assert outcome.complete and outcome.ran == 6
    from_files = SweepStore(tmp_path / "out").write_summary(outcome.points)
    pd.testing.assert_frame_equal(outcome.summary, from_files, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "summary.parquet"),
                                  from_files, check_exact=True)


def test_work_must_match_the_points(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2 estimates for 6 points"):
        run_sweep(load_sweep(rates_sweep(tmp_path)), tmp_path / "out", InProcess(),
                  work=[1.0, 2.0])


@pytest.mark.parametrize(("work", "loaded"), [(MIN_TICKETS - 1.0, False), (MIN_TICKETS, True)])
def test_the_compiled_loop_is_loaded_before_forking_for_big_points(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, work: float, loaded: bool) -> None:
    """Points big enough for the compiled loop: the parent loads it before the workers
    are forked (they inherit it); smaller ones do not pay for it."""
    calls: list[bool] = []
    monkeypatch.setattr(compiled, "load", lambda: calls.append(True) or True)
    tasks = tasks_of(rates_sweep(tmp_path), [1.0] * 5 + [work])
    assert len(list(LocalProcesses(2).run(tasks))) == 6
    assert calls == ([True] if loaded else [])


def test_finished_reads_the_state_once_not_once_per_point(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A resume (and the summary at the end) checks every finished point against the
    state: read once — read per point, a 10,000-point sweep spent minutes on it."""
    sweep = load_sweep(rates_sweep(tmp_path))
    outcome = run_sweep(sweep, tmp_path / "out", InProcess())
    assert outcome.complete
    store = SweepStore(tmp_path / "out")
    reads: list[int] = []
    state = SweepStore.state
    monkeypatch.setattr(SweepStore, "state", lambda self: reads.append(1) or state(self))
    assert store.finished() == {p.key for p in outcome.points}
    assert len(reads) == 1
