"""Metrics: the vectorized per-replication metrics against a plain pandas reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.metrics.stats import summarize
from simdesk.metrics.tickets import ticket_metrics
from tests.test_simulate import _desk


def _reference(tickets: pd.DataFrame) -> pd.DataFrame:
    """The same metrics computed the slow, obvious way with pandas groupby."""
    t = tickets.loc[~tickets["warmup"]]
    t = t.assign(
        abandoned_share=t["abandoned"].astype(float).where(t["first_response"].notna()
                                                           | t["abandoned"]),
        resolution=t["resolved"] - t["arrived"],
        open=(t["resolved"].isna() & ~t["abandoned"] & ~t["refused"]).astype(float),
        turned_away=t["refused"].astype(float),
        all=pd.Categorical(np.full(len(t), "all")),
    )
    frames = []
    for scope, column in (("overall", "all"), ("channel", "channel"), ("segment", "segment"),
                          ("topic", "topic")):
        g = t.groupby(["replication", column], observed=False)
        wide = pd.DataFrame({
            "tickets": g.size().astype(float),
            "sla": g["sla_met"].mean().astype(float),
            "wait_mean": g["wait"].mean(),
            "wait_median": g["wait"].median(),
            "wait_p90": g["wait"].quantile(0.9),
            "abandonment": g["abandoned_share"].mean(),
            "resolution_mean": g["resolution"].mean(),
            "unresolved": g["open"].sum(),
            "refused": g["turned_away"].mean(),
        })
        long = wide.rename_axis(index=["replication", "group"]).reset_index().melt(
            id_vars=["replication", "group"], var_name="metric", value_name="value")
        long.insert(1, "scope", scope)
        long["group"] = long["group"].astype(str)
        frames.append(long)
    return pd.concat(frames, ignore_index=True)


def test_ticket_metrics_equal_the_pandas_reference() -> None:
    tickets = simdesk.simulate(_desk(), seed=3, replications=3).tickets
    keys = ["replication", "scope", "group", "metric"]
    ours = ticket_metrics(tickets).set_index(keys)["value"].sort_index()
    reference = _reference(tickets).set_index(keys)["value"].sort_index()
    pd.testing.assert_series_equal(ours, reference, check_exact=False, rtol=1e-12,
                                   check_index_type=False)


def test_confidence_intervals_use_student_t_and_stay_in_range() -> None:
    metrics = pd.DataFrame({
        "replication": [0, 1, 2, 0, 1, 2],
        "scope": "channel", "group": "phone",
        "metric": ["sla"] * 3 + ["wait_mean"] * 3,
        "value": [0.97, 0.99, 1.0, 2.0, 4.0, 6.0],
    })
    summary = summarize(metrics).set_index("metric")
    wait = summary.loc["wait_mean"]
    assert wait["mean"] == 4.0
    assert wait["half_width"] == pytest.approx(4.302653 * 2 / np.sqrt(3), rel=1e-6)
    assert summary.loc["sla", "ci_high"] == 1.0  # a share's interval is clipped to [0, 1]
    one = summarize(metrics.loc[metrics["replication"] == 0])
    assert one["half_width"].isna().all() and one["ci_low"].isna().all()


def test_tier_metrics_agree_with_the_ticket_table_on_a_single_tier() -> None:
    from tests.helpers import scenario_dict

    result = simdesk.simulate(scenario_dict(horizon="5d", warmup="1d",
                                            tiers={"L1": {"agents": 2, "handle": {
                                                "dist": "exponential", "mean": "5m"}}}),
                              seed=4, replications=2)
    m = result.metrics.set_index(["scope", "group", "metric", "replication"])["value"]
    t = result.tickets.loc[~result.tickets["warmup"]]
    for replication in (0, 1):
        mine = t.loc[t["replication"] == replication]
        assert m["tier", "L1", "wait_mean", replication] == pytest.approx(mine["wait"].mean())
        assert m["tier", "L1", "agents_on_duty", replication] == pytest.approx(2.0)
        visits = result.visits.loc[result.visits["replication"] == replication]
        done = visits["end"].between(result.plan.warmup, result.plan.horizon,
                                     inclusive="left") & visits["agent"].notna()
        assert m["tier", "L1", "handled", replication] == done.sum()
        busy = (visits["end"].fillna(result.plan.horizon).clip(upper=result.plan.horizon)
                - visits["start"].clip(lower=result.plan.warmup)).clip(lower=0).sum()
        assert m["tier", "L1", "utilization", replication] == pytest.approx(
            busy / (2 * (result.plan.horizon - result.plan.warmup)))


def test_per_agent_day_counts_conversations_and_services_are_their_own_metric() -> None:
    """Two tickets, one needing three agent replies, one repeat contact: 2 conversations
    and 5 services on one agent over one 8-hour day."""
    from simdesk.metrics.tables import duty_table, visit_table
    from simdesk.metrics.tiers import tier_metrics
    from tests.helpers import Scripted, plan_for, run_scripted

    plan = plan_for(horizon="8h", channels={"email": {
        "sla": {"within": "4h", "target": "90%"}, "touches": {1: "50%", 3: "50%"},
        "reply_after": {"dist": "exponential", "mean": "1h"}}},
        arrivals=[{"channel": "email", "rate": "1/h"}],
        tiers={"L1": {"agents": 1, "handle": {"dist": "exponential", "mean": "5m"},
                      "reopens": {"share": "10%", "after": {"dist": "exponential",
                                                            "mean": "1h"}}}})
    record = run_scripted(plan, [Scripted(0, [10], replies=[30, 40], followups=[5, 2]),
                                 Scripted(100, [10], reopens=[(30, 4)])])
    areas = pd.DataFrame({"replication": [0], "tier": ["L1"], "area": [0.0]})
    metrics = tier_metrics(plan, visit_table(plan, record, 0), duty_table(plan, record, 0),
                           areas)
    values = dict(zip(metrics["metric"], metrics["value"], strict=True))
    assert values["handled"] == 5
    assert values["per_agent_day"] == pytest.approx(2)
    assert values["services_per_agent_day"] == pytest.approx(5)
