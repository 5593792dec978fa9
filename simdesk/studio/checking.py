"""Live validation of the YAML text: the same checks and messages as ``simdesk validate``.

The text is parsed with line numbers, validated, compiled into a desk plan, and each
routing policy is built; every problem comes back as ``file:line: key: message``. Policy
classes (``module:Class``) are imported only when the studio was started with
``--allow-code``: otherwise they are a problem on the page, never imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simdesk.errors import Problem, ScenarioError, SimdeskError
from simdesk.plan.compile import compile_plan
from simdesk.plan.model import DeskPlan
from simdesk.policies import make_policy
from simdesk.scenario.load import validate_scenario
from simdesk.scenario.routing import Custom, Routing
from simdesk.scenario.schema import Scenario
from simdesk.scenario.yamlsource import SourceMap, load_yaml_text

NO_CODE = ("names Python code; the studio imports policy classes only when started with "
           "--allow-code")


@dataclass(frozen=True)
class Checked:
    """What the text is: plain data (None if it does not parse), the scenario and its
    plan (None if invalid), and every problem as ``simdesk validate`` prints it."""

    data: Any
    scenario: Scenario | None
    plan: DeskPlan | None
    problems: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return self.scenario is not None and not self.problems


def beside(scenario: Scenario, folder: Path) -> Scenario:
    """``scenario`` with its own policy classes looked up in ``folder`` (as the loader does
    for a file)."""
    def placed(spec: Routing) -> Routing:
        return spec.beside(folder) if isinstance(spec, Custom) else spec

    return scenario.model_copy(update={
        "routing": placed(scenario.routing),
        "policies": {name: placed(spec) for name, spec in scenario.policies.items()}})


def _code_problems(scenario: Scenario, source: SourceMap) -> list[Problem]:
    named = [(("routing", "policy"), scenario.routing)] + [
        (("policies", name, "policy"), spec) for name, spec in scenario.policies.items()]
    return [Problem(path, f"policy {spec.policy!r} {NO_CODE}", source.file, source.line(path))
            for path, spec in named if isinstance(spec, Custom)]


def check_text(text: str, file: str, folder: Path, *, allow_code: bool) -> Checked:
    """Validate ``text`` (the scenario ``file`` in ``folder``) as ``simdesk validate``
    would."""
    try:
        data, source = load_yaml_text(text, file)
    except ScenarioError as exc:
        return Checked(None, None, None, tuple(str(p) for p in exc.problems))
    try:
        scenario = beside(validate_scenario(data, source), folder)
        if not allow_code:
            problems = _code_problems(scenario, source)
            if problems:
                raise ScenarioError(problems)
        plan = compile_plan(scenario)
        for routing in (scenario.routing, *scenario.policies.values()):
            make_policy(routing)
    except ScenarioError as exc:
        return Checked(data, None, None, tuple(str(p) for p in exc.problems))
    except SimdeskError as exc:
        return Checked(data, None, None, (f"{file}: {exc}",))
    return Checked(data, scenario, plan, ())
