"""Staffing a 7 × 24 week for one tier by simulation: time and simulations used.

A consumer desk open around the clock: chat with customers who leave after ~10 min,
hourly intervals over the whole week, 4 weeks simulated per round, 10 replications,
worker processes on every core. Prints the wall time, the number of simulations, the
agent-hours by simulation and by Erlang, and where Erlang misses the target.

Run: ``python benchmarks/bench_staffing.py [--replications R] [--weeks W]``.
"""

from __future__ import annotations

import argparse
import os
import time

from rich.console import Console

import simdesk
from simdesk.console.staffing import staffing_summary
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
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=4)
    args = parser.parse_args()
    console = Console()
    started = time.perf_counter()
    result = staff(desk(args.weeks), interval=60, seed=1, replications=args.replications,
                   workers=os.cpu_count() or 1,
                   progress=lambda n, what: console.print(f"  simulation {n}: {what}",
                                                          highlight=False))
    seconds = time.perf_counter() - started
    console.print(f"7 × 24 hourly intervals, one tier: {seconds:.1f} s, {result.simulations} "
                  f"simulations of {args.replications} replications × {args.weeks} weeks "
                  f"on {os.cpu_count()} CPU(s)")
    for line in staffing_summary(result):
        console.print(line, highlight=False)


if __name__ == "__main__":
    main()
