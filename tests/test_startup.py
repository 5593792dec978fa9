"""Start-up: ``simdesk --help``, ``--version`` and ``validate`` load neither pandas nor the
engine (each runs in a fresh interpreter, which then lists what it imported)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import simdesk

REPO = Path(__file__).resolve().parents[1]
PROBE = """\
import json, sys
from simdesk.cli import main
try:
    main.main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
ENGINE = ("simpy", "simdesk.engine", "simdesk.simulation", "simdesk.metrics", "scipy")


def _loaded(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, cwd=REPO, check=True)
    modules: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return {m for m in modules if not m.startswith("_")}


def _heavy(modules: set[str], roots: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == r or m.startswith(r + ".") for r in roots)}


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("run", "--help")])
def test_help_and_version_load_neither_pandas_nor_the_engine(args: tuple[str, ...]) -> None:
    loaded = _loaded(*args)
    assert not _heavy(loaded, ("pandas", "numpy", "pydantic", *ENGINE))


def test_validate_does_not_load_the_engine() -> None:
    loaded = _loaded("validate", "scenarios/saas-startup.yaml")
    assert "simdesk.plan.compile" in loaded  # it did validate and compile
    # the metric catalogue is a plain table (the expect: grammar reads it); nothing else
    # of the metrics step is loaded
    light = {"simdesk.metrics", "simdesk.metrics.catalogue"}
    assert not _heavy(loaded - light, ENGINE)


def test_validate_does_not_load_pandas() -> None:
    assert not _heavy(_loaded("validate", "scenarios/saas-startup.yaml"), ("pandas",))


def test_import_simdesk_is_lazy_and_its_names_still_resolve() -> None:
    code = ("import sys, simdesk; assert 'pandas' not in sys.modules, 'eager'; "
            "assert callable(simdesk.simulate) and callable(simdesk.prepare); "
            "print(simdesk.__version__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=True)
    assert done.stdout.strip() == simdesk.__version__
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = simdesk.nothing  # type: ignore[attr-defined]


def test_python_dash_m_simdesk_runs_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "simdesk", "--version"], capture_output=True,
                          text=True, cwd=REPO, check=False)
    assert done.returncode == 0
    assert done.stdout.strip() == f"simdesk, version {simdesk.__version__}"
