"""What the sweep command shows: a progress bar (points done of all, failures, ETA) on a
terminal and nothing otherwise; a table with one row per point."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

from rich.console import Console

from simdesk.console.sweep import sweep_progress, sweep_table
from simdesk.experiments import InProcess, load_sweep, run_sweep
from tests.experiments.helpers import write_sweep


def terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=120, color_system=None), buffer


def test_the_progress_bar_shows_points_failures_and_an_eta() -> None:
    console, buffer = terminal()
    console = Console(file=buffer, force_terminal=True, width=80, color_system=None)
    ticks = itertools.count(0.0, 0.001)  # a millisecond per reading: ETA 0:00:00

    with sweep_progress(console, "2 local processes", quiet=False,
                        clock=lambda: next(ticks)) as advance:
        advance(2, 32, 0)  # two points finished before this run
        advance(3, 32, 0)
        advance(3, 32, 1)
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", buffer.getvalue())  # no cursor codes
    frames = [f.strip() for f in plain.split("\r")]
    frames = list(dict.fromkeys(f for f in frames if "points" in f))  # each once
    assert frames[0].startswith("2 local processes ")
    assert frames[0].endswith(" 2/32 points · ETA – · 0:00:00 elapsed")  # no pace yet
    assert frames[1].endswith(" 3/32 points · ETA 0:00:00 · 0:00:00 elapsed")
    # on 80 columns, the failures do not push the bar and the count off the line
    assert re.fullmatch("2 local processes [━╸╺ ]{4,16} 4/32 points · 1 failed · ETA 0:00:00 · "
                        "0:00:00 elapsed", frames[2]), frames[2]
    assert len(frames) == 3  # no frame before the first call


def test_no_progress_bar_when_quiet_or_redirected() -> None:
    console, buffer = terminal()
    with sweep_progress(console, "sweep", quiet=True) as advance:
        advance(1, 2, 0)
    redirected = io.StringIO()
    with sweep_progress(Console(file=redirected), "sweep", quiet=False) as advance:
        advance(1, 2, 0)
    assert buffer.getvalue() == "" and redirected.getvalue() == ""


def test_the_table_has_a_row_per_point_with_the_main_metric(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2, -1, 3]},
                       metric="channel:phone.sla")
    sweep = load_sweep(path)
    outcome = run_sweep(sweep, tmp_path / "out", InProcess())
    console, buffer = terminal()
    console.print(sweep_table(sweep, outcome))
    lines = buffer.getvalue().splitlines()
    assert lines[0].rstrip() == "sweep test desk — 3 point(s), seed 7"
    header = next(line for line in lines if "Reps" in line)
    assert "channel:phone.sla (95% CI)" in header
    assert "phone SLA" not in header  # the main metric already
    rows = [line for line in lines if line.startswith("│") and line[1:4].strip()]
    assert len(rows) == 3 and "failed" in rows[1]
    first = lines[lines.index(rows[0]) + 1]  # the interval, under the mean
    assert "%" in rows[0] and "(" in first and "–" in first
