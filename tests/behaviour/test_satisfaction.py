"""The satisfaction proxy: the score of a ticket's experience, the ordered-logit rating,
the ``satisfaction`` column (scripted tickets), the draw shared by every routing policy,
and the whole pipeline against the model's own probabilities."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.metrics.ratings import (
    RATINGS,
    Experience,
    probabilities,
    rate,
    rating_codes,
    score,
)
from simdesk.metrics.tables import ticket_table
from simdesk.plan.model import DeskPlan
from simdesk.scenario.behaviour import Satisfaction
from tests.helpers import Scripted, assert_close_to, batch_of, plan_for, run_scripted

MODEL = Satisfaction()


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_the_score_follows_the_documented_formula() -> None:
    model = Satisfaction(base=3, wait=1, touch=0.5, reopen=1.5, escalation=0.5,
                         resolution=0.3)
    experience = Experience(wait=np.array([0.0, 1.0, 3.0]), replies=np.array([1, 2, 3]),
                            reopens=np.array([0, 1, 0]), escalations=np.array([0, 0, 2]),
                            resolution=np.array([0.0, 60.0, 180.0]))
    expected = [3.0,
                3 - 1 * 1 - 0.5 * 1 - 1.5 * 1 - 0.3 * 1,
                3 - 1 * 2 - 0.5 * 2 - 0.5 * 2 - 0.3 * 2]
    np.testing.assert_allclose(score(model, experience), expected, rtol=1e-12)


def test_probabilities_are_the_ordered_logit() -> None:
    z = np.array([-2.0, 0.0, 0.7, 3.0])
    bad, okay, good = probabilities(MODEL, z)
    for i, value in enumerate(z):
        assert bad[i] == pytest.approx(_logistic(MODEL.okay - value))
        assert good[i] == pytest.approx(1 - _logistic(MODEL.good - value))
    np.testing.assert_allclose(bad + okay + good, 1.0)
    assert (np.diff(good) > 0).all() and (np.diff(bad) < 0).all()  # a better score rates better


def test_ratings_drawn_with_logistic_luck_have_the_model_shares() -> None:
    """400,000 tickets at each of three scores: the shares of bad / okay / good lie within
    5 standard errors of the model's probabilities (a flipped sign or cut point fails)."""
    rng = np.random.default_rng(2024)
    n = 400_000
    for z in (-0.5, 0.8, 2.5):
        codes = rate(MODEL, np.full(n, z), rng.logistic(size=n))
        shares = np.bincount(codes, minlength=3) / n
        expected = np.array([p[0] for p in probabilities(MODEL, np.array([z]))])
        error = np.sqrt(expected * (1 - expected) / n)
        assert (np.abs(shares - expected) < 5 * error).all(), (z, shares, expected)


def test_the_cut_points_are_inclusive_for_good_only() -> None:
    z = np.zeros(4)
    draws = np.array([MODEL.okay - 1e-9, MODEL.okay, MODEL.good - 1e-9, MODEL.good])
    assert [RATINGS[c] for c in rate(MODEL, z, draws)] == ["bad", "okay", "okay", "good"]


# -- the satisfaction column on scripted tickets ---------------------------------------


WEIGHTS: dict[str, Any] = {"base": 3, "wait": 1, "touch": 0.5, "reopen": 1.5,
                           "escalation": 0.5, "resolution": 0.3, "okay": 0, "good": 1.5}


def _three_tiers(**overrides: Any) -> DeskPlan:
    return plan_for(
        channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                            "patience": {"dist": "exponential", "mean": "1h"}}},
        tiers={"dispatcher": {"agents": 1, "handle": {"dist": "exponential", "mean": "1m"},
                              "channels": ["phone"]},
               "L1": {"agents": 1, "handle": {"dist": "exponential", "mean": "5m"},
                      "resolves": "50%", "escalate_to": "L2"},
               "L2": {"agents": 1, "handle": {"dist": "exponential", "mean": "10m"}}},
        satisfaction=WEIGHTS, **overrides)


def test_scripted_tickets_are_rated_from_their_experience() -> None:
    """T0 is answered at once and solved at L1 after the dispatcher (no escalation: the
    hand-over is the dispatcher's job); T1 waits 0.9 min (1.8 SLA times) and goes on to
    L2 (one escalation); T2's caller hangs up: no rating; T3 is still open at the end."""
    plan = _three_tiers(horizon="40m")
    tickets = [Scripted(0.0, [1, 5], visits=2), Scripted(0.1, [1, 5, 10]),
               Scripted(0.2, [1, 5], visits=2, patience=0.5),
               Scripted(3.0, [1, 5, 30])]
    record = run_scripted(plan, tickets)
    np.testing.assert_allclose(record.resolved[:2], [6.0, 21.0])
    z0 = 3 - 0.3 * math.log2(1 + 6 / 60)
    z1 = 3 - math.log2(1 + 0.9 / 0.5) - 0.5 - 0.3 * math.log2(1 + (21 - 0.1) / 60)
    draws = np.array([1.5 - z0 + 1e-9, 0 - z1 - 1e-9, 5.0, 5.0])
    table = ticket_table(plan, batch_of(plan, tickets), record, 0, satisfaction=draws)
    column = table["satisfaction"]
    assert isinstance(column.dtype, pd.CategoricalDtype) and column.cat.ordered
    assert list(column.cat.categories) == list(RATINGS)
    assert column.iloc[0] == "good" and column.iloc[1] == "bad"
    assert column.iloc[2:].isna().all()  # abandoned; still open at the horizon
    # a hair the other way round flips both
    draws[:2] = [1.5 - z0 - 1e-9, 0 - z1 + 1e-9]
    flipped = ticket_table(plan, batch_of(plan, tickets), record, 0, satisfaction=draws)
    assert list(flipped["satisfaction"].iloc[:2]) == ["okay", "okay"]


def test_without_a_model_there_is_no_column() -> None:
    result = simdesk.simulate(_scenario(horizon="1d"), seed=1, replications=1)
    assert "satisfaction" not in result.tickets
    assert not result.summary["metric"].isin(["csat", "bad", "net"]).any()
    assert "agent" not in set(result.summary["scope"])


# -- common random numbers -------------------------------------------------------------


def _scenario(satisfaction: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "rated desk",
        "horizon": "5d",
        "warmup": "12h",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"},
                               "patience": {"dist": "exponential", "mean": "10m"}},
                     "email": {"sla": {"within": "2h", "target": "90%"}}},
        "topics": {"easy": {"share": "60%", "effort": 0.5},
                   "hard": {"share": "40%", "effort": 2.0}},
        "arrivals": [{"channel": "phone", "rate": "12/h"}, {"channel": "email", "rate": "4/h"}],
        "tiers": {"dispatcher": {"agents": 1, "handle": {"dist": "exponential", "mean": "1m"},
                                 "channels": ["phone"]},
                  "L1": {"agents": 3, "handle": {"dist": "exponential", "mean": "8m"},
                         "resolves": "75%", "escalate_to": "L2"},
                  "L2": {"agents": 1, "handle": {"dist": "gamma", "mean": "25m", "cv": 1}}},
    }
    if satisfaction is not None:
        data["satisfaction"] = satisfaction
    data.update(overrides)
    return data


def test_the_model_leaves_every_other_column_as_it_was() -> None:
    """The satisfaction draw has its own stream: switching the model on changes no
    arrival, wait or resolution."""
    off = simdesk.simulate(_scenario(), seed=4, replications=2).tickets
    on = simdesk.simulate(_scenario({}), seed=4, replications=2).tickets
    pd.testing.assert_frame_equal(on.drop(columns="satisfaction"), off)
    assert on["satisfaction"].notna().mean() > 0.8


def test_every_policy_rates_the_same_experience_alike() -> None:
    """FIFO and newest-first on the same tickets: many tickets go through exactly the
    same experience under both, and each of those gets the same rating (the draw
    belongs to the ticket); with independent draws about 40 % of them would differ."""
    runs = [simdesk.simulate(_scenario({}, routing={"policy": name}), seed=9, replications=2)
            for name in ("fifo", "newest-first")]
    a, b = (r.tickets for r in runs)
    same = ((a["wait"] == b["wait"]) & (a["resolved"] == b["resolved"])
            & (a["path"].astype(str) == b["path"].astype(str)) & a["satisfaction"].notna())
    assert same.sum() > 200
    assert (a.loc[same, "satisfaction"] == b.loc[same, "satisfaction"]).all()
    differs = a["satisfaction"].astype(str) != b["satisfaction"].astype(str)
    assert differs.any()  # the policies do change some experiences, and their ratings


# -- the pipeline against the model --------------------------------------------------


def _expected_good(result: Any) -> pd.Series:
    """Per replication, the mean over rated tickets of P(good), with each ticket's score
    rebuilt from the tickets table (no conversations, no business hours here)."""
    plan, tickets = result.plan, result.tickets
    t = tickets.loc[~tickets["warmup"] & tickets["satisfaction"].notna()]
    within = t["channel"].map({c.name: c.sla_within for c in plan.channels}).astype(float)
    path = t["path"].astype(str)
    working = path.str.replace("dispatcher>", "", regex=False)
    escalations = working.str.count(">")
    z = score(MODEL, Experience(
        wait=(t["wait"] / within).to_numpy(dtype=float),
        replies=np.ones(len(t), dtype=np.int64),
        reopens=np.zeros(len(t), dtype=np.int64),
        escalations=escalations.to_numpy(dtype=np.int64),
        resolution=(t["resolved"] - t["arrived"]).to_numpy(dtype=float)))
    good = probabilities(MODEL, z)[2]
    return pd.Series(good, index=t.index).groupby(t["replication"]).mean()


def test_the_good_share_matches_the_model_probabilities() -> None:
    """Per replication, observed good share minus the mean of each rated ticket's P(good)
    (its score rebuilt independently from the table): zero within the 99.9 % Student-t
    interval. A wrong input (wait unit, escalation count, resolution unit) fails."""
    result = simdesk.simulate(_scenario({}, horizon="8d"), seed=21, replications=12)
    metrics = result.metrics
    csat = metrics.loc[(metrics["scope"] == "overall") & (metrics["metric"] == "csat")]
    observed = csat.set_index("replication")["value"]
    differences = (observed - _expected_good(result)).to_numpy()
    assert_close_to(differences, 0.0, what="good share − model probability")


def test_rating_codes_read_any_category_order() -> None:
    column = pd.Series(pd.Categorical(["good", None, "bad", "okay"],
                                      categories=["okay", "good", "bad"]))
    assert rating_codes(column).tolist() == [2, -1, 0, 1]
