"""The command line: help everywhere, `run` writes the results folder, clear refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import simdesk
from simdesk.cli import main
from tests.helpers import scenario_dict


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "desk.yaml"
    data = scenario_dict(horizon="2d", warmup="2h",
                         tiers={"L1": {"agents": 2,
                                       "handle": {"dist": "exponential", "mean": "5m"}}})
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_every_command_has_help() -> None:
    assert main.help
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help text"
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
        for parameter in command.params:
            if isinstance(parameter, click.Option):
                assert parameter.help, f"{name} {parameter.opts} has no help text"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.output == f"simdesk, version {simdesk.__version__}\n"


def test_run_prints_a_summary_and_writes_the_results(scenario_file: Path, tmp_path: Path
                                                     ) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(scenario_file), "--seed", "3",
                                       "--replications", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "test desk — 2 replication(s) of 2d" in result.stdout
    assert "SLA (95% CI)" in result.stdout and "Utilization" in result.stdout
    assert result.stdout.rstrip().endswith(f"Results written to {out}/")
    for name in ("scenario.yaml", "tickets.parquet", "visits.parquet", "duty.parquet",
                 "summary.csv", "summary.json"):
        assert (out / name).is_file(), name
    document = json.loads((out / "summary.json").read_text())
    assert document["seed"] == 3 and document["replications"] == 2
    assert document["replication_seeds"][1] == {"replication": 1, "entropy": 3,
                                                "spawn_key": [1]}
    sla = document["metrics"]["channel"]["phone"]["sla"]
    assert sla["ci_low"] <= sla["mean"] <= sla["ci_high"]
    assert sla["unit"] == "share"
    assert document["metrics"]["channel"]["phone"]["wait_p90"]["unit"] == "minutes"
    summary = pd.read_csv(out / "summary.csv")
    assert {"overall", "channel", "segment", "topic", "tier"} <= set(summary["scope"])
    assert list(summary.columns[:4]) == ["scope", "group", "metric", "unit"]
    units = dict(zip(summary["metric"], summary["unit"], strict=False))
    assert units["sla"] == "share" and units["wait_mean"] == "minutes"
    assert units["tickets"] == "count" and units["per_agent_day"].startswith("per agent-day")
    assert "number" not in set(summary["unit"])  # every metric has a named unit
    tickets = pd.read_parquet(out / "tickets.parquet")
    again = simdesk.simulate(out / "scenario.yaml")
    pd.testing.assert_frame_equal(tickets, again.tickets, check_dtype=False)


def test_run_refuses_to_overwrite_results(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", str(scenario_file), "-r", "1", "--seed", "1", "--out", str(out), "-q"]
    assert CliRunner().invoke(main, args).exit_code == 0
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 2
    assert second.stderr.startswith(f"Error: {out} already holds results (scenario.yaml, ")
    assert CliRunner().invoke(main, [*args, "--overwrite"]).exit_code == 0


def test_quiet_run_prints_only_where_results_went(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "q"
    result = CliRunner().invoke(main, ["run", str(scenario_file), "-r", "1", "-q",
                                       "--out", str(out)])
    assert result.exit_code == 0
    assert result.stdout == f"Results written to {out}/\n"


def test_default_results_folder_is_named_after_the_scenario(scenario_file: Path,
                                                            tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", str(scenario_file), "-r", "1", "-q"])
    assert result.exit_code == 0
    folders = list((tmp_path / "results").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("test-desk-")


def test_bad_input_on_run_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nhorizon: 1w\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"Error: {path}:1: required key 'channels' is missing",
        f"Error: {path}:1: required key 'arrivals' is missing",
        f"Error: {path}:1: required key 'tiers' is missing",
        "3 problems found.",
    ]


def _console_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed entry point, :func:`simdesk.cli.console_main`, in its own process."""
    code = ("import sys; from simdesk.cli import console_main; "
            "sys.argv[0] = 'simdesk'; console_main()")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120, check=False)


def test_console_script_keeps_exit_status_and_flushes_output(scenario_file: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _console_script("run", str(scenario_file), "--replications", "2", "--out", str(out),
                           cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(f"Results written to {out}/")
    assert (out / "summary.csv").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhorizon: 1w\n", encoding="utf-8")
    refused = _console_script("validate", str(bad), cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.rstrip().endswith("3 problems found.")
    assert _console_script("no-such-command", cwd=tmp_path).returncode == 2
    assert _console_script("--version", cwd=tmp_path).stdout.startswith("simdesk")
