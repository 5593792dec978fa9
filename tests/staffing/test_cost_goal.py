"""``staff --goal cost``: on a one-tier desk the search lands where an exhaustive search
over agent counts does (same seed, same replications: the same simulations)."""

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
    margins = answer.margins(0)
    below = margins[margins["count"] <= best]["change"].dropna()
    above = margins[margins["count"] > best]["change"].dropna()
    assert (below < 0).all() and (above >= 0).all()


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
