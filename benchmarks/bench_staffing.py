"""Staffing a 7 × 24 week for one tier by simulation: CPU beside one 10-replication run.

A consumer desk open around the clock: chat with customers who leave after ~10 min,
hourly intervals over the whole week, 4 weeks simulated per replication, 5 replications
to start and up to 20 where a verdict is undecided. Each round (``--repeat``, default 3)
runs the peer — one 10-replication run of the same desk, as ``simdesk run`` would (its
workers chosen by the work) — and then ``staff`` on it, twice:

- **per process**: each in a fresh Python process (``--one peer|staff``), CPU of that
  process and its workers — what a user pays for either, imports and the compiled loop's
  load included (the figure issue 15's target is judged on);
- **warm**: both in this process, the compiled loop already loaded — the simulation work
  alone, where staff's many replications show in full.

Figures are CPU seconds (user + system) of the processes and their finished workers,
medians over the rounds, so other load on the machine matters less than with wall time.
Prints the simulations, replications, both ratios next to issue 15's target (at most
2.5×), then the staffing summary of the last warm round.

Run: ``python benchmarks/bench_staffing.py [--replications R] [--most M] [--weeks W]
[--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

from rich.console import Console

import simdesk
from simdesk.console.staffing import staffing_summary
from simdesk.engine import compiled
from simdesk.plan.compile import compile_plan
from simdesk.simulation import auto_workers
from simdesk.staffing.search import Staffing, staff


def desk(weeks: int) -> simdesk.Scenario:
    return simdesk.load_scenario({
        "name": "24x7 chat desk", "horizon": f"{weeks}w", "warmup": "1d",
        "channels": {"chat": {"sla": {"within": "2m", "target": "80%"},
                              "patience": {"dist": "weibull", "mean": "10m", "cv": 0.8}}},
        "arrivals": [{"channel": "chat", "volume": "1400/d", "profile": "consumer"}],
        "tiers": {"L1": {"agents": 10, "handle": {"dist": "lognormal", "mean": "12m",
                                                  "cv": 1.1}}},
    })


def cpu() -> float:
    """CPU seconds of this process and of its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peer(scenario: simdesk.Scenario) -> None:
    """One 10-replication run, its workers chosen by the work as ``simdesk run`` does."""
    simdesk.simulate(scenario, seed=1, replications=10,
                     workers=auto_workers(compile_plan(scenario), 10))


def staffing(scenario: simdesk.Scenario, args: argparse.Namespace) -> Staffing:
    return staff(scenario, interval=60, seed=1, replications=args.replications,
                 most=args.most)


def in_fresh_process(which: str, args: argparse.Namespace) -> float:
    """CPU seconds of a new Python process running only ``which`` (and its workers)."""
    before = children()
    subprocess.run([sys.executable, __file__, "--one", which, "--weeks", str(args.weeks),
                    "--replications", str(args.replications), "--most", str(args.most)],
                   check=True)
    return children() - before


def children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main(argv: list[str] | None = None) -> list[float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--most", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians (default 3)")
    parser.add_argument("--one", choices=("peer", "staff"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scenario = desk(args.weeks)
    if args.one is not None:  # a fresh process measured by the parent
        if args.one == "peer":
            peer(scenario)
        else:
            staffing(scenario, args)
        return []
    console = Console(highlight=False)
    loaded = compiled.load()  # the warm rounds: loaded once, here, before both
    cold: dict[str, list[float]] = {"peer": [], "staff": []}
    warm: dict[str, list[float]] = {"peer": [], "staff": []}
    walls: list[float] = []
    ratios: list[float] = []
    result: Staffing | None = None
    for round_ in range(args.repeat):
        for which in ("peer", "staff"):
            cold[which].append(in_fresh_process(which, args))
        before = cpu()
        peer(scenario)
        warm["peer"].append(cpu() - before)
        before, started = cpu(), time.perf_counter()
        result = staffing(scenario, args)
        walls.append(time.perf_counter() - started)
        warm["staff"].append(cpu() - before)
        ratios.append(cold["staff"][-1] / cold["peer"][-1])
        console.print(
            f"  round {round_ + 1}: per process staff {cold['staff'][-1]:.1f} s CPU, one run "
            f"{cold['peer'][-1]:.1f} s: {ratios[-1]:.1f}×; warm staff "
            f"{warm['staff'][-1]:.1f} s, one run {warm['peer'][-1]:.2f} s: "
            f"{warm['staff'][-1] / warm['peer'][-1]:.1f}×")
    assert result is not None
    median = {which: statistics.median(cold[which]) for which in cold}
    hot = {which: statistics.median(warm[which]) for which in warm}
    ratio = statistics.median(ratios)
    verdict = "met" if ratio <= 2.5 else "not met"
    console.print(
        f"staff, 7 × 24 hourly intervals, one tier: {result.simulations} simulations, "
        f"{result.replications_run} replications × {args.weeks} weeks "
        f"({result.replications_run / 10:.1f} times one 10-replication run); per process "
        f"{median['staff']:.1f} s CPU against one 10-replication run's {median['peer']:.1f} s: "
        f"{ratio:.1f}× (target ≤ 2.5×): {verdict}; warm (compiled loop "
        f"{'loaded' if loaded else 'unavailable: SimPy'}) {hot['staff']:.1f} s against "
        f"{hot['peer']:.2f} s: {hot['staff'] / hot['peer']:.1f}× "
        f"({statistics.median(walls):.1f} s wall on {os.cpu_count()} CPU(s))")
    for line in staffing_summary(result):
        console.print(line)
    return ratios


if __name__ == "__main__":
    main()
