"""CPU of ``simdesk export`` beside the ``simdesk run`` that produced the history.

The desk: ``scenarios/saas-startup.yaml`` with its arrivals and its L1 team scaled by
``--scale`` (default 10: chat 90/h, email 55/h, fifty L1 agents; L2 and L3 rotations
``--scale`` times as many on duty) over ``--weeks`` weeks (default 60: about 400,000
tickets; 140 weeks give the ~923,000 of issue 15), one replication, seed 1. Each round
runs, as fresh processes, ``simdesk run`` (the peer: simulate and write the results
folder) and then ``simdesk export`` of that folder to CSV, in the simdesk format and in
the Zendesk format with a time zone (``.csv.gz``). The figures are medians of the
rounds' CPU times (user + system of the child, so other load matters less than with
wall time). Issue 15's target: the export costs no more than the run.

Run: ``python benchmarks/bench_export.py [--weeks W] [--scale K] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "scenarios" / "saas-startup.yaml"
DEFAULT_WEEKS = 60
DEFAULT_SCALE = 10
DEFAULT_REPEAT = 3


def _simdesk() -> list[str]:
    """The installed ``simdesk`` console script (as users run it), else ``-m simdesk``."""
    script = Path(sys.executable).with_name("simdesk")
    found = str(script) if script.exists() else shutil.which("simdesk")
    return [found] if found else [sys.executable, "-m", "simdesk"]


def write_desk(folder: Path, weeks: int, scale: int) -> Path:
    """The scaled SaaS desk as a scenario file in ``folder``."""
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    data["name"] = f"saas-startup x{scale}"
    data["horizon"] = f"{weeks}w"
    data["warmup"] = "1d"
    for stream in data["arrivals"]:
        number, unit = str(stream["rate"]).split("/")
        stream["rate"] = f"{float(number) * scale:g}/{unit}"
    for group in data["tiers"]["L1"]["agents"]:
        group["count"] = group["count"] * scale
    for name in ("L2", "L3"):
        rotation = data["tiers"][name]["rotation"]
        rotation["pool"] *= scale
        rotation["on_duty"] *= scale
    data.pop("expect", None)
    path = folder / "desk.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def cpu_of(argv: Sequence[str]) -> float:
    """User + system CPU seconds of one run of ``argv`` (its output discarded)."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               cwd=REPO)
    assert process.stderr is not None
    _, status, usage = os.wait4(process.pid, 0)
    errors = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {errors[-400:]}")
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Figure:
    command: str
    cpu_seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.cpu_seconds)


def commands(desk: Path, folder: Path) -> dict[str, list[str]]:
    simdesk = _simdesk()
    results = folder / "run"
    return {
        "simdesk run (the peer)": [*simdesk, "run", str(desk), "-r", "1", "--seed", "1",
                                   "-w", "1", "-o", str(results), "--overwrite", "-q"],
        "export, simdesk format (.csv)": [
            *simdesk, "export", str(results), "-o", str(folder / "tickets.csv"),
            "--overwrite"],
        "export, zendesk --tz Europe/Berlin (.csv.gz)": [
            *simdesk, "export", str(results), "-o", str(folder / "tickets.csv.gz"),
            "--format", "zendesk", "--tz", "Europe/Berlin", "--overwrite"],
    }


def measure(weeks: int, scale: int, repeat: int) -> tuple[list[Figure], int]:
    """Every command ``repeat`` times, in rounds (the run first: the exports read it)."""
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="bench-export-") as scratch:
        folder = Path(scratch)
        desk = write_desk(folder, weeks, scale)
        runs: dict[str, list[float]] = {name: [] for name in commands(desk, folder)}
        for _ in range(repeat):
            for name, argv in commands(desk, folder).items():
                runs[name].append(cpu_of(argv))
        tickets = pq.read_metadata(folder / "run" / "tickets.parquet").num_rows
    return [Figure(name, times) for name, times in runs.items()], tickets


def table(figures: Sequence[Figure], tickets: int) -> Table:
    peer = figures[0].median
    out = Table(title=f"Export CPU beside the run that produced it ({tickets:,} tickets, "
                      "median of each command's runs)", title_justify="left")
    out.add_column("Command")
    out.add_column("CPU", justify="right")
    out.add_column("vs the run", justify="right")
    for figure in figures:
        out.add_row(figure.command, f"{figure.median:.2f} s", f"{figure.median / peer:.2f}×")
    return out


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS,
                        help=f"simulated weeks (default {DEFAULT_WEEKS})")
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE,
                        help=f"arrivals and agents × this (default {DEFAULT_SCALE})")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT,
                        help=f"rounds; medians (default {DEFAULT_REPEAT})")
    parser.add_argument("--json", type=Path, default=None, help="save the figures here")
    options = parser.parse_args(argv)
    figures, tickets = measure(options.weeks, options.scale, options.repeat)
    console = Console(highlight=False)
    console.print(table(figures, tickets))
    peer = figures[0].median
    worst = max(figures[1:], key=lambda f: f.median)
    verdict = "met" if worst.median <= peer else "not met"
    console.print(f"export ≤ the run (issue 15): {verdict} — the slowest export "
                  f"{worst.median:.2f} s CPU against the run's {peer:.2f} s "
                  f"({worst.median / peer:.2f}×, target ≤ 1×)")
    if options.json is not None:
        options.json.write_text(json.dumps(
            {"tickets": tickets, "weeks": options.weeks, "scale": options.scale,
             "repeat": options.repeat,
             "figures": [asdict(f) | {"median": f.median} for f in figures]}, indent=2),
            encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
