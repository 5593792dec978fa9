"""Bounds by construction: the work a scenario implies, estimated before it is done.

Two checks, both before any simulation:

- :func:`size_problems` reads the validated scenario, before it is compiled: the
  horizon (the plan has a rate piece per hour and duty intervals per agent and day), the
  number of agents, and the numbers that must be finite. A 1e9-week horizon or a million
  agents is refused here, before compiling could allocate it.
- :func:`check_work` reads the compiled plan: expected tickets per replication (the rate
  integral, with surges and trend) times the replications, the engine events and the
  memory they take. Above the budget the message gives the estimate and how to go on
  (``--max-tickets N`` or ``--no-limits``).

:func:`set_limits` changes the budget for this process (and the worker processes it
starts by forking), as the CLI's ``--max-tickets`` and ``--no-limits`` do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simdesk.errors import SimdeskError

if TYPE_CHECKING:
    from simdesk.plan.model import DeskPlan
    from simdesk.scenario.schema import Scenario

MINUTES_PER_YEAR = 365.25 * 24 * 60
MAX_HORIZON_YEARS = 5.0
"""The longest horizon plus warm-up compiled (the plan holds a rate piece per hour)."""
MAX_AGENTS = 20_000
"""The most agents (shift counts and rota pools) a scenario may have."""
MAX_DAY_FACTOR_CV = 5.0
"""A day factor above 500 % cv leaves nearly every day empty and a few enormous."""
MAX_TICKETS = 10_000_000
"""Expected tickets over all replications of one run (or all points of a sweep)."""
MAX_TICKETS_PER_REPLICATION = 5_000_000
"""Expected tickets of one replication: one replication's tables are held in memory."""
BYTES_PER_TICKET = 150
"""Memory the tickets, visits, duty and replies tables take per ticket (measured: 105 B
on scenarios/saas-startup.yaml, whose tickets visit up to three tiers)."""


@dataclass
class Limits:
    """The budget in force in this process."""

    max_tickets: int = MAX_TICKETS
    enforced: bool = True


_LIMITS = Limits()


def set_limits(*, max_tickets: int | None = None, enforced: bool = True) -> None:
    """Change the budget (``--max-tickets``, ``--no-limits``) for this process."""
    _LIMITS.max_tickets = MAX_TICKETS if max_tickets is None else max_tickets
    _LIMITS.enforced = enforced


def limits() -> Limits:
    return _LIMITS


GO_ON = "pass --max-tickets N to allow more, or --no-limits"


def _years(minutes: float) -> str:
    years = minutes / MINUTES_PER_YEAR
    return f"{years:,.0f} years" if years >= 10 else f"{years:.1f} years"


def size_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """What in ``scenario`` is too big to compile (key path, message); nothing when the
    limits are off, except numbers no plan can hold (not finite)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    span = scenario.horizon + scenario.warmup
    if not math.isfinite(span):
        problems.append((("horizon",), "the horizon is not a finite duration"))
    elif _LIMITS.enforced and span > MAX_HORIZON_YEARS * MINUTES_PER_YEAR:
        problems.append((("horizon",), (
            f"horizon and warm-up span {_years(span)}; at most {MAX_HORIZON_YEARS:.0f} years "
            f"are simulated (the plan holds a rate per hour, about "
            f"{span / 60:,.0f} per arrival stream); pass --no-limits to go on")))
    for index, arrival in enumerate(scenario.arrivals):
        for key in ("rate", "volume"):
            value = getattr(arrival, key, None)
            if value is not None and not math.isfinite(value):
                problems.append((("arrivals", index, key), f"{key} is not a finite number"))
    for index, surge in enumerate(scenario.surges):
        if not math.isfinite(surge.multiplier):
            problems.append((("surges", index, "multiplier"), "not a finite number"))
    volume = scenario.volume
    if volume is not None:
        if not math.isfinite(volume.trend) or volume.trend <= -1:
            problems.append((("volume", "trend"), "a trend is a finite growth above -100 %"))
        factor = volume.day_factor
        if factor is not None and (not math.isfinite(factor.cv)
                                   or (_LIMITS.enforced and factor.cv > MAX_DAY_FACTOR_CV)):
            problems.append((("volume", "day_factor", "cv"), (
                f"cv {factor.cv:.3g} is above {MAX_DAY_FACTOR_CV:.0%}: nearly every day would "
                "have no tickets and a few an enormous number")))
    agents = 0
    for tier in scenario.tiers.values():
        agents += sum(group.count for group in tier.agents)
        agents += tier.rotation.pool if tier.rotation is not None else 0
    if _LIMITS.enforced and agents > MAX_AGENTS:
        problems.append((("tiers",), (
            f"{_count(agents)} agents; at most {MAX_AGENTS:,} are simulated (each has its own "
            "duty intervals and events); pass --no-limits to go on")))
    return problems


@dataclass(frozen=True)
class Work:
    """The work a run implies."""

    tickets_per_replication: float
    replications: int
    visits_per_ticket: float

    @property
    def tickets(self) -> float:
        return self.tickets_per_replication * self.replications

    @property
    def events(self) -> float:
        """Engine events: arrival, queueing, start and end of each visit, roughly."""
        return self.tickets * (1 + 3 * self.visits_per_ticket)

    @property
    def memory(self) -> float:
        """Bytes one replication's tables take."""
        return self.tickets_per_replication * BYTES_PER_TICKET

    def describe(self) -> str:
        return (f"about {_count(self.tickets_per_replication)} tickets per replication × "
                f"{self.replications:,} replications = {_count(self.tickets)} tickets, "
                f"{_count(self.events)} engine events, {_bytes(self.memory)} per replication")


def _count(value: float) -> str:
    if isinstance(value, int) and value < 10**7:
        return f"{value:,}"
    value = float(value) if abs(value) < 1e300 else math.inf
    if not math.isfinite(value):
        return "unboundedly many"
    if value >= 1e15:
        return f"{value:.1e}"
    for size, unit in ((1e12, " trillion"), (1e9, " billion"), (1e6, " million")):
        if value >= size:
            return f"{value / size:,.1f}{unit}"
    return f"{value:,.0f}"


def _bytes(value: float) -> str:
    if not math.isfinite(value):
        return "unbounded memory"
    for size, unit in ((2**50, "PiB"), (2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB")):
        if value >= size:
            return f"{value / size:,.1f} {unit}"
    return f"{value / 2**10:,.0f} KiB"


def expected_work(plan: DeskPlan, replications: int) -> Work:
    """Expected tickets per replication from the plan's arrival rates (surges and trend
    included; the day factor has mean 1), and the tiers a ticket visits."""
    import numpy as np

    tickets = 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is the answer here
        for stream in plan.streams:
            with_rates = stream.rates * (stream.horizon - stream.starts).clip(min=0)
            if not bool((stream.rates >= 0).all()) or not math.isfinite(
                    float(with_rates.sum())):
                tickets = math.inf
                break
            tickets += stream.expected
    visits = max((len(channel.chain) for channel in plan.channels), default=1)
    visits *= 1 + plan.max_reopens
    return Work(tickets, max(replications, 1), float(visits))


def check_work(plan: DeskPlan, replications: int, *, what: str = "this run",
               times: float = 1.0) -> Work:
    """Refuse a run whose expected work is beyond the budget (``times``: how many such
    runs, e.g. the points of a sweep); the estimate is in the message."""
    work = expected_work(plan, replications)
    total = work.tickets * times
    if not math.isfinite(total):
        raise SimdeskError(f"{what}: the arrival rates overflow (a rate, surge or trend too "
                           "large to be a number of tickets)")
    if not _LIMITS.enforced:
        return work
    detail = work.describe() + (f", × {times:,.0f} points" if times != 1 else "")
    if work.tickets_per_replication > MAX_TICKETS_PER_REPLICATION:
        raise SimdeskError(
            f"{what} is too big: {detail}; one replication may have at most "
            f"{_count(MAX_TICKETS_PER_REPLICATION)} tickets (its tables are held in memory); "
            "pass --no-limits to go on")
    if total > _LIMITS.max_tickets:
        raise SimdeskError(
            f"{what} is too big: {detail}; the budget is {_count(_LIMITS.max_tickets)} "
            f"tickets; {GO_ON}")
    return work
