"""Run the ``simdesk`` command in a real process with a memory and a time cap."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

MEMORY_CAP = 3 * 2**30
"""Address space of the process (numpy, pandas and the engine need about 1 GiB)."""
ROOT = Path(__file__).resolve().parents[2]
SIMDESK = Path(sys.executable).with_name("simdesk")


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def environment() -> dict[str, str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", COLUMNS="100")
    env.pop("SIMDESK_ALLOW_CODE", None)
    return env


def simdesk(*args: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """``simdesk ARGS`` capped; a process still running after ``timeout`` is killed and
    the test fails (a hang)."""
    return subprocess.run([str(SIMDESK), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_limits, env=environment(),
                          check=False)


def start(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """``simdesk ARGS`` running in its own process group, capped."""
    return subprocess.Popen([str(SIMDESK), *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_limits,
                            env=environment(), start_new_session=True)
