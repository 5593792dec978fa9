"""simdesk against ciw on the same M/M/10 queue, in the same run: tickets per second and ratios.

The model: one FIFO queue, Poisson arrivals at 45 per hour, exponential handle times with
a 12-minute mean, 10 agents (90 % load), about 500,000 tickets, no warm-up. simdesk
simulates a horizon in which 500,000 tickets are expected; ciw simulates until 500,000
customers have left. Both report their mean wait next to the Erlang C value, so a reader
can see that they simulate the same queue.

Six measurements, each repeated ``--repeat`` times (median reported):

* ``simdesk simulate()`` — in-process, the whole pipeline: sampling, engine, tables, metrics;
* ``simdesk engine`` — in-process, ``compile_plan`` + ``draw_tickets`` + ``run_desk`` only;
* ``ciw in-process`` — network, simulation until the last customer leaves, its records;
* ``heapq loop`` — in-process, the same queue as a bare Python event loop over a heap
  (draws included, nothing recorded but the mean wait): the floor for a Python engine;
* ``simdesk run`` — a whole ``simdesk run ... --quiet`` process, result files included;
* ``ciw process`` — a whole ``python -c`` process doing what ``ciw in-process`` does.

Then, once each: the peak memory of a whole ``simdesk run`` process per ticket on
``--memory-tickets`` tickets (5 million by default), and the compiled loop's cost in a
fresh process (:mod:`simdesk.engine.compiled`, with numba): compiling it into an empty
cache (once per machine) and loading it from the cache (every process that uses it).
Each figure is printed next to its target (issue 15).

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
import heapq
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
from collections import deque
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
TARGET_PROCESS_RATIO = 8.0
TARGET_ENGINE_HEAPQ = 0.5
"""The engine's tickets per second, at least this share of the bare heapq loop's."""
MEMORY_TICKETS = 5_000_000
TARGET_BYTES_PER_TICKET = 250
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


def heapq_model(tickets: int, seed: int) -> tuple[int, float]:
    """The M/M/10 queue as a bare event loop over a heap: arrivals (each scheduling the
    next) and service completions, a FIFO deque, a count of free agents. Returns the
    tickets and their mean wait (minutes)."""
    rng = np.random.default_rng(seed)
    horizon = tickets / ARRIVALS_PER_MINUTE
    times = np.cumsum(rng.exponential(1 / ARRIVALS_PER_MINUTE, tickets + 6 * int(tickets**0.5)
                                      + 16))
    arrivals = times[times < horizon].tolist()
    services = rng.exponential(MEAN_HANDLE_MINUTES, len(arrivals)).tolist()
    count = len(arrivals)
    heap: list[tuple[float, int, int]] = [(arrivals[0], 0, 0)] if count else []
    waiting: deque[int] = deque()
    free, waited = AGENTS, 0.0
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        now, done, k = pop(heap)
        if not done:
            if k + 1 < count:
                push(heap, (arrivals[k + 1], 0, k + 1))
            if free:
                free -= 1
                push(heap, (now + services[k], 1, k))
            else:
                waiting.append(k)
        elif waiting:
            j = waiting.popleft()
            waited += now - arrivals[j]
            push(heap, (now + services[j], 1, j))
        else:
            free += 1
    return count, waited / max(count, 1)


def heapq_loop(tickets: int, seed: int) -> Run:
    """In-process bare heapq loop (draws included)."""
    gc.collect()
    start = time.perf_counter()
    count, mean_wait = heapq_model(tickets, seed)
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


def simdesk_memory(tickets: int, seed: int) -> tuple[int, int]:
    """A whole ``simdesk run ... --no-limits --quiet`` process: its tickets and peak
    resident memory in bytes (``wait4``'s ``ru_maxrss`` of that process alone)."""
    with tempfile.TemporaryDirectory(prefix="bench-mmc-memory-") as folder:
        path = Path(folder) / "mm10.yaml"
        path.write_text(yaml.safe_dump(scenario(tickets), sort_keys=False), encoding="utf-8")
        out = Path(folder) / "results"
        command = [*simdesk_command(), "run", str(path), "--seed", str(seed),
                   "--replications", "1", "--out", str(out), "--quiet", "--no-limits"]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({child.returncode})")
        with (out / "summary.csv").open(newline="", encoding="utf-8") as handle:
            count = next(int(float(row["mean"])) for row in csv.DictReader(handle)
                         if row["scope"] == "overall" and row["metric"] == "tickets")
    return count, usage.ru_maxrss * 1024


JIT_SCRIPT = """\
import time
import numpy as np
from simdesk.engine import compiled
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.scenario.load import load_scenario
plan = compile_plan(load_scenario({"name": "jit", "horizon": "1d",
    "channels": {"q": {"sla": {"within": "5m", "target": "80%"}}},
    "arrivals": [{"channel": "q", "rate": "45/h"}],
    "tiers": {"a": {"agents": 10, "handle": {"dist": "exponential", "mean": "12m"}}}}))
batch = draw_tickets(plan, Streams(1, 0))
start = time.process_time()
record = compiled.run_compiled(plan, batch)
print(time.process_time() - start if record is not None else "none")
"""


def compiled_loop_cost() -> tuple[float, float] | None:
    """CPU seconds of the compiled loop's first call in a fresh process: compiled into an
    empty numba cache, then loaded from it. ``None`` without numba."""
    with tempfile.TemporaryDirectory(prefix="bench-mmc-numba-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        costs = []
        for _ in range(2):
            done = subprocess.run([sys.executable, "-c", JIT_SCRIPT], capture_output=True,
                                  text=True, check=True, env=env)
            if done.stdout.strip() == "none":
                return None
            costs.append(float(done.stdout))
    return costs[0], costs[1]


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
    Measurement("heapq_loop", "heapq", IN, "bare event loop, no records", heapq_loop),
    Measurement("simdesk_process", "simdesk", WHOLE, "simdesk run ... --quiet", simdesk_process),
    Measurement("ciw_process", "ciw", WHOLE, "python -c (ciw script)", ciw_process),
)

RATIOS: tuple[tuple[str, str, str], ...] = (
    ("in_process", "simdesk_simulate", "ciw_in_process"),
    ("engine_in_process", "simdesk_engine", "ciw_in_process"),
    ("whole_process", "simdesk_process", "ciw_process"),
    ("engine_vs_heapq", "simdesk_engine", "heapq_loop"),
)
"""Each ratio: name, simdesk measurement, peer measurement (median rate over median rate)."""


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
    memory: tuple[int, int] | None = None
    """A whole ``simdesk run``: (tickets, peak resident bytes), if measured."""
    jit: tuple[float, float] | None = None
    """The compiled loop in a fresh process: (CPU s compiling into an empty cache, CPU s
    loading it from the cache), if numba is installed and it was measured."""

    def ratio(self, simdesk_key: str, ciw_key: str) -> float:
        """Median simdesk tickets/s over median ciw tickets/s."""
        return self.series[simdesk_key].rate / self.series[ciw_key].rate

    @property
    def ratios(self) -> dict[str, float]:
        """Every ratio of :data:`RATIOS`, by name."""
        return {name: self.ratio(mine, theirs) for name, mine, theirs in RATIOS}

    @property
    def target_met(self) -> bool:
        """Whether simdesk is at least :data:`TARGET_PROCESS_RATIO` × ciw as a whole process."""
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
            "targets": {
                "engine_vs_heapq": TARGET_ENGINE_HEAPQ,
                "bytes_per_ticket": TARGET_BYTES_PER_TICKET,
            },
            "memory": None if self.memory is None else {
                "tickets": self.memory[0], "peak_bytes": self.memory[1],
                "bytes_per_ticket": self.memory[1] / max(self.memory[0], 1)},
            "compiled_loop": None if self.jit is None else {
                "compile_cpu_seconds": self.jit[0], "load_cpu_seconds": self.jit[1]},
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
    warm = compile_plan(load_scenario(scenario(WARM_UP_TICKETS)))  # the compiled loop too
    run_desk(warm, draw_tickets(warm, Streams(seed, 0)), Fifo(), compiled=True)
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

    ratios = Table(title="simdesk / peer, tickets per second")
    for name in ("mode", "simdesk", "peer"):
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
    if {"simdesk_engine", "heapq_loop"} <= report.series.keys():
        share = report.ratio("simdesk_engine", "heapq_loop")
        verdict = "[green]met[/]" if share >= TARGET_ENGINE_HEAPQ else "[red]not met[/]"
        console.print(f"Target engine ≥ {TARGET_ENGINE_HEAPQ:g}× the bare heapq loop in-process: "
                      f"{verdict} ({share:.2f}×).")
    if report.memory is not None:
        count, peak = report.memory
        per = peak / max(count, 1)
        verdict = "[green]met[/]" if per <= TARGET_BYTES_PER_TICKET else "[red]not met[/]"
        console.print(f"Target peak memory ≤ {TARGET_BYTES_PER_TICKET} B per ticket (whole "
                      f"simdesk run, {count:,} tickets): {verdict} ({per:.0f} B, "
                      f"{peak / 2**20:,.0f} MiB).")
    if report.jit is not None:
        console.print(f"Compiled loop (numba) in a fresh process: {report.jit[0]:.2f} s CPU to "
                      f"compile into an empty cache (once per machine), {report.jit[1]:.2f} s "
                      "to load from the cache (each process; inside the whole-process figures).")


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
    parser.add_argument(
        "--memory-tickets",
        type=int,
        default=MEMORY_TICKETS,
        help=f"tickets of the peak-memory run (default {MEMORY_TICKETS:,}; 0 skips it)",
    )
    parser.add_argument(
        "--no-jit", action="store_true", help="skip timing the compiled loop's compile and load"
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
    if args.memory_tickets > 0:
        report.memory = simdesk_memory(args.memory_tickets, args.seed)
    if not args.no_jit:
        report.jit = compiled_loop_cost()
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
