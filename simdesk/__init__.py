"""simdesk: a discrete-event simulator for help desk staffing.

    >>> import simdesk
    >>> scenario = simdesk.load_scenario("scenarios/saas-startup.yaml")
    >>> result = simdesk.simulate(scenario, seed=1, replications=5)
    >>> result.summary  # mean and 95 % CI per channel, segment, topic and tier

The names below are imported on first use (PEP 562): ``import simdesk`` and
``simdesk --help`` load neither pandas nor the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simdesk import _startup  # noqa: F401  (first: Ctrl-C while the modules load)
from simdesk._lazy import lazy_names

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


__getattr__, __dir__ = lazy_names(__name__, _HOME)

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
