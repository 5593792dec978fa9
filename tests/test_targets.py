"""Targets beyond a channel's SLA: a segment's own ``sla`` and a channel's resolution
target, from YAML to the tickets table, the summary and ``expect:``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.errors import ScenarioError
from simdesk.scenario.checks import check_expectations
from simdesk.scenario.load import load_scenario
from tests.helpers import scenario_dict

SPEC = scenario_dict(
    horizon="3d",
    segments={"paid": {"share": "30%", "sla": {"within": "10m", "target": "90%"}},
              "free": "70%"},
    channels={"phone": {"sla": {"within": "1m", "target": "80%"},
                        "resolution": {"within": "30m", "target": "90%"}}},
    arrivals=[{"channel": "phone", "rate": "20/h"}],
    tiers={"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"}}},
    expect=["segment:paid.sla >= 50%", "phone.resolution_sla >= 10%"])


def test_a_segment_sla_overrides_the_channels() -> None:
    result = simdesk.simulate(load_scenario(SPEC), seed=4, replications=2)
    tickets = result.tickets
    answered = tickets[tickets["first_response"].notna()]
    limit = np.where(answered["segment"] == "paid", 10.0, 1.0)
    expected = answered["wait"].to_numpy() <= limit
    assert (answered["sla_met"].to_numpy(dtype=bool) == expected).all()
    paid = answered["segment"] == "paid"
    assert ((answered["wait"] > 1) & (answered["wait"] <= 10) & paid).any()  # it mattered
    summary = result.summary.set_index(["scope", "group", "metric"])["mean"]
    for segment in ("paid", "free"):
        rows = tickets[(tickets["segment"] == segment) & tickets["sla_met"].notna()]
        per_rep = rows.groupby("replication")["sla_met"].mean().mean()
        assert summary["segment", segment, "sla"] == per_rep


def test_the_resolution_target_counts_resolved_tickets_in_time() -> None:
    result = simdesk.simulate(load_scenario(SPEC), seed=4, replications=2)
    tickets = result.tickets
    met = tickets["resolution_met"]
    took = tickets["resolved"] - tickets["arrived"]
    decided = met.notna()
    assert (met[decided].to_numpy(dtype=bool) == (took[decided] <= 30).to_numpy()).all()
    assert (~met[decided]).any() and met[decided].any()
    undecided = tickets[~decided]
    assert (undecided["resolved"].isna()).all()
    summary = result.summary.set_index(["scope", "group", "metric"])["mean"]
    by_rep = tickets[decided & ~tickets["warmup"]].groupby("replication")["resolution_met"]
    assert summary["channel", "phone", "resolution_sla"] == by_rep.mean().astype(float).mean()
    assert list(check_expectations(SPEC)) == []


def test_a_scenario_without_targets_has_no_new_columns() -> None:
    plain = scenario_dict()
    tickets = simdesk.simulate(load_scenario(plain), seed=1, replications=1).tickets
    assert not {"resolution_met", "attempts", "blocked", "callback", "overflowed_from",
                "sla_trials"} & set(tickets.columns)
    assert isinstance(tickets, pd.DataFrame)


def test_a_resolution_target_is_refused_in_expect_without_one() -> None:
    data = {**scenario_dict(), "expect": ["phone.resolution_sla >= 90%"]}
    (problem,) = list(check_expectations(data))
    assert "no channel has a resolution target" in problem[1]


def test_counting_attempts_weights_the_sla_by_attempts() -> None:
    redial = {"share": "80%", "after": {"dist": "exponential", "mean": "5m"}}
    spec = scenario_dict(
        horizon="2d",
        channels={"phone": {"sla": {"within": "1m", "target": "80%", "counts": "attempts"},
                            "patience": {"dist": "exponential", "mean": "2m"},
                            "redial": redial}},
        arrivals=[{"channel": "phone", "rate": "30/h"}],
        tiers={"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"}}})
    result = simdesk.simulate(load_scenario(spec), seed=2, replications=2)
    tickets = result.tickets
    assert (tickets["sla_trials"] == tickets["attempts"]).all()
    assert (tickets["attempts"] > 1).any()
    decided = tickets[tickets["sla_met"].notna()]
    per_rep = decided.groupby("replication").apply(
        lambda t: t["sla_met"].astype(float).sum() / t["sla_trials"].sum())
    summary = result.summary.set_index(["scope", "group", "metric"])["mean"]
    assert summary["overall", "all", "sla"] == pytest.approx(per_rep.mean(), rel=1e-12)
    customers = decided.groupby("replication")["sla_met"].mean().mean()
    assert summary["overall", "all", "sla"] < customers  # each failed try is a miss


@pytest.mark.parametrize(("channel", "problem"), [
    ({"overflow": {"to": "email", "full": True}}, "no queue_limit is set"),
    ({"sla": {"within": "1m", "target": "80%", "counts": "attempts"}},
     "counts: attempts needs redial"),
])
def test_rules_that_cannot_act_are_refused(channel: dict[str, object], problem: str) -> None:
    spec = scenario_dict(channels={
        "phone": {"sla": {"within": "1m", "target": "80%"}, **channel},
        "email": {"sla": {"within": "4h", "target": "90%"}}})
    with pytest.raises(ScenarioError, match=problem):
        load_scenario(spec)


def test_the_html_report_says_what_the_rules_assume_and_measure() -> None:
    from pathlib import Path

    from simdesk.plan.compile import compile_plan
    from simdesk.report.blocks import table
    from simdesk.report.customers import customer_items, customer_table

    path = Path(__file__).resolve().parent.parent / "scenarios" / "busy-phones.yaml"
    scenario = load_scenario(path)
    items = " ".join(customer_items(scenario))
    for words in ("at most 6 waiting", "60% redial", "take a callback", "overflow to email",
                  "resolution target 90%", "Segment paid", "Closed</b> 2026-01-19",
                  "× 2 on 2026-01-27"):
        assert words in items, words
    html = customer_table(scenario, compile_plan(scenario),
                          lambda scope, group, metric: (0.25, 0.2, 0.3), table)
    assert "Busy signal (95 % CI)" in html and "25.0% (20.0%–30.0%)" in html
    assert customer_table(load_scenario(scenario_dict()), compile_plan(load_scenario(
        scenario_dict())), lambda *key: (0.0, 0.0, 0.0), table) == ""
