"""Desk rules and composed routing written wrong: one clear line each (file, line, key
path, what is valid), exit 2, no traceback."""

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
topics: {howto: 60%, bug: 40%}
arrivals:
  - {channel: phone, rate: 10/h}
  - {channel: email, rate: 5/h}
tiers:
  L1:
    agents: [{shift: 24x7, count: 3, channels: [phone, email], team: front}]
    handle: {dist: exponential, mean: 10m}
    resolves: 80%
    escalate_to: L2
    preempt: [{channel: phone, interrupts: [email]}]
  L2:
    agents: [{shift: 24x7, count: 2, occupancy: {cap: 85%}}]
    handle: {dist: exponential, mean: 30m}
    helps: [{tier: L1, longer_than: 4}]
routing: {policy: composed, by: [segment, oldest], filters: [skills]}
"""

CASES = [
    ("help an unknown tier", "helps: [{tier: L1,", "helps: [{tier: L3,",
     "21: tiers.L2.helps[0].tier: unknown tier 'L3'; known: L1, L2"),
    ("help itself", "helps: [{tier: L1,", "helps: [{tier: L2,",
     "21: tiers.L2.helps[0].tier: tier 'L2' cannot help itself; name another tier"),
    ("first without a crunch", "{tier: L1, longer_than: 4}", "{tier: L1, first: true}",
     "21: tiers.L2.helps[0]: first: true needs a crunch to react to: add longer_than or "
     "older_than"),
    ("unknown help key", "longer_than: 4", "longer: 4",
     "21: tiers.L2.helps[0].longer: unknown key 'longer'; valid keys: tier, longer_than, "
     "older_than, first (did you mean 'longer_than'?)"),
    ("preempt an unknown channel", "interrupts: [email]", "interrupts: [emial]",
     "17: tiers.L1.preempt[0].interrupts: unknown channel 'emial'; known: phone, email "
     "(did you mean 'email'?)"),
    ("a channel interrupting itself", "interrupts: [email]", "interrupts: [phone]",
     "17: tiers.L1.preempt[0].interrupts: channel 'phone' cannot interrupt itself"),
    ("interrupted channel listed first", "channels: [phone, email]", "channels: [email, phone]",
     "13: tiers.L1.agents[0].channels: lists 'email' before 'phone', which interrupts it; "
     "list the interrupting channel first"),
    ("pre-emption without blending", "channels: [phone, email], team", "team",
     "17: tiers.L1.preempt: pre-emption in tier 'L1' works between the channels agents "
     "blend: give its agent groups channels, highest priority first, e.g. "
     "channels: [phone, email]"),
    ("help beside round-robin", "{policy: composed, by: [segment, oldest], filters: [skills]}",
     "{policy: round-robin}",
     "21: tiers.L2.helps[0].tier: cross-tier help needs a shared queue, but routing is "
     "round-robin (a queue per agent)"),
    ("occupancy cap of 100%", "cap: 85%", "cap: 100%",
     "19: tiers.L2.agents[0].occupancy: cap must be above 0% and below 100%"),
    ("unknown key", "by: [segment, oldest]", "by: [segmnt, oldest]",
     "22: routing.by[0]: 'segmnt' is not valid; valid: segment, topic, channel, deadline, "
     "oldest, newest, effort (did you mean 'segment'?)"),
    ("unknown filter", "filters: [skills]", "filters: [skils]",
     "22: routing.filters[0]: unknown filter 'skils'; valid: skills, team, effort "
     "(did you mean 'skills'?)"),
    ("unknown team", "filters: [skills]", "filters: [{filter: team, team: back}]",
     "22: routing.filters[0].team: unknown team 'back'; known: front"),
    ("unknown topic in a filter", "filters: [skills]",
     "filters: [{filter: team, team: front, topics: [bgu]}]",
     "22: routing.filters[0].topics: unknown topic 'bgu'; known: howto, bug "
     "(did you mean 'bug'?)"),
]


@pytest.mark.parametrize(("old", "new", "message"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_each_problem_gets_one_clear_line(tmp_path: Path, old: str, new: str,
                                          message: str) -> None:
    assert old in BASE
    path = tmp_path / "desk.yaml"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: {path}:{message}"]
    assert "Traceback" not in result.stdout + result.stderr


def test_owned_follow_ups_are_refused_with_help_and_pre_emption(tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(BASE.replace("filters: [skills]}", "filters: [skills], ownership: owner}"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"Error: {path}:17: tiers.L1.preempt[0]: pre-emption needs shared follow-ups, but "
        "routing says ownership: owner",
        f"Error: {path}:21: tiers.L2.helps[0].tier: cross-tier help needs shared follow-ups, "
        "but routing says ownership: owner; drop one",
        "2 problems found."]


def test_the_base_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
