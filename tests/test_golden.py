"""Golden outputs: every shipped scenario and sweep, seeded, gives the results recorded in
``tests/golden/outputs.json`` bit for bit (summary, tickets, visits, duty, replies).

A refactor or a speed-up must not change them. A change *meant* to change results
re-records them (``python -m tests.golden.record``) and says why in its commit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.record import (
    OUTPUTS,
    REPLICATIONS,
    REPO,
    SCENARIOS,
    SEED,
    SWEEPS,
    scenario_outputs,
    sweep_outputs,
)

RECORDED = json.loads(OUTPUTS.read_text(encoding="utf-8"))


def test_the_recording_covers_every_shipped_file() -> None:
    assert (RECORDED["seed"], RECORDED["replications"]) == (SEED, REPLICATIONS)
    assert sorted(RECORDED["scenarios"]) == sorted(str(p.relative_to(REPO)) for p in SCENARIOS)
    assert sorted(RECORDED["sweeps"]) == sorted(str(p.relative_to(REPO)) for p in SWEEPS)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_shipped_scenario_gives_its_golden_outputs(path: Path, code_allowed: None) -> None:
    assert scenario_outputs(path) == RECORDED["scenarios"][str(path.relative_to(REPO))]


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_a_shipped_sweep_gives_its_golden_summary(path: Path, tmp_path: Path) -> None:
    assert sweep_outputs(path, tmp_path / "out") == RECORDED["sweeps"][
        str(path.relative_to(REPO))]
