"""``prepare`` loads, compiles and diagnoses once; ``simulate`` takes its result as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

import simdesk
from simdesk.plan import prepare as prepare_module
from simdesk.plan.diagnostics import diagnose
from simdesk.simulation import SimulationResult

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "saas-startup.yaml"


def _same(a: SimulationResult, b: SimulationResult) -> None:
    assert a.scenario == b.scenario
    for table in ("tickets", "visits", "duty", "replies", "queue_area"):
        assert getattr(a, table).equals(getattr(b, table)), table
    assert a.summary.equals(b.summary)


def test_prepare_gives_the_scenario_its_plan_and_notices() -> None:
    prepared = simdesk.prepare(SCENARIO)
    assert prepared.scenario == simdesk.load_scenario(SCENARIO)
    assert prepared.plan.scenario == prepared.scenario
    assert list(prepared.notices) == diagnose(prepared.plan)
    assert simdesk.prepare(prepared) is prepared


def test_simulate_on_a_prepared_scenario_neither_loads_nor_compiles_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = simdesk.prepare(SCENARIO)

    def forbidden(*args: object) -> None:
        raise AssertionError("loaded or compiled again")

    monkeypatch.setattr(prepare_module, "load_scenario", forbidden)
    monkeypatch.setattr(prepare_module, "compile_plan", forbidden)
    result = simdesk.simulate(prepared, seed=4, replications=2)
    monkeypatch.undo()
    _same(result, simdesk.simulate(SCENARIO, seed=4, replications=2))
    assert (result.scenario.seed, result.scenario.replications) == (4, 2)
    assert result.plan.scenario == result.scenario
    assert prepared.scenario.seed != 4 or prepared.scenario.replications != 2  # untouched


def test_bad_input_fails_in_prepare_with_the_usual_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon: 1d\n", encoding="utf-8")
    with pytest.raises(simdesk.ScenarioError):
        simdesk.prepare(bad)
