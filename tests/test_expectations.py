"""Expectations: the grammar, load-time checks, judging on the conservative bound, `check`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import simdesk
from simdesk.cli import main
from simdesk.metrics import catalogue
from simdesk.metrics.catalogue import in_scope, unit_of
from simdesk.metrics.verdicts import evaluate, report
from simdesk.scenario.expect import (
    ExpectationError,
    Names,
    parse_expectation,
    resolve,
)
from simdesk.scenario.load import load_scenario, scenario_to_yaml
from tests.helpers import scenario_dict

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "scope", "group", "metric", "op", "target"), [
    ("phone.sla >= 80%", None, "phone", "sla", ">=", 0.8),
    ("email.p90_wait <= 4h", None, "email", "wait_p90", "<=", 240.0),
    ("abandonment <= 5%", "overall", "all", "abandonment", "<=", 0.05),
    ("segment:paid.sla >= 90%", "segment", "paid", "sla", ">=", 0.9),
    ("tier:L1.utilization <= 85%", "tier", "L1", "utilization", "<=", 0.85),
    ("overall.wait_mean <= 2m", "overall", "all", "wait_mean", "<=", 2.0),
    ("reply:2.wait_mean <= 1h", "reply", "2", "wait_mean", "<=", 60.0),
    ("channel:phone.sla > 0.8", "channel", "phone", "sla", ">", 0.8),
    ("topic:bug.resolution < 1d", "topic", "bug", "resolution_mean", "<", 1440.0),
    ("overall:sla >= 75%", "overall", "all", "sla", ">=", 0.75),
    ("overall:all.tickets >= 1,500", "overall", "all", "tickets", ">=", 1500.0),
    ("tier:L2.per_agent_day>=20", "tier", "L2", "per_agent_day", ">=", 20.0),
    ("  walk in.median_wait<=30s ", None, "walk in", "wait_median", "<=", 0.5),
    ("v1.2.sla >= 50%", None, "v1.2", "sla", ">=", 0.5),
    ("SLA >= 80%", "overall", "all", "sla", ">=", 0.8),
])
def test_each_form_parses(text: str, scope: str | None, group: str, metric: str, op: str,
                          target: float) -> None:
    parsed = parse_expectation(text)
    assert (parsed.scope, parsed.group, parsed.metric, parsed.op) == (scope, group, metric, op)
    assert parsed.target == pytest.approx(target)
    assert parsed.text == text.strip()


@pytest.mark.parametrize(("value", "target"), [
    ("80%", 0.8), ("0.8", 0.8), ("12.5%", 0.125), ("100%", 1.0), ("0%", 0.0), ("1", 1.0),
])
def test_shares_take_a_percentage_or_a_fraction(value: str, target: float) -> None:
    assert parse_expectation(f"phone.sla >= {value}").target == pytest.approx(target)


@pytest.mark.parametrize(("value", "minutes"), [
    ("30s", 0.5), ("4h", 240.0), ("1h30m", 90.0), ("2d", 2880.0), ("90 sec", 1.5),
])
def test_waits_take_a_duration(value: str, minutes: float) -> None:
    assert parse_expectation(f"email.p90_wait <= {value}").target == pytest.approx(minutes)


@pytest.mark.parametrize(("alias", "metric"), [
    ("sla", "sla"), ("abandonment", "abandonment"), ("utilization", "utilization"),
    ("mean_wait", "wait_mean"), ("wait_mean", "wait_mean"), ("median_wait", "wait_median"),
    ("wait_median", "wait_median"), ("p90_wait", "wait_p90"), ("wait_p90", "wait_p90"),
    ("resolution", "resolution_mean"), ("resolution_mean", "resolution_mean"),
    ("tickets", "tickets"), ("unresolved", "unresolved"), ("refused", "refused"),
    ("per_agent_day", "per_agent_day"), ("queue_mean", "queue_mean"),
    ("agents_on_duty", "agents_on_duty"), ("handled", "handled"), ("replies", "replies"),
])
def test_aliases_name_the_summary_metrics(alias: str, metric: str) -> None:
    found = catalogue.find(alias)
    assert found is not None and found.name == metric
    scope = next(s for s in ("channel", "tier", "reply") if metric in in_scope(s))
    value = {"share": "50%", "duration": "1h", "count": "3", "rate": "3"}[unit_of(metric)]
    parsed = parse_expectation(f"{scope}:1.{alias.upper()} >= {value}")
    assert (parsed.scope, parsed.group, parsed.metric) == (scope, "1", metric)


def test_resolving_a_bare_name_looks_for_a_channel_first() -> None:
    names = Names(channel=("phone", "L1"), segment=("paid",), topic=("bug",), tier=("L1",))
    assert resolve(parse_expectation("L1.sla >= 1%"), names).scope == "channel"
    assert resolve(parse_expectation("paid.sla >= 1%"), names).scope == "segment"
    assert resolve(parse_expectation("bug.sla >= 1%"), names).scope == "topic"
    assert resolve(parse_expectation("tier:L1.handled >= 1"), names).scope == "tier"
    both = Names(segment=("billing",), topic=("billing",))
    with pytest.raises(ExpectationError) as caught:
        resolve(parse_expectation("billing.sla >= 1%"), both)
    assert str(caught.value) == ("'billing' is both a segment and a topic: write "
                                 "segment:billing.sla or topic:billing.sla")


# --- bad forms: one line each, with file, line and key path ------------------------------

BASE = """\
name: test
horizon: 1w
channels:
  phone: {sla: {within: 30s, target: 80%}}
  email:
    sla: {within: 4h, target: 90%}
    touches: {1: 50%, 2: 50%}
    reply_after: {dist: exponential, mean: 2h}
segments: {paid: 30%, free: 70%}
topics: {bug: 40%, billing: 60%}
arrivals:
  - {channel: phone, rate: 10/h}
  - {channel: email, rate: 5/h}
tiers:
  L1:
    agents: 3
    handle: {dist: exponential, mean: 10m}
    resolves: 80%
    escalate_to: L2
  L2: {agents: 2, handle: {dist: exponential, mean: 30m}}
expect:
  - phone.sla >= 80%
  - email.p90_wait <= 4h
  - abandonment <= 5%
  - segment:paid.sla >= 90%
  - tier:L1.utilization <= 85%
  - overall.wait_mean <= 2m
  - reply:2.wait_mean <= 1h
  - bug.resolution <= 1d
"""
FIRST = "  - phone.sla >= 80%"
FORM = ("write TARGET OP VALUE such as 'email.p90_wait <= 4h' or "
        "'tier:L1.utilization <= 85%'")
TICKET_LIST = ", ".join(in_scope("overall"))
CHANNEL_LIST = ", ".join(in_scope("channel"))
METRIC_LIST = (", ".join(catalogue.METRICS)
               + " (or mean_wait, median_wait, p90_wait, resolution, good, worst_day, "
                 "mean_handle)")

BAD = [
    ("unknown channel", "phnoe.sla >= 80%",
     "unknown name 'phnoe': no channel, segment, topic or tier is called that (channels: "
     "phone, email; segments: paid, free; topics: bug, billing; tiers: L1, L2) "
     "(did you mean 'phone'?)"),
    ("unknown segment", "segment:piad.sla >= 80%",
     "unknown segment 'piad'; known: paid, free (did you mean 'paid'?)"),
    ("unknown topic", "topic:bugs.sla >= 80%",
     "unknown topic 'bugs'; known: bug, billing (did you mean 'bug'?)"),
    ("unknown tier", "tier:L3.utilization <= 85%", "unknown tier 'L3'; known: L1, L2"),
    ("unknown helper", "helper:boss.queue_share <= 20%",
     "unknown helper 'boss'; known: (none declared)"),
    ("unknown scope", "chanel:phone.sla >= 80%",
     "unknown scope 'chanel'; valid: overall, channel, segment, topic, tier, reply, helper, "
     "agent (did you mean 'channel'?)"),
    ("unknown metric", "phone.sal >= 80%", f"unknown metric 'sal'; valid: {METRIC_LIST} "
     "(did you mean 'sla'?)"),
    ("metric of another scope", "phone.utilization <= 85%",
     "utilization is not measured per channel (for channel 'phone'); it is a tier metric: "
     "write tier:NAME.utilization; valid there: " + CHANNEL_LIST),
    ("tier metric overall", "utilization <= 85%",
     "utilization is not measured over all tickets; it is a tier metric: write "
     "tier:NAME.utilization; valid there: " + TICKET_LIST),
    ("ticket metric on a tier", "L1.sla >= 80%",
     "sla is not measured per tier (for tier 'L1'); valid there: wait_mean, utilization, "
     "agents_on_duty, handled, per_agent_day, services_per_agent_day, queue_mean, "
     "repeat_work, helped, helping, rests, rest_share"),
    ("reply that never happens", "reply:3.wait_mean <= 1h",
     "reply '3' does not exist: replies are numbered 1, 2 (the most touches a ticket can "
     "need)"),
    ("share without %", "phone.sla >= 80", "sla is a share: write 80% (or 0.8), not 80"),
    ("share above 100%", "phone.sla >= 120%", "sla is a share: '120%' is outside 0%..100%"),
    ("share as words", "phone.sla >= most",
     "sla is a share: 'most' is not a percentage such as 80% (or a fraction such as 0.8)"),
    ("duration without unit", "email.p90_wait <= 4",
     "wait_p90 is a duration: '4' has no unit; write a duration such as 30s, 12m, 1.5h, 2d, "
     "1w or 1h30m"),
    ("count with a unit", "tickets >= 80%",
     "tickets is a count: write a plain number such as 1500, not '80%'"),
    ("negative count", "unresolved <= -1", "unresolved is a count: '-1' is not zero or more"),
    ("equals", "abandonment = 5%", "'=' is not a comparison here; use one of >=, <=, >, <"),
    ("=>", "phone.sla => 80%",
     "'=>' is not a comparison here; use one of >=, <=, >, < (did you mean '>='?)"),
    ("no comparison", "phone.sla", f"'phone.sla' has no comparison; {FORM} "
     "(OP is one of >=, <=, >, <)"),
    ("no value", "phone.sla >=", f"no value after '>='; {FORM}"),
    ("no target", "'>= 80%'", f"nothing to compare before '>='; {FORM}"),
    ("scope without metric", "tier:L1 >= 3",
     "after 'tier:' write NAME.METRIC, e.g. tier:NAME.utilization"),
    ("overall with a group", "overall:phone.sla >= 80%",
     "the overall scope has one group, 'all': write overall.sla or just sla"),
    ("not text", "80", "expected text, got 80"),
    ("YAML mapping", "segment: paid.sla >= 90%",
     "expected text, got {'segment': 'paid.sla >= 90%'}"),
]


def _validate(tmp_path: Path, text: str) -> tuple[int, str, str, Path]:
    path = tmp_path / "desk.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    return result.exit_code, result.stdout, result.stderr, path


def test_helpers_are_named_in_expectations(tmp_path: Path) -> None:
    with_helper = BASE.replace("    agents: 3\n",
                               "    agents: 3\n    helpers: [{name: boss, joins_at: 5}]\n")
    code, _, err, _ = _validate(tmp_path, with_helper.replace(
        FIRST, "  - helper:boss.queue_share <= 20%", 1))
    assert code == 0, err
    code, _, err, path = _validate(tmp_path, with_helper.replace(
        FIRST, "  - helper:bos.hours <= 20%", 1))
    assert code == 2
    assert err.splitlines()[0].startswith(f"Error: {path}:23: expect[0]: unknown metric 'hours'")
    code, _, err, path = _validate(tmp_path, with_helper.replace(
        "{agents: 2, handle", "{agents: 2, helpers: [{name: boss, joins_at: 3}], handle"))
    assert code == 2
    assert "helper name 'boss' is already used in tier 'L1'" in err


def test_every_form_is_valid_in_a_scenario(tmp_path: Path) -> None:
    code, out, err, _ = _validate(tmp_path, BASE)
    assert code == 0, err
    assert "is valid" in out
    assert len(load_scenario(tmp_path / "desk.yaml").expect) == 8


@pytest.mark.parametrize(("new", "message"), [pytest.param(*case[1:], id=case[0]) for case in BAD])
def test_each_bad_expectation_gets_one_clear_line(tmp_path: Path, new: str, message: str
                                                  ) -> None:
    code, out, err, path = _validate(tmp_path, BASE.replace(FIRST, f"  - {new}", 1))
    assert code == 2
    assert err.splitlines() == [f"Error: {path}:22: expect[0]: {message}"]
    assert "Traceback" not in out + err


def test_names_need_a_scope_when_they_are_ambiguous(tmp_path: Path) -> None:
    text = BASE.replace("topics: {bug: 40%, billing: 60%}", "topics: {bug: 40%, paid: 60%}")
    code, _, err, path = _validate(tmp_path, text.replace(FIRST, "  - paid.sla >= 90%"))
    assert code == 2
    assert err.splitlines() == [
        f"Error: {path}:22: expect[0]: 'paid' is both a segment and a topic: write "
        "segment:paid.sla or topic:paid.sla"]


def test_reply_targets_need_conversations(tmp_path: Path) -> None:
    text = BASE.replace("    touches: {1: 50%, 2: 50%}\n", "")
    code, _, err, path = _validate(tmp_path, text)
    assert code == 2
    assert err.splitlines() == [
        f"Error: {path}:27: expect[6]: no reply metrics: no ticket needs more than one agent "
        "reply; reply:N targets need touches above 1 on a channel or topic"]


def test_bad_expectations_are_reported_with_the_other_problems(tmp_path: Path) -> None:
    text = (BASE.replace("rate: 10/h", "rate: fast")
            .replace("  - abandonment <= 5%", "  - abandonment <= 5")
            .replace("  - tier:L1.utilization <= 85%", "  - tier:L9.utilization <= 85%"))
    code, _, err, path = _validate(tmp_path, text)
    assert code == 2
    lines = err.splitlines()
    assert lines[-1] == "3 problems found."
    assert [line.split(": ", 3)[1:3] for line in lines[:-1]] == [
        [f"{path}:12", "arrivals[0].rate"], [f"{path}:24", "expect[2]"],
        [f"{path}:26", "expect[4]"]]


def test_a_list_is_required(tmp_path: Path) -> None:
    text = BASE[: BASE.index("expect:")] + "expect: phone.sla >= 80%\n"
    code, _, err, path = _validate(tmp_path, text)
    assert code == 2
    assert err.splitlines() == [f"Error: {path}:21: expect: expected a list, got "
                                "'phone.sla >= 80%'"]


def test_expectations_survive_the_resolved_scenario(tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(BASE, encoding="utf-8")
    scenario = load_scenario(path)
    again = load_scenario(yaml.safe_load(scenario_to_yaml(scenario)))
    assert again.expect == scenario.expect


# --- evaluation on a hand-made summary ---------------------------------------------------

ROWS = [
    # scope, group, metric, mean, ci_low, ci_high
    ("overall", "all", "abandonment", 0.04, 0.03, 0.05),
    ("overall", "all", "tickets", 1500.0, 1480.0, 1520.0),
    ("channel", "phone", "sla", 0.85, 0.80, 0.90),
    ("channel", "phone", "wait_p90", 3.0, 2.0, 4.0),
    ("channel", "email", "sla", math.nan, math.nan, math.nan),
    ("segment", "paid", "sla", 0.95, 0.91, 0.99),
    ("topic", "bug", "resolution_mean", 600.0, 500.0, 700.0),
    ("tier", "L1", "utilization", 0.70, 0.65, 0.75),
    ("reply", "2", "wait_mean", 30.0, 20.0, 40.0),
]


def summary(replications: int = 10, rows: list[tuple[Any, ...]] = ROWS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["scope", "group", "metric", "mean", "ci_low",
                                        "ci_high"])
    frame["half_width"] = (frame["ci_high"] - frame["ci_low"]) / 2
    frame["replications"] = replications
    if replications == 1:
        frame[["ci_low", "ci_high", "half_width"]] = math.nan
    return frame


@pytest.mark.parametrize(("text", "bound", "value", "passed"), [
    ("phone.sla >= 80%", "lower", 0.80, True),  # the bound equals the target: met
    ("phone.sla > 80%", "lower", 0.80, False),  # ... but not strictly above it
    ("phone.sla >= 81%", "lower", 0.80, False),  # the mean (85 %) alone would pass
    ("phone.sla <= 90%", "upper", 0.90, True),
    ("phone.sla < 90%", "upper", 0.90, False),
    ("phone.p90_wait <= 4m", "upper", 4.0, True),
    ("phone.p90_wait < 4m", "upper", 4.0, False),
    ("phone.p90_wait <= 3m30s", "upper", 4.0, False),  # the mean (3 m) alone would pass
    ("phone.p90_wait >= 2m", "lower", 2.0, True),
    ("abandonment <= 5%", "upper", 0.05, True),
    ("abandonment < 5%", "upper", 0.05, False),
    ("tickets >= 1480", "lower", 1480.0, True),
    ("tickets > 1480", "lower", 1480.0, False),
    ("paid.sla >= 90%", "lower", 0.91, True),
    ("bug.resolution <= 12h", "upper", 700.0, True),
    ("L1.utilization <= 70%", "upper", 0.75, False),
    ("tier:L1.utilization <= 75%", "upper", 0.75, True),
    ("reply:2.wait_mean <= 40m", "upper", 40.0, True),
])
def test_the_conservative_bound_is_judged(text: str, bound: str, value: float,
                                          passed: bool) -> None:
    (verdict,) = evaluate(summary(), [text])
    assert (verdict.bound, verdict.value, verdict.passed) == (bound, value, passed)
    assert verdict.judged_on == f"{bound} bound"
    assert verdict.replications == 10 and verdict.note == ""


@pytest.mark.parametrize(("text", "passed"), [
    ("phone.sla >= 85%", True), ("phone.sla > 85%", False), ("phone.sla <= 85%", True),
    ("phone.sla < 85%", False), ("phone.sla >= 86%", False), ("phone.p90_wait <= 3m", True),
    ("phone.p90_wait < 3m", False),
])
def test_one_replication_is_judged_on_the_mean(text: str, passed: bool) -> None:
    (verdict,) = evaluate(summary(replications=1), [text])
    assert verdict.bound == "mean" and verdict.judged_on == "mean"
    assert verdict.value == verdict.mean
    assert verdict.passed is passed


def test_no_value_fails_with_a_note() -> None:
    nothing, missing = evaluate(summary(), ["email.sla >= 0%", "reply:3.wait_mean <= 1h"])
    assert not nothing.passed and nothing.note == "no value: nothing measured"
    assert math.isnan(nothing.value) and nothing.bound == "lower"
    assert not missing.passed and missing.note == "no wait_mean for reply 3 in the results"


def test_evaluate_takes_a_result_or_any_summary_table() -> None:
    result = simdesk.simulate(scenario_dict(horizon="6h"), seed=1, replications=3)
    texts = ["phone.sla >= 1%", "tier:L1.handled >= 1"]
    from_result = evaluate(result, texts)
    from_table = evaluate(result.summary.copy(), [parse_expectation(t) for t in texts])
    assert from_result == from_table
    assert all(v.passed for v in from_result)
    assert from_result[0].mean == result.value("channel", "phone", "sla")
    sweep = pd.concat([result.summary.assign(point=p) for p in (1, 2)])
    with pytest.raises(ValueError, match="evaluate each run's rows separately"):
        evaluate(sweep, texts)
    per_point = {p: evaluate(part, texts) for p, part in sweep.groupby("point")}
    assert per_point[1] == per_point[2] == from_result


def test_evaluate_refuses_a_name_it_cannot_place() -> None:
    with pytest.raises(ExpectationError, match="unknown name 'fax'"):
        evaluate(summary(), ["fax.sla >= 80%"])
    with pytest.raises(ExpectationError, match="unknown metric"):
        evaluate(summary(), ["phone.speed >= 80%"])


def test_values_are_shown_precisely_enough_to_tell_them_from_the_target() -> None:
    expectation = parse_expectation("phone.sla >= 80%")
    assert expectation.format(0.81234) == "81.2%"
    assert expectation.format(0.79996) == "79.996%"
    assert expectation.format(0.8) == "80.0%"
    assert expectation.format(math.nan) == "—"
    assert expectation.target_text == ">= 80%"
    assert parse_expectation("email.p90_wait <= 4h").format(150) == "2h30m"
    assert parse_expectation("email.p90_wait <= 4h").target_text == "<= 4h"
    assert parse_expectation("tickets >= 1500").format(1500.0) == "1,500"
    assert parse_expectation("tickets >= 1500").format(1499.96) == "1,499.96"


def test_report_is_plain_json() -> None:
    verdicts = evaluate(summary(), ["phone.sla >= 80%", "email.sla >= 0%"])
    document = report(verdicts, seed=1)
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    assert (document["pass"], document["met"], document["total"], document["seed"]) == (
        False, 1, 2, 1)
    assert document["expectations"][0] == {
        "expectation": "phone.sla >= 80%", "scope": "channel", "group": "phone",
        "metric": "sla", "unit": "share", "op": ">=", "target": 0.8, "bound": "lower",
        "value": 0.8, "mean": 0.85, "ci_low": 0.8, "ci_high": 0.9, "replications": 10,
        "pass": True, "note": None,
    }
    assert document["expectations"][1]["value"] is None


# --- the check command -------------------------------------------------------------------


def _desk(tmp_path: Path, expect: list[str] | None) -> Path:
    data = scenario_dict(horizon="2d", warmup="2h",
                         tiers={"L1": {"agents": 2,
                                       "handle": {"dist": "exponential", "mean": "5m"}}})
    if expect is not None:
        data["expect"] = expect
    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _check(path: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["check", str(path), "--seed", "1", *args])


PASSING = ["phone.sla >= 50%", "tier:L1.utilization <= 90%", "abandonment <= 100%"]


def test_check_passes_with_exit_0_and_a_table(tmp_path: Path) -> None:
    result = _check(_desk(tmp_path, PASSING), "-r", "3")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for header in ("Expectation", "Measured on", "Mean", "Judged on", "Value", "Target",
                   "Result"):
        assert header in out
    assert "channel phone" in out and "tier L1" in out and "all tickets" in out
    assert "lower bound" in out and "upper bound" in out
    assert out.count("PASS") == 3 and "FAIL" not in out
    assert out.rstrip().endswith("3 of 3 expectations met")
    assert not (tmp_path / "results").exists()


def test_check_fails_with_exit_1(tmp_path: Path) -> None:
    result = _check(_desk(tmp_path, [*PASSING, "tickets >= 1000000"]), "-r", "2")
    assert result.exit_code == 1, result.output
    assert result.stdout.count("PASS") == 3 and result.stdout.count("FAIL") == 1
    assert result.stdout.rstrip().endswith("3 of 4 expectations met")


def test_check_with_one_replication_says_it_judged_the_mean(tmp_path: Path) -> None:
    result = _check(_desk(tmp_path, PASSING), "-r", "1")
    assert result.exit_code == 0, result.output
    assert "lower bound" not in result.stdout and "upper bound" not in result.stdout
    assert "judged on the mean: no confidence interval" in result.stdout
    assert "one replication: no confidence interval, so the mean is judged" in result.stdout


def test_quiet_check_prints_the_failures_and_the_count(tmp_path: Path) -> None:
    result = _check(_desk(tmp_path, [*PASSING, "tickets >= 1000000"]), "-r", "2", "-q")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1] == "3 of 4 expectations met"
    assert lines[0].startswith("FAIL tickets >= 1000000: lower bound ")
    assert result.stderr == ""


def test_check_json(tmp_path: Path) -> None:
    path = _desk(tmp_path, [*PASSING, "tickets >= 1000000"])
    result = _check(path, "-r", "2", "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert {k: document[k] for k in ("pass", "met", "total", "scenario", "name", "seed",
                                     "replications", "results")} == {
        "pass": False, "met": 3, "total": 4, "scenario": str(path), "name": "test desk",
        "seed": 1, "replications": 2, "results": None}
    first, *_, last = document["expectations"]
    assert set(first) == {"expectation", "scope", "group", "metric", "unit", "op", "target",
                          "bound", "value", "mean", "ci_low", "ci_high", "replications",
                          "pass", "note"}
    assert (first["expectation"], first["metric"], first["bound"], first["pass"]) == (
        "phone.sla >= 50%", "sla", "lower", True)
    assert first["value"] == first["ci_low"]
    assert (last["metric"], last["target"], last["pass"]) == ("tickets", 1e6, False)


def test_check_writes_results_only_with_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _check(_desk(tmp_path, PASSING), "-r", "2", "-q", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"Results written to {out}/"
    assert (out / "summary.csv").is_file() and (out / "scenario.yaml").is_file()
    assert load_scenario(out / "scenario.yaml").expect == PASSING


def test_check_without_expectations_exits_2_saying_how_to_add_them(tmp_path: Path) -> None:
    for expect in (None, []):
        path = _desk(tmp_path, expect)
        result = _check(path, "-r", "1")
        assert result.exit_code == 2
        assert result.stderr.startswith(
            f"Error: {path} has no expectations to check; add an expect: list to it")
        assert "    - chat.sla >= 80%" in result.stderr


def test_check_with_a_bad_expectation_exits_2(tmp_path: Path) -> None:
    path = _desk(tmp_path, ["phnoe.sla >= 80%"])
    result = _check(path, "-r", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}:")
    assert "expect[0]: unknown name 'phnoe'" in result.stderr


def test_the_example_expectations_pass_as_documented() -> None:
    path = SCENARIOS / "saas-startup.yaml"
    result = CliRunner().invoke(main, ["check", str(path), "--seed", "1", "-r", "10", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 of 3 expectations met\n"
