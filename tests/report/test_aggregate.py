"""The aggregations behind the figures, on small tables with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simdesk.plan.compile import compile_plan
from simdesk.report import aggregate
from simdesk.report.style import compact_duration, duration, round_duration, text
from simdesk.scenario.load import load_scenario
from tests.report.conftest import desk


def plan_of(**overrides: object):  # type: ignore[no-untyped-def]
    return compile_plan(load_scenario(desk(**overrides)))


def test_step_bins_average_and_peak() -> None:
    # 0 until 5, 2 from 5 to 12, 1 from 12 to 30, 0 after
    times = np.array([5.0, 5.0, 12.0, 30.0])
    deltas = np.array([1.0, 1.0, -1.0, -1.0])
    mean, peak = aggregate.step_bins(times, deltas, np.array([0.0, 10.0, 20.0, 40.0]))
    assert mean == pytest.approx([1.0, (2 * 2 + 8 * 1) / 10, 10 / 20])
    assert list(peak) == [2.0, 2.0, 1.0]
    empty_mean, empty_peak = aggregate.step_bins(np.array([]), np.array([]),
                                                 np.array([0.0, 1.0]))
    assert list(empty_mean) == [0.0] and list(empty_peak) == [0.0]


def test_detail_week_is_the_first_full_calendar_week_after_the_warmup() -> None:
    plan = plan_of()  # starts Wednesday 2026-01-07, warm-up 1 day, horizon 12 days
    begin, end = aggregate.detail_week(plan)
    assert plan.clock.moment(begin).strftime("%a %Y-%m-%d %H:%M") == "Mon 2026-01-12 00:00"
    assert end - begin == 7 * 1440
    short = plan_of(horizon="5d", warmup="1d")  # no full week: the days after the warm-up
    assert aggregate.detail_week(short) == (1440.0, 5 * 1440.0)


def test_week_cells_follow_the_calendar() -> None:
    plan = plan_of()  # minute 0 is Wednesday 00:00
    cells = aggregate.week_cells(plan, np.array([0.0, 9 * 60 + 30, 5 * 1440 - 1]))
    assert list(cells) == [2 * 24, 2 * 24 + 9, 6 * 24 + 23]  # Wed 00, Wed 09, Sun 23
    hours = aggregate.cell_hours(plan)
    assert hours.sum() == pytest.approx((plan.horizon - plan.warmup) / 60)


def _tickets(plan, rows: list[dict[str, object]]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(rows)
    channels = [c.name for c in plan.channels]
    frame["channel"] = pd.Categorical(frame["channel"], categories=channels)
    frame["segment"] = pd.Categorical(frame["segment"], categories=list(plan.segments))
    frame["policy"] = pd.Categorical(["fifo"] * len(frame), categories=["fifo"])
    for column, default in (("warmup", False), ("refused", False), ("replication", 0)):
        values = frame[column] if column in frame else pd.Series([default] * len(frame))
        frame[column] = values.where(values.notna(), default).astype(type(default))
    frame["first_response"] = frame["arrived"] + frame["wait"]
    return frame


def test_wait_curves_stop_below_one_by_the_share_who_gave_up() -> None:
    plan = plan_of(channels={"chat": {"sla": {"within": "2m", "target": "80%"}}},
                   arrivals=[{"channel": "chat", "rate": "6/h"}])
    rows = [{"channel": "chat", "segment": "paid", "arrived": 2000.0 + i, "wait": float(i),
             "abandoned": False} for i in range(8)]
    rows += [{"channel": "chat", "segment": "paid", "arrived": 2100.0, "wait": math.nan,
              "abandoned": True}] * 2
    rows += [{"channel": "chat", "segment": "paid", "arrived": 10.0, "wait": 99.0,
              "abandoned": False, "warmup": True}]
    curves = aggregate.wait_curves(plan, _tickets(plan, rows), points=5)
    assert len(curves) == 5
    assert curves["share"].iloc[-1] == pytest.approx(0.8)  # 8 answered of 10
    assert curves["wait"].iloc[0] == 0 and curves["wait"].iloc[-1] == 7  # warm-up left out


def test_business_hours_waits_count_only_the_hours() -> None:
    plan = plan_of()  # email counts Mon-Fri 08:00-18:00; minute 0 is Wednesday 00:00
    friday_17h = 2 * 1440 + 17 * 60
    monday_09h = 5 * 1440 + 9 * 60
    rows = [{"channel": "email", "segment": "free", "arrived": float(friday_17h),
             "wait": float(monday_09h - friday_17h), "abandoned": False}]
    wait = aggregate.sla_clock_wait(plan, _tickets(plan, rows))
    assert wait[0] == pytest.approx(120.0)  # 17:00-18:00 Friday and 08:00-09:00 Monday


def test_paths_with_the_separator_in_a_tier_name() -> None:
    data = desk()
    data["tiers"] = {"L>1": {**data["tiers"]["L1"], "escalate_to": "L2"},
                     "L2": data["tiers"]["L2"]}
    plan = compile_plan(load_scenario(data))
    decoded = aggregate.path_tiers(plan)
    assert decoded[("chat", "L>1>L2")] == ["L>1", "L2"]
    rows = [{"channel": "chat", "segment": "paid", "arrived": 2000.0, "wait": 1.0,
             "abandoned": False, "resolved": 2050.0, "path": "L>1>L2", "replication": r}
            for r in (0, 1)]
    flows = aggregate.escalation_flows(_tickets(plan, rows), "fifo", plan)
    assert set(zip(flows["source"], flows["target"], strict=True)) == {
        ("channel:chat", "tier:L>1"), ("tier:L>1", "tier:L2"), ("tier:L2", "outcome:resolved")}
    assert list(flows["tickets"]) == [1.0, 1.0, 1.0]  # per replication


def test_formats() -> None:
    assert duration(0) == "0s" and duration(4.5) == "4m30s"
    assert round_duration(15) == "15m" and round_duration(120) == "2h"
    assert round_duration(3.5) == "3m30s"
    assert [compact_duration(m) for m in (0.5, 6.6, 25, 130, 1000, 4000)] == [
        "30s", "6.6m", "25m", "2.2h", "17h", "2.8d"]
    assert compact_duration(math.nan) == ""
    assert text('<b>"x" & y</b>') == '&lt;b&gt;"x" &amp; y&lt;/b&gt;'
