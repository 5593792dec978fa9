"""simdesk check on a sweep file: every point judged against the expectations."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from simdesk.cli import main

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "saas-startup.yaml"


def _sweep(tmp_path: Path, expect: str) -> Path:
    path = tmp_path / "staffing.yaml"
    path.write_text(
        f"scenario: {SCENARIO}\n"
        "parameters:\n"
        "  tiers.L1.agents[1].count: [0, 2]\n"
        "replications: 3\n"
        "seed: 1\n"
        f"expect: {expect}\n", encoding="utf-8")
    return path


def test_each_point_is_judged_and_the_exit_says_if_all_met(tmp_path: Path) -> None:
    path = _sweep(tmp_path, '["chat.sla >= 80%"]')
    result = CliRunner().invoke(main, ["check", str(path), "--json", "-w", "1"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert [p["passed"] for p in document["points"]] == [False, True]
    verdict = document["points"][1]["verdicts"][0]
    assert verdict["bound"] == "lower" and verdict["value"] >= 0.8


def test_all_points_meeting_the_expectations_exit_0(tmp_path: Path) -> None:
    path = _sweep(tmp_path, '["email.sla >= 80%"]')
    result = CliRunner().invoke(main, ["check", str(path), "-w", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("2 of 2 points meet every expectation")


def test_a_bad_expectation_in_a_sweep_is_an_input_error(tmp_path: Path) -> None:
    path = _sweep(tmp_path, '["chta.sla >= 80%"]')
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert f"{path}:6: expect[0]:" in result.stderr and "did you mean 'chat'" in result.stderr
