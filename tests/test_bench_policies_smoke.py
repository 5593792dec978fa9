"""The policy benchmark runs end to end at a tiny size and produces its figures (no
timing checks)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from simdesk.plan.compile import compile_plan
from simdesk.scenario.load import load_scenario
from simdesk.scenario.routing import BUILTIN_POLICIES
from tests.benchmarks import benchmark_module

TICKETS = 1_500


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    with benchmark_module("bench_policies") as module:
        yield module


def test_main_times_every_builtin_policy(
    bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bench.json"
    report = bench.main(["--tickets", str(TICKETS), "--repeat", "1", "--json", str(out)])

    figures = json.loads(out.read_text(encoding="utf-8"))
    assert set(bench.ROUTINGS) == set(BUILTIN_POLICIES)
    assert list(figures["policies"]) == list(BUILTIN_POLICIES)
    counts = {figure["tickets"] for figure in figures["policies"].values()}
    assert len(counts) == 1, "every policy runs on the same tickets"
    assert abs(counts.pop() - TICKETS) < 0.25 * TICKETS
    for name, figure in figures["policies"].items():
        assert figure["tickets_per_second"] > 0, name
        assert figure["run_desk_tickets_per_second"] >= figure["tickets_per_second"], name
        assert len(figure["runs"]) == 1, name
        assert 0 < figure["answered"] <= 1, name
        assert math.isfinite(figure["mean_wait"]) and figure["mean_wait"] >= 0, name
    assert figures["policies"]["fifo"]["ratio_to_fifo"] == pytest.approx(1.0)
    assert figures["passed"] == report.passed == (not figures["too_slow"])

    printed = capsys.readouterr().out
    assert "tickets/s" in printed
    assert all(name in printed for name in BUILTIN_POLICIES)


def test_the_desk_gives_split_skills_and_ninja_something_to_do(bench: ModuleType) -> None:
    """Teams for split and ninja, skills lists, several tiers, channels and segments."""
    desk = bench.scenario(1.0)
    l1 = desk["tiers"]["L1"]["agents"]
    assert len(desk["tiers"]) >= 3 and len(desk["channels"]) >= 2
    assert len(desk["segments"]) == 2 and len(desk["topics"]) >= 3
    assert {group.get("team") for group in l1} >= {"alpha", "beta"}
    assert any("skills" in group for group in l1)
    weeks = bench.weeks_for(10_000)
    plan = compile_plan(load_scenario(bench.scenario(weeks)))
    assert sum(stream.expected for stream in plan.streams) == pytest.approx(10_000)
