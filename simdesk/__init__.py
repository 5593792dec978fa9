"""simdesk: a discrete-event simulator for help desk staffing.

    >>> import simdesk
    >>> scenario = simdesk.load_scenario("scenarios/saas-startup.yaml")
    >>> result = simdesk.simulate(scenario, seed=1, replications=5)
    >>> result.summary  # mean and 95 % CI per channel, segment, topic and tier
"""

from __future__ import annotations

__version__ = "0.1.0"


def _quiet_start() -> None:
    """As the ``simdesk`` command: Ctrl-C or SIGTERM while the modules load exits at once
    with 130/143 and no traceback (nothing has started yet); the command's own handlers
    replace these (:func:`simdesk.cli.common.install_signal_handlers`)."""
    import os
    import signal
    import sys

    if os.path.basename(sys.argv[0] if sys.argv else "") not in ("simdesk", "simdesk.exe"):
        return
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda n, _: os._exit(128 + n))


_quiet_start()

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
