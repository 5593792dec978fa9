"""The sweep benchmark runs end to end at a tiny size and produces its figures (no
timing checks)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_sweep.py"


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    """``benchmarks/bench_sweep.py`` imported as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_sweep", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_main_times_every_executor(bench: ModuleType, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    report = bench.main(["--points", "4", "--weeks", "0.5", "--replications", "2",
                         "--workers", "2", "--json", str(out)])
    assert report.identical
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert [m["executor"] for m in figures["measurements"]] == [
        "in-process", "2 local processes", "dask local"]
    for measurement in figures["measurements"]:
        assert measurement["points"] == 4 and measurement["seconds"] > 0
        assert measurement["speedup"] > 0
    assert figures["measurements"][0]["speedup"] == 1.0
    printed = capsys.readouterr().out
    assert "Speedup" in printed and "Same summary on every executor: yes" in printed


def test_the_default_sweep_has_32_points(bench: ModuleType, tmp_path: Path) -> None:
    from simdesk.experiments import load_sweep

    sweep = load_sweep(bench.write_sweep(tmp_path, bench.DEFAULT_POINTS, 1, 2))
    assert len(sweep.points()) == 32
