"""Expectations on the new metrics: names and units, checks that the scenario measures
them, and ``simdesk check`` on the satisfaction example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import simdesk
from simdesk.cli import main
from simdesk.metrics.verdicts import evaluate
from simdesk.scenario.expect import Names, parse_expectation, resolve

REPO = Path(__file__).resolve().parents[2]
NAMES = Names(channel=("phone", "chat"), segment=("paid",), topic=("bug",), tier=("L1",))


@pytest.mark.parametrize(("text", "scope", "group", "metric", "target"), [
    ("csat >= 80%", "overall", "all", "csat", 0.8),
    ("phone.csat >= 75%", "channel", "phone", "csat", 0.75),
    ("good >= 70%", "overall", "all", "csat", 0.7),
    ("bug.bad <= 20%", "topic", "bug", "bad", 0.2),
    ("net >= 50%", "overall", "all", "net", 0.5),
    ("chat.days_met >= 80%", "channel", "chat", "days_met", 0.8),
    ("days_met >= 60%", "overall", "all", "days_met", 0.6),
    ("phone.worst_day >= 60%", "channel", "phone", "day_sla_worst", 0.6),
    ("phone.day_sla_p10 >= 70%", "channel", "phone", "day_sla_p10", 0.7),
    ("topic:bug.handle_mean <= 1h", "topic", "bug", "handle_mean", 60.0),
    ("escalated <= 25%", "overall", "all", "escalated", 0.25),
    ("deflected >= 10%", "overall", "all", "deflected", 0.1),
    ("reopen_rate <= 0.1", "overall", "all", "reopen_rate", 0.1),
    ("tier:L1.repeat_work <= 15%", "tier", "L1", "repeat_work", 0.15),
])
def test_the_new_metrics_parse(text: str, scope: str, group: str, metric: str,
                               target: float) -> None:
    found = resolve(parse_expectation(text), NAMES)
    assert (found.scope, found.group, found.metric) == (scope, group, metric)
    assert found.target == pytest.approx(target)


def test_day_metrics_are_per_channel_only() -> None:
    with pytest.raises(ValueError, match="days_met is not measured per segment"):
        resolve(parse_expectation("segment:paid.days_met >= 50%"), NAMES)
    with pytest.raises(ValueError, match="day_sla_p10 is not measured over all tickets"):
        parse_expectation("day_sla_p10 >= 50%")
    with pytest.raises(ValueError, match="csat is a share: write 80% "):
        parse_expectation("csat >= 80")


def _validate(tmp_path: Path, data: dict[str, Any]) -> tuple[int, str]:
    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    return result.exit_code, result.stderr


def _desk(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "desk", "horizon": "3d",
        "channels": {"phone": {"sla": {"within": "30s", "target": "80%"}}},
        "topics": {"easy": "70%", "hard": "30%"},
        "arrivals": [{"channel": "phone", "rate": "10/h"}],
        "tiers": {"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"}}},
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("expectation", "fix", "hint"), [
    ("csat >= 80%", {"satisfaction": {}}, "the scenario has no satisfaction model"),
    ("topic:hard.handle_mean <= 1h", {"satisfaction": {}}, "no satisfaction model"),
    ("easy.deflected >= 10%",
     {"topics": {"easy": {"share": "70%", "deflection": "20%"}, "hard": "30%"}},
     "no topic has a deflection"),
    ("reopen_rate <= 0.2",
     {"topics": {"easy": "70%", "hard": {"share": "30%", "reopens": {
         "share": "10%", "after": {"dist": "exponential", "mean": "2d"}}}}},
     "no topic or tier has reopens"),
    ("tier:L1.repeat_work <= 10%",
     {"tiers": {"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"},
                       "reopens": {"share": "10%",
                                   "after": {"dist": "exponential", "mean": "2d"}}}}},
     "no topic or tier has reopens"),
])
def test_a_metric_of_a_feature_needs_the_feature(tmp_path: Path, expectation: str,
                                                 fix: dict[str, Any], hint: str) -> None:
    code, err = _validate(tmp_path, _desk(expect=[expectation]))
    assert code == 2 and "is not measured: " in err and hint in err, err
    code, err = _validate(tmp_path, _desk(expect=[expectation], **fix))
    assert code == 0, err


def test_day_metrics_need_no_feature(tmp_path: Path) -> None:
    code, err = _validate(tmp_path, _desk(expect=["phone.days_met >= 50%",
                                                  "days_met >= 50%"]))
    assert code == 0, err


def test_expectations_are_judged_on_the_new_metrics() -> None:
    scenario = simdesk.load_scenario(REPO / "scenarios" / "satisfaction.yaml")
    result = simdesk.simulate(scenario, seed=1, replications=4)
    verdicts = evaluate(result, ["csat >= 1%", "chat.csat <= 99%", "chat.days_met >= 0%",
                                 "bug.bad >= 1%", "csat >= 99%"])
    assert [v.passed for v in verdicts] == [True, True, True, True, False]
    summary = result.summary.set_index(["scope", "group", "metric"])
    assert verdicts[0].mean == pytest.approx(summary.loc[("overall", "all", "csat"), "mean"])
    assert verdicts[2].bound == "lower"
    assert verdicts[2].value == pytest.approx(
        summary.loc[("channel", "chat", "days_met"), "ci_low"])


def test_the_example_passes_its_own_check() -> None:
    result = CliRunner().invoke(main, ["check", str(REPO / "scenarios" / "satisfaction.yaml"),
                                       "--seed", "1", "--replications", "5", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "2 of 2 expectations met" in result.output
