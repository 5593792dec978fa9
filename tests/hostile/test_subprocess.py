"""A handful of hostile inputs in real processes, capped at 3 GiB of address space and
10 s of CPU (start-up included): exit 2, one error line, no traceback. The cap is CPU
time, not wall time: on a loaded machine a 1 s refusal can take 15 s of wall clock. A
process still running after :data:`HANG` seconds of wall clock is a hang."""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path

import pytest

from tests.hostile.capped import simdesk
from tests.hostile.cases import cases

DEFAULT = ("billion-laughs", "dev-zero", "rate-1e9", "replications-1e9-run", "grid-10^6",
           "fit-dev-zero")
MORE = ("laughs-in-description", "nesting-20000", "dev-urandom", "big-comments",
        "rate-1e400", "surge-1e12", "agents-10^6", "horizon-1e9-weeks", "sweep-value-code",
        "dask-not-a-port", "fit-time-format")
CHOSEN = [*DEFAULT, *(pytest.param(name, marks=pytest.mark.slow) for name in MORE)]
BY_ID = {case.id: case for case in cases()}
TIME_CAP = 10.0
"""CPU seconds a refusal may take, start-up included."""
HANG = 60.0
"""Wall-clock seconds after which the process is killed as hung."""


@pytest.mark.parametrize("name", CHOSEN)
def test_capped_process(name: str, tmp_path: Path) -> None:
    case = BY_ID[name]
    args = case.materialise(tmp_path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = simdesk(*args, cwd=tmp_path, timeout=HANG)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == case.code, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and re.search(case.says, errors[0], re.I), done.stderr
    assert seconds < TIME_CAP


def test_dask_address_that_never_answers(tmp_path: Path) -> None:
    """A server that accepts and never speaks: refused after the 5 s greeting timeout."""
    import socket

    from tests.hostile.cases import SAAS, sweep_file

    (tmp_path / "saas.yaml").write_text(SAAS, encoding="utf-8")
    (tmp_path / "w.yaml").write_text(sweep_file("  arrivals[0].rate: [9/h]"), encoding="utf-8")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        started = time.perf_counter()
        done = simdesk("sweep", "-q", "--out", "o", "--dask", f"tcp://127.0.0.1:{port}",
                       "w.yaml", cwd=tmp_path, timeout=30)
    assert time.perf_counter() - started < 20
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "sent no dask greeting within 5 s" in done.stderr
