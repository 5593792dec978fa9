"""simdesk: a discrete-event simulator for help desk staffing.

    >>> import simdesk
    >>> scenario = simdesk.load_scenario("scenarios/saas-startup.yaml")
    >>> result = simdesk.simulate(scenario, seed=1, replications=5)
    >>> result.summary  # mean and 95 % CI per channel, segment, topic and tier

The names below are imported on first use (PEP 562): ``import simdesk`` and
``simdesk --help`` load neither pandas nor the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from simdesk.errors import Problem, ScenarioError, SimdeskError
    from simdesk.plan.prepare import Prepared, prepare
    from simdesk.scenario.load import load_scenario, scenario_to_yaml
    from simdesk.scenario.schema import Scenario
    from simdesk.simulation import SimulationResult, simulate

_HOME = {
    "Problem": "simdesk.errors",
    "ScenarioError": "simdesk.errors",
    "SimdeskError": "simdesk.errors",
    "Prepared": "simdesk.plan.prepare",
    "prepare": "simdesk.plan.prepare",
    "load_scenario": "simdesk.scenario.load",
    "scenario_to_yaml": "simdesk.scenario.load",
    "Scenario": "simdesk.scenario.schema",
    "SimulationResult": "simdesk.simulation",
    "simulate": "simdesk.simulation",
}


def __getattr__(name: str) -> Any:
    """The public names, imported when first used."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


__all__ = [
    "Prepared",
    "Problem",
    "Scenario",
    "ScenarioError",
    "SimdeskError",
    "SimulationResult",
    "__version__",
    "load_scenario",
    "prepare",
    "scenario_to_yaml",
    "simulate",
]
