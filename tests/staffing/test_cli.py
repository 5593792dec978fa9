"""simdesk erlang and simdesk staff from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import simdesk
from simdesk.cli import main
from tests.helpers import scenario_dict


def test_erlang_figures_for_a_count() -> None:
    result = CliRunner().invoke(main, ["erlang", "--rate", "200/h", "--aht", "3m", "--within",
                                       "20s", "--agents", "13", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)["answer"]
    assert answer["agents"] == 13 and answer["model"] == "Erlang C"
    assert answer["service_level"] == pytest.approx(0.796, abs=0.0006)
    assert answer["asa"] * 60 == pytest.approx(17.1, abs=0.1)


def test_erlang_agents_for_a_target_with_a_table() -> None:
    result = CliRunner().invoke(main, ["erlang", "--rate", "200/h", "--aht", "3m", "--within",
                                       "20s", "--target", "80%", "--table", "--json"])
    document = json.loads(result.stdout)
    assert document["answer"]["agents"] == 14 and document["target"] == 0.8
    assert [row["agents"] for row in document["table"]][:3] == [11, 12, 13]
    text = CliRunner().invoke(main, ["erlang", "--rate", "200/h", "--aht", "3m", "--within",
                                     "20s", "--patience", "5m"]).stdout
    assert "Erlang A" in text and "Abandoned" in text
    assert text.rstrip().endswith("13 agents reach 80% answered within 20s: service level "
                                  "85.8%")


@pytest.mark.parametrize(("args", "message"), [
    (["--rate", "200/h", "--aht", "3x", "--within", "20s"],
     "Error: --aht: '3x' is not a duration such as 30s"),
    (["--rate", "200/h", "--aht", "3m", "--within", "20s", "--agents", "13", "--target", "80%"],
     "Error: give --agents or --target, not both"),
    (["--rate", "200/h", "--aht", "3m", "--within", "20s", "--patience", "0s"],
     "Error: --patience: must be above zero, got '0s'"),
])
def test_erlang_bad_input(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["erlang", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_erlang_prints_a_fine_target_with_its_digits() -> None:
    text = CliRunner().invoke(main, ["erlang", "--rate", "100/h", "--aht", "5m", "--within",
                                     "20s", "--target", "99.9%"]).stdout
    last = text.rstrip().splitlines()[-1]
    assert last.startswith("19 agents reach 99.9% answered within 20s: service level 99.9")
    assert "100%" not in last


def test_erlang_json_names_the_unit_of_every_number() -> None:
    result = CliRunner().invoke(main, ["erlang", "--rate", "200/h", "--aht", "3m", "--within",
                                       "20s", "--patience", "5m", "--table", "--json"])
    document = json.loads(result.stdout)
    assert set(document["answer"]) - {"model"} <= set(document["units"])
    assert document["units"]["asa"] == "minutes" and document["units"]["rate"] == "per minute"
    assert document["units"]["service_level"] == "share"


def test_staff_writes_the_requirement_the_roster_and_the_verification(tmp_path: Path) -> None:
    scenario = tmp_path / "desk.yaml"
    scenario.write_text(yaml.safe_dump(scenario_dict(
        horizon="2w", warmup="1d",
        channels={"chat": {"sla": {"within": "5m", "target": "80%"}}},
        arrivals=[{"channel": "chat", "rate": "20/h", "profile": "business-hours"}],
        tiers={"L1": {"agents": 4, "handle": {"dist": "exponential", "mean": "10m"}}},
    )), encoding="utf-8")
    shifts = tmp_path / "shifts.yaml"
    shifts.write_text("patterns:\n"
                      "  - {name: day, days: Mon-Fri, start: ['08:00'], length: 10h, cost: 50}\n"
                      "  - {name: half, days: Mon-Fri, start: ['08:00', '13:00'], length: 5h, "
                      "cost: 27}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["staff", str(scenario), "--seed", "2", "-r", "4",
                                       "--shifts", str(shifts), "--out", str(out), "-w", "1"])
    assert result.exit_code == 0, result.output
    assert "agents needed by simulation" in result.stdout
    assert "L1: the roster covers the requirement in every interval" in result.stdout
    table = pd.read_csv(out / "staffing.csv")
    assert {"tier", "when", "erlang", "simulated", "simulated_met", "erlang_met"} <= set(table)
    day = table.loc[table["when"] == "Tue 10:00"].iloc[0]
    assert day["simulated"] >= 4  # 20/h × 10 min, 80 % within 5 min
    assert (table.loc[table["arrivals_per_hour"] == 0, "simulated"] == 0).all()
    roster = pd.read_csv(out / "roster.csv")
    assert roster["people"].sum() > 0
    rostered = simdesk.load_scenario(out / "rostered.yaml")
    assert rostered.tiers["L1"].agents[0].shift.startswith("Mon,Tue,Wed,Thu,Fri")
    simdesk.load_scenario(out / "staffed.yaml")
