"""Staffing a 7 × 24 week for one tier by simulation: time and simulations used.

A consumer desk open around the clock: chat with customers who leave after ~10 min,
hourly intervals over the whole week, 4 weeks simulated per round, 5 replications to
start and up to 20 where a verdict is undecided. Prints the simulations, replications
and wall time, and the ratio to one 10-replication run of the same desk (issue 15's
target: at most 2.5×), then the staffing summary.

Run: ``python benchmarks/bench_staffing.py [--replications R] [--most M] [--weeks W]``.
"""

from __future__ import annotations

import argparse
import os
import time

from rich.console import Console

import simdesk
from simdesk.console.staffing import staffing_summary
from simdesk.plan.compile import compile_plan
from simdesk.simulation import auto_workers
from simdesk.staffing.search import staff


def desk(weeks: int) -> simdesk.Scenario:
    return simdesk.load_scenario({
        "name": "24x7 chat desk", "horizon": f"{weeks}w", "warmup": "1d",
        "channels": {"chat": {"sla": {"within": "2m", "target": "80%"},
                              "patience": {"dist": "weibull", "mean": "10m", "cv": 0.8}}},
        "arrivals": [{"channel": "chat", "volume": "1400/d", "profile": "consumer"}],
        "tiers": {"L1": {"agents": 10, "handle": {"dist": "lognormal", "mean": "12m",
                                                  "cv": 1.1}}},
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--most", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    console = Console()
    scenario = desk(args.weeks)
    started = time.perf_counter()
    simdesk.simulate(scenario, seed=1, replications=10,
                     workers=auto_workers(compile_plan(scenario), 10))
    one_run = time.perf_counter() - started
    started = time.perf_counter()
    result = staff(scenario, interval=60, seed=1, replications=args.replications,
                   most=args.most,
                   progress=lambda n, what: console.print(f"  simulation {n}: {what}",
                                                          highlight=False))
    seconds = time.perf_counter() - started
    console.print(f"staff, 7 × 24 hourly intervals, one tier: {result.simulations} simulations, "
                  f"{result.replications_run} replications × {args.weeks} weeks, {seconds:.1f} s "
                  f"on {os.cpu_count()} CPU(s); one 10-replication run {one_run:.1f} s: "
                  f"{seconds / one_run:.1f}× (target ≤ 2.5×)", highlight=False)
    for line in staffing_summary(result):
        console.print(line, highlight=False)


if __name__ == "__main__":
    main()
