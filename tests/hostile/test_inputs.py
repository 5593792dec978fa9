"""Every hostile input of :mod:`tests.hostile.cases` through the CLI, in this process:
the exit status it should have, one clear line naming the problem, no traceback, within
10 s. (:mod:`tests.hostile.test_subprocess` runs a handful in capped processes.)"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from simdesk.cli import main
from tests.hostile.cases import Case, cases

TIME_CAP = 10.0
ALL = cases()


def test_there_are_at_least_80_cases() -> None:
    assert len(ALL) >= 80
    assert len({case.id for case in ALL}) == len(ALL)


def _unmount(folder: Path) -> None:
    for name in ("ro", "full"):
        if (folder / name).is_mount():
            subprocess.run(["umount", str(folder / name)], check=False)


@pytest.mark.parametrize("case", ALL, ids=[case.id for case in ALL])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    if case.root_only and (os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(tmp_path)],
            capture_output=True, check=False).returncode != 0):
        pytest.skip("needs root to mount a tmpfs")
    if case.root_only:
        subprocess.run(["umount", str(tmp_path)], check=False)
    try:
        args = case.materialise(tmp_path)
        started = time.process_time()
        result = CliRunner().invoke(main, args, catch_exceptions=True)
        seconds = time.process_time() - started
    finally:
        _unmount(tmp_path)
    output = result.output + (result.stderr if result.stderr_bytes else "")
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), f"{case.id}: {result.exception!r}\n{output}"
    assert "Traceback" not in output
    assert result.exit_code == case.code, f"{case.id}: exit {result.exit_code}\n{output}"
    assert seconds < TIME_CAP, f"{case.id} took {seconds:.1f} s"
    if case.code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert errors, output
        assert re.search(case.says, errors[0], re.I | re.S), f"{case.id}: {errors}"
        assert len(errors[0]) < 600, errors[0]
    elif case.says:
        assert re.search(case.says, output, re.I), f"{case.id}: {output[-2000:]}"
