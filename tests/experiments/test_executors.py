"""Results do not depend on the executor: in-process, local processes and a real
dask.distributed cluster (scheduler and worker processes on loopback) write exactly the
same points and summary."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from simdesk.errors import SimdeskError
from simdesk.experiments import Dask, Executor, InProcess, LocalProcesses, load_sweep, run_sweep
from tests.experiments.helpers import desk, summary, write_sweep

CLUSTER_TIMEOUT = 60


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six points (3 staffing levels × 2 arrival rates), three replications, seed fixed."""
    return write_sweep(tmp_path_factory.mktemp("sweep"),
                       {"tiers.L1.agents[0].count": [2, 3, 4],
                        "arrivals[0].rate": ["15/h", "20/h"]}, replications=3, seed=11)


@pytest.fixture(scope="module")
def reference(sweep_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sweep run in this process, one point after the other."""
    out = tmp_path_factory.mktemp("in-process") / "out"
    outcome = run_sweep(load_sweep(sweep_file), out, InProcess())
    assert outcome.complete and outcome.ran == 6
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A LocalCluster of 2 worker processes on loopback; yields its scheduler address."""
    import warnings

    from distributed import LocalCluster

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Port .* is already in use")  # another test's
        local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address=None, timeout=CLUSTER_TIMEOUT)
    with local:
        yield str(local.scheduler_address)


def same_results(out: Path, reference: Path) -> None:
    """The same summary, and the same per-replication metrics of every point, exactly."""
    pd.testing.assert_frame_equal(summary(out), summary(reference), check_exact=True)
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"),
                                  pd.read_csv(reference / "summary.csv"), check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "points"),
                                  pd.read_parquet(reference / "points"), check_exact=True)


def _setting(key: str) -> object:
    import dask

    return dask.config.get(key)


def run_with(executor: Executor, sweep_file: Path, out: Path) -> None:
    outcome = run_sweep(load_sweep(sweep_file), out, executor)
    assert outcome.complete, outcome.failures
    assert outcome.ran == 6 and outcome.skipped == 0


def test_local_processes_give_the_same_results(sweep_file: Path, reference: Path,
                                               tmp_path: Path) -> None:
    run_with(LocalProcesses(2), sweep_file, tmp_path / "out")
    same_results(tmp_path / "out", reference)


def test_a_dask_local_cluster_gives_the_same_results(sweep_file: Path, reference: Path,
                                                     tmp_path: Path) -> None:
    """``Dask("local")``, as ``--dask local`` starts it."""
    executor = Dask("local", workers=2, timeout=CLUSTER_TIMEOUT)
    assert executor.name == "dask local"
    # its workers do not profile themselves (no dashboard to show it); this process's
    # dask settings are left as they were
    profiling = executor.client.run(_setting, "distributed.worker.profile.enabled")
    assert list(profiling.values()) == [False, False]
    assert _setting("distributed.worker.profile.enabled") is True
    run_with(executor, sweep_file, tmp_path / "out")
    assert executor.client is None  # closed by run_sweep, cluster and all
    same_results(tmp_path / "out", reference)


def test_a_running_dask_scheduler_gives_the_same_results(sweep_file: Path, reference: Path,
                                                         cluster: str, tmp_path: Path) -> None:
    """``Dask(address)``, as ``--dask tcp://host:8786`` connects to it; twice on the same
    cluster (each run's task keys are its own, so nothing is served from the first)."""
    for attempt in ("first", "second"):
        run_with(Dask(cluster, timeout=CLUSTER_TIMEOUT), sweep_file, tmp_path / attempt)
        same_results(tmp_path / attempt, reference)


def test_the_cli_runs_on_a_dask_scheduler(sweep_file: Path, reference: Path, cluster: str,
                                          tmp_path: Path) -> None:
    from click.testing import CliRunner

    from simdesk.cli import main

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(sweep_file), "--dask", cluster,
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith(f"6 point(s) run; results in {out}/")
    same_results(out, reference)


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    from simdesk.errors import SimdeskError

    with pytest.raises(SimdeskError, match=re.escape("--dask 'tcp://127.0.0.1:9': cannot "
                                                     "connect to 127.0.0.1:9")):
        Dask("tcp://127.0.0.1:9", timeout=2)


def test_the_executor_is_chosen_by_the_work_as_run_does() -> None:
    from simdesk.experiments.sweeps.executors import PARALLEL_TICKETS, choose_executor

    cores = os.cpu_count() or 1
    assert isinstance(choose_executor(0, None, PARALLEL_TICKETS / 2, 32), InProcess)
    assert isinstance(choose_executor(0, None, PARALLEL_TICKETS * 10, 1), InProcess)
    big = choose_executor(0, None, PARALLEL_TICKETS * 10, 32)
    assert isinstance(big, InProcess if cores < 2 else LocalProcesses)
    assert isinstance(choose_executor(1, None, PARALLEL_TICKETS * 10, 32), InProcess)
    chosen = choose_executor(2, None, 10.0, 32)  # asked for: honoured, whatever the work
    assert isinstance(chosen, LocalProcesses) and chosen.workers == 2


def test_a_point_applies_the_budget_it_was_started_with() -> None:
    """A dask worker did not fork from the command: --no-limits and --max-tickets travel
    with the task."""
    from simdesk.experiments.sweeps.work import PointTask, Replications, run_point
    from simdesk.plan.budget import limits, set_limits

    long = desk(horizon="270w") | {"arrivals": [{"channel": "phone", "rate": "1/d"}]}
    before = limits().max_tickets, limits().enforced
    try:
        set_limits(enforced=True)
        with pytest.raises(SimdeskError, match="5 years"):
            run_point(PointTask("p", long, 1, Replications(fixed=1)))
        set_limits(enforced=True)  # as a fresh worker starts
        result = run_point(PointTask("p", long, 1, Replications(fixed=1),
                                     limits_enforced=False))
        assert result.replications == 1
    finally:
        set_limits(max_tickets=before[0], enforced=before[1])
