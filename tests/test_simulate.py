"""The Python API: load, simulate, reproduce; the output contract of the tables."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simdesk
from simdesk.scenario.load import scenario_to_dict
from tests.helpers import scenario_dict

CONTRACT = ["replication", "ticket", "channel", "segment", "topic", "arrived",
            "first_response", "wait", "resolved", "abandoned", "sla_met", "path", "warmup",
            "refused", "deflected", "reopens"]


def _desk(**overrides: Any) -> dict[str, Any]:
    desk = scenario_dict(
        horizon="3d", warmup="6h",
        channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                            "patience": {"dist": "exponential", "mean": "2m"}},
                  "email": {"sla": {"within": "4h", "target": "90%"}}},
        segments={"paid": "30%", "free": "70%"},
        topics={"howto": {"share": "60%", "effort": 0.5}, "bug": {"share": "40%", "effort": 2}},
        arrivals=[{"channel": "phone", "rate": "12/h", "profile": "office"},
                  {"channel": "email", "volume": "100/d"}],
        tiers={"L1": {"agents": [{"shift": "daily 07:00-19:00", "count": 3}],
                      "handle": {"dist": "lognormal", "mean": "8m", "cv": 1},
                      "resolves": "70%", "escalate_to": "L2"},
               "L2": {"agents": 1, "handle": {"dist": "gamma", "mean": "20m", "cv": 0.8}}},
    )
    desk.update(overrides)
    return desk


def test_the_ticket_table_follows_the_contract() -> None:
    result = simdesk.simulate(_desk(), seed=1, replications=2)
    tickets = result.tickets
    assert list(tickets.columns) == CONTRACT
    assert set(tickets["replication"]) == {0, 1}
    answered = tickets["first_response"].notna()
    assert np.allclose(tickets.loc[answered, "wait"],
                       tickets.loc[answered, "first_response"] - tickets.loc[answered, "arrived"])
    assert tickets.loc[tickets["abandoned"], "wait"].isna().all()
    assert (tickets.loc[tickets["abandoned"], "sla_met"] == False).all()  # noqa: E712
    assert (tickets["warmup"] == (tickets["arrived"] < 360)).all()
    assert set(tickets["path"].astype(str)) <= {"L1", "L1>L2"}
    unfinished = tickets["resolved"].isna() & ~tickets["abandoned"]
    assert unfinished.any()  # kept, not dropped
    summary = result.summary
    assert list(summary.columns) == ["scope", "group", "metric", "mean", "ci_low", "ci_high",
                                     "half_width", "replications"]
    unresolved = result.value("overall", "all", "unresolved")
    measured = tickets.loc[~tickets["warmup"]]
    still_open = (measured["resolved"].isna() & ~measured["abandoned"]).sum() / 2
    assert unresolved == pytest.approx(still_open)


def test_sla_counts_abandoned_as_missed_and_open_tickets_only_once_late() -> None:
    result = simdesk.simulate(_desk(), seed=2, replications=1)
    t = result.tickets.loc[~result.tickets["warmup"]]
    within = t["channel"].map({"phone": 0.5, "email": 240.0}).astype(float)
    expected = pd.Series(pd.NA, index=t.index, dtype="boolean")
    answered = t["first_response"].notna()
    expected[answered] = t.loc[answered, "wait"] <= within[answered]
    expected[t["abandoned"]] = False
    late = ~answered & ~t["abandoned"] & (result.plan.horizon - t["arrived"] > within)
    expected[late] = False
    pd.testing.assert_series_equal(t["sla_met"], expected, check_names=False)
    assert result.value("overall", "all", "sla") == pytest.approx(t["sla_met"].mean())


def test_same_seed_same_tables_bit_for_bit() -> None:
    first = simdesk.simulate(_desk(), seed=7, replications=2)
    second = simdesk.simulate(_desk(), seed=7, replications=2)
    pd.testing.assert_frame_equal(first.tickets, second.tickets, check_exact=True)
    pd.testing.assert_frame_equal(first.summary, second.summary, check_exact=True)
    other = simdesk.simulate(_desk(), seed=8, replications=2)
    assert not first.tickets["arrived"].equals(other.tickets["arrived"])


def test_a_replication_does_not_depend_on_how_many_run() -> None:
    one = simdesk.simulate(_desk(), seed=9, replications=1).tickets
    three = simdesk.simulate(_desk(), seed=9, replications=3).tickets
    pd.testing.assert_frame_equal(one, three.loc[three["replication"] == 0], check_exact=True)


def test_ticket_fates_do_not_depend_on_staffing() -> None:
    """Common random numbers: another L2 agent changes who waits, not the tickets."""
    base = simdesk.simulate(_desk(), seed=10, replications=1).tickets
    tiers = _desk()["tiers"]
    tiers["L2"]["agents"] = 2
    more = simdesk.simulate(_desk(tiers=tiers), seed=10, replications=1).tickets
    for column in ("arrived", "channel", "segment", "topic"):
        pd.testing.assert_series_equal(base[column], more[column])


def test_a_new_channel_leaves_the_other_channels_tickets_alone() -> None:
    base = simdesk.simulate(_desk(), seed=11, replications=1).tickets
    wider = _desk()
    wider["channels"]["chat"] = {"sla": {"within": "2m", "target": "80%"}}
    wider["arrivals"].append({"channel": "chat", "rate": "5/h"})
    more = simdesk.simulate(wider, seed=11, replications=1).tickets
    phone = base.loc[base["channel"] == "phone", "arrived"].to_numpy()
    phone_more = more.loc[more["channel"] == "phone", "arrived"].to_numpy()
    np.testing.assert_array_equal(phone, phone_more)


def test_load_scenario_takes_a_path_or_a_dict(tmp_path: Path) -> None:
    resolved = simdesk.load_scenario(_desk())
    path = tmp_path / "desk.yaml"
    path.write_text(simdesk.scenario_to_yaml(resolved), encoding="utf-8")
    assert simdesk.load_scenario(path) == resolved
    assert simdesk.load_scenario(resolved) is resolved


def test_the_resolved_scenario_reproduces_the_run(tmp_path: Path) -> None:
    result = simdesk.simulate(_desk(), seed=12, replications=2)
    assert result.scenario.seed == 12 and result.scenario.replications == 2
    path = tmp_path / "again.yaml"
    path.write_text(simdesk.scenario_to_yaml(result.scenario), encoding="utf-8")
    again = simdesk.simulate(path)
    pd.testing.assert_frame_equal(result.tickets, again.tickets, check_exact=True)


def test_without_a_seed_a_fresh_one_is_recorded() -> None:
    result = simdesk.simulate(_desk(), replications=1)
    assert isinstance(result.seed, int) and result.scenario.seed == result.seed


durations = st.integers(1, 600).map(lambda m: f"{m}m")
shares = st.integers(1, 99)


@settings(max_examples=40, deadline=None)
@given(within=durations, target=st.integers(0, 100), rate=st.integers(1, 500),
       paid=shares, mean=durations, cv=st.floats(0.1, 3), agents=st.integers(0, 50),
       start=st.dates(min_value=__import__("datetime").date(2000, 1, 1)))
def test_any_valid_scenario_round_trips_through_yaml(
    within: str, target: int, rate: int, paid: int, mean: str, cv: float, agents: int,
    start: Any,
) -> None:
    data = scenario_dict(
        start=start.isoformat(),
        channels={"phone": {"sla": {"within": within, "target": f"{target}%"},
                            "patience": {"dist": "weibull", "mean": mean, "cv": cv}}},
        segments={"paid": f"{paid}%", "free": f"{100 - paid}%"},
        arrivals=[{"channel": "phone", "rate": f"{rate}/d"}],
        tiers={"L1": {"agents": agents, "handle": {"dist": "gamma", "mean": mean, "cv": cv}}},
    )
    scenario = simdesk.load_scenario(data)
    assert simdesk.load_scenario(scenario_to_dict(scenario)) == scenario


def test_weibull_and_every_distribution_have_the_mean_they_promise() -> None:
    from simdesk.scenario.distributions import Empirical, Gamma, Lognormal, Uniform, Weibull

    rng = np.random.default_rng(3)
    for dist in (Lognormal(dist="lognormal", mean="10m", cv=1.5),
                 Gamma(dist="gamma", mean="10m", cv=0.5),
                 Weibull(dist="weibull", mean="10m", cv=0.7),
                 Uniform(dist="uniform", low="4m", high="16m"),
                 Empirical(dist="empirical", values=["5m", "10m", "15m"])):
        sample = dist.sample(rng, 200_000)
        se = sample.std() / math.sqrt(len(sample))
        assert abs(sample.mean() - 10) < 4 * se, dist
        assert (sample >= 0).all()
    weibull = Weibull(dist="weibull", mean="10m", cv=0.7).sample(rng, 200_000)
    assert weibull.std() / weibull.mean() == pytest.approx(0.7, rel=0.02)


def test_topic_effort_scales_handle_times_but_not_the_dispatchers() -> None:
    from simdesk.fates.streams import Streams
    from simdesk.fates.tickets import draw_tickets
    from simdesk.plan.compile import compile_plan

    plan = compile_plan(simdesk.load_scenario(scenario_dict(
        topics={"easy": {"share": "50%", "effort": 0.5}, "hard": {"share": "50%", "effort": 3}},
        tiers={"dispatcher": {"agents": 1, "channels": ["phone"],
                              "handle": {"dist": "deterministic", "value": "1m"}},
               "L1": {"agents": 2, "handle": {"dist": "deterministic", "value": "10m"}}},
    )))
    batch = draw_tickets(plan, Streams(1, 0))
    assert set(batch.topic.tolist()) == {0, 1}
    assert (batch.handles[:, 0] == 1.0).all()
    np.testing.assert_array_equal(batch.handles[:, 1], np.where(batch.topic == 0, 5.0, 30.0))


def test_worker_processes_give_the_same_tables() -> None:
    alone = simdesk.simulate(_desk(), seed=13, replications=3)
    shared = simdesk.simulate(_desk(), seed=13, replications=3, workers=2)
    pd.testing.assert_frame_equal(alone.tickets, shared.tickets, check_exact=True)
    pd.testing.assert_frame_equal(alone.summary, shared.summary, check_exact=True)


@pytest.mark.parametrize("ownership", ["shared", "owner"])
def test_conversations_run_end_to_end_and_report_each_reply(ownership: str) -> None:
    desk = _desk(routing={"policy": "fifo", "ownership": ownership, "owner_fallback": "2h"})
    desk["channels"]["email"].update(touches={1: "40%", 2: "40%", 3: "20%"},
                                     reply_after={"dist": "exponential", "mean": "1h"})
    result = simdesk.simulate(desk, seed=14, replications=2)
    tickets, replies = result.tickets, result.replies
    assert set(tickets["path"].astype(str)) <= {"", "L1", "L1>L2"}
    assert len(replies) and set(replies["touch"]) == {0, 1, 2}
    assert (replies["wait"].dropna() >= 0).all()
    summary = result.summary
    reply_rows = summary.loc[summary["scope"] == "reply"]
    assert set(reply_rows["group"]) == {"1", "2", "3"}
    # a ticket's replies come one after the other at its conversation tier
    ordered = replies.sort_values(["replication", "ticket", "touch"])
    later = ordered.groupby(["replication", "ticket"])["asked"].diff().dropna()
    assert (later > 0).all()
