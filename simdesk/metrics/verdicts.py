"""Judging a run's summary: expectations (``simdesk check``) and SLA verdicts.

:func:`evaluate` judges parsed expectations (:mod:`simdesk.scenario.expect`) on a
:class:`~simdesk.simulation.SimulationResult` or on any summary table with the columns
``scope, group, metric, mean, ci_low, ci_high, replications`` and one row per
``(scope, group, metric)``; a table of several runs (a sweep) is judged one point at a
time (:func:`evaluate_points`). :func:`verdict` and :func:`summary_verdicts` say whether
a channel met its SLA target, and :func:`judgement` how a policy fared against the
baseline; the terminal and the HTML report both read them from here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from simdesk.scenario.expect import Bound, Expectation, Names, parse_expectation, resolve

if TYPE_CHECKING:
    from simdesk.plan.model import ChannelPlan
    from simdesk.simulation import SimulationResult


def verdict(mean: float, low: float, high: float, target: float) -> str:
    """``met``, ``missed`` or ``borderline`` (the CI contains the target)."""
    if math.isnan(low):
        return "met" if mean >= target else "missed"
    if low >= target:
        return "met"
    if high < target:
        return "missed"
    return "borderline"


def summary_verdicts(channels: Iterable[ChannelPlan], summary: pd.DataFrame) -> dict[str, str]:
    """Per channel with a target: met / missed / borderline, judged by the 95 % CI of its
    ``sla`` in a summary table (``scope, group, metric, mean, ci_low, ci_high``), e.g. a
    run's or one read back from ``summary.csv``."""
    rows = {(r["scope"], r["group"], r["metric"]): r for r in summary.to_dict("records")}
    verdicts = {}
    for channel in channels:
        row = rows.get(("channel", channel.name, "sla"))
        if math.isnan(channel.sla_target) or row is None:
            continue
        verdicts[channel.name] = verdict(float(row["mean"]), float(row["ci_low"]),
                                         float(row["ci_high"]), channel.sla_target)
    return verdicts


def judgement(better: str, policy: str, significant: bool) -> str:
    """``better``, ``worse`` or ``same`` for a policy against the baseline."""
    if not significant:
        return "same"
    return "better" if better == policy else "worse"


@dataclass(frozen=True)
class Verdict:
    """How one expectation fared: the mean, the bound judged and whether it passed."""

    expectation: Expectation
    """Resolved: ``scope`` is set."""
    mean: float
    ci_low: float
    ci_high: float
    replications: int
    bound: Bound
    """``lower`` / ``upper`` (the conservative end of the 95 % CI) or ``mean`` (no CI)."""
    value: float
    """The number judged: that bound, or the mean."""
    passed: bool
    note: str = ""
    """Why there is no value, if there is none."""

    @property
    def judged_on(self) -> str:
        """``lower bound``, ``upper bound`` or ``mean``."""
        return "mean" if self.bound == "mean" else f"{self.bound} bound"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data: shares as fractions, durations in minutes, NaN as ``None``."""
        e = self.expectation
        return {
            "expectation": e.text,
            "scope": e.scope,
            "group": e.group,
            "metric": e.metric,
            "unit": {"duration": "minutes"}.get(e.unit, e.unit),
            "op": e.op,
            "target": e.target,
            "bound": self.bound,
            "value": _number(self.value),
            "mean": _number(self.mean),
            "ci_low": _number(self.ci_low),
            "ci_high": _number(self.ci_high),
            "replications": self.replications,
            "pass": self.passed,
            "note": self.note or None,
        }


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


SUMMARY_COLUMNS = ("scope", "group", "metric", "mean", "ci_low", "ci_high", "replications")


def _summary(results: SimulationResult | pd.DataFrame) -> pd.DataFrame:
    summary = results if isinstance(results, pd.DataFrame) else results.summary
    missing = [c for c in SUMMARY_COLUMNS if c not in summary.columns]
    if missing:
        raise ValueError(f"a summary table needs the columns {', '.join(missing)}")
    if summary.duplicated(["scope", "group", "metric"]).any():
        raise ValueError(
            "the summary has several rows per scope, group and metric (several runs?): "
            "evaluate each run's rows separately")
    return summary


def evaluate(results: SimulationResult | pd.DataFrame,
             expectations: Iterable[str | Expectation]) -> list[Verdict]:
    """Judge each expectation on a run's summary (or any table of its columns).

    The conservative end of the 95 % CI must satisfy the expectation: ``ci_low`` for
    ``>=``/``>``, ``ci_high`` for ``<=``/``<``; with one replication (no interval) the
    mean. A target missing from the table, or without a value (no tickets measured),
    fails with a ``note``. Text that does not parse, or a bare name found nowhere in the
    table (or in several scopes), raises :class:`ExpectationError`.
    """
    summary = _summary(results)
    names = Names.from_pairs(summary[["scope", "group"]].itertuples(index=False))
    rows: dict[tuple[str, str, str], Mapping[Any, Any]] = {
        (str(r["scope"]), str(r["group"]), str(r["metric"])): r
        for r in summary.to_dict("records")
    }
    verdicts = []
    for item in expectations:
        parsed = item if isinstance(item, Expectation) else parse_expectation(item)
        expectation = resolve(parsed, names, strict=False)
        assert expectation.scope is not None
        verdicts.append(_judge(expectation, rows.get(
            (expectation.scope, expectation.group, expectation.metric))))
    return verdicts


def _judge(expectation: Expectation, row: Mapping[Any, Any] | None) -> Verdict:
    bound: Bound = expectation.bound
    if row is None:
        nan = math.nan
        return Verdict(expectation, nan, nan, nan, 0, bound, nan, False,
                       f"no {expectation.metric} for {expectation.where} in the results")
    mean, low, high = (float(row[c]) for c in ("mean", "ci_low", "ci_high"))
    replications = int(row["replications"])
    value = low if bound == "lower" else high
    if replications < 2 or (math.isnan(value) and not math.isnan(mean)):
        bound, value = "mean", mean
    note = "" if not math.isnan(mean) else "no value: nothing measured"
    return Verdict(expectation, mean, low, high, replications, bound, value,
                   expectation.holds(value), note)


def report(verdicts: Iterable[Verdict], **facts: Any) -> dict[str, Any]:
    """The ``simdesk check --json`` document: ``pass``, ``met``, ``total``, the run
    ``facts`` given, then ``expectations`` (:meth:`Verdict.as_dict` each)."""
    listed = list(verdicts)
    met = sum(v.passed for v in listed)
    return {"pass": met == len(listed), "met": met, "total": len(listed), **facts,
            "expectations": [v.as_dict() for v in listed]}



def evaluate_points(summary: pd.DataFrame,
                    expectations: Iterable[str | Expectation]) -> dict[str, list[Verdict]]:
    """A sweep's summary (a ``point`` column) judged point by point, in the summary's order."""
    wanted = list(expectations)
    if summary.empty:
        return {}
    return {str(key): evaluate(frame.drop(columns="point"), wanted)
            for key, frame in summary.groupby("point", sort=False)}


__all__ = [
    "Verdict",
    "evaluate",
    "evaluate_points",
    "judgement",
    "report",
    "summary_verdicts",
    "verdict",
]
