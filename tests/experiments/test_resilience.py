"""Nothing is lost: a killed worker, a point that kills its worker or raises, and Ctrl-C
leave every finished point intact; resuming finishes the sweep with the same table as an
uninterrupted run, and no finished point is computed again.

The points sleep (the probe policy) rather than compute, so they are slow enough for the
timing to be reliable without loading the machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.experiments import InProcess, LocalProcesses, load_sweep, run_sweep
from simdesk.policies.custom import ALLOW_CODE_ENV
from tests.experiments.helpers import REPO, desk, markers, probe_routing, summary, write_sweep

POINT_SECONDS = 0.3
COUNTS = [1, 2, 3, 4, 5, 6, 7, 8]


def slow_sweep(folder: Path, **options: Any) -> Path:
    """Eight points of ~0.3 s each (one day of a small desk, and a sleep)."""
    base = desk(horizon="1d", routing=probe_routing(sleep=POINT_SECONDS))
    return write_sweep(folder, {"tiers.L1.agents[0].count": COUNTS}, base=base, **options)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The summary of :func:`slow_sweep` run in one go, in this process (the same
    wherever the sweep file is)."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ALLOW_CODE_ENV, "1")  # the probe policy is this suite's own code
        outcome = run_sweep(load_sweep(slow_sweep(folder)), folder / "out", InProcess())
    assert outcome.complete
    return summary(folder / "out")


def test_a_killed_worker_loses_no_finished_point(tmp_path: Path,
                                                 uninterrupted: pd.DataFrame) -> None:
    """SIGKILL a worker of the pool once the first point is written: the pool is rebuilt,
    the points in flight run again, the finished ones are untouched."""
    sweep_file = slow_sweep(tmp_path)
    out = tmp_path / "out"
    executor = LocalProcesses(2)
    before: dict[str, tuple[str, int]] = {}
    killed: list[int] = []

    def kill_once(done: int, total: int, failed: int) -> None:
        if done >= 1 and not killed:
            before.update(markers(out))
            pids = executor.pids()
            assert pids, "the pool has no worker process"
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    outcome = run_sweep(load_sweep(sweep_file), out, executor, progress=kill_once)
    assert killed and executor.worker_deaths == 1
    assert outcome.complete, outcome.failures
    assert outcome.ran == len(COUNTS)
    after = markers(out)
    assert before and all(after[name] == before[name] for name in before)
    pd.testing.assert_frame_equal(summary(out), uninterrupted, check_exact=True)


def test_a_point_that_kills_its_worker_fails_alone(tmp_path: Path) -> None:
    """The point that crashes its worker every time is failed after two deaths; the point
    that happened to run beside it is retried and finishes, like all the others."""
    base = desk(horizon="1d", routing=probe_routing(sleep=0.1))
    sweep_file = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3, 4, 5],
                                        "routing.options.crash": [False, True, False, False]},
                             base=base, mode="zip")
    out = tmp_path / "out"
    executor = LocalProcesses(2)
    outcome = run_sweep(load_sweep(sweep_file), out, executor)
    [poison] = [p for p in outcome.points if p.index == 1]
    assert [f["key"] for f in outcome.failures] == [poison.key]
    record = json.loads((out / "failures" / f"{poison.key}.json").read_text())
    assert record["kind"] == "worker"
    assert record["error"] == ("a worker process died running this point 2 times (killed, "
                               "or out of memory?)")
    assert outcome.ran == 3 and executor.worker_deaths == 2
    assert set(summary(out)["point"]) == {p.key for p in outcome.points} - {poison.key}


def test_a_point_that_raises_is_recorded_with_its_traceback(tmp_path: Path) -> None:
    """An unexpected exception (a bug, not an input problem) fails that point only."""
    base = desk(horizon="1d", routing=probe_routing())
    sweep_file = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3, 4],
                                        "routing.options.fail": [False, True, False]},
                             base=base, mode="zip")
    out = tmp_path / "out"
    outcome = run_sweep(load_sweep(sweep_file), out, LocalProcesses(2))
    [record] = outcome.failures
    assert record["error"] == "RuntimeError: the probe policy failed on purpose"
    assert record["kind"] == "error"
    assert "Traceback" in record["details"] and "probe_policy.py" in record["details"]
    assert outcome.ran == 2 and record["values"] == {"tiers.L1.agents[0].count": 3,
                                                     "routing.options.fail": True}


def start_sweep(sweep_file: Path, out: Path, *options: str) -> subprocess.Popen[str]:
    """``simdesk sweep`` in its own process group (the tests' package importable)."""
    command = [str(Path(sys.executable).with_name("simdesk")), "sweep", str(sweep_file),
               "--out", str(out), *options]
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # before site-packages' own 'tests'
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env=env)


def wait_for_points(out: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(markers(out) if (out / "points").exists() else {}) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep finished no point in a minute"
        time.sleep(0.02)


@pytest.mark.parametrize(("workers", "target"), [("1", "parent"), ("2", "parent"),
                                                 ("2", "group")])
def test_ctrl_c_keeps_finished_points_and_resume_does_not_redo_them(
        tmp_path: Path, workers: str, target: str, uninterrupted: pd.DataFrame) -> None:
    """SIGINT once 2 points are on disk — to the command (``kill -INT``) or to its whole
    process group, workers included (Ctrl-C in a terminal). It stops within seconds, exit
    130, finished points kept; the resumed run reports them as skipped, leaves their
    files alone (content and mtime) and ends with the uninterrupted run's table."""
    sweep_file = slow_sweep(tmp_path)
    out = tmp_path / "out"
    process = start_sweep(sweep_file, out, "--workers", workers)
    wait_for_points(out, 2, process)
    if target == "parent":
        process.send_signal(signal.SIGINT)
    else:
        os.killpg(process.pid, signal.SIGINT)
    interrupted = time.monotonic()
    stdout, stderr = process.communicate(timeout=60)
    assert time.monotonic() - interrupted < 10  # points in flight are abandoned, not awaited
    assert process.returncode == 130, stderr
    assert stderr.rstrip().endswith(f"Interrupted: the finished points are kept in {out}/; "
                                    "run the same command again to finish the others.")
    assert "Traceback" not in stderr
    finished = markers(out)
    assert 2 <= len(finished) < len(COUNTS)
    assert f"{len(finished)} point(s) run; results in {out}/" in stdout
    assert len(summary(out)["point"].unique()) == len(finished)  # the summary so far
    assert not list(out.rglob(".*.partial"))

    result = CliRunner().invoke(main, ["sweep", str(sweep_file), "--out", str(out),
                                       "--resume", "--workers", "2"])
    assert result.exit_code == 0, result.output
    remaining = len(COUNTS) - len(finished)
    assert result.stdout.rstrip().endswith(
        f"{remaining} point(s) run, {len(finished)} skipped (finished before); results in "
        f"{out}/")
    after = markers(out)
    assert len(after) == len(COUNTS)
    assert all(after[name] == finished[name] for name in finished)  # content and mtime
    pd.testing.assert_frame_equal(summary(out), uninterrupted, check_exact=True)
