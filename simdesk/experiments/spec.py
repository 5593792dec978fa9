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

from pydantic import Field, PositiveInt, ValidationError, model_validator

from simdesk.errors import Problem, ScenarioError, SimdeskError
from simdesk.experiments.keypath import Step, get_path, parse_key_path, set_path
from simdesk.scenario.base import SpecModel
from simdesk.scenario.messages import problems_from, valid_keys
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

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        if self.mode == "zip" and len({len(v) for v in self.parameters.values()}) > 1:
            lengths = ", ".join(f"{k}: {len(v)}" for k, v in self.parameters.items())
            raise ValueError(f"mode zip needs lists of equal length ({lengths})")
        if self.max_replications < self.min_replications:
            raise ValueError("max_replications is below min_replications")
        return self

    def main_metric(self) -> tuple[str, str, str]:
        """``(scope, group, metric)`` of :attr:`metric`."""
        scope, _, rest = self.metric.rpartition(":")
        group, _, metric = rest.rpartition(".")
        return scope or "overall", group or "all", metric


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

    def fingerprint(self, seed: int) -> str:
        """What makes two runs of this sweep the same: results can be resumed only when
        this matches."""
        spec = self.spec.model_dump(mode="json", exclude={"expect", "name", "description"})
        spec["seed"] = seed
        text = json.dumps({"spec": spec, "base": self.base}, sort_keys=True, default=str)
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
    check_parameters(sweep, source)
    return sweep


def check_parameters(sweep: Sweep, source: SourceMap) -> None:
    """Every key path exists in the base scenario (or is a key the schema knows)."""
    problems = []
    for text in sweep.spec.parameters:
        where = ("parameters", text)
        try:
            steps = parse_key_path(text)
            try:
                get_path(sweep.base, steps, text)
            except SimdeskError:
                set_path(sweep.base, steps, None, _scenario_keys)  # a known key may be added
        except SimdeskError as exc:
            problems.append(Problem(where, f"{exc} (in {sweep.base_file})", source.file,
                                    source.line(where)))
    if problems:
        raise ScenarioError(problems)
