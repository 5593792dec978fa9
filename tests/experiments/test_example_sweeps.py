"""Every example in ``sweeps/`` is documented, loads, and runs through the CLI as written.

Found by glob, so a new ``sweeps/*.yaml`` is tested without touching this file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.experiments import load_sweep
from tests.experiments.helpers import REPO, markers

EXAMPLES = sorted((REPO / "sweeps").glob("*.yaml"))
MIN_HEADER_LINES = 8
examples = pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])


def test_there_are_examples() -> None:
    assert "saas-l1-staffing" in {p.stem for p in EXAMPLES}


@examples
def test_example_is_documented(path: Path) -> None:
    header = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header += 1
    assert header >= MIN_HEADER_LINES, f"{path.name}: explain the question and the parameters"
    assert f"sweeps/{path.name}" in (REPO / "docs" / "sweeps.md").read_text(encoding="utf-8")
    assert load_sweep(path).spec.seed is None, "examples leave the seed to the command line"


@examples
def test_example_runs_through_the_cli(path: Path, tmp_path: Path) -> None:
    sweep = load_sweep(path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--seed", "1", "--out", str(out),
                                       "--workers", "1"])
    assert result.exit_code == 0, result.output
    points = sweep.points()
    assert result.stdout.rstrip().endswith(f"{len(points)} point(s) run; results in {out}/")
    assert len(markers(out)) == len(points)
    summary = pd.read_parquet(out / "summary.parquet")
    assert summary["point"].unique().tolist() == [p.key for p in points]
    scope, group, metric = sweep.spec.main_metric()
    main_rows = summary.loc[(summary["scope"] == scope) & (summary["group"] == group)
                            & (summary["metric"] == metric)]
    assert len(main_rows) == len(points) and main_rows["half_width"].notna().all()
