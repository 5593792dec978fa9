"""SLA by weekday × hour: each cell is the channel SLA of that hour's arrivals, judged
only when its interval is clear of the target."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simdesk.simulation import simulate
from simdesk.store.read import DeskResults, load_results
from simdesk.store.results import write_results
from simdesk.studio.hours import FEW, MET, MISSED, UNCERTAIN, hour_table, judge, sla_hours_figure

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> DeskResults:
    run = simulate(REPO / "scenarios" / "saas-startup.yaml", seed=1, replications=4)
    folder = write_results(run, tmp_path_factory.mktemp("hours") / "run")
    loaded = load_results(folder)
    assert isinstance(loaded, DeskResults)
    return loaded


@pytest.mark.parametrize(("low", "high", "tickets", "expected"), [
    (0.82, 0.9, 100, MET), (0.7, 0.79, 100, MISSED), (0.75, 0.85, 100, UNCERTAIN),
    (0.82, 0.9, FEW - 1, UNCERTAIN), (math.nan, math.nan, 100, UNCERTAIN)])
def test_judge(low: float, high: float, tickets: int, expected: int) -> None:
    assert judge((low + high) / 2, low, high, tickets, 0.8) == expected
    assert judge(0.9, 0.85, 0.95, 100, math.nan) == UNCERTAIN  # no target, no verdict


def test_a_cell_is_the_mean_of_its_replications(results: DeskResults) -> None:
    table = hour_table(results).set_index(["channel", "cell"])
    t = results.tickets
    t = t.loc[~t["warmup"] & ~t["refused"] & (t["channel"] == "chat")]
    minutes = (t["arrived"].to_numpy() + results.plan.clock.week_offset) % 10080
    monday_nine = t.loc[(minutes >= 9 * 60) & (minutes < 10 * 60)].dropna(subset=["sla_met"])
    per_run = monday_nine.groupby("replication")["sla_met"].mean().to_numpy(dtype=float)
    row = table.loc[("chat", 9)]
    assert row["sla"] == pytest.approx(per_run.mean())
    assert row["tickets"] == len(monday_nine)
    half = stats.t.ppf(0.975, len(per_run) - 1) * per_run.std(ddof=1) / np.sqrt(len(per_run))
    assert (row["low"], row["high"]) == pytest.approx((per_run.mean() - half,
                                                       per_run.mean() + half))


def test_verdicts_follow_the_intervals(results: DeskResults) -> None:
    table = hour_table(results)
    target = {c.name: c.sla_target for c in results.plan.channels}
    wanted = table["channel"].map(target)
    met, missed = table["verdict"] == MET, table["verdict"] == MISSED
    assert (table.loc[met, "low"] >= wanted[met]).all()
    assert (table.loc[missed, "high"] < wanted[missed]).all()
    assert met.any() and missed.any() and (table["verdict"] == UNCERTAIN).any()
    figure = sla_hours_figure(results)
    assert [t["type"] for t in figure["data"]] == ["heatmap", "heatmap"]  # chat, email
    shown = sum(z is not None for row in figure["data"][0]["z"] for z in row)
    assert shown == (table["channel"] == "chat").sum()
