"""The benchmark runs end to end at a tiny size and produces its figures (no timing checks)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.benchmarks import benchmark_module

pytest.importorskip("ciw")

TICKETS = 2_000


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    with benchmark_module("bench_mmc") as module:
        yield module


def test_main_produces_every_figure(
    bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    report = bench.main(["--tickets", str(TICKETS), "--repeat", "1", "--json", str(out),
                         "--memory-tickets", str(TICKETS), "--no-jit"])

    figures = json.loads(out.read_text(encoding="utf-8"))
    measurements = figures["measurements"]
    assert set(measurements) == {m.key for m in bench.MEASUREMENTS}
    for key, figure in measurements.items():
        assert figure["tickets_per_second"] > 0, key
        assert len(figure["runs"]) == 1, key
        # simdesk draws a Poisson number of tickets around TICKETS; ciw runs exactly TICKETS.
        assert abs(figure["runs"][0]["tickets"] - TICKETS) < 0.2 * TICKETS, key
        assert math.isfinite(figure["mean_wait"]) and figure["mean_wait"] >= 0, key
    assert set(figures["ratios"]) == {"in_process", "engine_in_process", "whole_process",
                                      "engine_vs_heapq"}
    assert figures["memory"]["bytes_per_ticket"] > 0
    assert all(ratio > 0 for ratio in figures["ratios"].values())
    assert isinstance(figures["target"]["met"], bool)
    assert figures["ratios"] == pytest.approx(report.ratios)

    printed = capsys.readouterr().out
    assert "tickets/s" in printed
    assert "whole process" in printed


def test_both_tools_simulate_the_same_run_in_and_out_of_process(bench: ModuleType) -> None:
    """Same seed, same figures: the ``python -c`` script is in step with ``ciw_model``."""
    assert bench.ciw_in_process(TICKETS, 7).mean_wait == pytest.approx(
        bench.ciw_process(TICKETS, 7).mean_wait
    )
    assert bench.simdesk_engine(TICKETS, 7).mean_wait == pytest.approx(
        bench.simdesk_simulate(TICKETS, 7).mean_wait
    )
