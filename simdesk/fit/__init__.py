"""Calibrate a scenario from ticket history: ``simdesk fit`` and ``simdesk export``.

The flow: :mod:`~simdesk.fit.history` reads an export (only the columns it needs, by
:mod:`~simdesk.fit.tablefile`; columns by :mod:`~simdesk.fit.presets`, times by
:mod:`~simdesk.fit.times` in a format :mod:`~simdesk.fit.timeformats` tells, work times
in a unit :mod:`~simdesk.fit.workunits` tells, tiers by :mod:`~simdesk.fit.steps`,
problems collected in :mod:`~simdesk.fit.badrows`); :mod:`~simdesk.fit.fit` fits each
part — arrivals (:mod:`~simdesk.fit.arrivals`), handle times (:mod:`~simdesk.fit.handles` on
:mod:`~simdesk.fit.families`), patience (:mod:`~simdesk.fit.patience`), routing
(:mod:`~simdesk.fit.routing`), mixes and the observed SLA (:mod:`~simdesk.fit.shares`),
targets (:mod:`~simdesk.fit.targets`), staffing (:mod:`~simdesk.fit.staffing`), handle
times not in the export (:mod:`~simdesk.fit.assumed`) — and writes
the scenario (:mod:`~simdesk.fit.scenario`); :mod:`~simdesk.fit.verify` simulates it
against the history; :mod:`~simdesk.console.fit` and :mod:`~simdesk.report.fit_report` show it.
:mod:`~simdesk.fit.export` writes a simulation's tickets as an export, for the round trip;
:mod:`~simdesk.fit.vendor_export` rewrites one in a tool's default columns.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simdesk.fit.export import export_tickets, write_export
    from simdesk.fit.fit import Fit, FitOptions, fit_history
    from simdesk.fit.history import History, read_history

_HOME = {"export_tickets": "export", "write_export": "export", "Fit": "fit",
         "FitOptions": "fit", "fit_history": "fit", "History": "history",
         "read_history": "history"}


def __getattr__(name: str) -> Any:
    """The package's names, imported when first used: the CLI imports
    :mod:`simdesk.cli.fit` on every start, and fitting needs scipy."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"simdesk.fit.{_HOME[name]}"), name)


__all__ = ["Fit", "FitOptions", "History", "export_tickets", "fit_history", "read_history",
           "write_export"]
