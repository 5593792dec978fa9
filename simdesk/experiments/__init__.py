"""Experiments at scale: sweeps over scenario parameters, on any executor."""

from __future__ import annotations

from simdesk.experiments.sweeps.executors import Dask, Executor, InProcess, LocalProcesses
from simdesk.experiments.sweeps.runner import SweepOutcome, run_sweep
from simdesk.experiments.sweeps.spec import Point, Sweep, SweepSpec, load_sweep

__all__ = ["Dask", "Executor", "InProcess", "LocalProcesses", "Point", "Sweep", "SweepOutcome",
           "SweepSpec", "load_sweep", "run_sweep"]
