"""Bad input: one clear line per problem (file, line, key path, what is valid), exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simdesk.cli import main

BASE = """\
name: test
horizon: 1w
channels:
  phone: {sla: {within: 30s, target: 80%}}
  email: {sla: {within: 4h, target: 90%}}
segments: {paid: 30%, free: 70%}
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
"""

SHIFT_HINT = (
    "expected a shift such as 'Mon-Fri 08:00-16:00' (days Mon..Sun, ranges like Fri-Mon, "
    "lists like Mon,Wed,Fri, or daily/weekdays/weekends; HH:MM-HH:MM, overnight allowed; "
    "several separated by ';'), or '24x7'"
)

CASES = [
    ("yaml syntax", "horizon: 1w", "horizon: [1w",
     "3: YAML syntax error: expected ',' or ']', but got ':'"),
    ("unknown key", "    resolves: 80%", "    resolvs: 80%",
     "14: tiers.L1.resolvs: unknown key 'resolvs'; valid keys: role, agents, rotation, "
     "handle, handle_by, topic_effort, resolves, escalate_to, channels, reopens, shrinkage, "
     "helpers, queue_limit, morale, helps, preempt (did you mean 'resolves'?)"),
    ("wrong type", "agents: 3", "agents: three",
     "12: tiers.L1.agents: expected a number of agents (e.g. 3) or a list of shifts such as "
     "[{shift: 'Mon-Fri 08:00-16:00', count: 2}], got 'three'"),
    ("negative rate", "rate: 10/h", "rate: -10/h",
     "8: arrivals[0].rate: '-10/h' is negative; a rate is zero or more"),
    ("share over 100", "paid: 30%", "paid: 130%",
     "6: segments.paid: '130%' is outside 0%..100%"),
    ("shares not 100", "free: 70%", "free: 60%",
     "6: segments: segment shares add up to 90%, not 100% (paid 30%, free 60%)"),
    ("bad duration", "mean: 10m", "mean: 10 mins please",
     "13: tiers.L1.handle.mean: '10 mins please' is not a duration such as 30s, 12m, 1.5h, "
     "2d, 1w or 1h30m"),
    ("duration without unit", "horizon: 1w", "horizon: 7",
     "2: horizon: 7 has no unit; write a duration such as 30s, 12m, 1.5h, 2d, 1w or 1h30m"),
    ("bad shift", "agents: 3", "agents: [{shift: 'Mon-Fry 08:00-16:00', count: 3}]",
     f"12: tiers.L1.agents[0].shift: 'Mon-Fry 08:00-16:00': unknown day 'Fry'; {SHIFT_HINT}"),
    ("unknown tier", "escalate_to: L2", "escalate_to: L3",
     "15: tiers.L1.escalate_to: unknown tier 'L3'; known: L1, L2"),
    ("cycle", "L2: {agents: 2,", "L2: {escalate_to: L1, resolves: 50%, agents: 2,",
     "15: tiers.L1.escalate_to: escalations form a cycle: L1 → L2 → L1"),
    ("no sla", "  email: {sla: {within: 4h, target: 90%}}", "  email: {}",
     "5: channels.email: channel 'email' has arrivals but no sla; add e.g. "
     "sla: {within: 30s, target: 80%}"),
    ("unknown channel", "{channel: email, rate: 5/h}", "{channel: emial, rate: 5/h}",
     "9: arrivals[1].channel: unknown channel 'emial'; known: phone, email "
     "(did you mean 'email'?)"),
    ("duplicate key", "horizon: 1w", "horizon: 1w\nhorizon: 2w",
     "3: horizon: duplicate key 'horizon' (first on line 2)"),
    ("unknown distribution", "dist: exponential, mean: 10m", "dist: expo, mean: 10m",
     "13: tiers.L1.handle: unknown distribution 'expo'; valid: exponential, lognormal, gamma, "
     "weibull, deterministic, uniform, empirical (did you mean 'exponential'?)"),
    ("missing resolves", "    resolves: 80%\n", "",
     "11: tiers.L1: tier 'L1' escalates to 'L2' but does not say which share it resolves; "
     "add e.g. resolves: 75%"),
    ("warm-up too long", "name: test", "name: test\nwarmup: 2w",
     "2: warmup: the warm-up must be shorter than the horizon"),
    ("missing key", "horizon: 1w\n", "", "1: required key 'horizon' is missing"),
]


def _validate(tmp_path: Path, text: str, *args: str) -> tuple[int, str, str, Path]:
    path = tmp_path / "desk.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, [*args, "validate", str(path)])
    return result.exit_code, result.stdout, result.stderr, path


@pytest.mark.parametrize(("old", "new", "message"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_each_problem_gets_one_clear_line(tmp_path: Path, old: str, new: str,
                                          message: str) -> None:
    assert old in BASE
    code, out, err, path = _validate(tmp_path, BASE.replace(old, new, 1))
    assert code == 2
    assert err.splitlines() == [f"Error: {path}:{message}"]
    assert "Traceback" not in out + err


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = BASE
    for _, old, new, _ in (CASES[1], CASES[3], CASES[5], CASES[9], CASES[11]):
        text = text.replace(old, new, 1)
    code, _, err, path = _validate(tmp_path, text)
    assert code == 2
    lines = err.splitlines()
    assert lines[-1] == "5 problems found."
    assert [line.split(": ", 2)[1] for line in lines[:-1]] == [
        f"{path}:5", f"{path}:6", f"{path}:8", f"{path}:14", f"{path}:15",
    ]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(BASE.replace("rate: 10/h", "rate: fast"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--debug", "validate", str(path)])
    assert result.exit_code != 0
    assert result.exception is not None
    assert "arrivals[0].rate" in str(result.exception)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.yaml'}: no such file\n"


def test_a_valid_scenario_passes_with_a_summary(tmp_path: Path) -> None:
    code, out, err, path = _validate(tmp_path, BASE)
    assert code == 0, err
    assert err == ""
    assert out.startswith(f"✓ {path} is valid: test — 2 channel(s), 2 tier(s) with 5 agent(s)")


def test_warnings_name_the_overloaded_tier_with_numbers(tmp_path: Path) -> None:
    code, _, err, _ = _validate(tmp_path, BASE.replace("agents: 3", "agents: 1"))
    assert code == 0
    assert ("Warning: tier L1: offered load 2.50 agents' worth of work is at or above the "
            "1.00 agents on duty on average over the horizon (250%, counting every ticket that "
            "reaches it, its follow-up replies and repeat contacts, before abandonment): its "
            "queue will keep "
            "growing") in err


def test_warns_when_tickets_arrive_while_nobody_is_on_duty(tmp_path: Path) -> None:
    text = BASE.replace("agents: 3", "agents: [{shift: 'Mon-Fri 08:00-16:00', count: 6}]")
    code, _, err, _ = _validate(tmp_path, text)
    assert code == 0
    assert ("Warning: tier L1: about 1,920 tickets (76% of those entering here) arrive while "
            "no L1 agent is on duty, e.g. Mon 00:00 (day 1) – Mon 08:00 (day 1); Mon 16:00 "
            "(day 1) – Tue 08:00 (day 2); they wait for the next shift") in err


@pytest.mark.parametrize("base", ["fifo", "cherry-pick", "{policy: newest-first}"])
def test_ninja_base_takes_a_policy_name_or_a_mapping(tmp_path: Path, base: str) -> None:
    """docs/policies.md: ``base`` defaults to ``fifo``; writing it out must be accepted."""
    path = tmp_path / "ninja.yaml"
    path.write_text(
        "name: ninja\nhorizon: 1d\n"
        "channels: {phone: {sla: {within: 1m, target: 80%}}}\n"
        "arrivals: [{channel: phone, rate: 10/h}]\n"
        "tiers: {L1: {agents: 3, handle: {dist: exponential, mean: 10m}}}\n"
        f"routing: {{policy: ninja, base: {base}}}\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_ninja_base_names_the_valid_policies(tmp_path: Path) -> None:
    path = tmp_path / "ninja.yaml"
    path.write_text(
        "name: ninja\nhorizon: 1d\n"
        "channels: {phone: {sla: {within: 1m, target: 80%}}}\n"
        "arrivals: [{channel: phone, rate: 10/h}]\n"
        "tiers: {L1: {agents: 3, handle: {dist: exponential, mean: 10m}}}\n"
        "routing: {policy: ninja, base: lifo}\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "routing.base: unknown policy 'lifo'; valid: fifo" in result.stderr


def _load_desk(rate: str, touches: str) -> str:
    return ("name: replies\nhorizon: 2w\n"
            "channels: {email: {sla: {within: 4h, target: 80%}" + touches + "}}\n"
            f"arrivals: [{{channel: email, rate: {rate}}}]\n"
            "tiers: {L1: {agents: 1, handle: {dist: exponential, mean: 10.8m}}}\n")


def test_the_load_check_counts_follow_up_replies(tmp_path: Path) -> None:
    """600 tickets a week needing 1.8 agent replies each are the same work as 1,080
    one-reply tickets: both must warn, with the same load."""
    one_reply = _validate(tmp_path, _load_desk("1080/w", ""))[2]
    replies = _validate(tmp_path, _load_desk(
        "600/w", ", touches: {1: 20%, 2: 80%}, reply_after: {dist: exponential, mean: 1h}"))[2]
    assert "offered load 1.16 agents' worth of work" in one_reply
    assert "offered load 1.16 agents' worth of work" in replies
    assert "(116%, counting every ticket" in replies
