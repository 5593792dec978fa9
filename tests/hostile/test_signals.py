"""SIGINT and SIGTERM at random moments of a two-worker sweep: exit 130 or 143 within 2 s,
no traceback, no worker left behind, and a resume that gives the summary of a run never
interrupted. SIGKILL of the parent: its workers die with it.

The default tier sends a few signals; the slow tier sends 100 and prints the worst
exit time."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.hostile.capped import simdesk, start
from tests.hostile.cases import saas

SMALL = saas("horizon: 4w", "horizon: 2w")
EXIT_CAP = 2.0


def _sweep(folder: Path) -> Path:
    (folder / "saas.yaml").write_text(SMALL, encoding="utf-8")
    path = folder / "w.yaml"
    path.write_text("scenario: saas.yaml\nparameters:\n  tiers.L1.agents[1].count: [1, 2, 3, 4]"
                    "\n  arrivals[0].rate: [9/h, 11/h]\nreplications: 3\nseed: 3\n",
                    encoding="utf-8")
    return path


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True,
                           check=False)
    return [int(line) for line in found.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _interrupt_once(folder: Path, out: str, rng: random.Random) -> tuple[float, int]:
    """Start the sweep, signal it at a random moment; (seconds to exit, exit status)."""
    process = start("sweep", "-q", "-w", "2", "--out", out, "w.yaml", cwd=folder)
    time.sleep(rng.uniform(0.2, 4.0))
    number = rng.choice([signal.SIGINT, signal.SIGTERM])
    workers = _children(process.pid)
    sent = time.perf_counter()
    if rng.random() < 0.5:
        os.killpg(process.pid, number)  # as a terminal's Ctrl-C: the whole group
    else:
        process.send_signal(number)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError("the sweep hung after a signal") from None
    seconds = time.perf_counter() - sent
    assert "Traceback" not in stderr, stderr
    code = process.returncode
    if code == 0:  # finished before the signal landed
        assert seconds < EXIT_CAP
    else:
        assert code == 128 + number, (code, number, stderr)
    deadline = time.monotonic() + 2
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "a worker outlived the sweep"
    return seconds, code


def _stress(tmp_path: Path, signals: int, seed: int) -> None:
    path = _sweep(tmp_path)
    clean = simdesk("sweep", "-q", "-w", "2", "--out", "clean", path.name, cwd=tmp_path,
                    timeout=300)
    assert clean.returncode == 0, clean.stderr
    reference = (tmp_path / "clean" / "summary.csv").read_bytes()
    rng = random.Random(seed)
    worst, interrupted = 0.0, 0
    for round_ in range(signals):
        out = f"out{round_ % 5}"
        seconds, code = _interrupt_once(tmp_path, out, rng)
        worst = max(worst, seconds)
        interrupted += code != 0
        if round_ % 5 == 4 or round_ == signals - 1:
            for folder in {f"out{k}" for k in range(min(round_ + 1, 5))}:
                if not (tmp_path / folder).exists():
                    continue
                resumed = simdesk("sweep", "-q", "-w", "2", "--out", folder, path.name,
                                  cwd=tmp_path, timeout=300)
                assert resumed.returncode == 0, resumed.stderr
                assert (tmp_path / folder / "summary.csv").read_bytes() == reference
                import shutil

                shutil.rmtree(tmp_path / folder)
    print(f"\n{signals} signals, {interrupted} interrupted a running sweep; worst exit "
          f"{worst:.2f} s")
    assert worst < EXIT_CAP


def test_a_few_interrupts(tmp_path: Path) -> None:
    _stress(tmp_path, signals=4, seed=1)


@pytest.mark.slow
def test_a_hundred_interrupts(tmp_path: Path) -> None:
    _stress(tmp_path, signals=100, seed=2)


def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    path = _sweep(tmp_path)
    process = start("sweep", "-q", "-w", "2", "--out", "o", path.name, cwd=tmp_path)
    deadline = time.monotonic() + 20
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = _children(process.pid)
    assert workers, "no worker started"
    process.kill()
    process.communicate()
    deadline = time.monotonic() + 3
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
@pytest.mark.parametrize("command", ["run", "staff", "fit"])
def test_other_commands_stop_on_a_signal(tmp_path: Path, command: str, number: int) -> None:
    from tests.hostile.cases import BAD_MONTH, HEADER, ROWS, history

    (tmp_path / "s.yaml").write_text(BAD_MONTH if command == "run" else SMALL,
                                     encoding="utf-8")
    (tmp_path / "h.csv").write_text(history(ROWS, HEADER), encoding="utf-8")
    args = {"run": ("run", "-q", "-r", "40", "-w", "2", "--out", "o", "s.yaml"),
            "staff": ("staff", "-q", "--out", "o", "s.yaml"),
            "fit": ("fit", "h.csv", "-o", "f.yaml")}[command]
    process = start(*args, cwd=tmp_path)
    time.sleep(2.0)
    workers = _children(process.pid)
    sent = time.perf_counter()
    process.send_signal(number)
    _, stderr = process.communicate(timeout=30)
    seconds = time.perf_counter() - sent
    assert "Traceback" not in stderr, stderr
    assert process.returncode in (0, 128 + number), stderr
    assert seconds < EXIT_CAP
    time.sleep(0.5)
    assert not any(_alive(pid) for pid in workers)
