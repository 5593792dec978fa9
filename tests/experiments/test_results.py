"""The results folder: its layout, the recorded seed, common random numbers, failures
and retries, resuming only this very sweep, tickets on request, auto replications."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

from simdesk.cli import main
from simdesk.errors import SimdeskError
from simdesk.experiments import InProcess, load_sweep, run_sweep
from simdesk.fates.streams import Streams
from tests.experiments.helpers import (
    desk,
    markers,
    probe_routing,
    replications_of,
    summary,
    write_sweep,
)


def sweep(*arguments: str | Path) -> Result:
    return CliRunner().invoke(main, ["sweep", *map(str, arguments)])


# -- layout ------------------------------------------------------------------------------


def test_the_results_folder(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3],
                                  "arrivals[0].rate": ["15/h", "20/h"]}, seed=42)
    out = tmp_path / "out"
    result = sweep(path, "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith(f"4 point(s) run; results in {out}/")
    assert "sweep test desk — 4 point(s), seed 42" in result.stdout

    written = yaml.safe_load((out / "sweep.yaml").read_text())
    assert written["seed"] == 42 and written["scenario"] == str(tmp_path / "base.yaml")
    assert yaml.safe_load((out / "scenario.yaml").read_text()) == desk()
    state = json.loads((out / "state.json").read_text())
    assert state["seed"] == 42
    assert [p["values"] for p in state["points"]] == [
        {"tiers.L1.agents[0].count": c, "arrivals[0].rate": r}
        for c in (2, 3) for r in ("15/h", "20/h")]
    assert not list((out / "failures").iterdir()) and not (out / "tickets").exists()

    # points/: a Parquet dataset, one row per point × replication × scope × group × metric
    metrics = pd.read_parquet(out / "points")
    assert list(metrics.columns) == ["point", "tiers.L1.agents[0].count", "arrivals[0].rate",
                                     "replication", "scope", "group", "metric", "value"]
    assert metrics["tiers.L1.agents[0].count"].dtype == "int64"
    assert metrics.groupby("point")["replication"].nunique().tolist() == [2, 2, 2, 2]
    sla = metrics.loc[(metrics["scope"] == "channel") & (metrics["metric"] == "sla")]
    assert len(sla) == 4 * 2
    for key in state["points"]:
        meta = json.loads((out / "points" / f"_{key['key']}.json").read_text())
        assert meta["values"] == key["values"] and meta["replications"] == 2

    table = summary(out)
    assert list(table.columns[:3]) == ["point", "tiers.L1.agents[0].count", "arrivals[0].rate"]
    assert {"mean", "ci_low", "ci_high", "half_width", "replications"} <= set(table.columns)
    assert table["point"].unique().tolist() == [p["key"] for p in state["points"]]
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"), table,
                                  check_dtype=False)


def test_points_share_their_random_numbers(tmp_path: Path) -> None:
    """Common random numbers: two points differing only in staffing see the very same
    tickets (``--keep-tickets``), replication by replication; the waits differ."""
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 4]}, replications=3)
    out = tmp_path / "out"
    assert sweep(path, "--out", out, "--workers", "2", "--keep-tickets").exit_code == 0
    first, second = [pd.read_parquet(f) for f in sorted((out / "tickets").glob("*.parquet"))]
    assert first["replication"].nunique() == 3 and len(first) > 100
    for column in ("replication", "ticket", "arrived", "channel", "topic"):
        assert first[column].tolist() == second[column].tolist(), column
    assert first["wait"].mean() > second["wait"].mean()
    assert json.loads((out / "state.json").read_text())["keep_tickets"] is True

    # the same tickets as a plain run of the first point with the same seed
    from simdesk import simulate

    point = load_sweep(path).points()[0]
    alone = simulate(load_sweep(path).scenario_data(point), seed=7, replications=3)
    assert alone.tickets["arrived"].tolist() == first["arrived"].tolist()
    assert Streams(7, 0).seed_sequence("x").entropy == 7  # the recorded seed is the root


def test_tickets_are_kept_for_the_rest_of_a_sweep_that_kept_them(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3]})
    without = tmp_path / "without"
    assert run_sweep(load_sweep(path), without, InProcess(), progress=stop_after(1)).interrupted
    result = sweep(path, "--out", without, "--keep-tickets")
    assert result.stderr == (f"Error: {without} holds points finished without their "
                             "tickets; to keep every point's tickets, run into another "
                             "--out\n")

    loaded = load_sweep(path)
    keeping = replace(loaded, spec=loaded.spec.model_copy(update={"keep_tickets": True}))
    kept = tmp_path / "kept"
    assert run_sweep(keeping, kept, InProcess(), progress=stop_after(1)).interrupted
    assert len(list((kept / "tickets").glob("*.parquet"))) == 1
    result = sweep(path, "--out", kept, "-w", "1")  # no --keep-tickets: kept all the same
    assert result.exit_code == 0, result.output
    assert len(list((kept / "tickets").glob("*.parquet"))) == 2


def stop_after(points: int):  # type: ignore[no-untyped-def]
    """A progress hook that interrupts the run (as Ctrl-C) once ``points`` are done."""
    def hook(done: int, total: int, failed: int) -> None:
        if done >= points:
            raise KeyboardInterrupt
    return hook


# -- failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(("parameter", "values", "error"), [
    ("tiers.L1.agents[0].count", [2, -1, 3],
     "tiers.L1.agents[0].count: must be at least 0, got -1"),
    ("tiers.L1.escalate_to", ["L2", "L9", "L3"],
     "tiers.L1.escalate_to: unknown tier 'L9'; known: L1, L2, L3"),
])
def test_a_failing_point_is_reported_and_the_others_finish(
        tmp_path: Path, parameter: str, values: list[object], error: str) -> None:
    """An invalid combination fails its point with the scenario's own message (exit 1,
    naming it); the other points finish."""
    base = desk()
    base["tiers"]["L1"] |= {"resolves": "80%", "escalate_to": "L2"}
    for tier in ("L2", "L3"):
        base["tiers"][tier] = {"agents": 1, "handle": {"dist": "exponential", "mean": "10m"}}
    path = write_sweep(tmp_path, {parameter: values}, base=base)
    out = tmp_path / "out"
    result = sweep(path, "--out", out, "--workers", "2")
    assert result.exit_code == 1, result.output
    bad = load_sweep(path).points()[1]
    record = json.loads((out / "failures" / f"{bad.key}.json").read_text())
    assert record["error"] == error and record["kind"] == "input"
    assert result.stderr.splitlines()[-3:] == [
        "Error: 1 point(s) failed:",
        f"  {bad.key} ({parameter}={values[1]}): {error}",
        f"Details in {out}/failures/; running the same command again retries only these "
        "points.",
    ]
    assert result.stdout.rstrip().endswith(f"2 point(s) run, 1 failed; results in {out}/")
    assert len(markers(out)) == 2 and set(summary(out)["point"]) == {
        p.key for p in load_sweep(path).points() if p.key != bad.key}

    # nothing fixed: running again retries the failed point only, and it fails again
    before = markers(out)
    failure_written = (out / "failures" / f"{bad.key}.json").stat().st_mtime_ns
    again = sweep(path, "--out", out, "--workers", "2")
    assert again.exit_code == 1
    assert again.stdout.rstrip().endswith(
        f"0 point(s) run, 1 failed, 2 skipped (finished before); results in {out}/")
    assert markers(out) == before
    assert (out / "failures" / f"{bad.key}.json").stat().st_mtime_ns > failure_written


def test_a_point_that_failed_once_succeeds_on_the_next_run(tmp_path: Path) -> None:
    """A transient failure (the probe fails while a file exists): the next run retries the
    point, it finishes, and its failure record goes away."""
    flag = tmp_path / "broken"
    flag.touch()
    base = desk(routing=probe_routing())
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3],
                                  "routing.options.fail_while": [None, str(flag)]},
                       base=base, mode="zip")
    out = tmp_path / "out"
    assert sweep(path, "--out", out, "-w", "1").exit_code == 1
    assert len(list((out / "failures").iterdir())) == 1
    flag.unlink()
    result = sweep(path, "--out", out, "-w", "1", "--resume")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith(
        f"1 point(s) run, 1 skipped (finished before); results in {out}/")
    assert not list((out / "failures").iterdir()) and len(markers(out)) == 2


# -- resume ------------------------------------------------------------------------------


def test_resume_refuses_a_folder_holding_another_sweep(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3]})
    out = tmp_path / "out"
    assert sweep(path, "--out", out, "-w", "1").exit_code == 0
    finished = markers(out)
    refusal = f"Error: {out} holds the results of a different sweep ({{}}), so they cannot be " \
              "resumed; choose another --out\n"
    cases = [
        (["--seed", "8"], "seed was 7, is now 8"),
        (["-r", "3"], "replications was 2, is now 3"),
        (["-r", "auto"], "replications was 2, is now auto"),
    ]
    for options, change in cases:
        result = sweep(path, "--out", out, "--resume", *options)
        assert result.exit_code == 2
        assert result.stderr == refusal.format(change), result.stderr
    other = write_sweep(tmp_path / "other", {"tiers.L1.agents[0].count": [2, 4]})
    assert sweep(other, "--out", out).stderr == refusal.format("the parameters changed")
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(desk(horizon="3d")))
    assert sweep(path, "--out", out).stderr == refusal.format("the base scenario changed")
    assert markers(out) == finished  # nothing touched

    # what does not change the results may change: name, description, where the files are
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    (moved / "desk.yaml").write_text(yaml.safe_dump(desk()))
    renamed = yaml.safe_load(path.read_text()) | {"scenario": "desk.yaml", "name": "renamed",
                                                  "description": "the same sweep"}
    (moved / "sweep.yaml").write_text(yaml.safe_dump(renamed))
    result = sweep(moved / "sweep.yaml", "--out", out, "--resume")
    assert result.exit_code == 0, result.output
    assert "0 point(s) run, 2 skipped (finished before)" in result.stdout


def test_a_folder_that_is_not_a_sweep_is_refused(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2]})
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert sweep(path, "--out", out).stderr == (
        f"Error: {out} is not empty and holds no sweep; choose another --out\n")
    assert sweep(path, "--out", tmp_path / "new", "--resume").stderr == (
        f"Error: {tmp_path / 'new'} holds no sweep to resume (no {tmp_path / 'new'}/"
        "state.json)\n")
    assert not (tmp_path / "new").exists()
    with pytest.raises(SimdeskError, match="already holds this sweep's results"):
        from simdesk.experiments.sweeps.store import SweepStore

        done = tmp_path / "done"
        run_sweep(load_sweep(path), done, InProcess())
        loaded = load_sweep(path)
        SweepStore(done).prepare(loaded, 7, loaded.points(), resume=False)


@pytest.mark.parametrize("interrupted_at", ["sweep.yaml", "scenario.yaml", "state.json"])
@pytest.mark.parametrize("existing", [False, True])
def test_an_interrupt_while_a_sweep_starts_leaves_its_folder_reusable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupted_at: str,
        existing: bool) -> None:
    """The start of a sweep (spec, scenario, state) appears whole or not at all: an
    interrupt between its files once left a folder that was neither empty nor a sweep."""
    from simdesk.experiments.sweeps import store

    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2]})
    out = tmp_path / "out"
    if existing:
        out.mkdir()  # an empty folder made by the user beforehand
    written = store._atomic_text

    def interrupted(target: Path, text: str) -> None:
        if target.name == interrupted_at:
            raise KeyboardInterrupt
        written(target, text)

    monkeypatch.setattr(store, "_atomic_text", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_sweep(path), out, InProcess())
    assert out.exists() == existing and (not existing or not any(out.iterdir()))
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no staging left
    monkeypatch.setattr(store, "_atomic_text", written)
    result = sweep(path, "--out", out)
    assert result.exit_code == 0, result.output
    assert (out / "state.json").exists() and len(markers(out)) == 1


def test_a_fresh_seed_is_recorded_and_reused_on_resume(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3]}, seed=None)
    out = tmp_path / "out"
    first = run_sweep(load_sweep(path), out, InProcess(), progress=stop_after(1))
    assert first.interrupted and len(markers(out)) == 1
    resumed = run_sweep(load_sweep(path), out, InProcess())
    assert resumed.seed == first.seed == json.loads((out / "state.json").read_text())["seed"]
    assert resumed.complete and resumed.skipped == 1 and resumed.ran == 1
    fresh = run_sweep(load_sweep(path), tmp_path / "fresh", InProcess())
    assert fresh.seed != first.seed


# -- auto replications -------------------------------------------------------------------


def test_auto_replications_stop_at_the_precision_or_the_maximum(tmp_path: Path) -> None:
    """``--replications auto --precision 2%``: every point's SLA half-width is within 2 %
    of its mean, or the point ran the maximum; the busy desk (2 agents: a noisy SLA)
    needs more replications than the calm ones."""
    base = desk(horizon="1d")
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, 3, 5]},
                       min_replications=3, max_replications=24, metric="channel:phone.sla")
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    out = tmp_path / "out"
    result = sweep(path, "--out", out, "--replications", "auto", "--precision", "2%", "-w", "2")
    assert result.exit_code == 0, result.output
    recorded = yaml.safe_load((out / "sweep.yaml").read_text())
    assert recorded["replications"] == "auto" and recorded["precision"] == "2%"

    replications = replications_of(out)
    table = summary(out)
    sla = table.loc[(table["scope"] == "channel") & (table["group"] == "phone")
                    & (table["metric"] == "sla")].set_index("point")
    by_count = {}
    for key, count in zip(sla.index, sla["tiers.L1.agents[0].count"], strict=True):
        row = sla.loc[key]
        assert row["replications"] == replications[key]
        assert replications[key] in (3, 6, 12, 24)  # the minimum, then doubling
        assert (row["half_width"] / row["mean"] <= 0.02 or replications[key] == 24), row
        by_count[count] = replications[key]
    assert by_count[2] > by_count[5], by_count
    assert by_count[2] >= by_count[3] >= by_count[5]
