"""The fit benchmark runs end to end on a small history and writes its figures (no timing
checks: the scale is one hundredth of the benchmark's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.benchmarks import benchmark_module


@pytest.mark.slow
def test_main_fits_a_small_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with benchmark_module("bench_fit") as bench:
        out = tmp_path / "bench.json"
        assert bench.main(["--scale", "1", "--repeat", "1", "--cache", str(tmp_path),
                           "--json", str(out)]) == 0
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["tickets"] > 10_000 and saved["cpu"] > 0 and saved["peak_mb"] > 0
    assert "peak memory" in capsys.readouterr().out
