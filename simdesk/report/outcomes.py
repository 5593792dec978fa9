"""Report sections for customers' outcomes, money and the supervisor's actions (a run
whose scenario has ``outcomes:``, ``money:`` or ``supervisor:``)."""

from __future__ import annotations

import pandas as pd

from simdesk.metrics.catalogue import format_metric, label_of
from simdesk.report.blocks import table
from simdesk.report.figures import Estimates
from simdesk.report.style import text
from simdesk.store.read import DeskResults

OUTCOMES = ("unhappy", "complaints", "churned", "churn_per_1000", "converted")
MONEY = ("staff_cost", "churn_cost", "conversion_value", "total_cost")
SHOWN_ACTIONS = 50


def _estimate(estimates: Estimates, label: str, scope: str, group: str, metric: str,
              prefix: str = "") -> str:
    mean, low, high = estimates.get(label, scope, group, metric)
    if low != low:  # NaN: one replication
        return prefix + format_metric(metric, mean)
    return (f"{prefix}{format_metric(metric, mean)} <span class='muted'>"
            f"({prefix}{format_metric(metric, low)}–{prefix}{format_metric(metric, high)})"
            "</span>")


def outcome_sections(results: DeskResults) -> list[tuple[str, str, str, str]]:
    """``(id, title, HTML, note)`` of each section this run has."""
    scenario = results.scenario
    estimates = Estimates(results.summary)
    label = results.baseline
    found = []
    if scenario.outcomes is not None:
        groups = [("overall", "all", "All tickets")] + [
            ("segment", s, f"segment {text(s)}") for s in results.plan.segments
            if len(results.plan.segments) > 1]
        rows = [[name, *(_estimate(estimates, label, scope, group, m) for m in OUTCOMES)]
                for scope, group, name in groups]
        found.append(("customers", "Customers: complaints, churn, conversions",
                      table(["", *map(label_of, OUTCOMES)], rows, "numbers"),
                      f"Means per replication with 95 % CIs. Unhappy after a bad experience; "
                      f"{scenario.outcomes.complain:.0%} complain, "
                      f"{scenario.outcomes.churn:.0%} of the others leave (assumptions and "
                      "sources: docs/outcomes.md). Who: customers.parquet."))
    if scenario.money is not None:
        currency = text(scenario.money.currency)
        rows = [[label_of(m), _estimate(estimates, label, "overall", "all", m, currency)]
                for m in MONEY]
        found.append(("money", "Money", table(["", "Mean (95 % CI)"], rows, "numbers"),
                      "Over the measured window. Total = staff + customers lost − "
                      "conversions; staff: scheduled agent-hours × price."))
    actions_file = results.folder / "actions.parquet"
    if scenario.supervisor is not None and actions_file.exists():
        actions = pd.read_parquet(actions_file)
        first = actions[actions["replication"] == actions["replication"].min()] \
            if len(actions) else actions
        rows = [[f"{row['at']:%a %d %b %H:%M}", text(row["name"]),
                 f"{row['value']:.0%}" if row["measure"] == "sla"
                 else f"{row['value']:.0f} waiting",
                 text(row.get("action", "")), str(row["called"]), str(row["kept"])]
                for row in first.head(SHOWN_ACTIONS).to_dict("records")]
        fired = len(actions) / max(results.replications, 1)
        found.append(("supervisor", "Supervisor actions",
                      table(["When", "Rule", "Measured", "Action", "Came on", "Stayed on"],
                            rows, "numbers"),
                      f"{fired:,.1f} actions per replication; the first "
                      f"{min(len(first), SHOWN_ACTIONS)} of one replication are listed "
                      "(all in actions.parquet). Each lasts until the next review."))
    return found


__all__ = ["outcome_sections"]
