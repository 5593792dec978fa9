"""Staffing a 7 × 24 week for one tier by simulation: CPU beside one 10-replication run.

A consumer desk open around the clock: chat with customers who leave after ~10 min,
hourly intervals over the whole week, 4 weeks simulated per replication, 5 replications
to start and up to 20 where a verdict is undecided. Each round (``--repeat``, default 3)
runs the peer — one 10-replication run of the same desk, as ``simdesk run`` would (its
workers chosen by the work) — and then ``staff`` on it; the figures are CPU seconds of
this process and its workers (user + system), medians over the rounds, so other load on
the machine matters less than with wall time. Prints the simulations, replications,
CPU and wall time, the ratio to the peer next to issue 15's target (at most 2.5×), then
the staffing summary of the last round.

Run: ``python benchmarks/bench_staffing.py [--replications R] [--most M] [--weeks W]
[--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

from rich.console import Console

import simdesk
from simdesk.console.staffing import staffing_summary
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


def main(argv: list[str] | None = None) -> list[float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--most", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians (default 3)")
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    scenario = desk(args.weeks)
    peers, costs, walls, ratios = [], [], [], []
    result: Staffing | None = None
    for round_ in range(args.repeat):
        before = cpu()
        simdesk.simulate(scenario, seed=1, replications=10,
                         workers=auto_workers(compile_plan(scenario), 10))
        peers.append(cpu() - before)
        before, started = cpu(), time.perf_counter()
        result = staff(scenario, interval=60, seed=1, replications=args.replications,
                       most=args.most)
        walls.append(time.perf_counter() - started)
        costs.append(cpu() - before)
        ratios.append(costs[-1] / peers[-1])
        console.print(f"  round {round_ + 1}: staff {costs[-1]:.1f} s CPU, one run "
                      f"{peers[-1]:.1f} s CPU: {ratios[-1]:.1f}×")
    assert result is not None
    ratio = statistics.median(ratios)
    verdict = "met" if ratio <= 2.5 else "not met"
    console.print(
        f"staff, 7 × 24 hourly intervals, one tier: {result.simulations} simulations, "
        f"{result.replications_run} replications × {args.weeks} weeks "
        f"({result.replications_run / 10:.1f} times one 10-replication run), "
        f"{statistics.median(costs):.1f} s CPU ({statistics.median(walls):.1f} s wall on "
        f"{os.cpu_count()} CPU(s)); one 10-replication run {statistics.median(peers):.1f} s "
        f"CPU: {ratio:.1f}× (target ≤ 2.5×): {verdict}")
    for line in staffing_summary(result):
        console.print(line)
    return ratios


if __name__ == "__main__":
    main()
