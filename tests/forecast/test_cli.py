"""simdesk forecast, fit --forecast and simdesk plan from the command line on the example
history, and a clear one-line message with exit status 2 for bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simdesk.scenario.load import load_scenario
from tests.cli_calls import ok, refused

HISTORY = Path("examples/history/tickets.csv.gz")
SHIFTS = Path("examples/history-shifts.yaml")


def test_forecast_prints_and_writes(tmp_path: Path) -> None:
    out = tmp_path / "next.csv"
    text = ok("forecast", HISTORY, "--tz", "Europe/Berlin", "--weeks", "3", "-o", out,
              "--holidays", "2026-04-03,2026-05-01")
    assert "Back-test: the last 2 week(s) held out" in text
    assert "Beats naive" in text and "No yearly season" in text
    daily = pd.read_csv(out)
    assert set(daily["channel"]) == {"phone", "chat", "email"}
    assert len(daily) == 3 * 21 and (daily["low"] <= daily["mean"]).all()
    assert (daily["mean"] <= daily["high"]).all()
    hourly = pd.read_csv(tmp_path / "next.hourly.csv")
    sums = hourly.groupby(["channel", "date"])["mean"].sum()
    assert sums.to_numpy() == pytest.approx(
        daily.set_index(["channel", "date"])["mean"].loc[sums.index].to_numpy(), abs=0.05)
    assert (tmp_path / "next.html").stat().st_size > 100_000
    assert "exists" in refused("forecast", HISTORY, "--tz", "Europe/Berlin", "-o", out)


def test_fit_forecast_writes_a_scenario_over_the_weeks(tmp_path: Path) -> None:
    out = tmp_path / "desk.yaml"
    ok("fit", HISTORY, "--tz", "Europe/Berlin", "-o", out, "--no-verify", "--no-report",
       "--forecast", "2", "-q")
    scenario = load_scenario(tmp_path / "desk.forecast.yaml")
    assert scenario.horizon - scenario.warmup == 14 * 1440
    assert f"{scenario.start:%Y-%m-%d}" == "2026-04-12"  # a day of warm-up before 13 April
    assert (tmp_path / "desk.forecast.csv").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--holidays", "25.12.2026"], "--holidays: '25.12.2026' is not a date"),
    (["--level", "120%"], "--level"),
    (["--weeks", "0"], "--weeks"),
    (["--backtest", "5"], "leaves 7 day(s) to fit"),
])
def test_forecast_bad_input(args: list[str], message: str) -> None:
    assert message in refused("forecast", HISTORY, "--tz", "Europe/Berlin", *args)


def test_too_short_a_history(tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    frame = pd.read_csv(HISTORY)
    frame.loc[frame["Created at"] < "2026-03-12"].to_csv(short, index=False)
    assert "a forecast needs at least 14" in refused("forecast", short, "--tz",
                                                       "Europe/Berlin")
    assert "--forecast: the tickets cover 10 day(s)" in refused(
        "fit", short, "--tz", "Europe/Berlin", "-o", tmp_path / "d.yaml", "--forecast", "2")
    assert not (tmp_path / "d.yaml").exists()  # refused before the fit


def test_fit_holidays_without_forecast(tmp_path: Path) -> None:
    assert "--holidays is used by --forecast" in refused(
        "fit", HISTORY, "-o", tmp_path / "d.yaml", "--holidays", "2026-04-03")


def test_plan_bad_input(tmp_path: Path) -> None:
    assert "--shifts" in refused("plan", HISTORY, "--shifts", tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("patterns:\n  - {name: x, days: Mon-Fri, start: '25:00', length: 8h}\n",
                   encoding="utf-8")
    assert "Error" in refused("plan", HISTORY, "--shifts", bad)
    assert "--interval" in refused("plan", HISTORY, "--shifts", SHIFTS, "--interval", "7m")


def test_plan_end_to_end_on_the_example_history(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    text = ok("plan", HISTORY, "--tz", "Europe/Berlin", "--weeks", "1", "--shifts", SHIFTS,
              "-o", folder, "--interval", "2h", "-r", "3", "--max-replications", "6", "-q")
    assert "Verified by simulation" in text
    for name in ("scenario.yaml", "forecast.csv", "forecast.hourly.csv", "staffing.csv",
                 "staffed.yaml", "roster.csv", "rostered.yaml", "plan.html"):
        assert (folder / name).stat().st_size > 0, name
    rostered = load_scenario(folder / "rostered.yaml")
    assert rostered.horizon - rostered.warmup == 7 * 1440
    page = (folder / "plan.html").read_text(encoding="utf-8")
    for heading in ("Each step and what it assumed", "1. Fit", "2. Forecast", "3. Staff",
                    "4. Roster and verification", "Back-test against seasonal-naive",
                    "Requirement: L1"):
        assert heading in page
