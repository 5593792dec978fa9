"""Customers' outcomes and money (``outcomes:``, ``money:``).

Conservation on a real desk; outcome shares against their probabilities, within standard
errors, on desks where every ticket has the same experience; conversions against the sum
of their chances; money against hand computation; bad input refused with one line.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.errors import ScenarioError
from simdesk.experiments.compare import compare
from simdesk.metrics.outcomes import unhappy_chance
from tests.helpers import scenario_dict

Z = 4.0
"""Tolerance in standard errors (a false alarm about once in 16,000 runs)."""


def _freemium(**overrides: Any) -> dict[str, Any]:
    data = scenario_dict(
        horizon="5d", warmup="1d",
        channels={"chat": {"sla": {"within": "2m", "target": "80%"},
                           "patience": {"dist": "exponential", "mean": "6m"}}},
        segments={"paid": "30%", "free": "70%"},
        arrivals=[{"channel": "chat", "rate": "20/h"}],
        tiers={"L1": {"agents": 3, "handle": {"dist": "exponential", "mean": "8m"},
                      "reopens": {"share": "10%",
                                  "after": {"dist": "exponential", "mean": "3h"}}}},
        satisfaction={},
        outcomes={"conversion": {"rate": "20%", "halves_after": "5m", "to": "paid"}},
        money={"agent_hour": 30, "customers": {"paid": {"value": 900, "acquisition": 500},
                                               "free": 0}})
    data.update(overrides)
    return data


def _binomial_close(hits: int, n: int, p: float) -> None:
    se = math.sqrt(max(p * (1 - p), 1e-12) / n)
    assert abs(hits / n - p) <= Z * se + 1e-12, (hits, n, p, se)


def test_customers_are_conserved_and_complaints_are_among_the_unhappy() -> None:
    result = simdesk.simulate(_freemium(), seed=11, replications=3)
    c = result.customers
    assert len(c) == len(result.tickets)
    unhappy, complained = c["unhappy"].to_numpy(), c["complained"].to_numpy()
    churned, converted = c["churned"].to_numpy(), c["converted"].to_numpy()
    assert not (complained & ~unhappy).any()
    assert not (churned & ~unhappy).any()
    assert not (converted & churned).any()
    assert not (converted & (c["segment"] != "free").to_numpy()).any()
    retained = (~churned).sum()
    assert retained + churned.sum() == len(c)
    # every experience shows up on this desk, so each rule is exercised
    assert unhappy.sum() > 50 and complained.sum() > 0 and converted.sum() > 10
    summary = result.summary
    overall = summary[(summary["scope"] == "overall")].set_index("metric")["mean"]
    measured = c[~c["warmup"]]
    assert overall["churned"] == pytest.approx(measured["churned"].sum() / 3)
    assert overall["churn_per_1000"] == pytest.approx(
        1000 * measured["churned"].sum() / len(measured), rel=0.05)
    segments = summary[(summary["scope"] == "segment") & (summary["metric"] == "churned")]
    assert segments["mean"].sum() == pytest.approx(overall["churned"])


def _everyone_gives_up(outcomes: dict[str, Any]) -> simdesk.SimulationResult:
    """No agents and short patience: every decided ticket has the same experience."""
    data = scenario_dict(
        horizon="3d",
        channels={"chat": {"sla": {"within": "30s", "target": "80%"},
                           "patience": {"dist": "exponential", "mean": "1m"}}},
        arrivals=[{"channel": "chat", "rate": "60/h"}],
        tiers={"L1": {"agents": 0, "handle": {"dist": "exponential", "mean": "5m"}}},
        outcomes=outcomes)
    return simdesk.simulate(data, seed=5, replications=4)


def test_shares_match_their_probabilities_when_every_ticket_gives_up() -> None:
    outcomes = {"unhappy": {"gave_up": "60%"}, "complain": "10%", "churn": "50%",
                "churn_after_complaint": "20%"}
    result = _everyone_gives_up(outcomes)
    c = result.customers[result.tickets["abandoned"].to_numpy()]
    n = len(c)
    assert n > 15_000
    _binomial_close(int(c["unhappy"].sum()), n, 0.6)
    _binomial_close(int(c["complained"].sum()), n, 0.6 * 0.1)
    _binomial_close(int(c["churned"].sum()), n, 0.6 * (0.9 * 0.5 + 0.1 * 0.2))
    unhappy = c[c["unhappy"]]
    _binomial_close(int(unhappy["complained"].sum()), len(unhappy), 0.1)


def test_defaults_come_from_the_articles() -> None:
    result = _everyone_gives_up({})
    c = result.customers[result.tickets["abandoned"].to_numpy()]
    assert c["unhappy"].all()  # giving up is a bad experience
    _binomial_close(int(c["complained"].sum()), len(c), 0.04)  # seeds/004
    _binomial_close(int(c["churned"].sum()), len(c), 0.96 * 0.86)  # seeds/004, 001


def test_no_bad_experience_no_unhappy_customer() -> None:
    data = scenario_dict(horizon="2d", tiers={"L1": {"agents": 30, "handle": {
        "dist": "exponential", "mean": "1m"}}}, outcomes={})
    result = simdesk.simulate(data, seed=2, replications=2)
    assert not result.customers["unhappy"].any()
    assert result.value("overall", "all", "churned") == 0


def test_several_experiences_combine_as_independent_chances() -> None:
    result = simdesk.simulate(_freemium(), seed=3, replications=1)
    assert result.scenario.outcomes is not None
    chance = unhappy_chance(result.scenario.outcomes, result.tickets)
    late = result.tickets["sla_met"].to_numpy(dtype=float, na_value=np.nan) == 0
    repeat = result.tickets["reopens"].to_numpy() > 0
    both = late & repeat & ~result.tickets["abandoned"].to_numpy() \
        & (result.tickets["satisfaction"].astype(str) != "bad").to_numpy()
    assert both.any()
    assert chance[both] == pytest.approx(1 - 0.5 * 0.5)


def test_conversions_match_the_sum_of_their_chances() -> None:
    result = simdesk.simulate(_freemium(), seed=8, replications=4)
    c = result.customers
    p = c["p_convert"].to_numpy()
    free_answered = (c["segment"] == "free").to_numpy() & ~c["churned"].to_numpy() \
        & ~np.isnan(result.tickets["wait"].to_numpy())
    wait = result.tickets["wait"].to_numpy()[free_answered]
    assert p[free_answered] == pytest.approx(0.2 * 0.5 ** (wait / 5.0))
    assert (p[~free_answered] == 0).all()
    expected, se = p.sum(), math.sqrt((p * (1 - p)).sum())
    assert abs(c["converted"].sum() - expected) <= Z * se


def test_money_matches_hand_computation() -> None:
    result = simdesk.simulate(_freemium(), seed=4, replications=3)
    hours = 3 * 4 * 24  # three agents around the clock, 4 measured days
    assert result.value("overall", "all", "staff_cost") == pytest.approx(hours * 30)
    c = result.customers[~result.customers["warmup"]]
    lost = c[c["churned"]]
    paid_lost = (lost["segment"] == "paid").sum()
    assert result.value("overall", "all", "churn_cost") == pytest.approx(paid_lost * 500 / 3)
    won = c["converted"].sum() * 900 / 3
    assert result.value("overall", "all", "conversion_value") == pytest.approx(won)
    assert result.value("overall", "all", "total_cost") == pytest.approx(
        hours * 30 + paid_lost * 500 / 3 - won)


def test_prices_per_shift_pattern_and_team() -> None:
    data = scenario_dict(horizon="7d", tiers={"L1": {"agents": [
        {"shift": "Mon-Fri 09:00-17:00", "count": 2},
        {"shift": "Mon-Fri 17:00-21:00", "count": 1, "team": "late"}],
        "handle": {"dist": "exponential", "mean": "5m"}}},
        money={"agent_hour": {"L1": 20, "L1/late": 35}})
    result = simdesk.simulate(data, seed=1, replications=1)
    assert result.value("overall", "all", "staff_cost") == pytest.approx(
        2 * 5 * 8 * 20 + 5 * 4 * 35)


def test_the_same_ticket_gets_the_same_luck_under_every_policy() -> None:
    data = _freemium(policies={"paid": {"policy": "paid-first", "order": ["paid", "free"]}})
    comparison = compare(data, ["fifo", "paid"], seed=6, replications=2)
    fifo, paid = (comparison.results[label].customers for label in ("fifo", "paid"))
    same = (fifo["p_unhappy"].to_numpy() == paid["p_unhappy"].to_numpy()) \
        & (fifo["p_convert"].to_numpy() == paid["p_convert"].to_numpy())
    assert same.sum() > 100
    for column in ("unhappy", "complained", "churned", "converted"):
        assert (fifo[column].to_numpy()[same] == paid[column].to_numpy()[same]).all()


@pytest.mark.parametrize(("section", "message"), [
    ({"outcomes": {"conversion": {"segment": "gratis", "rate": "5%"}}},
     "outcomes.conversion.segment: unknown segment 'gratis'"),
    ({"money": {"agent_hour": {"L3": 30}}}, "money.agent_hour.L3: unknown tier 'L3'"),
    ({"money": {"agent_hour": {"L1/night": 30}}}, "tier L1 has no shift or team 'night'"),
    ({"money": {"agent_hour": 30, "customers": {"gold": 5}}},
     "money.customers.gold: unknown segment 'gold'"),
    ({"outcomes": {"churn": "120%"}}, "outcomes.churn"),
])
def test_bad_outcome_input_is_one_clear_line(section: dict[str, Any], message: str) -> None:
    data = scenario_dict(segments={"paid": "50%", "free": "50%"}, **section)
    with pytest.raises(ScenarioError) as caught:
        simdesk.load_scenario(data)
    assert message in str(caught.value)


def test_compare_reports_customers_and_money_with_paired_differences(tmp_path: Any) -> None:
    import yaml
    from click.testing import CliRunner

    from simdesk.cli import main

    data = _freemium(policies={"paid": {"policy": "paid-first", "order": ["paid", "free"]}})
    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(main, ["compare", str(path), "--policies", "fifo,paid",
                                       "--seed", "2", "-r", "3", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "Customers and money by policy" in result.output
    differences = pd.read_csv(tmp_path / "o" / "comparison.csv")
    assert {"churned", "total_cost", "staff_cost"} <= set(differences["metric"])
    assert (tmp_path / "o" / "customers.parquet").exists()
