"""Load a scenario: YAML (or a dict) → validated, immutable :class:`Scenario`.

Every problem is reported at once, each with its file, line and key path.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, cast

import yaml
from pydantic import TypeAdapter, ValidationError

from simdesk.errors import Problem, ScenarioError
from simdesk.scenario.checks import cross_check
from simdesk.scenario.messages import problems_from
from simdesk.scenario.routing import Custom
from simdesk.scenario.schema import Scenario, tier_defaults
from simdesk.scenario.yamlsource import SourceMap, load_yaml_file


def _salvage(adapter: TypeAdapter[Any], item_adapter: TypeAdapter[Any] | None, value: Any,
             container: type | None = None) -> Any:
    """Validate a section; if it fails, keep the items of a dict or list that pass (None
    for the others), so cross-section checks still see every name. A section of the
    wrong shape (a mapping where a list goes) cannot be salvaged."""
    try:
        return adapter.validate_python(value)
    except ValidationError:
        if item_adapter is None:
            raise
    if isinstance(value, dict) and container in (None, dict):
        return {key: _try(item_adapter, item) for key, item in value.items()}
    if isinstance(value, list) and container in (None, list):
        return [_try(item_adapter, item) for item in value]
    raise ValueError("section cannot be salvaged")


def _try(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _valid_sections(data: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level sections as far as they validate (defaults for absent ones)."""
    sections: dict[str, Any] = {}
    for name, field in Scenario.model_fields.items():
        key = field.alias or name
        if key not in data:
            if not field.is_required():
                sections[key] = field.get_default(call_default_factory=True)
            continue
        annotation = (
            Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
        )
        adapter: TypeAdapter[Any] = TypeAdapter(cast(Any, annotation))
        origin, args = typing.get_origin(field.annotation), typing.get_args(field.annotation)
        item = TypeAdapter(args[-1]) if origin in (dict, list) and args else None
        value = data[key]
        if key == "tiers":
            value = tier_defaults(value)
        try:
            sections[key] = _salvage(adapter, item, value, origin)
        except (ValidationError, ValueError):
            continue
    return sections


def validate_scenario(data: Any, source: SourceMap | None = None) -> Scenario:
    """Validate plain data as a scenario, raising :class:`ScenarioError` with every problem."""
    source = source or SourceMap(None)
    if not isinstance(data, Mapping):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(
            [Problem((), f"a scenario is a mapping of keys (name:, horizon:, ...), got {kind}",
                     source.file, 1)]
        )
    problems: list[Problem] = []
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = problems_from(exc, Scenario, data, source)
    if scenario is not None:
        sections = {key: getattr(scenario, key) for key in Scenario.model_fields}
    else:
        sections = _valid_sections(data)
    for path, message in cross_check(data, sections):
        problems.append(Problem(path, message, source.file, source.line(path)))
    if scenario is not None and not problems:
        from simdesk.plan.budget import size_problems

        for path, message in size_problems(scenario):
            problems.append(Problem(path, message, source.file, source.line(path)))
    if problems:
        raise ScenarioError(problems)
    assert scenario is not None
    return scenario


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """A validated scenario from a YAML file path, a dict, or a scenario (returned as is)."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        return validate_scenario(dict(source))
    data, source_map = load_yaml_file(source)
    return _beside(validate_scenario(data, source_map), Path(source).resolve().parent)


def _beside(scenario: Scenario, folder: Path) -> Scenario:
    """``scenario`` with its own policy classes looked up in ``folder`` too."""
    routing, policies = scenario.routing, dict(scenario.policies)
    if isinstance(routing, Custom):
        routing = routing.beside(folder)
    for name, spec in policies.items():
        if isinstance(spec, Custom):
            policies[name] = spec.beside(folder)
    if routing is scenario.routing and policies == scenario.policies:
        return scenario
    return scenario.model_copy(update={"routing": routing, "policies": policies})


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data in the units a manager writes (loads back identically)."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=True)


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML, every default filled in."""
    return yaml.safe_dump(
        scenario_to_dict(scenario), sort_keys=False, allow_unicode=True, width=100
    )
