"""A sweep's ``objective``/``best_per``: the best point is the argmin (argmax) of the main
metric's mean per value of the ``best_per`` parameters; the shipped outcomes example runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.errors import SimdeskError
from simdesk.experiments import InProcess, load_sweep, run_sweep
from simdesk.experiments.sweeps.best import best_points
from simdesk.experiments.sweeps.store import SweepStore
from tests.experiments.helpers import REPO
from tests.helpers import scenario_dict

EXAMPLE = REPO / "examples" / "outcomes"


def _write(tmp_path: Path, **spec: Any) -> Path:
    desk = scenario_dict(horizon="2d", channels={"chat": {
        "sla": {"within": "2m", "target": "80%"},
        "patience": {"dist": "exponential", "mean": "5m"}}},
        arrivals=[{"channel": "chat", "rate": "20/h"}], outcomes={},
        money={"agent_hour": 30, "customers": {"*": 100}})
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(desk))
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump({"scenario": "desk.yaml", "replications": 3,
                                    "metric": "total_cost", **spec}))
    return path


def test_the_best_point_is_the_lowest_mean_per_assumption(tmp_path: Path) -> None:
    path = _write(tmp_path, parameters={"tiers.L1.agents": [2, 3, 4, 5, 6],
                                        "outcomes.churn": ["86%", "20%"]},
                  objective="lowest", best_per=["outcomes.churn"], seed=4)
    sweep = load_sweep(path)
    outcome = run_sweep(sweep, tmp_path / "out", InProcess())
    found = best_points(sweep, outcome.points, outcome.summary,
                        SweepStore(outcome.folder).points_dir)
    assert len(found) == 2
    rows = outcome.summary[outcome.summary["metric"] == "total_cost"]
    for best in found:
        (churn,) = (value for _, value in best.fixed)
        keys = [p.key for p in outcome.points if dict(p.assignments)["outcomes.churn"] == churn]
        means = rows[rows["point"].isin(keys)].set_index("point")["mean"]
        assert best.point.key == means.idxmin()
        assert best.difference[0] == pytest.approx(sorted(means)[1] - sorted(means)[0])


@pytest.mark.parametrize(("spec", "message"), [
    ({"objective": "lowest", "best_per": ["outcomes.curn"]}, "not a parameter"),
    ({"best_per": ["outcomes.churn"]}, "best_per needs an objective"),
    ({"objective": "least"}, "objective"),
])
def test_bad_objectives_are_refused(tmp_path: Path, spec: dict[str, Any], message: str) -> None:
    path = _write(tmp_path, parameters={"outcomes.churn": ["86%", "20%"]}, **spec)
    with pytest.raises(SimdeskError, match=message):
        load_sweep(path)


def test_the_outcomes_example_is_documented_and_loads() -> None:
    sweep = load_sweep(EXAMPLE / "churn-sensitivity.yaml")
    assert sweep.spec.objective == "lowest" and sweep.spec.seed is None
    assert "examples/outcomes/churn-sensitivity.yaml" in (
        REPO / "docs" / "outcomes.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_outcomes_example_sweep_runs_through_the_cli(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sweep", str(EXAMPLE / "churn-sensitivity.yaml"),
                                       "--out", str(tmp_path / "out"), "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "Best point: lowest total_cost" in result.output


def test_the_outcomes_example_desk_runs_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(EXAMPLE / "desk.yaml"), "--seed", "1",
                                       "-r", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Customers lost" in result.output and "Total cost" in result.output
    assert (out / "customers.parquet").exists()


def test_the_roles_example_runs_through_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(EXAMPLE / "roles.yaml"), "--seed", "1",
                                       "-r", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Supervisor:" in result.output and "Problem management" in result.output
    assert (out / "actions.parquet").exists() and (out / "fixes.parquet").exists()
    visits = pd.read_parquet(out / "visits.parquet")
    assert (visits["contact"] < 0).any()  # check-backs happened
