"""Every example in ``scenarios/`` loads, validates, runs through the CLI and round-trips.

The examples are found by glob, so a new ``scenarios/*.yaml`` is tested without touching
this file. Each runs two replications of its full horizon (a few seconds in all).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import simdesk
from simdesk.cli import main
from simdesk.plan.compile import compile_plan

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
EXAMPLES = sorted(SCENARIOS.glob("*.yaml"))
RESULT_FILES = ("scenario.yaml", "tickets.parquet", "summary.csv", "summary.json")
# fmt: off
TICKET_COLUMNS = [
    "replication", "ticket", "channel", "segment", "topic", "arrived", "first_response",
    "wait", "resolved", "abandoned", "sla_met", "path", "warmup",
]
# fmt: on
MIN_HEADER_LINES = 8

examples = pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])


def test_there_are_examples() -> None:
    assert {"internal-it", "saas-startup", "freemium-outage"} <= {p.stem for p in EXAMPLES}


@examples
def test_example_loads_and_validates(path: Path) -> None:
    scenario = simdesk.load_scenario(path)
    assert scenario.seed is None, "examples leave the seed to the command line"
    plan = compile_plan(scenario)
    assert plan.streams and plan.agents
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output


@examples
def test_example_runs_through_the_cli(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["run", str(path), "--seed", "1", "--replications", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in RESULT_FILES:
        assert (out / name).is_file(), f"{name} missing from {out}"

    tickets = pd.read_parquet(out / "tickets.parquet")
    missing = [c for c in TICKET_COLUMNS if c not in tickets.columns]
    assert not missing, f"tickets.parquet lacks {missing}"
    assert len(tickets) > 0
    assert tickets["replication"].nunique() == 2

    written = simdesk.load_scenario(out / "scenario.yaml")
    expected = simdesk.load_scenario(path).model_copy(update={"seed": 1, "replications": 2})
    assert written == expected


@examples
def test_example_has_a_header_comment(path: Path) -> None:
    header = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header += 1
    assert header >= MIN_HEADER_LINES, (
        f"{path.name} starts with {header} comment lines; explain the desk, its assumptions "
        f"and the question it answers in at least {MIN_HEADER_LINES}"
    )
