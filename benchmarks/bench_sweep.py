"""Wall time of one sweep on each executor: in this process, in local processes, on dask.

The sweep (:func:`write_sweep`): the SaaS startup desk of ``scenarios/saas-startup.yaml``
over ``--weeks`` weeks, 32 points by default — agents on the 08:00 L1 shift (1 to 4) ×
the chat rate (8 values from 8/h to 11.5/h) — with ``--replications`` each and a fixed
seed. It runs into a fresh folder on each executor:

* ``in-process``: one point after the other (the baseline);
* ``N local processes`` (``--workers``, default 2): ``simdesk sweep --workers N``;
* ``dask local`` (unless ``--no-dask``): a LocalCluster of ``--workers`` processes, as
  ``simdesk sweep --dask local``; the cluster's start-up is timed apart and included in
  the speedup.

Every executor must write exactly the same summary (the benchmark fails otherwise). Run
it with ``python benchmarks/bench_sweep.py`` (``--help`` for the options); it is not part
of the test suite, ``tests/test_bench_sweep_smoke.py`` only checks that it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from rich.console import Console
from rich.table import Table

import simdesk
from simdesk.experiments import Dask, Executor, InProcess, LocalProcesses, load_sweep, run_sweep

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "saas-startup.yaml"
DEFAULT_POINTS = 32
DEFAULT_WEEKS = 4.0
DEFAULT_REPLICATIONS = 4
SEED = 1
AGENTS = [1, 2, 3, 4]


def chat_rates(count: int) -> list[str]:
    """``count`` chat rates from 8/h up by 0.5/h."""
    return [f"{8 + 0.5 * i:g}/h" for i in range(count)]


def write_sweep(folder: Path, points: int, weeks: float, replications: int) -> Path:
    """The sweep file and its base (the SaaS desk over ``weeks``) in ``folder``; ``points``
    is the grid's size: up to 4 staffing levels × as many chat rates as it takes."""
    levels = AGENTS[:min(len(AGENTS), points)]
    if points % len(levels):
        raise SystemExit(f"--points {points}: use a multiple of {len(levels)}")
    base = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    base["horizon"] = f"{weeks:g}w"
    base["warmup"] = "1d"
    (folder / "base.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    sweep = {"scenario": "base.yaml",
             "parameters": {"tiers.L1.agents[1].count": levels,
                            "arrivals[0].rate": chat_rates(points // len(levels))},
             "mode": "grid", "replications": replications, "seed": SEED,
             "metric": "channel:chat.sla"}
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(sweep, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Measurement:
    executor: str
    seconds: float
    """The sweep's wall time (run_sweep), start-up excluded."""
    startup: float = 0.0
    """Starting the executor (the dask cluster)."""
    points: int = 0
    speedup: float = field(default=float("nan"))
    """In-process wall time over this one's (start-up included)."""


@dataclass
class Report:
    points: int
    replications: int
    weeks: float
    workers: int
    cpus: int | None
    measurements: list[Measurement]
    identical: bool


def measure(label: str, make: Callable[[], Executor], sweep_file: Path, out: Path
            ) -> tuple[Measurement, pd.DataFrame]:
    started = time.perf_counter()
    executor = make()
    startup = time.perf_counter() - started
    sweep = load_sweep(sweep_file)
    started = time.perf_counter()
    outcome = run_sweep(sweep, out, executor)
    seconds = time.perf_counter() - started
    if not outcome.complete:
        raise SystemExit(f"{label}: the sweep did not complete: {outcome.failures}")
    return Measurement(label, seconds, startup, outcome.ran), outcome.summary


def run(points: int, weeks: float, replications: int, workers: int, dask: bool) -> Report:
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as scratch:
        folder = Path(scratch)
        sweep_file = write_sweep(folder, points, weeks, replications)
        executors: list[tuple[str, Callable[[], Executor]]] = [
            ("in-process", InProcess),
            (f"{workers} local processes", lambda: LocalProcesses(workers))]
        if dask:
            executors.append(("dask local", lambda: Dask("local", workers)))
        measurements, summaries = [], []
        for number, (label, make) in enumerate(executors):
            measurement, summary = measure(label, make, sweep_file, folder / f"out-{number}")
            measurements.append(measurement)
            summaries.append(summary)
    baseline = measurements[0].seconds + measurements[0].startup
    for measurement in measurements:
        measurement.speedup = baseline / (measurement.seconds + measurement.startup)
    identical = all(s.equals(summaries[0]) for s in summaries[1:])
    return Report(points, replications, weeks, workers, os.cpu_count(), measurements,
                  identical)


def print_report(report: Report, console: Console) -> None:
    table = Table(title=f"{report.points} points × {report.replications} replications × "
                        f"{report.weeks:g} weeks, {report.cpus} CPU(s)", title_justify="left")
    for name in ("Executor", "Start-up s", "Sweep s", "Points/s", "Speedup"):
        table.add_column(name, justify="left" if name == "Executor" else "right")
    for m in report.measurements:
        table.add_row(m.executor, f"{m.startup:.2f}", f"{m.seconds:.2f}",
                      f"{m.points / m.seconds:.2f}", f"{m.speedup:.2f}×")
    console.print(table)
    console.print("Same summary on every executor: "
                  + ("yes" if report.identical else "[red]NO[/]"))


def main(argv: Sequence[str] | None = None) -> Report:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=DEFAULT_POINTS,
                        help=f"points in the sweep (default {DEFAULT_POINTS})")
    parser.add_argument("--weeks", type=float, default=DEFAULT_WEEKS,
                        help=f"simulated weeks per replication (default {DEFAULT_WEEKS:g})")
    parser.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS,
                        help=f"replications per point (default {DEFAULT_REPLICATIONS})")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes for local processes and dask (default 2)")
    parser.add_argument("--no-dask", action="store_true", help="skip the dask LocalCluster")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    options = parser.parse_args(argv)
    report = run(options.points, options.weeks, options.replications, options.workers,
                 not options.no_dask)
    print_report(report, Console(highlight=False))
    if options.json is not None:
        document: dict[str, Any] = asdict(report) | {
            "simdesk": simdesk.__version__, "python": platform.python_version()}
        options.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    if not report.identical:
        sys.exit(1)
    return report


if __name__ == "__main__":
    main()
