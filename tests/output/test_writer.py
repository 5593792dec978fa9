"""The results of a run are written while the run is analysed (:class:`ResultsWriter`):
the same files as before, the changes for missed targets tried only once every table is
on disk (their worker processes are never forked beside a writing thread), and on an
error the tables written so far kept whole."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import simdesk
from simdesk.cli import main
from simdesk.store.results import RESULT_FILES, ResultsWriter, write_results
from tests.helpers import scenario_dict


def test_run_tries_its_changes_after_every_table_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import simdesk.experiments.suggest as suggest

    seen: list[tuple[set[str], int]] = []
    before = threading.active_count()
    real = suggest.suggest_changes

    def spy(*args: Any, **kwargs: Any) -> None:
        seen.append(({p.name for p in out.iterdir()}, threading.active_count()))
        real(*args, **kwargs)

    monkeypatch.setattr(suggest, "suggest_changes", spy)
    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(scenario_dict()), encoding="utf-8")
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["run", str(path), "--seed", "3", "-r", "2", "--out",
                                     str(out), "--quiet"])
    assert done.exit_code == 0, done.output
    [(files, threads)] = seen
    assert {"tickets.parquet", "visits.parquet", "duty.parquet", "days.parquet",
            "hours.parquet", "summary.csv", "summary.json"} <= files
    assert threads == before  # no writer thread left when the changes' processes may fork
    assert (out / "misses.json").exists()


def test_the_writer_writes_what_write_results_wrote(tmp_path: Path) -> None:
    result = simdesk.simulate(scenario_dict(), seed=5, replications=2)
    with ResultsWriter(result, tmp_path / "a") as writer:
        writer.finish()
    write_results(result, tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert set(names) <= set(RESULT_FILES)
    for name in names:
        if name.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / name),
                                          pd.read_parquet(tmp_path / "b" / name))
        elif name != "scenario.yaml":  # (its header carries the minute it was written)
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_an_error_while_analysing_keeps_the_tables_written_and_is_the_one_raised(
        tmp_path: Path) -> None:
    result = simdesk.simulate(scenario_dict(), seed=6, replications=1)
    before = threading.active_count()
    out = tmp_path / "out"
    with pytest.raises(KeyError, match="the analysis failed"), ResultsWriter(result, out):
        raise KeyError("the analysis failed")
    pd.testing.assert_frame_equal(pd.read_parquet(out / "tickets.parquet"),
                                  result.tickets.reset_index(drop=True))
    assert not (out / "summary.csv").exists()  # nothing more written after the error
    assert threading.active_count() == before
