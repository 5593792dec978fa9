"""One step from a scenario file to what the engine runs: load and validate, compile,
diagnose — done once, then handed to :func:`simdesk.simulate` (and to ``run``,
``compare``, ``check``, ``validate``, ``staff`` and ``sweep``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from simdesk.plan.compile import compile_plan
from simdesk.plan.diagnostics import Notice, diagnose
from simdesk.plan.model import DeskPlan
from simdesk.scenario.load import load_scenario
from simdesk.scenario.schema import Scenario


@dataclass(frozen=True)
class Prepared:
    """A validated scenario, its compiled plan, and what a user should look at first."""

    scenario: Scenario
    plan: DeskPlan

    @cached_property
    def notices(self) -> tuple[Notice, ...]:
        """The plan's diagnostics (:func:`~simdesk.plan.diagnostics.diagnose`), on first use."""
        return tuple(diagnose(self.plan))


def prepare(source: Prepared | Scenario | Mapping[str, Any] | str | Path) -> Prepared:
    """Load (a path, a mapping) or take (a :class:`Scenario`) a scenario, compile and
    diagnose it. A :class:`Prepared` is returned as it is."""
    if isinstance(source, Prepared):
        return source
    scenario = load_scenario(source)
    plan = compile_plan(scenario)
    return Prepared(scenario, plan)
