"""Experiments at scale: sweeps over scenario parameters, on any executor.

The names below are imported on first use (PEP 562), so that a module of this package —
the fork guard of :mod:`simdesk.experiments.sweeps.workers`, which every command
installs — loads without the engine, pandas and the scenario schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simdesk._lazy import lazy_names

if TYPE_CHECKING:
    from simdesk.experiments.sweeps.executors import (
        Dask,
        Executor,
        InProcess,
        LocalProcesses,
    )
    from simdesk.experiments.sweeps.runner import SweepOutcome, run_sweep
    from simdesk.experiments.sweeps.spec import Point, Sweep, SweepSpec, load_sweep

_HOME = {
    "Dask": "simdesk.experiments.sweeps.executors",
    "Executor": "simdesk.experiments.sweeps.executors",
    "InProcess": "simdesk.experiments.sweeps.executors",
    "LocalProcesses": "simdesk.experiments.sweeps.executors",
    "SweepOutcome": "simdesk.experiments.sweeps.runner",
    "run_sweep": "simdesk.experiments.sweeps.runner",
    "Point": "simdesk.experiments.sweeps.spec",
    "Sweep": "simdesk.experiments.sweeps.spec",
    "SweepSpec": "simdesk.experiments.sweeps.spec",
    "load_sweep": "simdesk.experiments.sweeps.spec",
}


__getattr__, __dir__ = lazy_names(__name__, _HOME)

__all__ = ["Dask", "Executor", "InProcess", "LocalProcesses", "Point", "Sweep", "SweepOutcome",
           "SweepSpec", "load_sweep", "run_sweep"]
