"""simdesk against ciw on the same M/M/10 queue, in the same run: tickets per second and ratios.

The model: one FIFO queue, Poisson arrivals at 45 per hour, exponential handle times with
a 12-minute mean, 10 agents (90 % load), about 500,000 tickets, no warm-up. simdesk
simulates a horizon in which 500,000 tickets are expected; ciw simulates until 500,000
customers have left. Both report their mean wait next to the Erlang C value, so a reader
can see that they simulate the same queue.

Five measurements, each repeated ``--repeat`` times (median reported):

* ``simdesk simulate()`` — in-process, the whole pipeline: sampling, engine, tables, metrics;
* ``simdesk engine`` — in-process, ``compile_plan`` + ``draw_tickets`` + ``run_desk`` only;
* ``ciw in-process`` — network, simulation until the last customer leaves, its records;
* ``simdesk run`` — a whole ``simdesk run ... --quiet`` process, result files included;
* ``ciw process`` — a whole ``python -c`` process doing what ``ciw in-process`` does.

Whole processes include interpreter start-up and imports, as users experience them;
in-process figures are taken after an untimed small run of each (imports and caches warm).
The measurements of one round run back to back, in alternating order from round to round,
so simdesk and ciw see the same machine load. On shared, noisy machines the ratios
simdesk/ciw are the figures to read, not the absolute seconds.

Run it with ``python benchmarks/bench_mmc.py`` (``--help`` for the options). It is not part
of the test suite; ``tests/test_benchmark_smoke.py`` only checks that it runs.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import io
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ciw
import numpy as np
import yaml
from rich.console import Console
from rich.table import Table

import simdesk
from simdesk.analytic import erlang_c
from simdesk.engine.records import RunRecord
from simdesk.engine.run import run_desk
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import TicketBatch, draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.policies import Fifo
from simdesk.scenario.load import load_scenario
from simdesk.scenario.schema import Scenario

ARRIVALS_PER_HOUR = 45
ARRIVALS_PER_MINUTE = ARRIVALS_PER_HOUR / 60
MEAN_HANDLE_MINUTES = 12.0
AGENTS = 10
DEFAULT_TICKETS = 500_000
DEFAULT_REPEAT = 3
WARM_UP_TICKETS = 2_000
TARGET_PROCESS_RATIO = 5.0
PROFILE_TOP = 15

# The ciw model as a whole process: imports ciw only. Keep it in step with `ciw_model`.
CIW_SCRIPT = f"""\
import json, sys
import ciw
tickets, seed = int(sys.argv[1]), int(sys.argv[2])
network = ciw.create_network(
    arrival_distributions=[ciw.dists.Exponential(rate={ARRIVALS_PER_MINUTE!r})],
    service_distributions=[ciw.dists.Exponential(rate={1 / MEAN_HANDLE_MINUTES!r})],
    number_of_servers=[{AGENTS}],
)
ciw.seed(seed)
simulation = ciw.Simulation(network)
simulation.simulate_until_max_customers(tickets, method="Finish")
records = simulation.get_all_records(only=["service"])
mean_wait = sum(r.waiting_time for r in records) / len(records)
print(json.dumps({{"tickets": len(records), "mean_wait": mean_wait}}))
"""


# --------------------------------------------------------------------------- the model


def scenario(tickets: int) -> dict[str, Any]:
    """The M/M/10 scenario, with a horizon in which ``tickets`` tickets are expected."""
    return {
        "name": "bench-mm10",
        "description": "M/M/10 FIFO at 90 % load, for benchmarks/bench_mmc.py",
        "horizon": f"{tickets / ARRIVALS_PER_MINUTE!r}m",
        "channels": {"queue": {"sla": {"within": "5m", "target": "80%"}}},
        "arrivals": [{"channel": "queue", "rate": f"{ARRIVALS_PER_HOUR}/h"}],
        "tiers": {
            "agents": {
                "agents": AGENTS,
                "handle": {"dist": "exponential", "mean": f"{MEAN_HANDLE_MINUTES:g}m"},
            }
        },
    }


def erlang_c_wait() -> float:
    """The exact mean wait (minutes) of the model, from Erlang C."""
    return float(erlang_c(ARRIVALS_PER_MINUTE, MEAN_HANDLE_MINUTES, AGENTS).asa)


# --------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class Run:
    """One timed run: tickets simulated, wall-clock seconds, mean wait in minutes."""

    tickets: int
    seconds: float
    mean_wait: float

    @property
    def rate(self) -> float:
        """Tickets per second."""
        return self.tickets / self.seconds


Runner = Callable[[int, int], Run]
"""A measurement: ``runner(tickets, seed)`` simulates the model once and times it."""
IN = "in-process"
WHOLE = "whole process"


def simdesk_simulate(tickets: int, seed: int) -> Run:
    """In-process ``simdesk.simulate``: sampling, engine, tables, metrics, summary."""
    spec = scenario(tickets)
    gc.collect()
    start = time.perf_counter()
    result = simdesk.simulate(spec, seed=seed, replications=1)
    mean_wait = result.value("overall", "all", "wait_mean")  # computes metrics and summary
    seconds = time.perf_counter() - start
    return Run(len(result.tickets), seconds, mean_wait)


def simdesk_engine(tickets: int, seed: int) -> Run:
    """In-process engine only: ``compile_plan``, ``draw_tickets``, ``run_desk``.

    Validating the scenario is left out of the timing; building the tables is not done.
    """
    loaded = load_scenario(scenario(tickets))
    gc.collect()
    start = time.perf_counter()
    batch, record = engine_steps(loaded, seed)
    seconds = time.perf_counter() - start
    mean_wait = float(np.nanmean(record.first_response - record.arrived))
    return Run(len(batch), seconds, mean_wait)


def engine_steps(loaded: Scenario, seed: int) -> tuple[TicketBatch, RunRecord]:
    """What ``simdesk engine`` times: plan, tickets, one replication of the desk."""
    plan = compile_plan(loaded)
    batch = draw_tickets(plan, Streams(seed, 0))
    return batch, run_desk(plan, batch, Fifo())


def ciw_model(tickets: int, seed: int) -> tuple[int, float]:
    """Simulate the model with ciw until ``tickets`` customers have left.

    Returns the number of service records and their mean wait (minutes).
    """
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=ARRIVALS_PER_MINUTE)],
        service_distributions=[ciw.dists.Exponential(rate=1 / MEAN_HANDLE_MINUTES)],
        number_of_servers=[AGENTS],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_customers(tickets, method="Finish")
    records = simulation.get_all_records(only=["service"])
    return len(records), sum(r.waiting_time for r in records) / len(records)


def ciw_in_process(tickets: int, seed: int) -> Run:
    """In-process ciw: build the network, simulate, collect the records."""
    gc.collect()
    start = time.perf_counter()
    count, mean_wait = ciw_model(tickets, seed)
    return Run(count, time.perf_counter() - start, mean_wait)


def simdesk_command() -> list[str]:
    """The ``simdesk`` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("simdesk")
    if script.exists():
        return [str(script)]
    found = shutil.which("simdesk")
    if found is None:
        raise RuntimeError("no `simdesk` command next to Python or on PATH; pip install -e .")
    return [found]


def _timed_process(command: Sequence[str]) -> tuple[float, str]:
    """Run ``command``, return its wall-clock seconds and standard output."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr.strip()}"
        )
    return seconds, done.stdout


def simdesk_process(tickets: int, seed: int) -> Run:
    """A whole ``simdesk run SCENARIO --seed S --replications 1 --out DIR --quiet`` process.

    The ticket count and mean wait are read back from its ``summary.csv`` (untimed).
    """
    with tempfile.TemporaryDirectory(prefix="bench-mmc-") as folder:
        path = Path(folder) / "mm10.yaml"
        path.write_text(yaml.safe_dump(scenario(tickets), sort_keys=False), encoding="utf-8")
        out = Path(folder) / "results"
        command = [
            *simdesk_command(),
            "run",
            str(path),
            "--seed",
            str(seed),
            "--replications",
            "1",
            "--out",
            str(out),
            "--quiet",
        ]
        seconds, _ = _timed_process(command)
        with (out / "summary.csv").open(newline="", encoding="utf-8") as handle:
            overall = {
                row["metric"]: float(row["mean"])
                for row in csv.DictReader(handle)
                if row["scope"] == "overall"
            }
    return Run(int(overall["tickets"]), seconds, overall["wait_mean"])


def ciw_process(tickets: int, seed: int) -> Run:
    """A whole ``python -c`` process that imports ciw and runs :data:`CIW_SCRIPT`."""
    seconds, output = _timed_process([sys.executable, "-c", CIW_SCRIPT, str(tickets), str(seed)])
    figures = json.loads(output)
    return Run(int(figures["tickets"]), seconds, float(figures["mean_wait"]))


@dataclass(frozen=True)
class Measurement:
    """What is measured: a tool, in-process or as a whole process, and what is timed."""

    key: str
    tool: str
    mode: str
    """``in-process`` or ``whole process``."""
    what: str
    runner: Runner


MEASUREMENTS: tuple[Measurement, ...] = (
    Measurement("simdesk_simulate", "simdesk", IN, "simulate(): whole pipeline", simdesk_simulate),
    Measurement("simdesk_engine", "simdesk", IN, "engine: plan, draw, run_desk", simdesk_engine),
    Measurement("ciw_in_process", "ciw", IN, "Simulation + records", ciw_in_process),
    Measurement("simdesk_process", "simdesk", WHOLE, "simdesk run ... --quiet", simdesk_process),
    Measurement("ciw_process", "ciw", WHOLE, "python -c (ciw script)", ciw_process),
)

RATIOS: tuple[tuple[str, str, str], ...] = (
    ("in_process", "simdesk_simulate", "ciw_in_process"),
    ("engine_in_process", "simdesk_engine", "ciw_in_process"),
    ("whole_process", "simdesk_process", "ciw_process"),
)
"""Each ratio: name, simdesk measurement, ciw measurement (median rate over median rate)."""


@dataclass
class Series:
    """The repeated runs of one measurement."""

    measurement: Measurement
    runs: list[Run] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Median tickets per second."""
        return statistics.median(run.rate for run in self.runs)

    @property
    def seconds(self) -> float:
        """Median seconds per run."""
        return statistics.median(run.seconds for run in self.runs)

    @property
    def tickets(self) -> float:
        """Median tickets per run."""
        return statistics.median(run.tickets for run in self.runs)

    @property
    def mean_wait(self) -> float:
        """Mean wait (minutes) over the runs, each weighted equally."""
        return statistics.fmean(run.mean_wait for run in self.runs)


@dataclass
class Report:
    """Every figure of one benchmark run."""

    tickets: int
    repeat: int
    seed: int
    series: dict[str, Series]

    def ratio(self, simdesk_key: str, ciw_key: str) -> float:
        """Median simdesk tickets/s over median ciw tickets/s."""
        return self.series[simdesk_key].rate / self.series[ciw_key].rate

    @property
    def ratios(self) -> dict[str, float]:
        """Every ratio of :data:`RATIOS`, by name."""
        return {name: self.ratio(mine, theirs) for name, mine, theirs in RATIOS}

    @property
    def target_met(self) -> bool:
        """Whether simdesk is at least 5× ciw as a whole process."""
        return self.ratios["whole_process"] >= TARGET_PROCESS_RATIO

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "model": {
                "queue": "M/M/c FIFO",
                "arrivals_per_hour": ARRIVALS_PER_HOUR,
                "mean_handle_minutes": MEAN_HANDLE_MINUTES,
                "agents": AGENTS,
                "load": ARRIVALS_PER_MINUTE * MEAN_HANDLE_MINUTES / AGENTS,
                "erlang_c_mean_wait": erlang_c_wait(),
            },
            "tickets": self.tickets,
            "repeat": self.repeat,
            "seed": self.seed,
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "simdesk": simdesk.__version__,
                "ciw": ciw.__version__,
            },
            "measurements": {
                key: {
                    "tool": s.measurement.tool,
                    "mode": s.measurement.mode,
                    "what": s.measurement.what,
                    "tickets_per_second": s.rate,
                    "seconds": s.seconds,
                    "mean_wait": s.mean_wait,
                    "runs": [
                        {"tickets": r.tickets, "seconds": r.seconds, "mean_wait": r.mean_wait}
                        for r in s.runs
                    ],
                }
                for key, s in self.series.items()
            },
            "ratios": self.ratios,
            "target": {"whole_process_ratio": TARGET_PROCESS_RATIO, "met": self.target_met},
        }


def run_benchmark(
    tickets: int = DEFAULT_TICKETS,
    repeat: int = DEFAULT_REPEAT,
    seed: int = 1,
    *,
    measurements: Sequence[Measurement] = MEASUREMENTS,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Run every measurement ``repeat`` times, interleaved, and collect the figures.

    Round ``i`` uses seed ``seed + i`` for every tool and runs the measurements in
    order on even rounds and in reverse order on odd rounds.
    """
    if tickets < 1 or repeat < 1:
        raise ValueError("tickets and repeat must be at least 1")
    for m in measurements:  # untimed: imports, lazy imports and caches
        if m.mode == IN:
            m.runner(min(tickets, WARM_UP_TICKETS), seed)
    series = {m.key: Series(m) for m in measurements}
    for round_ in range(repeat):
        order = measurements if round_ % 2 == 0 else list(reversed(measurements))
        for m in order:
            run = m.runner(tickets, seed + round_)
            series[m.key].runs.append(run)
            if log is not None:
                log(
                    f"round {round_ + 1}/{repeat}  {m.tool:<7} {m.mode:<13} {m.what:<28} "
                    f"{run.seconds:7.2f} s  {run.rate:>11,.0f} tickets/s"
                )
    return Report(tickets, repeat, seed, series)


# --------------------------------------------------------------------------- output


def render(report: Report, console: Console) -> None:
    """Print the figures, the ratios and the verdict on the whole-process target."""
    table = Table(
        title=(
            f"M/M/{AGENTS} FIFO, {ARRIVALS_PER_HOUR}/h, {MEAN_HANDLE_MINUTES:g} min handle "
            f"(90 % load), {report.tickets:,} tickets, median of {report.repeat}"
        )
    )
    for name in ("mode", "tool", "timed"):
        table.add_column(name)
    for name in ("tickets", "seconds", "tickets/s", "mean wait (min)"):
        table.add_column(name, justify="right")
    for s in report.series.values():
        m = s.measurement
        table.add_row(
            m.mode,
            m.tool,
            m.what,
            f"{s.tickets:,.0f}",
            f"{s.seconds:.2f}",
            f"{s.rate:,.0f}",
            f"{s.mean_wait:.2f}",
        )
    console.print(table)
    console.print(
        f"Erlang C mean wait: {erlang_c_wait():.2f} min (both tools should be close to it)."
    )

    ratios = Table(title="simdesk / ciw, tickets per second")
    for name in ("mode", "simdesk", "ciw"):
        ratios.add_column(name)
    ratios.add_column("ratio", justify="right")
    for _, mine, theirs in RATIOS:
        if mine in report.series and theirs in report.series:
            ours, other = report.series[mine].measurement, report.series[theirs].measurement
            ratio = report.ratio(mine, theirs)
            ratios.add_row(ours.mode, ours.what, other.what, f"{ratio:.2f}×")
    console.print(ratios)
    if {"simdesk_process", "ciw_process"} <= report.series.keys():
        whole = report.ratio("simdesk_process", "ciw_process")
        verdict = "[green]met[/]" if report.target_met else "[red]not met[/]"
        console.print(
            f"Target ≥ {TARGET_PROCESS_RATIO:g}× ciw as a whole process: {verdict} ({whole:.2f}×)."
        )


def profile_engine(tickets: int, seed: int, console: Console, top: int = PROFILE_TOP) -> str:
    """cProfile one engine-only run; print and return the ``top`` functions by tottime."""
    simdesk_engine(min(tickets, WARM_UP_TICKETS), seed)
    loaded = load_scenario(scenario(tickets))
    gc.collect()
    profiler = cProfile.Profile()
    profiler.runcall(engine_steps, loaded, seed)
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("tottime").print_stats(top)
    console.print(stream.getvalue(), markup=False, highlight=False)
    return stream.getvalue()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Time simdesk against ciw on an M/M/10 queue at 90 % load.",
    )
    parser.add_argument(
        "--tickets",
        type=int,
        default=DEFAULT_TICKETS,
        help=f"tickets per run (default {DEFAULT_TICKETS:,})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=DEFAULT_REPEAT,
        help=f"runs per measurement; medians (default {DEFAULT_REPEAT})",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the first round")
    parser.add_argument("--json", type=Path, default=None, help="save the figures here")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile one engine-only simdesk run"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> Report:
    """Run the benchmark from the command line; returns the report."""
    args = parse_args(argv)
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=120)  # no wrapped tables in files
    console.print(
        f"simdesk {simdesk.__version__} vs ciw {ciw.__version__} — Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs — {args.tickets:,} tickets, "
        f"repeat {args.repeat}"
    )
    report = run_benchmark(args.tickets, args.repeat, args.seed, log=console.print)
    console.print()
    render(report, console)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        console.print(f"Figures saved to {args.json}")
    if args.profile:
        console.print()
        console.print(f"cProfile of one engine-only run ({args.tickets:,} tickets), by tottime:")
        profile_engine(args.tickets, args.seed, console)
    return report


if __name__ == "__main__":
    main()
