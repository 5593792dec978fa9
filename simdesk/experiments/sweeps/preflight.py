"""Checks of a whole sweep before any point runs.

- The grid's size, computed from the list lengths (not by building it).
- Every parameter value on its own: the base scenario with that one value set, when it
  is a valid scenario, must be within the limits and must not name Python code unless
  code is allowed (refused up front, exit 2, not found point by point). A value that
  makes the scenario invalid is left to its point, which fails on its own while the
  others run (docs/sweeps.md, Failures).
- The work of the whole sweep: the expected tickets of each point estimated as the
  base's times, for each parameter, the ratio its value brings (exact for rates,
  surges and anything that scales arrivals; an estimate otherwise), summed over the
  points, times the replications. Each point's estimate also orders the points on
  parallel executors (the heaviest first).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from simdesk.errors import Problem, ScenarioError, SimdeskError, format_key_path
from simdesk.experiments.sweeps.keypath import parse_key_path, set_path
from simdesk.experiments.sweeps.spec import Sweep, _scenario_keys
from simdesk.plan.budget import check_work, expected_work, limits, size_problems
from simdesk.scenario.routing import Custom
from simdesk.scenario.schema import Scenario

MAX_POINTS = 10_000
"""The most points a sweep may have (``--no-limits`` lifts it)."""


def point_count(sweep: Sweep) -> int:
    lengths = [len(values) for values in sweep.spec.parameters.values()]
    return math.prod(lengths) if sweep.spec.mode == "grid" else min(lengths)


def check_size(sweep: Sweep) -> None:
    count = point_count(sweep)
    if limits().enforced and count > MAX_POINTS:
        lengths = " × ".join(str(len(v)) for v in sweep.spec.parameters.values())
        raise SimdeskError(f"{sweep.file}: the grid has {count:,} points ({lengths}); at most "
                           f"{MAX_POINTS:,} are run; pass --no-limits to go on")


def _variant_problem(sweep: Sweep, text: str, value: Any, exc: SimdeskError) -> Problem:
    if isinstance(exc, ScenarioError):
        reasons = "; ".join(f"{format_key_path(p.path)}: {p.message}" if p.path else p.message
                            for p in exc.problems[:3])
    else:
        reasons = str(exc)
    where = ("parameters", text)
    return Problem(where, f"the value {value!r}: {reasons}",
                   str(sweep.file) if sweep.file else None, None)


def _replications(sweep: Sweep) -> int:
    spec = sweep.spec
    return spec.max_replications if spec.replications == "auto" else int(spec.replications)


@contextmanager
def _unlimited() -> Iterator[None]:
    """Validation without the size limits (checked on their own, up front)."""
    budget = limits()
    enforced, budget.enforced = budget.enforced, False
    try:
        yield
    finally:
        budget.enforced = enforced


def _bounded(scenario: Scenario, text: str, value: Any, replications: int) -> float:
    """A valid point's scenario within the limits, naming no code unless allowed; its
    expected tickets per replication (a :class:`SimdeskError` otherwise)."""
    from simdesk.plan.compile import compile_plan
    from simdesk.policies.custom import HOW_TO_ALLOW, code_allowed

    size = size_problems(scenario)
    if size:
        raise ScenarioError([Problem(path, message) for path, message in size])
    for routing in (scenario.routing, *scenario.policies.values()):
        if isinstance(routing, Custom) and not code_allowed():  # not imported here
            raise SimdeskError(f"policy {routing.policy!r} names Python code: {HOW_TO_ALLOW}")
    plan = compile_plan(scenario)
    return check_work(plan, replications, what=f"{text}: {value!r}").tickets_per_replication


@dataclass(frozen=True)
class SweepWork:
    """A sweep's expected work."""

    per_replication: float
    """Expected tickets per replication, summed over the points."""
    by_point: tuple[float, ...]
    """Each point's expected tickets per replication, in the order of the points."""


def preflight(sweep: Sweep) -> SweepWork | None:
    """Refuse a sweep too big to run, or one with a parameter value no point could run
    (every such value reported at once). Otherwise the estimate of its work (None when
    the base is not a valid scenario on its own)."""
    from simdesk.plan.compile import compile_plan
    from simdesk.scenario.load import validate_scenario

    check_size(sweep)
    replications = _replications(sweep)
    try:
        with _unlimited():
            base_scenario = validate_scenario(sweep.base)
    except SimdeskError:
        base_scenario = None  # the parameters may be what makes it valid
    base_plan = None
    if base_scenario is not None:
        _bounded(base_scenario, "the base scenario", sweep.base_file, replications)
        base_plan = compile_plan(base_scenario)
    base_tickets = expected_work(base_plan, 1).tickets_per_replication if base_plan else 0.0
    problems: list[Problem] = []
    ratios: dict[str, list[float]] = {}
    for text, values in sweep.spec.parameters.items():
        steps = parse_key_path(text)
        ratios[text] = []
        seen: dict[str, float] = {}
        for value in values:
            marker = repr(value)
            if marker in seen:
                ratios[text].append(seen[marker])
                continue
            tickets = base_tickets
            try:
                data = set_path(sweep.base, steps, value, _scenario_keys)
                with _unlimited():
                    scenario = validate_scenario(data)
            except SimdeskError:
                scenario = None  # an invalid point: it fails on its own, the others go on
            if scenario is not None:
                try:
                    tickets = _bounded(scenario, text, value, replications)
                except SimdeskError as exc:
                    problems.append(_variant_problem(sweep, text, value, exc))
            ratio = tickets / base_tickets if base_tickets > 0 else 1.0
            seen[marker] = ratio
            ratios[text].append(ratio)
    if problems:
        raise ScenarioError(problems)
    lists = list(ratios.values())
    if sweep.spec.mode == "grid":
        factor = math.prod(sum(r) for r in lists)
    else:
        factor = sum(math.prod(column) for column in zip(*lists, strict=True))
    if base_plan is None:
        return None
    check_work(base_plan, replications, what=f"the sweep {sweep.file}", times=factor)
    combos = itertools.product(*lists) if sweep.spec.mode == "grid" else zip(*lists,
                                                                              strict=True)
    return SweepWork(base_tickets * factor,
                     tuple(base_tickets * math.prod(combo) for combo in combos))
