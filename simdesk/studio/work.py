"""What the studio's buttons do, as plain functions over the library: run a variant,
run every plan on the same tickets, staff the desk. Each takes a :class:`Job` for its
progress (and cancel) and returns an outcome the page shows.

A run is written to a results folder in the studio's scratch folder (a private
temporary folder, removed when the studio stops) and read back with
:func:`simdesk.store.read.load_results`, so the page draws exactly what the report
draws, and the report of any variant can be downloaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simdesk.errors import ScenarioError, SimdeskError
from simdesk.experiments.compare import Comparison
from simdesk.experiments.suggest import explain_misses
from simdesk.metrics.misses import ChannelMisses
from simdesk.plan.model import DeskPlan
from simdesk.scenario.schema import Scenario
from simdesk.simulation import SimulationResult, simulate
from simdesk.store.read import DeskResults, load_results
from simdesk.store.results import slug, write_results
from simdesk.studio.checking import check_text
from simdesk.studio.jobs import Cancelled, Job

DRAWING_SECTIONS = ("start", "horizon", "warmup", "arrivals", "surges", "segments", "topics",
                    "volume")
"""Scenario sections that decide which tickets are drawn (with each channel's settings
but its SLA, and each tier's handle times, resolution and escalation)."""
TIER_DRAWING = ("handle", "handle_by", "topic_effort", "resolves", "escalate_to", "reopens")


@dataclass(frozen=True)
class Variant:
    """A named version of the scenario text."""

    name: str
    text: str


@dataclass(frozen=True)
class Settings:
    """What every job needs to read a variant: where it lives and whether code may run."""

    file: str
    folder: Path
    scratch: Path
    allow_code: bool


@dataclass(frozen=True)
class RunOutcome:
    variant: str
    folder: Path
    results: DeskResults


@dataclass(frozen=True)
class PlansOutcome:
    labels: tuple[str, ...]
    folders: dict[str, Path]
    summary: Any
    """Each variant's summary with a leading ``policy`` column (the variant's name)."""
    differences: Any
    """Paired differences to the baseline
    (:data:`~simdesk.experiments.compare.DIFFERENCE_COLUMNS`)."""
    pairing: dict[str, tuple[str, ...]]
    """Per variant, the ticket-drawing inputs that differ from the baseline (empty: the
    same tickets exactly)."""
    plan: DeskPlan
    seed: int
    replications: int


@dataclass(frozen=True)
class StaffOutcome:
    staffing: Any
    """A :class:`simdesk.staffing.search.Staffing`."""
    today: dict[str, np.ndarray]
    """Per staffed tier, today's mean agents on duty in each interval of the week."""


def scenario_of(variant: Variant, settings: Settings) -> Scenario:
    """The variant's scenario, or :class:`ScenarioError` with the page's messages."""
    checked = check_text(variant.text, settings.file, settings.folder,
                         allow_code=settings.allow_code)
    if checked.scenario is None:
        raise SimdeskError(f"{variant.name!r} is not a valid scenario:\n"
                           + "\n".join(checked.problems))
    return checked.scenario


def _write(result: SimulationResult, settings: Settings, job: Job, name: str,
           misses: Sequence[ChannelMisses] | None = None) -> Path:
    folder = settings.scratch / f"{job.id:03d}-{slug(name)}"
    return write_results(result, folder, overwrite=True, misses=misses)


def run_variant(job: Job, variant: Variant, settings: Settings, seed: int,
                replications: int, suggest: bool = False) -> RunOutcome:
    """Simulate one variant, say why any target was missed (where the misses fall, who
    gave up, what they queued behind: ``misses.json``, as ``simdesk run`` writes it)
    and read its results folder back as the report does. With ``suggest``, a few
    changes are tried on the same tickets for the channels that missed (what to try);
    cancelling while they run keeps the run and says no changes were tried."""
    scenario = scenario_of(variant, settings)
    result = simulate(scenario, seed=seed, replications=replications,
                      progress=job.progress)
    job.step = "finding why targets were missed"
    explained = explain_misses(result, suggest=False)
    if suggest and explained:
        def tried(done: int, total: int, what: str) -> None:
            job.progress(done, total, f"what to try — {what}")

        try:
            explained = explain_misses(result, suggest=True, progress=tried)
        except Cancelled:
            for misses in explained:
                misses.suggestion_note = "no changes tried: cancelled"
    folder = _write(result, settings, job, variant.name, explained)
    job.step = "reading the results"
    loaded = load_results(folder)
    assert isinstance(loaded, DeskResults)
    return RunOutcome(variant.name, folder, loaded)


def _plain(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def drawing_differences(base: Scenario, other: Scenario) -> tuple[str, ...]:
    """The ticket-drawing inputs of ``other`` that differ from ``base``: where the two
    runs draw different tickets (the pairing is then partial)."""
    left, right = (s.model_dump(mode="json", by_alias=True) for s in (base, other))
    found = [key for key in DRAWING_SECTIONS if _plain(left.get(key)) != _plain(right.get(key))]
    for name in sorted(set(left["channels"]) | set(right["channels"])):
        a, b = (dict(side["channels"].get(name) or {}) for side in (left, right))
        a.pop("sla", None)
        b.pop("sla", None)
        if _plain(a) != _plain(b):
            found.append(f"channels.{name}")
    for name in sorted(set(left["tiers"]) | set(right["tiers"])):
        a, b = (side["tiers"].get(name) or {} for side in (left, right))
        if any(_plain(a.get(k)) != _plain(b.get(k)) for k in TIER_DRAWING):
            found.append(f"tiers.{name}")
    return tuple(found)


def run_plans(job: Job, variants: Sequence[Variant], settings: Settings, seed: int,
              replications: int) -> PlansOutcome:
    """Every variant with the same seed (common random numbers), the first as baseline;
    paired differences per replication with Student-t intervals."""
    if len(variants) < 2:
        raise SimdeskError("add a variant first: plans compare two or more versions")
    scenarios = {v.name: scenario_of(v, settings) for v in variants}
    labels = [v.name for v in variants]
    total = replications * len(labels)
    results: dict[str, SimulationResult] = {}
    for offset, label in enumerate(labels):
        def advance(done: int, _: int, before: int = offset * replications,
                    what: str = label) -> None:
            job.progress(before + done, total, what)

        results[label] = simulate(scenarios[label], seed=seed, replications=replications,
                                  progress=advance)
    job.step = "writing the results"
    folders = {label: _write(results[label], settings, job, label) for label in labels}
    comparison = Comparison(scenarios[labels[0]], seed, replications, labels, results)
    base = scenarios[labels[0]]
    pairing = {label: drawing_differences(base, scenarios[label]) for label in labels[1:]}
    return PlansOutcome(tuple(labels), folders, comparison.summary, comparison.differences,
                        pairing, results[labels[0]].plan, seed, replications)


def today_levels(plan: DeskPlan, tier: str, grid: Any) -> np.ndarray:
    """Mean agents of ``tier`` on duty in each interval of ``grid`` (a
    :class:`~simdesk.staffing.grid.WeekGrid`) over the measured horizon, from the plan's
    shifts and rotations (before absence and breaks)."""
    found = next(t for t in plan.tiers if t.name == tier)
    windows = grid.occurrences(plan.clock, plan.warmup, plan.horizon)
    if not any(windows):
        windows = grid.occurrences(plan.clock, 0.0, plan.horizon)
    levels = np.zeros(grid.count)
    for index, occurrences in enumerate(windows):
        if not occurrences:
            continue
        on = sum(max(0.0, min(end, stop) - max(begin, start))
                 for agent in found.agents for start, stop in agent.duty
                 for begin, end in occurrences)
        levels[index] = on / (len(occurrences) * grid.minutes)
    return levels


def run_staffing(job: Job, variant: Variant, settings: Settings, seed: int,
                 replications: int) -> StaffOutcome:
    """``simdesk staff`` on the variant (1-hour intervals), beside today's staffing."""
    from simdesk.staffing.search import staff

    scenario = scenario_of(variant, settings)
    try:
        staffing = staff(scenario, seed=seed, replications=max(2, replications),
                         progress=lambda n, what: job.progress(n, 0, what))
    except ScenarioError:
        raise
    plan = checked_plan(variant, settings)
    today = {goal.tier: today_levels(plan, goal.tier, staffing.grid)
             for goal in staffing.goals}
    return StaffOutcome(staffing, today)


def checked_plan(variant: Variant, settings: Settings) -> DeskPlan:
    checked = check_text(variant.text, settings.file, settings.folder,
                         allow_code=settings.allow_code)
    assert checked.plan is not None
    return checked.plan
