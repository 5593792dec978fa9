"""hours.parquet: SLA per channel × weekday × hour of arrival, against a plain pandas count."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.metrics.hours import cell_verdict, hour_table, pooled_days
from simdesk.metrics.stats import t_quantile
from tests.output.desks import lunch_gap_desk


@pytest.fixture(scope="module")
def result() -> simdesk.SimulationResult:
    return simdesk.simulate(lunch_gap_desk(), seed=2, replications=4)


def _plain(result: simdesk.SimulationResult) -> pd.DataFrame:
    t = result.tickets.loc[~result.tickets["warmup"]]
    when = pd.to_datetime(result.plan.clock.start) + pd.to_timedelta(t["arrived"], unit="m")
    t = t.assign(weekday=when.dt.day_of_week, hour=when.dt.hour,
                 sla=t["sla_met"].astype(float),
                 left=t["abandoned"].astype(float).where(t["wait"].notna() | t["abandoned"]))
    return t.groupby(["replication", "weekday", "hour"]).agg(
        tickets=("ticket", "size"), sla=("sla", "mean"), abandonment=("left", "mean"),
        wait_p90=("wait", lambda w: w.quantile(0.9)))


def test_each_cell_is_the_mean_over_replications_with_a_t_interval(
        result: simdesk.SimulationResult) -> None:
    table = hour_table(result.plan, result.tickets)
    plain = _plain(result)
    assert set(table["days"]) == {"Mon", "Tue", "Wed", "Thu", "Fri"}
    for row in table.itertuples():
        cell = plain.xs((row.weekday, row.hour), level=("weekday", "hour"))
        assert row.tickets == pytest.approx(cell["tickets"].sum() / 4)
        values = cell["sla"].dropna()
        assert row.sla == pytest.approx(values.mean())
        half = t_quantile(len(values)) * values.std(ddof=1) / math.sqrt(len(values))
        assert row.sla_low == pytest.approx(max(values.mean() - half, 0.0))
        assert row.abandonment == pytest.approx(cell["abandonment"].mean())
        assert row.wait_p90 == pytest.approx(cell["wait_p90"].mean())


def test_identical_weekdays_are_pooled_and_said_so(result: simdesk.SimulationResult) -> None:
    assert pooled_days(result.plan) == [[0, 1, 2, 3, 4], [5, 6]]
    pooled = hour_table(result.plan, result.tickets, pooled=True)
    assert set(pooled["days"]) == {"Mon–Fri"}
    lunch = pooled.loc[pooled["hour"] == 12].iloc[0]
    per_day = hour_table(result.plan, result.tickets)
    assert lunch["tickets"] == pytest.approx(per_day.loc[per_day["hour"] == 12, "tickets"].sum())


def test_a_surge_on_one_day_keeps_that_day_apart() -> None:
    desk = lunch_gap_desk(surges=[{"at": "2026-01-14 09:00", "for": "2h", "multiplier": 3}])
    plan = simdesk.simulate(desk, seed=1, replications=1).plan
    assert [0, 1, 3, 4] in pooled_days(plan) and [2] in pooled_days(plan)


def test_the_lunch_hour_is_missed_and_a_thin_or_straddling_cell_is_uncertain(
        result: simdesk.SimulationResult) -> None:
    pooled = hour_table(result.plan, result.tickets, pooled=True).set_index("hour")
    lunch = pooled.loc[13]
    assert cell_verdict(lunch["sla"], lunch["sla_low"], lunch["sla_high"], lunch["decided"],
                        0.9)[0] == "missed"
    morning = pooled.loc[9]
    assert cell_verdict(morning["sla"], morning["sla_low"], morning["sla_high"],
                        morning["decided"], 0.8)[0] == "met"
    assert cell_verdict(0.5, 0.1, 0.9, 100, 0.8) == ("uncertain",
                                                     "its interval straddles the target")
    assert cell_verdict(0.1, 0.0, 0.2, 12, 0.8)[0] == "uncertain"
    assert cell_verdict(0.1, np.nan, np.nan, 100, 0.8) == ("uncertain",
                                                           "one replication: no interval")


def test_every_run_writes_hours_parquet(tmp_path: object) -> None:
    from pathlib import Path

    from simdesk.store.results import write_results

    folder = Path(str(tmp_path)) / "out"
    run = simdesk.simulate(lunch_gap_desk(horizon="9d", warmup="2d"), seed=1, replications=2)
    write_results(run, folder)
    hours = pd.read_parquet(folder / "hours.parquet")
    assert {"channel", "days", "weekday", "hour", "tickets", "sla", "sla_low", "sla_high",
            "abandonment", "wait_mean", "wait_p90", "decided"} <= set(hours.columns)
