"""The sweep benchmark runs end to end at a tiny size and produces its figures (no
timing checks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.benchmarks import benchmark_module


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    with benchmark_module("bench_sweep") as module:
        yield module


def test_main_times_every_executor(bench: ModuleType, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    report = bench.main(["--points", "4", "--weeks", "0.5", "--replications", "2",
                         "--workers", "2", "--repeat", "1", "--small-points", "4",
                         "--json", str(out)])
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
    assert "(target ≥ 1.7×)" in printed and "(target ≤ +15 %)" in printed
    assert "small sweep, automatic (in-process)" in printed


def test_the_default_sweep_has_32_points(bench: ModuleType, tmp_path: Path) -> None:
    from simdesk.experiments import load_sweep

    sweep = load_sweep(bench.write_sweep(tmp_path, bench.DEFAULT_POINTS, 1, 2))
    assert len(sweep.points()) == 32
