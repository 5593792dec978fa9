"""`simdesk diff`: two finished results folders, Welch and (same seed) paired intervals."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.store.diff import diff_results
from tests.helpers import scenario_dict


def _run(tmp_path: Path, name: str, agents: int, seed: int, horizon: str = "1d") -> Path:
    scenario = tmp_path / f"{name}.yaml"
    scenario.write_text(yaml.safe_dump(scenario_dict(
        horizon=horizon, warmup="2h", segments={"paid": "30%", "free": "70%"},
        arrivals=[{"channel": "phone", "rate": "32.4/h"}],
        routing={"policy": "paid-first"} if agents < 0 else {"policy": "fifo"},
        tiers={"L1": {"agents": abs(agents), "handle": {"dist": "exponential",
                                                        "mean": "5m"}}})), encoding="utf-8")
    out = tmp_path / f"{name}-out"
    result = CliRunner().invoke(main, ["run", str(scenario), "--seed", str(seed), "-r", "12",
                                       "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_same_seed_gives_a_paired_interval_inside_welchs(tmp_path: Path) -> None:
    a = _run(tmp_path, "fifo", 3, seed=4)
    b = _run(tmp_path, "paid", -3, seed=4)
    found = diff_results(a, b)
    assert found.paired and found.changed == ["routing"]
    assert any("paired" in w and "identical arrivals" in w for w in found.warnings)
    row = found.rows.loc[(found.rows["scope"] == "overall")
                         & (found.rows["metric"] == "wait_mean")].iloc[0]
    paired = row["paired_high"] - row["paired_low"]
    welch = row["welch_high"] - row["welch_low"]
    assert 0 < paired < 0.25 * welch
    assert row["welch_low"] <= row["difference"] <= row["welch_high"]


def test_different_seeds_are_welch_only_and_changed_horizons_are_flagged(tmp_path: Path
                                                                         ) -> None:
    a = _run(tmp_path, "a", 3, seed=1)
    b = _run(tmp_path, "b", 4, seed=2, horizon="2d")
    found = diff_results(a, b)
    assert not found.paired
    assert found.rows["paired_low"].isna().all()
    assert any("horizon" in w for w in found.warnings)
    shown = CliRunner().invoke(main, ["diff", str(a), str(b)])
    assert shown.exit_code == 0, shown.output
    assert "Δ Welch" in shown.stdout and "Δ paired" not in shown.stdout


def test_diff_of_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "no"), str(tmp_path / "no")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:") and len(result.stderr.splitlines()) == 1
