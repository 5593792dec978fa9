"""Wall time of one sweep on each executor: in this process, in local processes, on dask.

The sweep (:func:`write_sweep`): the SaaS startup desk of ``scenarios/saas-startup.yaml``
over ``--weeks`` weeks, 32 points by default — agents on the 08:00 L1 shift (1 to 4) ×
the chat rate (8 values from 8/h to 11.5/h) — with ``--replications`` each and a fixed
seed: about 45 s of single-process work by default (144 weeks × 12 replications, as
when issue 15 was filed; the engine has become faster since, so the desk is longer, and
the sweep runs past the default ticket budget, as with ``--no-limits``). It runs into a fresh
folder on each executor, ``--repeat`` rounds (default 3; medians, and the fastest and
slowest round), with the CPU time of this process and its workers, of this process alone
("Parent": scheduling, writing the points, the summary) and the cores the executor got
(CPU over wall time: on a shared machine, the share other work left it):

* ``in-process``: one point after the other (the baseline, "one worker");
* ``N local processes`` (``--workers``, default 2): ``simdesk sweep --workers N``;
* ``dask local`` (unless ``--no-dask``): a LocalCluster of ``--workers`` processes, as
  ``simdesk sweep --dask local``; the cluster's start-up is timed apart and included in
  the speedup.

Then a small sweep (``--small-points`` points, one week, 2 replications: well under a
second of work) in this process and on the executor ``simdesk sweep`` chooses by itself
(``--workers 0``), in :data:`SMALL_ROUNDS` times as many rounds (each is short, so one
busy moment of the machine would decide a median of three). Issue 15's targets are
printed beside the figures: two workers at least 1.7× one, ``--dask local`` within 15 %
of local processes, and the small sweep never slower than in this process.

Every executor must write exactly the same summary (the benchmark fails otherwise). Run
it with ``python benchmarks/bench_sweep.py`` (``--help`` for the options); it is not part
of the test suite, ``tests/test_bench_sweep_smoke.py`` only checks that it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
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
from simdesk.experiments.sweeps.executors import choose_executor
from simdesk.experiments.sweeps.preflight import point_count, preflight
from simdesk.plan.budget import limits, set_limits

BASE = Path(__file__).resolve().parents[1] / "scenarios" / "saas-startup.yaml"
DEFAULT_POINTS = 32
DEFAULT_WEEKS = 144.0
DEFAULT_REPLICATIONS = 12
DEFAULT_REPEAT = 3
SMALL_POINTS = 8
SMALL_ROUNDS = 3
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
    """The sweep's wall time (run_sweep), start-up excluded: median of the rounds."""
    startup: float = 0.0
    """Starting the executor (the dask cluster): median of the rounds."""
    points: int = 0
    speedup: float = field(default=float("nan"))
    """In-process wall time over this one's (start-up included)."""
    rounds: list[float] = field(default_factory=list)
    """Each round's wall time, start-up included."""
    cpu: float = 0.0
    """CPU seconds of this process and its workers (start-up included): median. Unlike
    the wall time, other load on the machine hardly changes it, so the overhead of an
    executor shows even on a busy machine."""
    own_cpu: float = 0.0
    """Of ``cpu``, this process's own (the parent of the workers: scheduling, writing
    points, the summary; with in-process, everything): median."""


@dataclass
class Report:
    points: int
    replications: int
    weeks: float
    workers: int
    cpus: int | None
    measurements: list[Measurement]
    identical: bool
    small: list[Measurement] = field(default_factory=list)
    """The small sweep: in this process, and on the executor chosen by the work."""


def _cpu(*, children: bool = True) -> float:
    """CPU seconds of this process, and of its finished children unless ``children``
    is False."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    if children:
        spent = resource.getrusage(resource.RUSAGE_CHILDREN)
        total += spent.ru_utime + spent.ru_stime
    return total


def measure(label: str, make: Callable[[], Executor], sweep_file: Path, out: Path
            ) -> tuple[Measurement, pd.DataFrame]:
    sweep = load_sweep(sweep_file)
    work = preflight(sweep)  # as simdesk sweep does, for every executor
    cpu, own = _cpu(), _cpu(children=False)
    started = time.perf_counter()
    executor = make()
    startup = time.perf_counter() - started
    started = time.perf_counter()
    outcome = run_sweep(sweep, out, executor, work=None if work is None else work.by_point)
    seconds = time.perf_counter() - started
    if not outcome.complete:
        raise SystemExit(f"{label}: the sweep did not complete: {outcome.failures}")
    return Measurement(label, seconds, startup, outcome.ran, rounds=[seconds + startup],
                       cpu=_cpu() - cpu, own_cpu=_cpu(children=False) - own), outcome.summary


def _rounds(executors: Sequence[tuple[str, Callable[[], Executor]]], sweep_file: Path,
            folder: Path, repeat: int) -> tuple[list[Measurement], list[pd.DataFrame]]:
    """Every executor ``repeat`` times, in rounds (each round sees the same load); the
    medians."""
    runs: dict[str, list[Measurement]] = {label: [] for label, _ in executors}
    summaries: list[pd.DataFrame] = []
    for round_ in range(repeat):
        for number, (label, make) in enumerate(executors):
            measurement, summary = measure(label, make, sweep_file,
                                           folder / f"out-{round_}-{number}")
            runs[label].append(measurement)
            summaries.append(summary)
    found = []
    for label, measured in runs.items():
        found.append(Measurement(
            label, statistics.median(m.seconds for m in measured),
            statistics.median(m.startup for m in measured), measured[0].points,
            rounds=[m.seconds + m.startup for m in measured],
            cpu=statistics.median(m.cpu for m in measured),
            own_cpu=statistics.median(m.own_cpu for m in measured)))
    baseline = statistics.median(found[0].rounds)
    for measurement in found:
        measurement.speedup = baseline / statistics.median(measurement.rounds)
    return found, summaries


def automatic(sweep_file: Path) -> Callable[[], Executor]:
    """Makes the executor ``simdesk sweep`` chooses with ``--workers 0``. The choice
    rests on the preflight's estimate, which the command makes whatever the executor
    (and :func:`measure` makes for every executor): made here, once, it is not timed."""
    sweep = load_sweep(sweep_file)
    work = preflight(sweep)
    tickets = None if work is None else work.per_replication * int(sweep.spec.replications)
    count = point_count(sweep)
    return lambda: choose_executor(0, None, tickets, count)


def run(points: int, weeks: float, replications: int, workers: int, dask: bool,
        repeat: int = 1, small_points: int = SMALL_POINTS) -> Report:
    """Every executor on the sweep, then the small sweep (as ``--no-limits``: the default
    sweep is past the ticket budget; the limits are restored after)."""
    before = limits()
    enforced, most = before.enforced, before.max_tickets
    set_limits(enforced=False)
    try:
        return _run(points, weeks, replications, workers, dask, repeat, small_points)
    finally:
        set_limits(max_tickets=most, enforced=enforced)


def _run(points: int, weeks: float, replications: int, workers: int, dask: bool,
         repeat: int, small_points: int) -> Report:
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as scratch:
        folder = Path(scratch)
        sweep_file = write_sweep(folder, points, weeks, replications)
        executors: list[tuple[str, Callable[[], Executor]]] = [
            ("in-process", InProcess),
            (f"{workers} local processes", lambda: LocalProcesses(workers))]
        if dask:
            executors.append(("dask local", lambda: Dask("local", workers)))
        measurements, summaries = _rounds(executors, sweep_file, folder, repeat)
        small_folder = folder / "small"
        small_folder.mkdir()
        small_file = write_sweep(small_folder, small_points, 1.0, 2)
        chosen = automatic(small_file)
        small, small_summaries = _rounds(
            [("in-process", InProcess), (f"automatic ({chosen().name})", chosen)],
            small_file, small_folder, repeat * SMALL_ROUNDS)
    identical = all(s.equals(summaries[0]) for s in summaries[1:]) and all(
        s.equals(small_summaries[0]) for s in small_summaries[1:])
    return Report(points, replications, weeks, workers, os.cpu_count(), measurements,
                  identical, small)


def _table(title: str, measurements: Sequence[Measurement]) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("Executor", "Start-up s", "Sweep s", "Rounds s", "Speedup", "CPU s",
                 "Parent", "Cores"):
        table.add_column(name, justify="left" if name == "Executor" else "right")
    for m in measurements:
        wall = statistics.median(m.rounds)
        table.add_row(m.executor, f"{m.startup:.2f}", f"{m.seconds:.2f}",
                      f"{min(m.rounds):.2f}–{max(m.rounds):.2f}", f"{m.speedup:.2f}×",
                      f"{m.cpu:.1f}", f"{m.own_cpu:.1f}", f"{m.cpu / wall:.2f}")
    return table


def targets(report: Report) -> list[str]:
    """Issue 15's figures, each beside its target (medians of the rounds)."""
    lines = []
    by = {m.executor: m for m in report.measurements}
    local = by.get(f"{report.workers} local processes")
    if local is not None:
        met = "met" if local.speedup >= 1.7 else "not met"
        lines.append(f"{report.workers} workers against one (in-process): "
                     f"{local.speedup:.2f}× (target ≥ 1.7×): {met}")
    if local is not None and "dask local" in by:
        dask = statistics.median(by["dask local"].rounds)
        ratio = dask / statistics.median(local.rounds) - 1
        met = "met" if ratio <= 0.15 else "not met"
        lines.append(f"dask local against {report.workers} local processes: {ratio:+.0%} "
                     f"wall time (target ≤ +15 %): {met}")
    if len(report.small) == 2:
        slower = 1 / report.small[1].speedup
        met = "met" if slower <= 1.0 + 0.05 else "not met"
        lines.append(f"small sweep, {report.small[1].executor} against in-process: "
                     f"{slower:.2f}× the time (target ≤ 1×, 5 % noise allowed): {met}")
    return lines


def print_report(report: Report, console: Console) -> None:
    console.print(_table(f"{report.points} points × {report.replications} replications × "
                         f"{report.weeks:g} weeks, {report.cpus} CPU(s)",
                         report.measurements))
    if report.small:
        console.print(_table(f"small sweep: {report.small[0].points} points × 2 "
                             "replications × 1 week", report.small))
    for line in targets(report):
        console.print(line)
    console.print("Same summary on every executor: "
                  + ("yes" if report.identical else "[red]NO[/]"))
    console.print("Rounds: the fastest and slowest round (start-up included); Parent: of the CPU, "
                  "this process's own; Cores: CPU over wall time, the cores the executor "
                  "got (1 in this process and 2 for two workers on an idle machine: less "
                  "means other load took them)")
    console.print(f"Load average at the end: {os.getloadavg()[0]:.1f} on {report.cpus} CPU(s) "
                  "(wall-time speedups need idle cores; the CPU column does not)")


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
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT,
                        help=f"rounds; medians (default {DEFAULT_REPEAT})")
    parser.add_argument("--small-points", type=int, default=SMALL_POINTS,
                        help=f"points of the small sweep (default {SMALL_POINTS})")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    options = parser.parse_args(argv)
    report = run(options.points, options.weeks, options.replications, options.workers,
                 not options.no_dask, options.repeat, options.small_points)
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
