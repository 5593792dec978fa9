"""The round trip: simulate a known desk, export its tickets as a help desk would (Zendesk
columns, Berlin time), fit them, and recover what the desk was made of — rates, shares,
handle-time distributions, patience — within their errors; then simulate the fitted
scenario with the desk's own staffing and get its service level back.

Tolerances are standard errors: Z = 3.5 for each estimate (two-sided ~5e-4 each), and for
the service level the t interval of two independent sets of replications at the 0.1 %
level (the fit's own estimation error is small next to it: see the slow test, which
measures it over several histories)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simdesk.fit import (
    Fit,
    FitOptions,
    History,
    export_tickets,
    fit_history,
    read_history,
    write_export,
)
from simdesk.fit.times import zone_named
from simdesk.plan.compile import compile_plan
from simdesk.plan.diagnostics import diagnose
from simdesk.scenario.load import load_scenario
from simdesk.simulation import SimulationResult, simulate
from tests.fit.helpers import EFFORT, desk, simulated_export, true_handle, write_yaml

Z = 3.5
BERLIN = zone_named("Europe/Berlin")


@dataclass(frozen=True)
class RoundTrip:
    data: dict[str, object]
    original: SimulationResult
    history: History
    fit: Fit


def _round_trip(folder: Path) -> RoundTrip:
    """Simulate the desk (10 replications), export the first, fit it."""
    data = desk()
    staff = write_yaml(folder / "desk.yaml", data)
    result, path = simulated_export(folder, data, seed=3, replications=10, preset="zendesk",
                                    zone="Europe/Berlin")
    history = read_history(path, zone=BERLIN)
    return RoundTrip(data, result, history, fit_history(history, FitOptions(staff=staff)))


def _refit(trip: RoundTrip, folder: Path, replication: int) -> RoundTrip:
    """The same desk's ``replication``-th history, fitted."""
    table = export_tickets(folder / "run", preset="zendesk", zone=BERLIN,
                           replication=replication)
    path = write_export(table, folder / f"tickets-{replication}.csv")
    history = read_history(path, zone=BERLIN)
    return RoundTrip(trip.data, trip.original, history,
                     fit_history(history, FitOptions(staff=folder / "desk.yaml")))


@pytest.fixture(scope="module")
def trip(tmp_path_factory: pytest.TempPathFactory) -> RoundTrip:
    return _round_trip(tmp_path_factory.mktemp("round-trip"))


def _weekly_truth(data: dict[str, object]) -> dict[str, float]:
    plan = compile_plan(load_scenario(data))
    return {plan.channels[s.channel].name: s.expected / plan.horizon * 10080
            for s in plan.streams}


def test_the_history_reads_without_problems(trip: RoundTrip) -> None:
    assert trip.history.preset == "zendesk"
    assert trip.history.bad.problems == {}
    first = trip.original.tickets.loc[trip.original.tickets["replication"] == 0]
    assert len(trip.history.tickets) == len(first)


def test_arrival_rates_are_recovered(trip: RoundTrip) -> None:
    truth = _weekly_truth(trip.data)
    for channel, fitted in trip.fit.arrivals.items():
        assert abs(fitted.weekly - truth[channel]) <= Z * fitted.weekly_se, channel
        assert fitted.model == "product"  # every stream here is weekday × hour factors
        assert fitted.surges == ()
    # hour by hour: the fitted rates against the scenario's, weekday and hour totals
    plan = compile_plan(load_scenario(trip.data))
    for stream in plan.streams:
        channel = plan.channels[stream.channel].name
        arrival = next(a for a in load_scenario(trip.data).arrivals if a.channel == channel)
        assert arrival.rate is not None
        rates = arrival.rate * 60 * arrival.profile.table()
        fitted = trip.fit.arrivals[channel]
        for axis in (0, 1):
            expected = (rates * fitted.exposure).sum(axis=axis)
            got = (fitted.rates * fitted.exposure).sum(axis=axis)
            assert np.all(np.abs(got - expected) <= Z * np.sqrt(np.maximum(expected, 1)))
            assert np.all(got[expected == 0] == 0)


def test_shares_and_resolution_are_recovered(trip: RoundTrip) -> None:
    fit = trip.fit
    assert fit.segments is not None and fit.topics is not None
    checks = [(fit.segments.shares()["paid"], 0.30, fit.segments.total)]
    checks += [(fit.topics.shares()[t], share, fit.topics.total)
               for t, share in (("howto", 0.5), ("bug", 0.3), ("billing", 0.2))]
    level1 = fit.routing.tier("L1")
    checks.append((level1.resolves, 0.85, level1.finished))
    for got, truth, n in checks:
        assert abs(got - truth) <= Z * math.sqrt(truth * (1 - truth) / n), (got, truth)
    assert not fit.segments.per_channel and not fit.topics.per_channel
    assert fit.routing.entries == {"phone": "L1", "chat": "L1", "email": "L1"}
    assert fit.escalations == {"L1": "L2", "L2": None}


def test_handle_time_distributions_are_recovered(trip: RoundTrip) -> None:
    """L1's handle time depends on the channel (phone has its own) and the topic (effort),
    L2's on the topic only: BIC finds exactly that, and every group's mean and cv are
    within their standard errors of the desk's; the family is right for the groups big
    enough to tell gamma from lognormal."""
    handles = trip.fit.handles
    assert handles["L1"].level == "channel/topic"
    assert handles["L2"].level == "topic"
    assert len(handles["L1"].overrides) == 9 and len(handles["L2"].overrides) == 3
    for tier, fitted in handles.items():
        for group in fitted.overrides:
            channel, _, topic = group.key.rpartition("/")
            family, mean, cv = true_handle(tier, channel or "email", topic)
            estimate = group.fits[family]
            assert abs(estimate.mean - mean) <= Z * estimate.mean_se, (tier, group.key)
            assert abs(estimate.cv - cv) <= Z * estimate.cv_se, (tier, group.key)
            if group.n >= 500:
                assert group.chosen == family, (tier, group.key, group.chosen)
    assert set(EFFORT) == {g.key for g in handles["L2"].overrides}


def test_patience_is_recovered_and_the_naive_average_is_biased(trip: RoundTrip) -> None:
    """Phone callers' patience is exponential (mean 2 min), chat visitors' Weibull (mean
    6 min, cv 0.8). The censored fits recover both; the average wait of those who gave up
    is far below each (shown next to it in the report)."""
    phone, chat = trip.fit.patience["phone"], trip.fit.patience["chat"]
    exponential = phone.fits["exponential"]
    assert abs(exponential.mean - 2.0) <= Z * exponential.mean_se
    weibull = chat.fits["weibull"]
    assert abs(weibull.mean - 6.0) <= Z * weibull.mean_se
    assert abs(weibull.cv - 0.8) <= Z * weibull.cv_se
    for fitted, truth in ((phone, 2.0), (chat, 6.0)):
        assert truth - fitted.naive_mean > Z * fitted.naive_se
        assert abs(fitted.best.mean - truth) <= Z * fitted.best.mean_se
    assert "email" not in trip.fit.patience


def test_the_fitted_scenario_loads_with_the_desks_own_warnings(trip: RoundTrip,
                                                               tmp_path: Path) -> None:
    """Written to YAML and loaded back, it is the scenario in memory; it warns only about
    what the desk itself warns about (L2 is not on duty at night)."""
    path = tmp_path / "fitted.yaml"
    path.write_text(trip.fit.text, encoding="utf-8")
    assert load_scenario(path) == trip.fit.scenario
    original = {n.subject for n in diagnose(compile_plan(load_scenario(trip.data)))}
    assert {n.subject for n in trip.fit.notices} <= original
    scenario = trip.fit.scenario
    assert scenario.start.date().isoformat() == "2026-01-05"
    assert scenario.horizon == 28 * 1440
    assert scenario.tiers["L1"].agents == load_scenario(trip.data).tiers["L1"].agents


def _service_levels(result: SimulationResult) -> pd.DataFrame:
    metrics = result.metrics
    return metrics.loc[(metrics["scope"] == "channel")
                       & metrics["metric"].isin(["sla", "abandonment"])]


def _compare(original: SimulationResult, fitted: SimulationResult, alpha: float
             ) -> list[str]:
    """Every channel metric whose means differ beyond the two-sample t interval."""
    a, b = _service_levels(original), _service_levels(fitted)
    failures = []
    for (group, metric), left in a.groupby(["group", "metric"]):
        right = b.loc[(b["group"] == group) & (b["metric"] == metric), "value"].to_numpy()
        x = left["value"].to_numpy()
        se = math.sqrt(x.var(ddof=1) / len(x) + right.var(ddof=1) / len(right))
        t = float(stats.t.ppf(1 - alpha / 2, len(x) + len(right) - 2))
        difference = right.mean() - x.mean()
        if abs(difference) > t * se + 1e-12:
            failures.append(f"{group} {metric}: {x.mean():.4f} → {right.mean():.4f} "
                            f"(difference {difference:+.4f}, allowed ±{t * se:.4f})")
    return failures


def test_the_fitted_scenario_reproduces_the_service_level(trip: RoundTrip) -> None:
    fitted = simulate(trip.fit.scenario, seed=77, replications=10)
    assert _compare(trip.original, fitted, 0.001) == []


def test_a_wrong_fit_is_caught_by_the_same_comparison(trip: RoundTrip) -> None:
    """The comparison can fail: phone volume 10 % too high is far outside it."""
    data = trip.fit.data
    phone = next(a for a in data["arrivals"] if a["channel"] == "phone")
    phone["volume"] = f"{float(phone['volume'].split('/')[0]) * 1.1}/w"
    wrong = simulate(data, seed=77, replications=10)
    assert any(line.startswith("phone") for line in _compare(trip.original, wrong, 0.001))


@pytest.mark.slow
def test_over_many_histories_the_fit_reproduces_the_service_level(
        tmp_path: Path) -> None:
    """Six histories (replications 0-5 of the desk), each fitted and its fitted scenario
    simulated on its own seed: the differences to the desk's service level average to
    zero within their spread — which now includes each fit's estimation error."""
    first = _round_trip(tmp_path)
    reference = _service_levels(first.original).groupby(["group", "metric"])["value"].mean()
    differences = []
    for replication in range(6):
        trip = first if replication == 0 else _refit(first, tmp_path, replication)
        fitted = simulate(trip.fit.scenario, seed=100 + replication, replications=10)
        means = _service_levels(fitted).groupby(["group", "metric"])["value"].mean()
        differences.append(means - reference)
        truth = _weekly_truth(trip.data)
        for channel, arrivals in trip.fit.arrivals.items():
            assert abs(arrivals.weekly - truth[channel]) <= Z * arrivals.weekly_se
    table = pd.concat(differences, axis=1)
    for key, row in table.iterrows():
        values = row.to_numpy(dtype=float)
        if np.allclose(values, 0):
            continue  # email: every ticket within 4 h, in every run
        se = values.std(ddof=1) / math.sqrt(len(values))
        t = float(stats.t.ppf(1 - 0.001 / 2, len(values) - 1))
        assert abs(values.mean()) <= t * se, (key, values)
