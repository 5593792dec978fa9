"""The run output at 100 columns: no line wider, no number cut by an ellipsis, every
column headed; --wide and piped output show every column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simdesk.cli import main
from tests.output.desks import lunch_gap_desk

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(args: list[str], env: dict[str, str]) -> list[str]:
    result = CliRunner().invoke(main, ["run", *args], env=env)
    assert result.exit_code == 0, result.output
    return [ANSI.sub("", line) for line in result.stdout.splitlines()]


def _terminal(args: list[str]) -> list[str]:
    """As on a terminal 100 columns wide (FORCE_COLOR makes rich treat it as one)."""
    return _run(args, {"FORCE_COLOR": "1", "COLUMNS": "100"})


def _fits(lines: list[str]) -> None:
    for line in lines:
        assert len(line) <= 100, line
        assert "…" not in line, line  # nothing cut: no number, header or verdict


@pytest.mark.parametrize("scenario", ["internal-it.yaml", "satisfaction.yaml"])
def test_a_shipped_scenario_fits_100_columns(scenario: str, tmp_path: Path) -> None:
    lines = _terminal([str(ROOT / "scenarios" / scenario), "--seed", "1", "-r", "2",
                       "--no-suggest", "--by-hour", "-o", str(tmp_path / "out")])
    _fits(lines)
    header = next(line for line in lines if "Channel" in line and "Tickets" in line)
    for column in ("SLA ± 95% CI", "Target", "Verdict", "Gave up", "P90 wait"):
        assert column in header
    assert "Mean wait" not in header  # --wide shows it
    assert any(re.search(r"\d+\.\d% ±\d+\.\d", line) for line in lines)
    assert any("SLA per hour of arrival" in line for line in lines)


def test_why_missed_lines_fit_too(tmp_path: Path) -> None:
    desk = tmp_path / "desk.yaml"
    desk.write_text(yaml.safe_dump(lunch_gap_desk(horizon="2w")), encoding="utf-8")
    lines = _terminal([str(desk), "--seed", "1", "-r", "3", "-o", str(tmp_path / "out")])
    _fits(lines)
    text = "\n".join(lines)
    assert "Where: Mon–Fri" in text and "What to try" in text


def test_wide_and_piped_output_show_every_column(tmp_path: Path) -> None:
    args = [str(ROOT / "scenarios" / "internal-it.yaml"), "--seed", "1", "-r", "2",
            "--no-suggest"]
    for lines in (_terminal([*args, "--wide", "-o", str(tmp_path / "a")]),
                  _run([*args, "-o", str(tmp_path / "b")], {})):
        header = next(line for line in lines if "Channel" in line and "Tickets" in line)
        for column in ("SLA (95% CI)", "Mean wait", "Median wait", "Resolution",
                       "Unresolved"):
            assert column in header


def test_one_replication_says_so_instead_of_an_interval(tmp_path: Path) -> None:
    lines = _terminal([str(ROOT / "scenarios" / "internal-it.yaml"), "--seed", "1", "-r",
                       "1", "--no-suggest", "-o", str(tmp_path / "out")])
    _fits(lines)
    assert any("one replication: no interval" in line for line in lines)
    assert not any("±" in line for line in lines)
