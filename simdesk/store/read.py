"""Read a results folder of any kind into a small typed bundle for the report.

* ``simdesk run`` — ``scenario.yaml``, ``summary.csv``, ``tickets.parquet``,
  ``visits.parquet``, ``duty.parquet``: a :class:`DeskResults` with one policy;
* ``simdesk compare`` — the same files with a ``policy`` column, plus ``comparison.csv``:
  a :class:`DeskResults` with every policy, the baseline first;
* ``simdesk sweep`` — ``sweep.yaml``, ``state.json``, ``scenario.yaml`` (the base as
  written), ``summary.parquet``: a :class:`SweepResults`.

Only the columns the report uses are read. A run is read as a comparison of one policy,
so every table has a ``policy`` column and the figures have one code path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from simdesk.errors import SimdeskError
from simdesk.plan.compile import compile_plan
from simdesk.plan.model import DeskPlan
from simdesk.scenario.load import load_scenario, validate_scenario
from simdesk.scenario.schema import Scenario

RUN_FILES = ("scenario.yaml", "summary.csv", "tickets.parquet", "visits.parquet",
             "duty.parquet")
"""What a folder of ``simdesk run`` (and, with ``comparison.csv``, of ``compare``) holds."""
SWEEP_FILES = ("sweep.yaml", "state.json", "scenario.yaml", "summary.parquet")
"""What a folder of ``simdesk sweep`` holds once a point has finished."""

_TICKET_COLUMNS = ["replication", "channel", "segment", "topic", "arrived", "first_response",
                   "wait", "resolved", "abandoned", "refused", "path", "warmup", "sla_met"]
_OPTIONAL_TICKET_COLUMNS = ["deflected", "satisfaction"]
"""Read when the file has them (the engine's behaviour data, the satisfaction proxy)."""
_VISIT_COLUMNS = ["replication", "tier", "agent", "queued", "start", "end"]
_DUTY_COLUMNS = ["replication", "tier", "agent", "on", "off"]

EXPECTED = (
    "expected the folder written by `simdesk run` (scenario.yaml, summary.csv, "
    "tickets.parquet, visits.parquet, duty.parquet), by `simdesk compare` (the same and "
    "comparison.csv) or by `simdesk sweep` (sweep.yaml, state.json, scenario.yaml, "
    "summary.parquet)"
)


@dataclass(frozen=True)
class DeskResults:
    """A run, or a comparison of routing policies on the same tickets.

    Every table has a leading ``policy`` column (categorical, in the order of
    ``labels``); ``differences`` is ``comparison.csv`` (None for a run).
    """

    kind: Literal["run", "compare"]
    folder: Path
    scenario: Scenario
    plan: DeskPlan
    labels: tuple[str, ...]
    """Policy labels, the baseline first (a run: its one policy)."""
    routing: dict[str, dict[str, Any]]
    """Label → the routing spec as plain data."""
    tickets: pd.DataFrame
    visits: pd.DataFrame
    duty: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame | None

    @property
    def baseline(self) -> str:
        return self.labels[0]

    @property
    def replications(self) -> int:
        return int(self.scenario.replications)

    @property
    def seed(self) -> int | None:
        return self.scenario.seed


@dataclass(frozen=True)
class SweepPoint:
    """A finished point: its key, values (parameter → value as run) and its scenario."""

    key: str
    index: int
    values: dict[str, Any]
    scenario: Scenario | None
    """The point's scenario (None if it cannot be rebuilt, e.g. it failed validation)."""


@dataclass(frozen=True)
class SweepResults:
    """A sweep: its spec, the base scenario, the finished points and their summary."""

    folder: Path
    name: str
    description: str
    spec: dict[str, Any]
    """``sweep.yaml`` as written by the sweep (every setting, the seed)."""
    parameters: tuple[str, ...]
    base: Scenario | None
    base_plan: DeskPlan | None
    points: tuple[SweepPoint, ...]
    """The finished points, in the sweep's order."""
    summary: pd.DataFrame
    """``summary.parquet``: ``point, <parameters>, scope, group, metric, mean, ...``."""
    failures: tuple[dict[str, Any], ...]
    total_points: int

    kind: Literal["sweep"] = "sweep"

    @property
    def seed(self) -> int | None:
        seed = self.spec.get("seed")
        return None if seed is None else int(seed)

    @property
    def metric(self) -> str:
        return str(self.spec.get("metric", "overall:all.sla"))


Results = DeskResults | SweepResults


def results_kind(folder: Path) -> str | None:
    """``run``, ``compare``, ``sweep`` or None (not a results folder)."""
    if (folder / "state.json").is_file() and (folder / "sweep.yaml").is_file():
        return "sweep"
    if (folder / "comparison.csv").is_file():
        return "compare"
    if (folder / "scenario.yaml").is_file() and (folder / "summary.csv").is_file():
        return "run"
    return None


def load_results(folder: str | Path) -> Results:
    """The results in ``folder``; a :class:`SimdeskError` saying what was expected if it
    holds none."""
    folder = Path(folder)
    if not folder.exists():
        raise SimdeskError(f"{folder} does not exist; {EXPECTED}")
    if not folder.is_dir():
        raise SimdeskError(f"{folder} is not a folder; {EXPECTED}")
    kind = results_kind(folder)
    if kind is None:
        raise SimdeskError(f"{folder} is not a simdesk results folder: {EXPECTED}")
    if kind == "sweep":
        return _load_sweep(folder)
    return _load_desk(folder, "compare" if kind == "compare" else "run")


def _missing(folder: Path, names: tuple[str, ...], what: str) -> None:
    missing = [name for name in names if not (folder / name).exists()]
    if missing:
        raise SimdeskError(f"{folder} looks like the results of {what} but has no "
                           f"{', '.join(missing)}; {EXPECTED}")


def _read_parquet(path: Path, columns: list[str], optional: tuple[str, ...] = ()
                  ) -> pd.DataFrame:
    try:
        if optional:
            import pyarrow.parquet as pq

            present = set(pq.read_schema(path).names)
            columns = [*columns, *(c for c in optional if c in present)]
        return pd.read_parquet(path, columns=columns)
    except Exception as exc:  # a damaged file, or one from something else
        raise SimdeskError(f"cannot read {path}: {exc}") from None


def _with_categories(frame: pd.DataFrame, column: str, names: list[str]) -> None:
    """Recode ``column`` to exactly ``names`` (the plan's order), whatever the file held."""
    frame[column] = pd.Categorical(frame[column].astype("object"), categories=names)


def _policies(frame: pd.DataFrame, labels: list[str], label: str) -> pd.DataFrame:
    """``frame`` with a categorical ``policy`` column in the order of ``labels``."""
    if "policy" in frame.columns:
        frame["policy"] = pd.Categorical(frame["policy"].astype("object"), categories=labels)
        return frame
    frame.insert(0, "policy", pd.Series(pd.Categorical([label] * len(frame),
                                                       categories=labels), index=frame.index))
    return frame


def _load_desk(folder: Path, kind: Literal["run", "compare"]) -> DeskResults:
    what = "`simdesk compare`" if kind == "compare" else "`simdesk run`"
    _missing(folder, RUN_FILES, what)
    try:
        scenario = load_scenario(folder / "scenario.yaml")
    except SimdeskError as exc:
        raise SimdeskError(f"{folder}/scenario.yaml is not a valid scenario: {exc}") from None
    plan = compile_plan(scenario)
    summary = pd.read_csv(folder / "summary.csv")
    document: dict[str, Any] = {}
    if (folder / "summary.json").is_file():
        document = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    differences = None
    if kind == "compare":
        differences = pd.read_csv(folder / "comparison.csv", keep_default_na=False,
                                  na_values=[""])
        differences["better"] = differences["better"].astype("string").fillna("").astype(str)
        if "policy" not in summary.columns:
            raise SimdeskError(f"{folder}/summary.csv has no policy column; {EXPECTED}")
        labels = [str(p) for p in dict.fromkeys(summary["policy"].astype(str))]
        baseline = document.get("baseline") or (
            str(differences["baseline"].iloc[0]) if len(differences) else labels[0])
        labels = [baseline] + [label for label in labels if label != baseline]
        routing = {label: scenario.policies[label].model_dump(mode="json", by_alias=True,
                                                              exclude_none=True)
                   if label in scenario.policies else {"policy": label} for label in labels}
        for label, entry in (document.get("policies") or {}).items():
            if label in routing and isinstance(entry, dict) and "routing" in entry:
                routing[label] = entry["routing"]
    else:
        label = str(document.get("policy") or scenario.routing.policy)
        labels = [label]
        routing = {label: scenario.routing.model_dump(mode="json", by_alias=True,
                                                      exclude_none=True)}
        summary.insert(0, "policy", label)
    policy_column = ["policy"] if kind == "compare" else []
    tickets = _read_parquet(folder / "tickets.parquet", policy_column + _TICKET_COLUMNS,
                            tuple(_OPTIONAL_TICKET_COLUMNS))
    visits = _read_parquet(folder / "visits.parquet", policy_column + _VISIT_COLUMNS)
    duty = _read_parquet(folder / "duty.parquet", policy_column + _DUTY_COLUMNS)
    for frame in (tickets, visits, duty):
        _policies(frame, labels, labels[0])
    _with_categories(tickets, "channel", [c.name for c in plan.channels])
    _with_categories(tickets, "segment", list(plan.segments))
    _with_categories(tickets, "topic", list(plan.topics))
    for frame in (visits, duty):
        _with_categories(frame, "tier", [t.name for t in plan.tiers])
        _with_categories(frame, "agent", [a.name for a in plan.agents])
    summary["policy"] = summary["policy"].astype(str)
    return DeskResults(kind, folder, scenario, plan, tuple(labels), routing, tickets, visits,
                       duty, summary, differences)


def _load_sweep(folder: Path) -> SweepResults:
    from simdesk.experiments.sweeps.spec import Sweep, SweepSpec

    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    spec_data = yaml.safe_load((folder / "sweep.yaml").read_text(encoding="utf-8")) or {}
    base_data = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8")) \
        if (folder / "scenario.yaml").is_file() else None
    if not (folder / "summary.parquet").is_file():
        raise SimdeskError(f"{folder} holds a sweep with no finished point yet (no "
                           "summary.parquet); nothing to report")
    summary = pd.read_parquet(folder / "summary.parquet")
    if summary.empty:
        raise SimdeskError(f"{folder} holds a sweep with no finished point yet; nothing to "
                           "report")
    try:
        spec = SweepSpec.model_validate(spec_data)
    except Exception as exc:
        raise SimdeskError(f"{folder}/sweep.yaml is not a sweep: {exc}") from None
    base: Scenario | None = None
    plan: DeskPlan | None = None
    if isinstance(base_data, dict):
        try:
            base = validate_scenario(base_data)
            plan = compile_plan(base)
        except SimdeskError:
            base, plan = None, None
    sweep = Sweep(spec, None, base_data if isinstance(base_data, dict) else {}, None)
    finished = set(summary["point"].astype(str))
    points = []
    for point in sweep.points():
        if point.key not in finished:
            continue
        scenario = None
        if isinstance(base_data, dict):
            try:
                scenario = validate_scenario(sweep.scenario_data(point))
            except SimdeskError:
                scenario = None
        points.append(SweepPoint(point.key, point.index, dict(point.assignments), scenario))
    if not points:  # the spec no longer matches the points on disk: go by state.json
        for entry in state.get("points", []):
            if entry["key"] in finished:
                points.append(SweepPoint(entry["key"], int(entry["index"]),
                                         dict(entry["values"]), None))
    failures = []
    for path in sorted((folder / "failures").glob("*.json")):
        try:
            failures.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    name = spec.name or (base.name if base is not None else str(
        (base_data or {}).get("name", "sweep")))
    return SweepResults(
        folder=folder, name=name, description=spec.description,
        spec={**spec_data, "seed": spec_data.get("seed", state.get("seed"))},
        parameters=tuple(spec.parameters), base=base, base_plan=plan, points=tuple(points),
        summary=summary, failures=tuple(failures),
        total_points=len(state.get("points", [])) or len(sweep.points()))

