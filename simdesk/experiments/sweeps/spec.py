"""The sweep file: a base scenario, the parameters to vary by key path, replications.

```yaml
scenario: ../scenarios/saas-startup.yaml    # relative to this file
parameters:
  tiers.L1.agents[0].count: [2, 3, 4]
  arrivals[0].rate: [20/h, 30/h]
mode: grid            # every combination; or zip: the lists side by side
replications: 10      # or auto, with precision / min_replications / max_replications
seed: 1               # recorded in the results when left out
```
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PositiveInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from simdesk.errors import Problem, ScenarioError, SimdeskError
from simdesk.experiments.sweeps.keypath import (
    KeyPathError,
    Step,
    get_path,
    parse_key_path,
    set_path,
)
from simdesk.metrics import catalogue
from simdesk.scenario.base import SpecModel
from simdesk.scenario.checks import check_expectations
from simdesk.scenario.messages import did_you_mean, one_of, problems_from, valid_keys
from simdesk.scenario.schema import Scenario
from simdesk.scenario.types import Percent
from simdesk.scenario.yamlsource import SourceMap, load_yaml_file


class SweepSpec(SpecModel):
    """A sweep as written."""

    scenario: str
    """The base scenario file, relative to the sweep file."""
    name: str | None = None
    description: str = ""
    parameters: Annotated[dict[str, Annotated[list[Any], Field(min_length=1)]],
                          Field(min_length=1)]
    """Key path into the scenario as written → the values it takes."""
    mode: Literal["grid", "zip"] = "grid"
    replications: PositiveInt | Literal["auto"] = 10
    precision: Percent = 0.01
    """With ``replications: auto``: stop when the 95 % half-width of ``metric`` is at
    most this share of its mean."""
    min_replications: Annotated[int, Field(ge=2)] = 5
    max_replications: PositiveInt = 200
    metric: str = "overall:all.sla"
    """The main metric for ``auto`` (``scope:group.metric``)."""
    seed: Annotated[int, Field(ge=0, lt=2**63)] | None = None
    keep_tickets: bool = False
    """Also keep every point's per-ticket table (memory and disk grow with the sweep)."""
    expect: list[str] = Field(default_factory=list)
    """Assertions ``simdesk check`` judges at every point (default: the base scenario's)."""
    objective: Literal["lowest", "highest"] | None = None
    """Name the best point: where ``metric`` is lowest (a cost) or highest."""
    best_per: list[str] = Field(default_factory=list)
    """With ``objective``: the best point for each value of these parameters (how the
    best plan moves with an assumption: :mod:`simdesk.experiments.sweeps.best`)."""

    @field_validator("mode")
    @classmethod
    def _zip_lengths(cls, mode: str, info: ValidationInfo) -> str:
        parameters = info.data.get("parameters")
        if mode == "zip" and parameters and len({len(v) for v in parameters.values()}) > 1:
            lengths = ", ".join(f"{k}: {len(v)}" for k, v in parameters.items())
            raise ValueError(f"zip pairs the lists item by item, so they need the same "
                             f"length ({lengths})")
        return mode

    @field_validator("precision")
    @classmethod
    def _precision_in_range(cls, precision: float) -> float:
        if not 0 < precision < 1:
            raise ValueError("must be above 0% and below 100%, e.g. 1%")
        return precision

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        if self.max_replications < self.min_replications:
            raise ValueError("max_replications is below min_replications")
        unknown = [name for name in self.best_per if name not in self.parameters]
        if unknown:
            raise ValueError(f"best_per names {', '.join(map(repr, unknown))}, not a "
                             f"parameter; parameters: {', '.join(self.parameters)}")
        if self.best_per and self.objective is None:
            raise ValueError("best_per needs an objective: lowest or highest")
        return self

    def main_metric(self) -> tuple[str, str, str]:
        """``(scope, group, metric)`` of :attr:`metric`: ``scope:group.metric``, or over all
        tickets ``metric``, ``overall.metric`` or ``overall:metric``."""
        return catalogue.split_reference(self.metric)


@dataclass(frozen=True)
class Point:
    """One combination of parameter values."""

    index: int
    assignments: tuple[tuple[str, Any], ...]

    @property
    def key(self) -> str:
        """A stable name: the index and a digest of the values (``p0003-1a2b3c4d``)."""
        digest = hashlib.sha1(json.dumps(self.assignments, default=str).encode()).hexdigest()
        return f"p{self.index:04d}-{digest[:8]}"

    def label(self) -> str:
        return ", ".join(f"{path}={value}" for path, value in self.assignments)


@dataclass(frozen=True)
class Sweep:
    """A loaded, checked sweep: the spec, its file, the base scenario as written."""

    spec: SweepSpec
    file: Path | None
    base: dict[str, Any]
    """The base scenario's raw data (what the key paths point into)."""
    base_file: Path | None

    @property
    def name(self) -> str:
        return self.spec.name or str(self.base.get("name", "sweep"))

    @property
    def paths(self) -> dict[str, tuple[Step, ...]]:
        return {text: parse_key_path(text) for text in self.spec.parameters}

    def points(self) -> list[Point]:
        """Every point: the grid of all combinations, or the lists zipped."""
        names = list(self.spec.parameters)
        values = list(self.spec.parameters.values())
        combos = itertools.product(*values) if self.spec.mode == "grid" else zip(*values,
                                                                               strict=True)
        return [Point(i, tuple(zip(names, combo, strict=True))) for i, combo in enumerate(combos)]

    def scenario_data(self, point: Point) -> dict[str, Any]:
        """The base scenario's data with the point's values set."""
        data = self.base
        for text, value in point.assignments:
            data = set_path(data, parse_key_path(text), value, _scenario_keys)
        return data

    def identity(self, seed: int) -> dict[str, Any]:
        """What determines this sweep's results: the base scenario, the parameters, the
        replications and the seed. Not the name, the description, where the files are or
        whether tickets are kept; the precision, bounds and metric only with ``auto``."""
        spec = self.spec
        replications: dict[str, Any] = {"replications": spec.replications}
        if spec.replications == "auto":
            replications |= {"precision": spec.precision, "metric": spec.metric,
                             "min_replications": spec.min_replications,
                             "max_replications": spec.max_replications}
        document = {"parameters": spec.parameters, "mode": spec.mode, **replications,
                    "seed": seed}
        plain: dict[str, Any] = json.loads(json.dumps(document, default=str))
        base = json.dumps(self.base, sort_keys=True, default=str)
        plain["base"] = hashlib.sha256(base.encode()).hexdigest()
        return plain

    def fingerprint(self, seed: int) -> str:
        """A digest of :meth:`identity`: results can be resumed only when it matches."""
        text = json.dumps(self.identity(seed), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _scenario_keys(path: tuple[Step, ...]) -> list[str]:
    return valid_keys(Scenario, path)


def load_sweep(path: str | Path) -> Sweep:
    """Load a sweep file and its base scenario; every problem reported at once."""
    path = Path(path)
    data, source = load_yaml_file(path)
    if not isinstance(data, dict):
        raise ScenarioError([Problem((), "a sweep is a mapping (scenario:, parameters:, ...)",
                                     str(path), 1)])
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from(exc, SweepSpec, data, source)) from None
    base_file = (path.parent / spec.scenario).resolve()
    base, _ = load_yaml_file(base_file)
    if not isinstance(base, dict):
        raise ScenarioError([Problem(("scenario",), f"{base_file} is not a scenario mapping",
                                     str(path), source.line(("scenario",)))])
    sweep = Sweep(spec, path, base, base_file)
    problems = check_parameters(sweep, source) + check_metric(sweep, source)
    for where, message in check_expectations({**base, "expect": spec.expect}):
        problems.append(Problem(where, message, source.file, source.line(where)))
    if problems:
        raise ScenarioError(problems)
    return sweep


SET_BY_THE_SWEEP = {
    "seed": "the sweep's seed: sets every point's seed (replication r of every point "
            "uses the same random numbers)",
    "replications": "the sweep's replications: sets every point's replications",
}
"""Scenario keys a sweep overrides: varying them would silently do nothing."""


def check_parameters(sweep: Sweep, source: SourceMap) -> list[Problem]:
    """Every key path exists in the base scenario (or is a key the schema knows)."""
    problems = []
    for text in sweep.spec.parameters:
        where = ("parameters", text)
        try:
            steps = parse_key_path(text)
            if steps[0] in SET_BY_THE_SWEEP:
                raise KeyPathError("", f"cannot be varied: it is set by "
                                       f"{SET_BY_THE_SWEEP[str(steps[0])]}")
            try:
                get_path(sweep.base, steps, text)
            except SimdeskError:
                set_path(sweep.base, steps, None, _scenario_keys)  # a known key may be added
        except KeyPathError as exc:
            problems.append(Problem(where, f"{exc.reason} (in {sweep.base_file})",
                                    source.file, source.line(where)))
    return problems


_SECTIONS = {"channel": ("channels", None), "tier": ("tiers", None),
             "topic": ("topics", "general"), "segment": ("segments", "default")}


def _groups(sweep: Sweep, scope: str) -> list[str] | None:
    """The groups of ``scope`` in the base scenario (None when it cannot be told)."""
    if scope == "overall":
        return ["all"]
    if scope not in _SECTIONS:
        return None
    section, default = _SECTIONS[scope]
    for text in sweep.spec.parameters:
        try:
            if parse_key_path(text)[0] == section:
                return None  # the parameters change this section: so may its groups
        except KeyPathError:
            return None  # reported by check_parameters
    names = sweep.base.get(section)
    if isinstance(names, dict) and names:
        return [str(name) for name in names]
    return [default] if names is None and default is not None else None


def check_metric(sweep: Sweep, source: SourceMap) -> list[Problem]:
    """The main metric is one the results will have (a typo would only show after
    every point ran)."""
    scope, group, metric = sweep.spec.main_metric()
    where = ("metric",)
    message = None
    valid = catalogue.in_scope(scope)
    found = catalogue.find(metric)
    if scope not in catalogue.SCOPES:
        message = (f"unknown scope {scope!r}; write scope:group.metric with scope one of "
                   f"{one_of(catalogue.SCOPES)}{did_you_mean(scope, catalogue.SCOPES)}")
    elif found is not None and found.name != metric and found.name in valid:
        message = f"write the metric's name {found.name!r}, not {metric!r}"
    elif scope == "overall" and ":" not in sweep.spec.metric and group != "all":
        message = (f"write scope:group.metric for {group!r}, e.g. channel:{group}.{metric} "
                   f"(a bare metric or overall.{metric} is over all tickets)")
    elif metric not in valid:
        message = (f"{scope} has no metric {metric!r}; it has {one_of(valid)}"
                   f"{did_you_mean(metric, valid)}")
    else:
        groups = _groups(sweep, scope)
        if groups is not None and group not in groups:
            message = (f"{scope} has no group {group!r} in {sweep.base_file}; it has "
                       f"{one_of(groups)}{did_you_mean(group, groups)}")
    if message is None:
        return []
    return [Problem(where, message, source.file, source.line(where))]
