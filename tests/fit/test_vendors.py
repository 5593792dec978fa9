"""Round trips through each tool's *default* export columns: simulate a known one-tier
desk, write its tickets as Zendesk, Freshdesk, Jira Service Management and ServiceNow
export them (:mod:`simdesk.fit.vendor_export`), read them back with the preset detected
from the header, and recover the rates, topic shares, patience and handle time within
their standard errors (Z = 3.5, as in test_round_trip.py)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from simdesk.fit import Fit, FitOptions, export_tickets, fit_history, read_history
from simdesk.fit.times import zone_named
from simdesk.fit.vendor_export import VENDORS, vendor_table
from simdesk.plan.compile import compile_plan
from simdesk.scenario.load import load_scenario
from simdesk.simulation import simulate
from simdesk.store.results import write_results

Z = 3.5
BERLIN = zone_named("Europe/Berlin")
DESK: dict[str, object] = {
    "name": "vendor desk",
    "start": "2026-03-02",
    "horizon": "3w",
    "warmup": "1d",
    "channels": {
        "phone": {"sla": {"within": "30s", "target": "80%"},
                  "patience": {"dist": "exponential", "mean": "2m"}},
        "email": {"sla": {"within": "4h", "target": "90%"}, "response": "reply"},
        "chat": {"sla": {"within": "1m", "target": "80%"},
                 "patience": {"dist": "exponential", "mean": "4m"}},
    },
    "topics": {"howto": {"share": "50%", "effort": 1}, "bug": {"share": "30%", "effort": 1},
               "billing": {"share": "20%", "effort": 1}},
    "arrivals": [{"channel": "phone", "rate": "10/h", "profile": "office"},
                 {"channel": "email", "rate": "6/h", "profile": "office"},
                 {"channel": "chat", "rate": "8/h", "profile": "office"}],
    "tiers": {"L1": {"agents": [{"shift": "Mon-Fri 07:00-19:00", "count": 4}],
                     "handle": {"dist": "lognormal", "mean": "7m", "cv": 0.8}}},
}
"""One tier (the standard columns name only the last group), three channels, patience on
two of them, three topics with one handle time."""
PRESET = {"zendesk": "zendesk", "freshdesk": "freshdesk", "jira": "jira",
          "servicenow": "servicenow"}


@pytest.fixture(scope="module")
def simdesk_table(tmp_path_factory: pytest.TempPathFactory) -> object:
    folder = tmp_path_factory.mktemp("vendors")
    result = simulate(DESK, seed=11, replications=1)
    run = write_results(result, folder / "run", overwrite=True)
    return export_tickets(run, preset="simdesk", zone=BERLIN)


@pytest.fixture(scope="module", params=VENDORS)
def fitted(request: pytest.FixtureRequest, simdesk_table: object,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Fit]:
    vendor = str(request.param)
    path = tmp_path_factory.mktemp(vendor) / f"{vendor}.csv"
    vendor_table(simdesk_table, vendor).to_csv(path, index=False)  # type: ignore[arg-type]
    history = read_history(path, zone=BERLIN)
    return vendor, fit_history(history, FitOptions())


def _weekly_truth() -> dict[str, float]:
    plan = compile_plan(load_scenario(DESK))
    return {plan.channels[s.channel].name: s.expected / plan.horizon * 10080
            for s in plan.streams}


def test_the_preset_is_detected_and_every_ticket_read(fitted: tuple[str, Fit],
                                                       simdesk_table: object) -> None:
    vendor, fit = fitted
    history = fit.history
    assert history.preset == PRESET[vendor]
    assert history.bad.lines() == []
    assert len(history.tickets) == len(simdesk_table)  # type: ignore[arg-type]
    if vendor == "jira":  # its default columns name no channel, and write 02/Mar/26 4:11 AM
        assert history.time_format == "%d/%b/%y %I:%M %p"
        assert set(history.tickets["channel"]) == {"requests"}
    else:
        assert set(history.tickets["channel"]) == {"phone", "email", "chat"}
    assert history.work_unit is not None
    assert history.work_unit.unit == {"zendesk": "seconds", "freshdesk": "clock",
                                      "jira": "seconds", "servicenow": "seconds"}[vendor]


def test_rates_are_recovered(fitted: tuple[str, Fit]) -> None:
    vendor, fit = fitted
    truth = _weekly_truth()
    if vendor == "jira":
        truth = {"requests": sum(truth.values())}
    for channel, weekly in truth.items():
        found = fit.arrivals[channel]
        assert abs(found.weekly - weekly) <= Z * found.weekly_se, (vendor, channel)


def test_topic_shares_are_recovered(fitted: tuple[str, Fit]) -> None:
    vendor, fit = fitted
    if vendor == "zendesk":  # Zendesk's default export has no topic column
        assert fit.topics is None
        return
    assert fit.topics is not None
    shares = fit.topics.shares()
    n = fit.topics.total
    for topic, truth in {"howto": 0.5, "bug": 0.3, "billing": 0.2}.items():
        se = math.sqrt(truth * (1 - truth) / n)
        assert abs(shares[topic] - truth) <= Z * se, (vendor, topic)


def test_patience_is_recovered_where_the_export_has_response_times(
        fitted: tuple[str, Fit]) -> None:
    vendor, fit = fitted
    if vendor in ("jira", "servicenow"):  # no pickup or response times in their defaults
        assert fit.patience == {}
        assert fit.unverifiable is not None
        return
    for channel, truth in {"phone": 2.0, "chat": 4.0}.items():
        found = fit.patience[channel].fits["exponential"]
        assert abs(found.mean - truth) <= Z * found.mean_se, (vendor, channel)


def test_handle_time_is_recovered(fitted: tuple[str, Fit]) -> None:
    vendor, fit = fitted
    handle = fit.handles["L1"].handle
    lognormal = handle.fits["lognormal"]
    assert abs(lognormal.mean - 7.0) <= Z * lognormal.mean_se, vendor
    assert abs(lognormal.cv - 0.8) <= Z * lognormal.cv_se, vendor
    assert handle.n >= 0.9 * len(fit.history.tickets.loc[
        fit.history.tickets["state"] == "answered"]), vendor


def test_the_scenario_loads_and_says_where_things_came_from(fitted: tuple[str, Fit]) -> None:
    vendor, fit = fitted
    assert load_scenario(fit.data).tiers
    if vendor in ("zendesk", "freshdesk"):
        assert fit.unverifiable is None
    assert np.isfinite(fit.arrivals[next(iter(fit.arrivals))].weekly)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "exports"


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_example_export_fits_end_to_end(vendor: str, tmp_path: Path) -> None:
    """``examples/exports/VENDOR.csv`` through the command, as a user runs it."""
    from click.testing import CliRunner

    from simdesk.cli import main

    out = tmp_path / "fitted.yaml"
    result = CliRunner().invoke(main, ["fit", str(EXAMPLES / f"{vendor}.csv"), "--tz",
                                       "Europe/Berlin", "-o", str(out), "--no-report",
                                       "-r", "2"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert f"({vendor} columns, times in Europe/Berlin): 2,010 rows, 2,010 tickets" in text
    assert "Error" not in text and "Traceback" not in text
    fitted = load_scenario(out)
    assert fitted.tiers["L1"].handle is not None
    if vendor in ("zendesk", "freshdesk"):
        assert "✓ consistent" in text
        assert set(fitted.channels) == {"phone", "chat", "email"}
    else:
        assert "Not verified by simulation: the export holds no response times" in text


def test_servicenow_state_codes_read_as_their_labels(tmp_path: Path) -> None:
    """An incident export of values rather than labels (state 8 = Canceled, 1–3 open,
    6/7 resolved/closed) is read as the labelled one is."""
    import pandas as pd

    source = EXAMPLES / "servicenow.csv"
    labelled = read_history(source, preset="servicenow")
    codes = {"New": "1", "In Progress": "2", "On Hold": "3", "Resolved": "6", "Closed": "7",
             "Canceled": "8"}
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame["state"] = frame["state"].map(lambda s: codes.get(s, s))
    coded_path = tmp_path / "servicenow-codes.csv"
    frame.to_csv(coded_path, index=False)
    coded = read_history(coded_path, preset="servicenow")
    assert (labelled.tickets["state"] == "abandoned").any()
    assert coded.tickets["state"].tolist() == labelled.tickets["state"].tolist()
