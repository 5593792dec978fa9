"""``staff --goal cost``: on a one-tier desk the search lands where an exhaustive search
over agent counts does (same seed, same replications: the same simulations), and an agent
is kept only where it clearly pays (a stable answer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import simdesk
from simdesk.cli import main
from simdesk.errors import SimdeskError
from simdesk.staffing.cost import cost_staffing, exhaustive, simulator, staffed_groups
from tests.helpers import scenario_dict


def _one_tier(agents: int, price: float, value: float) -> dict[str, Any]:
    return scenario_dict(
        horizon="4d", warmup="12h",
        channels={"chat": {"sla": {"within": "3m", "target": "80%"},
                           "patience": {"dist": "exponential", "mean": "6m"}}},
        arrivals=[{"channel": "chat", "rate": "24/h"}],
        tiers={"L1": {"agents": agents, "handle": {"dist": "exponential", "mean": "10m"}}},
        outcomes={}, money={"agent_hour": price, "customers": {"*": value}})


@pytest.mark.parametrize(("start", "price", "value"), [
    (3, 30.0, 150.0),   # starts below the optimum: walks up
    (12, 30.0, 150.0),  # starts above it: walks down
    (5, 60.0, 40.0),    # dear staff, cheap customers: fewer agents
])
def test_the_cost_search_finds_what_an_exhaustive_search_finds(
        start: int, price: float, value: float) -> None:
    scenario = simdesk.load_scenario(_one_tier(start, price, value))
    answer = cost_staffing(scenario, seed=3, replications=4)
    groups = staffed_groups(scenario)
    best = exhaustive(range(1, 16), simulator(scenario, groups, seed=3, replications=4))
    assert answer.best == (best,)
    assert 1 < best < 15  # an interior optimum: the test can fail
    margins = answer.margins(0).set_index("count")
    # the last agent kept clearly pays; the next one does not
    assert margins.loc[best, "change_high"] < 0
    assert margins.loc[best + 1, "change_high"] >= 0


def test_cost_goal_from_the_cli_writes_the_margins_and_the_cheapest_scenario(
        tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(_one_tier(4, 30.0, 150.0)))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["staff", str(path), "--goal", "cost", "-r", "3",
                                       "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "One more agent" in result.output
    assert (out / "cost.csv").exists()
    cheapest = simdesk.load_scenario(out / "cheapest.yaml")
    assert cheapest.money is not None and cheapest.tiers["L1"].agents[0].count >= 1


def test_cost_goal_needs_money(tmp_path: Path) -> None:
    scenario = simdesk.load_scenario(scenario_dict())
    with pytest.raises(SimdeskError, match="needs a money: section"):
        cost_staffing(scenario, seed=1, replications=2)


def test_an_agent_that_does_not_clearly_pay_is_not_kept() -> None:
    """Two counts whose totals differ by noise only: the answer is the fewer."""
    import pandas as pd

    from simdesk.staffing.cost import Candidate, settle

    def candidate(n: int, totals: list[float]) -> Candidate:
        frame = pd.DataFrame({"replication": range(len(totals)), "staff_cost": 0.0,
                              "churn_cost": 0.0, "conversion_value": 0.0,
                              "total_cost": totals})
        return Candidate((n,), frame)

    tried = {(5,): candidate(5, [100.0, 90.0, 110.0, 95.0]),
             (4,): candidate(4, [101.0, 88.0, 113.0, 96.0]),   # noise only: not clearly dearer
             (3,): candidate(3, [150.0, 140.0, 160.0, 145.0])}  # clearly dearer
    groups = [("L1", 0)]

    def evaluate(counts: tuple[int, ...]) -> Candidate:
        raise AssertionError(f"{counts} should be memoised")

    assert settle((5,), groups, evaluate, tried) == (4,)
