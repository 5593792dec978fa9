"""Throughput of every built-in routing policy on one realistic three-tier desk.

The desk (:func:`scenario`): phone, chat, email and web form; paid and free customers;
five topics of different effort; a dispatcher for the phone, L1 on staggered weekday
shifts plus a round-the-clock crew, L2 on shifts, L3 on a weekly rotation. Agent groups
have teams and skills, so ``split``, ``skills`` and ``ninja`` have something to decide.
About 250,000 tickets by default.

For each policy, one measurement is the in-process engine only, as in
``benchmarks/bench_mmc.py``: ``compile_plan`` + ``draw_tickets`` + ``run_desk`` with the
policy from ``make_policy`` (validating the scenario is not timed; no tables are built).
The time of ``run_desk`` alone is shown too: drawing the tickets costs every policy the
same, so it is where the policies differ. Every policy, FIFO included, runs on the SimPy
engine (``compiled=False``): FIFO on a plain desk this size would take the compiled loop
(:mod:`simdesk.engine.compiled`, measured by ``benchmarks/bench_mmc.py``), and the
comparison is of what each policy asks of the same engine. Each policy runs ``--repeat``
times; rounds are interleaved (all policies, then all again in reverse order, ...) so that
every policy sees the same machine load, and the median is reported. Every run uses the same
seed, hence the same tickets.

The benchmark fails (exit status 1) if a policy's tickets per second are less than a
third of FIFO's. Run it with ``python benchmarks/bench_policies.py`` (``--help`` for the
options); ``tests/test_bench_policies_smoke.py`` only checks that it runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

import simdesk
from simdesk.engine.run import run_desk
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.policies import make_policy
from simdesk.scenario.load import load_scenario
from simdesk.scenario.routing import BUILTIN_POLICIES
from simdesk.scenario.schema import Scenario

DEFAULT_TICKETS = 250_000
DEFAULT_REPEAT = 3
WARM_UP_TICKETS = 2_000
MAX_SLOWDOWN = 3.0
"""A policy fails if FIFO's tickets per second are more than this many times its own."""
MINUTES_PER_WEEK = 7 * 24 * 60

ROUTINGS: dict[str, dict[str, Any]] = {
    "fifo": {"policy": "fifo"},
    "newest-first": {"policy": "newest-first"},
    "cherry-pick": {"policy": "cherry-pick", "noise": "30%"},
    "sla-deadline": {"policy": "sla-deadline"},
    "paid-first": {"policy": "paid-first", "order": ["paid", "free"], "promote_after": "2h"},
    "split": {"policy": "split", "newest": ["beta"]},
    "round-robin": {"policy": "round-robin"},
    "skills": {"policy": "skills", "fallback_after": "20m"},
    "ninja": {"policy": "ninja", "agents": 2, "windows": "Mon-Fri 09:00-12:00",
              "max_effort": 1.0, "noise": "20%"},
    "composed": {"policy": "composed", "by": ["segment", "topic", "oldest"],
                 "segments": ["paid", "free"], "topics": ["outage", "bug"],
                 "filters": [{"filter": "skills", "fallback_after": "20m"},
                             {"filter": "team", "team": "beta", "windows": "Mon-Fri 09:00-12:00",
                              "max_effort": 1.0, "by": ["newest"]}]},
}
"""Each built-in policy with options that make it do something on this desk; ``composed``
with three keys and two filters (skills with a fallback, a team's own order in busy
hours): the most a composed list asks of the engine."""


# --------------------------------------------------------------------------- the desk


def scenario(weeks: float, routing: dict[str, Any] | None = None) -> dict[str, Any]:
    """The desk over ``weeks`` weeks (about 6,700 tickets a week), with ``routing``."""
    return {
        "name": "bench-policies",
        "description": "A three-tier desk for benchmarks/bench_policies.py",
        "start": "2024-01-01",
        "horizon": f"{weeks * MINUTES_PER_WEEK!r}m",
        "channels": {
            "phone": {"sla": {"within": "1m", "target": "80%"},
                      "patience": {"dist": "exponential", "mean": "3m"}},
            "chat": {"sla": {"within": "2m", "target": "80%"},
                     "patience": {"dist": "exponential", "mean": "10m"}},
            "email": {"sla": {"within": "4h", "target": "90%", "hours": "Mon-Fri 08:00-18:00"}},
            "web": {"sla": {"within": "8h", "target": "90%"}},
        },
        "segments": {"paid": "35%", "free": "65%"},
        "topics": {
            "howto": {"share": "40%", "effort": 0.6},
            "billing": {"share": "20%", "effort": 0.8},
            "account": {"share": "15%", "effort": 1.0},
            "bug": {"share": "20%", "effort": 1.8},
            "outage": {"share": "5%", "effort": 1.5},
        },
        "arrivals": [
            {"channel": "phone", "rate": "30/h", "profile": "office"},
            {"channel": "chat", "rate": "40/h", "profile": "office",
             "segments": {"paid": "50%", "free": "50%"}},
            {"channel": "email", "rate": "30/h", "profile": "office"},
            {"channel": "web", "rate": "8/h"},
        ],
        "tiers": {
            "dispatcher": {
                "agents": [{"shift": "Mon-Fri 07:00-19:00", "count": 2},
                           {"shift": "24x7", "count": 1}],
                "handle": {"dist": "exponential", "mean": "1.5m"},
                "channels": ["phone"],
            },
            "L1": {
                "agents": [
                    {"shift": "Mon-Fri 07:00-15:00", "count": 10, "team": "alpha",
                     "skills": ["howto", "billing", "account"]},
                    {"shift": "Mon-Fri 10:00-18:00", "count": 8, "team": "beta",
                     "skills": ["howto", "account", "bug", "outage"]},
                    {"shift": "Mon-Fri 13:00-21:00", "count": 3, "team": "gamma"},
                    {"shift": "24x7", "count": 2, "team": "gamma"},
                ],
                "handle": {"dist": "lognormal", "mean": "9m", "cv": 1.0},
                "resolves": "80%",
                "escalate_to": "L2",
            },
            "L2": {
                "agents": [
                    {"shift": "Mon-Fri 08:00-16:00", "count": 5, "team": "platform",
                     "skills": ["bug", "outage", "account"]},
                    {"shift": "Mon-Fri 10:00-18:00", "count": 4, "team": "apps",
                     "skills": ["howto", "billing", "account", "bug"]},
                    {"shift": "daily 09:00-17:00", "count": 1},
                ],
                "handle": {"dist": "gamma", "mean": "15m", "cv": 1.2},
                "resolves": "90%",
                "escalate_to": "L3",
            },
            "L3": {
                "rotation": {"pool": 6, "on_duty": 3, "every": "1w",
                             "shift": "Mon-Fri 08:00-18:00", "team": "engineering"},
                "handle": {"dist": "lognormal", "mean": "45m", "cv": 1.5},
            },
        },
        "routing": routing or {"policy": "fifo"},
    }


def weeks_for(tickets: int) -> float:
    """The horizon, in weeks from the Monday start, in which ``tickets`` tickets are
    expected (arrivals follow the weekly profiles, so a short horizon is not a pro rata
    share of a week)."""
    per_week = sum(s.expected for s in compile_plan(load_scenario(scenario(1.0))).streams)
    weeks = math.ceil(tickets / per_week) + 1
    streams = compile_plan(load_scenario(scenario(weeks))).streams
    low, high = 0.0, float(weeks * MINUTES_PER_WEEK)
    for _ in range(60):  # bisection on the expected count, to well below a minute
        middle = (low + high) / 2
        if sum(s.expected_between(0.0, middle) for s in streams) < tickets:
            low = middle
        else:
            high = middle
    return high / MINUTES_PER_WEEK


# --------------------------------------------------------------------------- measurements


@dataclass(frozen=True)
class Run:
    """One timed run of one policy."""

    tickets: int
    seconds: float
    """compile_plan + draw_tickets + run_desk."""
    desk_seconds: float
    """run_desk alone."""
    answered: float
    """Share of tickets with a first response (a sanity figure, not timed)."""
    mean_wait: float
    """Mean first-response wait of the answered tickets, minutes."""

    @property
    def rate(self) -> float:
        """Tickets per second, engine."""
        return self.tickets / self.seconds

    @property
    def desk_rate(self) -> float:
        """Tickets per second, run_desk alone."""
        return self.tickets / self.desk_seconds


def engine_run(loaded: Scenario, seed: int) -> Run:
    """Time plan, tickets and one replication of the desk under ``loaded.routing``."""
    gc.collect()
    start = time.perf_counter()
    plan = compile_plan(loaded)
    batch = draw_tickets(plan, Streams(seed, 0))
    policy = make_policy(loaded.routing)
    desk_start = time.perf_counter()
    record = run_desk(plan, batch, policy, compiled=False)
    end = time.perf_counter()
    answered = ~np.isnan(record.first_response)
    waits = record.first_response[answered] - record.arrived[answered]
    return Run(len(batch), end - start, end - desk_start, float(answered.mean()),
               float(waits.mean()) if len(waits) else float("nan"))


@dataclass
class Series:
    """The runs of one policy."""

    policy: str
    runs: list[Run] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Median tickets per second (engine)."""
        return statistics.median(run.rate for run in self.runs)

    @property
    def desk_rate(self) -> float:
        """Median tickets per second (run_desk alone)."""
        return statistics.median(run.desk_rate for run in self.runs)

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def desk_seconds(self) -> float:
        return statistics.median(run.desk_seconds for run in self.runs)

    @property
    def tickets(self) -> int:
        return self.runs[0].tickets


@dataclass
class Report:
    """Every figure of one benchmark run."""

    tickets: int
    weeks: float
    repeat: int
    seed: int
    series: dict[str, Series]

    def ratio(self, policy: str) -> float:
        """The policy's tickets per second over FIFO's (engine)."""
        return self.series[policy].rate / self.series["fifo"].rate

    def desk_ratio(self, policy: str) -> float:
        """The policy's tickets per second over FIFO's (run_desk alone)."""
        return self.series[policy].desk_rate / self.series["fifo"].desk_rate

    @property
    def too_slow(self) -> list[str]:
        """Policies more than :data:`MAX_SLOWDOWN` times slower than FIFO."""
        return [p for p in self.series if self.ratio(p) < 1 / MAX_SLOWDOWN]

    @property
    def passed(self) -> bool:
        return not self.too_slow

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "scenario": scenario(self.weeks),
            "routings": ROUTINGS,
            "tickets_requested": self.tickets,
            "weeks": self.weeks,
            "repeat": self.repeat,
            "seed": self.seed,
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "simdesk": simdesk.__version__,
            },
            "policies": {
                name: {
                    "tickets": s.tickets,
                    "tickets_per_second": s.rate,
                    "seconds": s.seconds,
                    "ratio_to_fifo": self.ratio(name),
                    "run_desk_tickets_per_second": s.desk_rate,
                    "run_desk_seconds": s.desk_seconds,
                    "run_desk_ratio_to_fifo": self.desk_ratio(name),
                    "answered": s.runs[0].answered,
                    "mean_wait": s.runs[0].mean_wait,
                    "runs": [{"seconds": r.seconds, "run_desk_seconds": r.desk_seconds}
                             for r in s.runs],
                }
                for name, s in self.series.items()
            },
            "max_slowdown": MAX_SLOWDOWN,
            "too_slow": self.too_slow,
            "passed": self.passed,
        }


def run_benchmark(tickets: int = DEFAULT_TICKETS, repeat: int = DEFAULT_REPEAT, seed: int = 1,
                  *, policies: Sequence[str] = BUILTIN_POLICIES,
                  log: Callable[[str], None] | None = None) -> Report:
    """Run every policy ``repeat`` times, interleaved, and collect the figures.

    Even rounds run the policies in order, odd rounds in reverse order. A small untimed
    run of each policy comes first (imports, lazy caches).
    """
    if tickets < 1 or repeat < 1:
        raise ValueError("tickets and repeat must be at least 1")
    if "fifo" not in policies:
        raise ValueError("fifo is the reference and must be among the policies")
    weeks = weeks_for(tickets)
    loaded = {p: load_scenario(scenario(weeks, ROUTINGS[p])) for p in policies}
    small = weeks_for(min(tickets, WARM_UP_TICKETS))
    for p in policies:
        engine_run(load_scenario(scenario(small, ROUTINGS[p])), seed)
    series = {p: Series(p) for p in policies}
    for round_ in range(repeat):
        order = list(policies) if round_ % 2 == 0 else list(reversed(policies))
        for p in order:
            run = engine_run(loaded[p], seed)
            series[p].runs.append(run)
            if log is not None:
                log(f"round {round_ + 1}/{repeat}  {p:<13} {run.seconds:7.2f} s "
                    f"(run_desk {run.desk_seconds:6.2f} s)  {run.rate:>10,.0f} tickets/s")
    return Report(tickets, weeks, repeat, seed, series)


# --------------------------------------------------------------------------- output


def render(report: Report, console: Console) -> None:
    """The table of figures and the verdict."""
    table = Table(title=(
        f"Routing policies on a 3-tier desk, {report.series['fifo'].tickets:,} tickets "
        f"({report.weeks:.1f} weeks), engine in-process, median of {report.repeat}"))
    table.add_column("policy")
    for name in ("tickets/s", "× fifo", "seconds", "run_desk s", "run_desk × fifo",
                 "answered", "mean wait (min)"):
        table.add_column(name, justify="right")
    for name, s in report.series.items():
        ratio = report.ratio(name)
        style = "red" if ratio < 1 / MAX_SLOWDOWN else ""
        table.add_row(name, f"{s.rate:,.0f}", f"{ratio:.2f}×", f"{s.seconds:.2f}",
                      f"{s.desk_seconds:.2f}", f"{report.desk_ratio(name):.2f}×",
                      f"{s.runs[0].answered:.1%}", f"{s.runs[0].mean_wait:.1f}", style=style)
    console.print(table)
    console.print("tickets/s, × fifo, seconds: compile_plan + draw_tickets + run_desk. "
                  "run_desk: the simulation alone.")
    console.print("answered, mean wait: first responses (a sanity check, not timed).")
    if report.passed:
        console.print(f"[green]Every policy is within {MAX_SLOWDOWN:g}× of FIFO's speed.[/]")
    else:
        console.print(f"[bold red]FAILED: more than {MAX_SLOWDOWN:g}× slower than FIFO: "
                      f"{', '.join(report.too_slow)}[/]")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Tickets per second of every built-in routing policy on a 3-tier desk.")
    parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS,
                        help=f"expected tickets per run (default {DEFAULT_TICKETS:,})")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT,
                        help=f"runs per policy; medians (default {DEFAULT_REPEAT})")
    parser.add_argument("--seed", type=int, default=1, help="seed of every run")
    parser.add_argument("--policy", action="append", choices=BUILTIN_POLICIES, default=None,
                        help="only this policy (repeatable; fifo is always included)")
    parser.add_argument("--json", type=Path, default=None, help="save the figures here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> Report:
    """Run the benchmark from the command line; returns the report (the exit status is
    set by ``__main__``: 1 if a policy is too slow)."""
    args = parse_args(argv)
    policies = list(BUILTIN_POLICIES) if args.policy is None else [
        p for p in BUILTIN_POLICIES if p == "fifo" or p in args.policy]
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=120)  # no wrapped tables in files
    console.print(f"simdesk {simdesk.__version__} — Python {platform.python_version()}, "
                  f"{os.cpu_count()} CPUs — {args.tickets:,} tickets, repeat {args.repeat}")
    report = run_benchmark(args.tickets, args.repeat, args.seed, policies=policies,
                           log=console.print)
    console.print()
    render(report, console)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8")
        console.print(f"Figures saved to {args.json}")
    return report


if __name__ == "__main__":
    sys.exit(0 if main().passed else 1)
