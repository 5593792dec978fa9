"""simdesk export and simdesk fit from the command line: the whole round trip, and a clear
message with exit status 2 (never a traceback) for every kind of bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simdesk.report.fit_figures import FIT_FIGURES
from tests.cli_calls import ok, refused
from tests.fit.helpers import desk, write_yaml


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two weeks of the round-trip desk, run and exported by the commands (Zendesk columns,
    Berlin time)."""
    folder = tmp_path_factory.mktemp("cli")
    scenario = write_yaml(folder / "desk.yaml", desk(horizon="2w", warmup="1d"))
    ok("run", scenario, "--seed", "5", "-r", "1", "-q", "-o", folder / "run")
    out = ok("export", folder / "run", "-o", folder / "tickets.csv", "--format", "zendesk",
             "--tz", "Europe/Berlin")
    assert re.search(r"[\d,]+ tickets written to .*tickets\.csv \(zendesk format\)", out)
    return folder / "tickets.csv"


def test_fit_writes_a_valid_scenario_and_a_report(history: Path, tmp_path: Path) -> None:
    out = tmp_path / "fitted.yaml"
    text = " ".join(ok("fit", history, "--tz", "Europe/Berlin", "-o", out, "-r", "2").split())
    for words in ("(zendesk columns, times in Europe/Berlin)", "Arrivals", "Handle times",
                  "Patience", "Naive average", "Tiers", "Service level", "Simulated",
                  f"Scenario written to {out}", "Fit report written to"):
        assert words in text, words
    assert "staffing inferred from the assignees" in text
    assert "is simdesk's preset for phone" in text
    assert "no SLA target known" in text  # chat has no preset
    validated = ok("validate", out)
    assert "is valid" in validated
    report = (tmp_path / "fitted.fit.html").read_text(encoding="utf-8")
    figures = re.search(r'data-figures="([^"]*)"', report)
    assert figures is not None and figures.group(1).split() == list(FIT_FIGURES)
    assert report.count("<script type=\"application/json\" data-figure=") == len(FIT_FIGURES)


def test_fit_with_staff_sla_and_options(history: Path, tmp_path: Path) -> None:
    staff = write_yaml(tmp_path / "desk.yaml", desk())
    out = tmp_path / "fitted.yaml"
    text = ok("fit", history, "--tz", "Europe/Berlin", "-o", out, "--staff", staff,
              "--sla", "chat=1m@85%", "--name", "Our desk", "--no-verify", "--no-report",
              "--profile", "matrix", "-q")
    assert "Scenario written to" in text and "Fit report" not in text
    scenario = out.read_text(encoding="utf-8")
    assert "name: Our desk" in scenario
    assert "chat:\n    sla: {within: 1m, target: 85%}" in scenario
    assert "staffing from the --staff scenario" in scenario
    assert "matrix:" in scenario
    assert not (tmp_path / "fitted.fit.html").exists()


def test_refusals_name_the_problem(history: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    assert refused("fit", tmp_path / "none.csv", "-o", out) == (
        f"Error: {tmp_path / 'none.csv'}: no such file")
    assert refused("fit", history, "--tz", "Mars/Olympus", "-o", out).startswith(
        "Error: --tz 'Mars/Olympus' is not a time zone")
    assert "unknown field 'when'" in refused("fit", history, "--map", "when=Created at",
                                             "-o", out)
    assert "--sla 'chat=2m': write CHANNEL=WITHIN@TARGET" in refused(
        "fit", history, "--tz", "UTC", "--sla", "chat=2m", "-o", out)
    out.write_text("name: mine\n", encoding="utf-8")
    assert refused("fit", history, "--tz", "UTC", "-o", out) == (
        f"Error: {out} exists; choose another -o or pass --overwrite")
    other = write_yaml(tmp_path / "other.yaml", desk(tiers={
        "L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"}}}))
    assert "--staff: the history has tier 'L2', which the staffing scenario does not" in (
        refused("fit", history, "--tz", "UTC", "--staff", other, "-o", tmp_path / "y.yaml"))


def test_too_little_history_is_refused_with_the_reason(history: Path, tmp_path: Path) -> None:
    table = pd.read_csv(history, dtype=str, keep_default_na=False)
    few = tmp_path / "few.csv"
    table.head(60).to_csv(few, index=False)
    message = refused("fit", few, "--tz", "Europe/Berlin", "-o", tmp_path / "x.yaml")
    assert "only 60 usable ticket(s) of 60 row(s); the fit needs at least 100" in message
    broken = table.copy()
    broken.loc[50:, "Created at"] = "n/a"
    broken.to_csv(few, index=False)
    message = refused("fit", few, "--tz", "Europe/Berlin", "-o", tmp_path / "x.yaml")
    assert f"only 50 usable ticket(s) of {len(table)} row(s)" in message
    assert "the rows left out:" in message and "is not a timestamp (e.g. 'n/a'" in message
    days = table.loc[pd.to_datetime(table["Created at"]) < "2026-01-08"]
    days.to_csv(few, index=False)
    assert "the tickets cover 3 day(s); a weekday × hour profile needs at least 7" in refused(
        "fit", few, "--tz", "Europe/Berlin", "-o", tmp_path / "x.yaml")


def test_no_work_times_fit_everything_else(history: Path, tmp_path: Path) -> None:
    """Without work times the fit goes on: handle times from --aht, or placeholders said
    to be so (and no verifying simulation of a placeholder)."""
    table = pd.read_csv(history, dtype=str, keep_default_na=False)
    few = tmp_path / "nowork.csv"
    table.drop(columns=["Work minutes"]).to_csv(few, index=False)
    text = " ".join(ok("fit", few, "--tz", "Europe/Berlin", "-o", tmp_path / "a.yaml",
                       "--no-report").split())
    assert "the export has no work times, so they are PLACEHOLDERS" in text
    assert "Simulated" not in text  # not verified
    fitted = yaml.safe_load((tmp_path / "a.yaml").read_text(encoding="utf-8"))
    assert fitted["tiers"]["L1"]["handle"] == {"dist": "exponential", "mean": "8.00m"}
    assert "PLACEHOLDER" in (tmp_path / "a.yaml").read_text(encoding="utf-8")
    assert fitted["arrivals"] and fitted["channels"]["phone"]["patience"]
    text = " ".join(ok("fit", few, "--tz", "Europe/Berlin", "-o", tmp_path / "b.yaml",
                       "--no-report", "--aht", "10m", "--aht", "phone=4m,L2=30m",
                       "-r", "2").split())
    assert "taken from --aht" in text and "Simulated" in text
    fitted = yaml.safe_load((tmp_path / "b.yaml").read_text(encoding="utf-8"))
    assert fitted["tiers"]["L1"]["handle"]["mean"] == "10m"
    assert fitted["tiers"]["L1"]["handle_by"]["phone"]["mean"] == "4.00m"
    assert fitted["tiers"]["L2"]["handle"]["mean"] == "30m"
    assert "no channel or tier named 'sms'" in refused(
        "fit", few, "--tz", "Europe/Berlin", "-o", tmp_path / "c.yaml", "--aht", "sms=3m")


def test_export_refusals(history: Path, tmp_path: Path) -> None:
    assert "is not a results folder of simdesk run or compare" in refused(
        "export", tmp_path, "-o", tmp_path / "t.csv")
    assert refused("export", history.parent / "run", "-o", history) == (
        f"Error: {history} exists; choose another -o or pass --overwrite")


@pytest.mark.parametrize("command", ["fit", "export"])
def test_help_says_what_the_command_does(command: str) -> None:
    text = ok(command, "--help")
    assert "docs/fit.md" in " ".join(text.split())
