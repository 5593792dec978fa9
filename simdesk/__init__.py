"""simdesk: a discrete-event simulator for help desk staffing.

    >>> import simdesk
    >>> scenario = simdesk.load_scenario("scenarios/saas-startup.yaml")
    >>> result = simdesk.simulate(scenario, seed=1, replications=5)
    >>> result.summary  # mean and 95 % CI per channel, segment, topic and tier
"""

from __future__ import annotations

__version__ = "0.1.0"

from simdesk import _startup  # noqa: F401  (first: Ctrl-C while the modules load)
from simdesk.errors import Problem, ScenarioError, SimdeskError
from simdesk.scenario.load import load_scenario, scenario_to_yaml
from simdesk.scenario.schema import Scenario
from simdesk.simulation import SimulationResult, simulate

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "SimdeskError",
    "SimulationResult",
    "__version__",
    "load_scenario",
    "scenario_to_yaml",
    "simulate",
]
