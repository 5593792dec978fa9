"""The export benchmark runs end to end and produces its figures (no timing checks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmarks import benchmark_module


def test_main_times_the_run_and_the_exports(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with benchmark_module("bench_export") as bench:
        out = tmp_path / "bench.json"
        figures = bench.main(["--weeks", "1", "--scale", "1", "--repeat", "1",
                              "--json", str(out)])
    assert len(figures) == 3 and all(f.median > 0 for f in figures)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["tickets"] > 0
    assert "export ≤ the run" in capsys.readouterr().out
