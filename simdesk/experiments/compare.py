"""Compare routing policies on the same tickets, with paired confidence intervals.

Every policy runs on the scenario with only its ``routing`` replaced and the same seed,
so replication ``r`` of every policy sees exactly the same tickets and fates (arrival
times, channels, segments, topics, patience, handle times): common random numbers.
The difference between a policy and the baseline (the first policy) is then measured
replication by replication, ``d_r = metric(policy, r) − metric(baseline, r)``, and its
95 % confidence interval is Student-t over those paired differences. The noise both
runs share cancels, so the interval is far narrower than comparing two independent
sets of runs (:meth:`Comparison.unpaired_differences` shows that interval, Welch's).

A name in ``policies`` is, in this order: a key of the scenario's ``policies:``
(named alternatives); the scenario's own ``routing.policy`` (its routing as written);
a built-in policy (its default options); or ``package.module:Class``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError

from simdesk.errors import SimdeskError
from simdesk.experiments.pairing import Pairing, shared_draws
from simdesk.fates.streams import new_seed
from simdesk.metrics.catalogue import better_of
from simdesk.metrics.stats import ConfidenceInterval, paired_interval, welch_interval
from simdesk.plan.prepare import Prepared, prepare
from simdesk.policies import make_policy
from simdesk.scenario.load import load_scenario
from simdesk.scenario.messages import did_you_mean, one_of
from simdesk.scenario.routing import BUILTIN_POLICIES, Routing
from simdesk.scenario.schema import Scenario
from simdesk.simulation import ProgressHook, SimulationResult, simulate

COMPARED_SCOPES = ("overall", "channel", "segment", "topic")
"""Ticket scopes whose metrics are compared."""

COMPARED_METRICS = ("sla", "wait_mean", "wait_median", "wait_p90", "resolution_mean",
                    "abandonment", "refused", "days_met", "csat", "bad", "resolution_sla",
                    "blocked", "attempts", "callbacks", "overflowed", "interrupted", "unhappy",
                    "complaints", "churned", "converted", "churn_per_1000", "staff_cost",
                    "churn_cost", "conversion_value", "total_cost")
"""The compared metrics, in table order (``days_met`` where days are measured, ``csat``
and ``bad`` with a satisfaction model, the customer rules' metrics and pre-emption's
``interrupted`` where a scenario uses them, customers' outcomes and money with an
``outcomes:`` or ``money:`` section); which side is better comes from the catalogue."""

DIFFERENCE_COLUMNS = ["scope", "group", "metric", "policy", "baseline", "mean_difference",
                      "ci_low", "ci_high", "significant", "better", "replications"]
"""Columns of :attr:`Comparison.differences` (and ``comparison.csv``)."""

TABLES = ("tickets", "visits", "duty", "replies", "customers", "actions", "fixes")
"""The per-run tables that :meth:`Comparison.table` combines."""


# -- statistics ----------------------------------------------------------------------


def better_side(metric: str, interval: ConfidenceInterval) -> str:
    """``"policy"`` or ``"baseline"``: which is significantly better on ``metric``; ``""``
    when the interval includes 0 (or the metric has no better direction)."""
    direction = better_of(metric)
    if direction == "none" or not interval.significant:
        return ""
    return "policy" if (interval.mean > 0) == (direction == "higher") else "baseline"


# -- policy names ----------------------------------------------------------------------


def split_policy_names(text: str) -> list[str]:
    """``"fifo, paid-first"`` → ``["fifo", "paid-first"]`` (empty items dropped)."""
    return [name.strip() for name in text.split(",") if name.strip()]


_ROUTING: TypeAdapter[Any] = TypeAdapter(Routing)


def _routing_message(error: ValidationError) -> str:
    """The reason pydantic gives, without its boilerplate."""
    details = error.errors(include_url=False)
    if not details:
        return str(error)
    context = details[0].get("ctx") or {}
    return str(context.get("error", details[0]["msg"]))


def resolve_policy(scenario: Scenario, name: str) -> Routing:
    """The routing spec a policy name stands for in ``scenario``.

    In order: a key of ``policies:``; the scenario's own ``routing.policy``; a built-in
    policy with its default options; ``package.module:Class``. Anything else is a
    :class:`SimdeskError` naming what is valid.
    """
    if name in scenario.policies:
        return scenario.policies[name]
    if name == scenario.routing.policy:
        return scenario.routing
    if name in BUILTIN_POLICIES or ":" in name:
        try:
            spec: Routing = _ROUTING.validate_python({"policy": name})
        except ValidationError as exc:  # only a malformed 'package.module:Class'
            raise SimdeskError(_routing_message(exc)) from exc
        return spec
    known = list(dict.fromkeys([*scenario.policies, *BUILTIN_POLICIES]))
    raise SimdeskError(
        f"unknown policy {name!r}; valid: {one_of(known)}, or 'package.module:Class' for "
        f"your own{did_you_mean(name, known)}"
    )


def resolve_policies(scenario: Scenario, names: Sequence[str]) -> dict[str, Routing]:
    """Label → routing spec for each name, in order; at least two, no name twice.

    Custom classes are imported here, so a missing one fails before any simulation.
    """
    if len(names) < 2:
        given = f" ({', '.join(names)})" if names else ""
        raise SimdeskError(
            f"compare needs at least two policies, got {len(names)}{given}; "
            "e.g. --policies fifo,paid-first"
        )
    specs: dict[str, Routing] = {}
    for name in names:
        if name in specs:
            raise SimdeskError(f"policy {name!r} is listed twice; give each policy once")
        specs[name] = resolve_policy(scenario, name)
    for spec in specs.values():
        make_policy(spec)
    return specs


# -- the comparison --------------------------------------------------------------------


def _with_policy(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """``frame`` with a leading ``policy`` column."""
    frame = frame.copy()
    frame.insert(0, "policy", label)
    return frame


@dataclass(frozen=True)
class Comparison:
    """Every policy's run on the same tickets, and their paired differences.

    ``scenario`` is the base scenario resolved: seed and replications filled in and a
    ``policies:`` section holding every compared policy's full spec. ``labels`` are the
    policy names as given, the first being the baseline; ``results`` maps each label
    to its run.
    """

    scenario: Scenario
    seed: int
    replications: int
    labels: list[str]
    results: dict[str, SimulationResult]
    pairing: dict[str, Pairing] = field(default_factory=dict)
    """Whole-file comparisons: per variant label, the draws it shares with the baseline
    (empty for a comparison of policies, which always share every draw)."""
    files: dict[str, str] = field(default_factory=dict)
    """Whole-file comparisons: per label, the scenario file it came from."""

    @property
    def baseline(self) -> str:
        """The label of the first policy, which the others are compared with."""
        return self.labels[0]

    @property
    def by_file(self) -> bool:
        """Whole scenario files compared (rather than policies on one scenario)."""
        return bool(self.files)

    @property
    def specs(self) -> dict[str, Routing]:
        """Label → the routing spec that was run."""
        return {label: self.results[label].scenario.routing for label in self.labels}

    @cached_property
    def unchanged(self) -> list[str]:
        """Labels whose tickets fared exactly as the baseline's, replication by
        replication (first response, resolution and giving up of every ticket): the
        policy or file changed nothing on these tickets."""
        columns = ["replication", "ticket", "first_response", "resolved", "abandoned"]

        def outcome(label: str) -> pd.DataFrame:
            tickets = self.results[label].tickets
            return tickets[[c for c in columns if c in tickets]].reset_index(drop=True)

        base = outcome(self.baseline)
        return [label for label in self.labels[1:] if outcome(label).equals(base)]

    @cached_property
    def metrics(self) -> pd.DataFrame:
        """Every metric of every replication of every policy: ``policy, replication,
        scope, group, metric, value``."""
        return pd.concat([_with_policy(self.results[label].metrics, label)
                          for label in self.labels], ignore_index=True)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Each policy's summary (mean and 95 % CI per metric) with a leading ``policy``."""
        return pd.concat([_with_policy(self.results[label].summary, label)
                          for label in self.labels], ignore_index=True)

    @cached_property
    def differences(self) -> pd.DataFrame:
        """Paired differences to the baseline with Student-t 95 % intervals.

        One row per scope, group, compared metric and non-baseline policy; columns
        :data:`DIFFERENCE_COLUMNS`. ``better`` is the label of the significantly better
        policy, empty when the interval includes 0.
        """
        return self._differences(paired_interval)

    def unpaired_differences(self) -> pd.DataFrame:
        """The same differences as if the runs were independent: Welch's interval on the
        two sets of per-replication values (what common random numbers save)."""
        return self._differences(welch_interval)

    def table(self, name: str) -> pd.DataFrame:
        """One of :data:`TABLES` for every policy, with a leading ``policy`` column."""
        if name not in TABLES:
            raise ValueError(f"no table {name!r}; choose from {', '.join(TABLES)}")
        frames = [_with_policy(getattr(self.results[label], name), label)
                  for label in self.labels]
        combined = pd.concat(frames, ignore_index=True)
        combined["policy"] = pd.Categorical(combined["policy"], categories=self.labels)
        return combined

    def _values(self) -> pd.DataFrame:
        """Compared metrics side by side: ``scope, group, metric, replication`` and one
        column of values per label, rows in the order of the tables."""
        keys = ["scope", "group", "metric", "replication"]
        base = self.results[self.baseline].metrics
        rows = base.loc[base["scope"].isin(COMPARED_SCOPES) & base["metric"].isin(COMPARED_METRICS),
                        keys]
        rows = rows.assign(
            _scope=rows["scope"].map(COMPARED_SCOPES.index),
            _metric=rows["metric"].map(COMPARED_METRICS.index),
            _group=pd.factorize(rows["scope"] + "\0" + rows["group"])[0],
        ).sort_values(["_scope", "_group", "_metric", "replication"], kind="stable")
        wide = rows[keys].reset_index(drop=True)
        index = pd.MultiIndex.from_frame(wide)
        for label in self.labels:
            metrics = self.results[label].metrics.set_index(keys)["value"]
            wide[label] = metrics.reindex(index).to_numpy(dtype=float)
        return wide

    def _differences(self, interval: Callable[[np.ndarray, np.ndarray], ConfidenceInterval]
                     ) -> pd.DataFrame:
        records: list[dict[str, Any]] = []
        for (scope, group, metric), rows in self._values().groupby(
                ["scope", "group", "metric"], sort=False):
            base = rows[self.baseline].to_numpy()
            for label in self.labels[1:]:
                found = interval(rows[label].to_numpy(), base)
                side = better_side(str(metric), found)
                records.append({
                    "scope": scope, "group": group, "metric": metric, "policy": label,
                    "baseline": self.baseline, "mean_difference": found.mean,
                    "ci_low": found.low, "ci_high": found.high,
                    "significant": found.significant,
                    "better": {"policy": label, "baseline": self.baseline}.get(side, ""),
                    "replications": found.count,
                })
        return pd.DataFrame.from_records(records, columns=DIFFERENCE_COLUMNS)


def compare(
    scenario: Scenario | Mapping[str, Any] | str | Path,
    policies: Sequence[str] | str,
    seed: int | None = None,
    replications: int | None = None,
    *,
    workers: int = 1,
    progress: ProgressHook | None = None,
) -> Comparison:
    """Run ``scenario`` once per policy on the same tickets; the first is the baseline.

    ``policies`` are names (see :func:`resolve_policy`), or one comma-separated string.
    Every policy runs with the same ``seed`` (the scenario's, else a fresh one drawn
    once) and ``replications``. ``progress(done, total)`` counts replications over all
    policies.
    """
    base = load_scenario(scenario)
    names = split_policy_names(policies) if isinstance(policies, str) else list(policies)
    specs = resolve_policies(base, names)
    seed = seed if seed is not None else base.seed if base.seed is not None else new_seed()
    count = replications if replications is not None else base.replications
    if count < 1:
        raise ValueError(f"replications must be at least 1, got {count}")
    results: dict[str, SimulationResult] = {}
    total = count * len(specs)
    for done_before, (label, spec) in enumerate(specs.items()):
        def advance(done: int, _: int, offset: int = done_before * count) -> None:
            if progress is not None:
                progress(offset + done, total)

        results[label] = simulate(base.model_copy(update={"routing": spec}), seed=seed,
                                  replications=count, workers=workers, progress=advance)
    named = {**specs, **{k: v for k, v in base.policies.items() if k not in specs}}
    resolved = base.model_copy(update={"seed": seed, "replications": count,
                                       "policies": named})
    return Comparison(resolved, seed, count, list(specs), results)


def file_labels(paths: Sequence[str | Path]) -> list[str]:
    """A short distinct label per file: its stem, with its folder where stems repeat."""
    stems = [Path(p).stem for p in paths]
    labels = []
    for path, stem in zip(paths, stems, strict=True):
        label = stem if stems.count(stem) == 1 else f"{Path(path).parent.name}/{stem}"
        while label in labels:
            label += "'"
        labels.append(label)
    return labels


def compare_files(
    paths: Sequence[str | Path],
    seed: int | None = None,
    replications: int | None = None,
    *,
    workers: int = 1,
    progress: ProgressHook | None = None,
    prepared: Sequence[Prepared] | None = None,
) -> Comparison:
    """Run whole scenario files on common random numbers; the first is the baseline.

    Every file runs with the same ``seed`` (the first file's, else a fresh one) and
    ``replications`` (the first file's unless given), so replication ``r`` of each draws
    the same tickets wherever the ticket-drawing inputs agree; :attr:`Comparison.pairing`
    says, per variant, which draws differ. ``prepared``: the files already
    :func:`~simdesk.plan.prepare.prepare`'d, in order (they are then not loaded again).
    """
    if len(paths) < 2:
        raise SimdeskError("compare needs at least two scenario files, or one with --policies")
    if prepared is None:
        prepared = [prepare(path) for path in paths]
    elif len(prepared) != len(paths):
        raise ValueError(f"{len(prepared)} prepared scenarios for {len(paths)} files")
    scenarios = [each.scenario for each in prepared]
    labels = file_labels(paths)
    base = scenarios[0]
    seed = seed if seed is not None else base.seed if base.seed is not None else new_seed()
    count = replications if replications is not None else base.replications
    if count < 1:
        raise ValueError(f"replications must be at least 1, got {count}")
    plans = [each.plan for each in prepared]
    pairing = {label: shared_draws(plans[0], plan, seed)
               for label, plan in zip(labels[1:], plans[1:], strict=True)}
    results: dict[str, SimulationResult] = {}
    total = count * len(scenarios)
    for done_before, (label, each) in enumerate(zip(labels, prepared, strict=True)):
        def advance(done: int, _: int, offset: int = done_before * count) -> None:
            if progress is not None:
                progress(offset + done, total)

        results[label] = simulate(each, seed=seed, replications=count, workers=workers,
                                  progress=advance)
    resolved = base.model_copy(update={"seed": seed, "replications": count})
    return Comparison(resolved, seed, count, labels, results, pairing,
                      {label: str(path) for label, path in zip(labels, paths, strict=True)})
