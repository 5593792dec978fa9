"""The start-up benchmark runs end to end and produces its figures (no timing checks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.benchmarks import benchmark_module


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    with benchmark_module("bench_startup") as module:
        yield module


def test_main_times_every_command(bench: ModuleType, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench.json"
    figures = bench.main(["--repeat", "1", "--json", str(out)])
    assert [f.command for f in figures] == list(bench.commands())
    assert all(f.median > 0 for f in figures)
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert len(saved["figures"]) == len(figures)
    assert "simdesk --help" in capsys.readouterr().out
