"""The changes tried for a missed target count against the work budget: a run that fits
``--max-tickets`` but whose suggestions would not runs without them, and says so."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from simdesk.cli import main

SAAS = Path(__file__).resolve().parents[2] / "scenarios" / "saas-startup.yaml"


def _run(tmp_path: Path, name: str, *limits: str) -> tuple[str, list[dict[str, object]]]:
    folder = tmp_path / name
    done = CliRunner().invoke(main, ["run", str(SAAS), "-r", "2", "--seed", "3",
                                     "-o", str(folder), *limits])
    assert done.exit_code == 0, done.output
    misses = json.loads((folder / "misses.json").read_text(encoding="utf-8"))
    return done.output, misses


def test_suggestions_beyond_the_budget_are_skipped(tmp_path: Path) -> None:
    # about 2,700 tickets a replication: the run's 2 fit 8,000, its 2 + 12 tried do not
    output, misses = _run(tmp_path, "tight", "--max-tickets", "8000")
    assert misses, "saas-startup misses a target at seed 3"
    assert all(not entry["suggestions"] for entry in misses)
    assert "No changes tried for missed targets" in output and "--max-tickets" in output

    output, misses = _run(tmp_path, "free", "--no-limits")
    assert any(entry["suggestions"] for entry in misses)
    assert "No changes tried for missed targets" not in output
