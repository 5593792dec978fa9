"""The metric catalogue against a real summary: generated from a desk using every feature.

A small desk with two channels, two segments, two topics, two tiers, a satisfaction
model, deflection, repeat contacts, a helper, conversations (several agent replies),
the customer rules (busy signal, redial, callback, overflow, resolution target) and the
desk rules (pre-emption, cross-tier help, an occupancy cap) is
run once. Every ``(scope, metric)`` of its summary must be in the catalogue, be
accepted by an ``expect:`` target and by a sweep's ``metric:``, and format in its unit;
and every catalogue entry must be produced by that run (the desk uses every feature).
"""

from __future__ import annotations

import copy
import math
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import simdesk
from simdesk.errors import ScenarioError
from simdesk.experiments.sweeps.spec import load_sweep
from simdesk.metrics import catalogue
from simdesk.metrics.catalogue import CATALOGUE, FEATURES, SCOPES, feature_of
from simdesk.metrics.verdicts import evaluate
from simdesk.scenario.checks import check_expectations
from simdesk.scenario.expect import Names, parse_expectation, resolve

EVERY_FEATURE: dict[str, Any] = {
    "name": "every feature",
    "start": "2026-01-05",
    "horizon": "4d",
    "warmup": "1d",
    "channels": {
        "chat": {"sla": {"within": "2m", "target": "80%"},
                 "patience": {"dist": "exponential", "mean": "10m"},
                 "reply_after": {"dist": "exponential", "mean": "3m"},
                 "queue_limit": 4,
                 "redial": {"share": "50%", "after": {"dist": "exponential", "mean": "10m"}},
                 "callback": {"share": "30%", "after": "3m",
                              "handle": {"dist": "exponential", "mean": "5m"}},
                 "overflow": {"to": "email", "after": "30m"},
                 "resolution": {"within": "4h", "target": "80%"}},
        "email": {"sla": {"within": "4h", "target": "90%"}, "response": "reply",
                  "reply_after": {"dist": "exponential", "mean": "1h"},
                  "resolution": {"within": "1d", "target": "90%"}},
    },
    "segments": {"paid": "30%", "free": "70%"},
    "topics": {
        "howto": {"share": "60%", "effort": 0.6, "touches": {1: "70%", 2: "30%"},
                  "deflection": {"share": "30%"},
                  "reopens": {"share": "10%", "after": {"dist": "exponential", "mean": "6h"}}},
        "bug": {"share": "40%", "effort": 1.5},
    },
    "arrivals": [{"channel": "chat", "rate": "6/h"}, {"channel": "email", "rate": "4/h"}],
    "tiers": {
        "L1": {"agents": [{"shift": "Mon-Sun 00:00-24:00", "count": 2,
                           "channels": ["chat", "email"],
                           "occupancy": {"cap": "70%", "window": "1h"}}],
               "handle": {"dist": "exponential", "mean": "8m"},
               "resolves": "80%", "escalate_to": "L2",
               "preempt": [{"channel": "chat", "interrupts": ["email"]}],
               "helpers": [{"name": "lead", "shift": "Mon-Sun 00:00-24:00", "joins_at": 3}]},
        "L2": {"agents": 1, "handle": {"dist": "exponential", "mean": "20m"},
               "helps": [{"tier": "L1", "longer_than": 2}]},
    },
    "satisfaction": {},
    "outcomes": {"conversion": {"rate": "5%"}},
    "money": {"agent_hour": {"L1": 30, "L2": 45}, "customers": {"paid": 600}},
}


@cache
def _summary() -> pd.DataFrame:
    return simdesk.simulate(EVERY_FEATURE, seed=7, replications=2).summary


def _pairs() -> list[tuple[str, str, str, float]]:
    """``(scope, group, metric, mean)`` of the first group of each scope and metric."""
    first = _summary().drop_duplicates(["scope", "metric"])
    return [(str(s), str(g), str(m), float(v))
            for s, g, m, v in first[["scope", "group", "metric", "mean"]].itertuples(index=False)]


def _target(scope: str, group: str, metric: str) -> str:
    """An ``expect:`` target for the row, with a value written in the metric's unit."""
    value = {"share": "-5%" if catalogue.get(metric).signed else "50%", "duration": "1h",
             "count": "3", "rate": "0.5"}[catalogue.unit_of(metric)]
    return f"{scope}:{group}.{metric} >= {value}"


def test_the_desk_uses_every_scope_and_feature() -> None:
    assert set(_summary()["scope"]) == set(SCOPES)
    assert len(_summary().loc[_summary()["scope"] == "channel", "group"].unique()) == 2


def test_every_summary_metric_is_in_the_catalogue_in_its_scope() -> None:
    for scope, _, metric, _ in _pairs():
        assert metric in catalogue.METRICS, metric
        assert scope in catalogue.get(metric).scopes, (scope, metric)


def test_every_catalogue_metric_is_produced_in_every_scope_it_claims() -> None:
    produced = set(_summary()[["scope", "metric"]].itertuples(index=False, name=None))
    claimed = {(scope, m.name) for m in CATALOGUE for scope in m.scopes}
    assert claimed == produced


def test_every_summary_metric_is_accepted_by_expect_and_judged() -> None:
    names = Names.from_pairs(_summary()[["scope", "group"]].itertuples(index=False))
    texts = []
    for scope, group, metric, _ in _pairs():
        text = _target(scope, group, metric)
        parsed = resolve(parse_expectation(text), names)
        assert (parsed.scope, parsed.group, parsed.metric) == (scope, group, metric)
        shown = f"{text.split(' >= ')[0]} {parsed.target_text}"
        assert parse_expectation(shown).target == parsed.target  # shown reads back the same
        texts.append(text)
    verdicts = evaluate(_summary(), texts)
    assert all(not v.note for v in verdicts), [v.note for v in verdicts if v.note]
    assert all(v.expectation.format(v.value) for v in verdicts)


def test_a_scenario_may_expect_every_summary_metric() -> None:
    """The load-time check (names from the raw scenario, features it uses) agrees."""
    data = {**EVERY_FEATURE, "expect": [_target(s, g, m) for s, g, m, _ in _pairs()]}
    assert list(check_expectations(data)) == []


def _without(feature: str) -> dict[str, Any]:
    """The desk of every feature, with one feature turned off."""
    data = copy.deepcopy(EVERY_FEATURE)
    howto, l1 = data["topics"]["howto"], data["tiers"]["L1"]
    chat, email = data["channels"]["chat"], data["channels"]["email"]
    {"queue_limit": lambda: chat.pop("queue_limit"),
     "redial": lambda: chat.pop("redial"),
     "callback": lambda: chat.pop("callback"),
     "overflow": lambda: chat.pop("overflow"),
     "resolution": lambda: (chat.pop("resolution"), email.pop("resolution")),
     "satisfaction": lambda: data.pop("satisfaction"),
     "deflection": lambda: howto.pop("deflection"),
     "reopens": lambda: howto.pop("reopens"),
     "replies": lambda: howto.pop("touches"),
     "helpers": lambda: l1.pop("helpers"),
     "help": lambda: data["tiers"]["L2"].pop("helps"),
     "preemption": lambda: l1.pop("preempt"),
     "occupancy": lambda: l1["agents"][0].pop("occupancy"),
     "outcomes": lambda: data.pop("outcomes"),
     "money": lambda: data.pop("money")}[feature]()
    return data


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_a_feature_brings_exactly_the_metrics_the_catalogue_says(feature: str) -> None:
    """Without the feature, the summary lacks exactly the metrics that need it, and a
    target on one of them is refused at load time with how to turn the feature on."""
    data = _without(feature)
    summary = simdesk.simulate(data, seed=7, replications=1).summary
    produced = set(summary[["scope", "metric"]].itertuples(index=False, name=None))
    claimed = {(scope, m.name) for m in CATALOGUE for scope in m.scopes}
    needing = {(s, m) for s, m in claimed if feature_of(s, m) == feature}
    assert needing
    assert produced == claimed - needing
    scope, metric = sorted(needing)[0]
    group = {"overall": "all", "agent": "L1#1", "helper": "lead", "reply": "2",
             "tier": "L1"}.get(scope, "chat" if scope == "channel" else "x")
    if scope in ("segment", "topic"):
        group = "paid" if scope == "segment" else "howto"
    findings = list(check_expectations({**data, "expect": [_target(scope, group, metric)]}))
    assert len(findings) == 1
    message = findings[0][1]
    assert message == f"{metric} is not measured: {FEATURES[feature]}" or (
        scope in ("reply", "helper") and scope in message), message


def test_every_summary_metric_is_accepted_by_a_sweep(tmp_path: Path) -> None:
    """``load_sweep`` runs the sweep's ``metric:`` check: every summary metric passes."""
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(EVERY_FEATURE, sort_keys=False))
    path = tmp_path / "sweep.yaml"
    for scope, group, metric, _ in _pairs():
        path.write_text(yaml.safe_dump({
            "scenario": "desk.yaml", "parameters": {"tiers.L2.agents": [1, 2]},
            "replications": "auto", "metric": f"{scope}:{group}.{metric}"}))
        sweep = load_sweep(path)
        assert sweep.spec.main_metric() == (scope, group, metric)


def test_a_sweep_names_a_metric_by_its_name_not_an_alias(tmp_path: Path) -> None:
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(EVERY_FEATURE, sort_keys=False))
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"scenario": "desk.yaml",
                                    "parameters": {"tiers.L2.agents": [1, 2]},
                                    "metric": "channel:chat.p90_wait"}))
    with pytest.raises(ScenarioError, match="write the metric's name 'wait_p90'"):
        load_sweep(path)


def test_every_summary_metric_formats_in_its_unit() -> None:
    for _, _, metric, mean in _pairs():
        entry = catalogue.get(metric)
        text = entry.format(mean)
        assert (text and text != "—") or math.isnan(mean), metric
        if entry.unit == "share" and not math.isnan(mean):
            assert text.endswith("%"), (metric, text)
        assert catalogue.format_value(entry.unit, mean, 0.5)
        assert catalogue.format_difference(metric, mean, 0.1)
        assert catalogue.format_metric(metric, math.nan) == "—"


def test_every_summary_metric_has_a_named_unit_in_summary_csv() -> None:
    """``summary.csv``'s unit column reads the catalogue: shares, minutes, and what a
    count or rate counts; no metric of a run falls back to ``number``."""
    from simdesk.store.results import with_units

    units = dict(zip(*with_units(_summary())[["metric", "unit"]].to_dict("list").values(),
                     strict=True))
    for metric, unit in units.items():
        entry = catalogue.get(metric)
        expected = {"share": "signed share" if entry.signed else "share",
                    "duration": "minutes"}.get(entry.unit)
        assert unit == (expected or entry.per or "count"), (metric, unit)
        assert entry.unit != "rate" or entry.per, f"{metric}: a rate says what it counts"
    assert units["per_agent_day"] == units["services_per_agent_day"] == \
        "per agent-day (8 h on duty)"
    assert catalogue.unit_text("not a metric") == "number"


def test_names_and_aliases_are_unique_and_lower_case() -> None:
    names = [m.name for m in CATALOGUE]
    aliases = [a for m in CATALOGUE for a in m.aliases]
    assert len(set(names)) == len(names)
    assert len(set(aliases)) == len(aliases)
    assert not set(names) & set(aliases)
    assert all(w == w.lower() for w in [*names, *aliases])
    assert all(set(m.scopes) <= set(SCOPES) for m in CATALOGUE)


@pytest.mark.parametrize("path", sorted(Path(__file__).resolve().parent.parent.glob(
    "scenarios/*.yaml")), ids=lambda p: p.stem)
def test_agent_names_read_from_the_raw_scenario_are_the_plans(path: Path) -> None:
    """``agent:NAME`` targets are checked at load time against the plan's own names."""
    from simdesk.plan.compile import compile_plan
    from simdesk.scenario.checks import _agent_names

    raw = yaml.safe_load(path.read_text())
    plan = compile_plan(simdesk.load_scenario(path))
    assert _agent_names(raw) == [a.name for a in plan.agents]


@pytest.mark.parametrize("written", ["channel:chat.days_met", "overall.csat", "csat",
                                     "overall:all.csat", "overall:csat"])
def test_the_sweep_metrics_of_issue_14_are_accepted(tmp_path: Path, written: str) -> None:
    """The user-visible bug: every run produces these, a sweep used to reject them."""
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(EVERY_FEATURE, sort_keys=False))
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"scenario": "desk.yaml",
                                    "parameters": {"tiers.L2.agents": [1, 2]},
                                    "metric": written}))
    scope, group, metric = load_sweep(path).spec.main_metric()
    assert (scope, metric) == (("channel", "days_met") if "chat" in written
                               else ("overall", "csat"))
    assert group == ("chat" if "chat" in written else "all")


def test_the_metric_table_of_the_docs_is_the_catalogue() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "ci.md").read_text()
    start = "<!-- metric table: simdesk.metrics.catalogue.markdown_table() -->\n"
    written = docs[docs.index(start) + len(start): docs.index("<!-- end of metric table -->")]
    assert written == catalogue.markdown_table(), (
        "docs/ci.md's metric table differs from the catalogue: paste "
        "simdesk.metrics.catalogue.markdown_table() between its markers")
