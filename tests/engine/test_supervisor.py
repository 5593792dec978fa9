"""The supervisor's reviews (``supervisor:``): scripted tickets, exact event orders.

Each rule of :mod:`simdesk.engine.supervisor` is checked: reviews every ``every`` minutes;
``queue_above`` fires above (not at) its threshold; ``sla_below`` fires below (not at)
its threshold, over the decided tickets of the window; a fired rule puts reserve agents
on the queue until the next review, extends those already on, and a reserve agent whose
time ends finishes the ticket in hand first.
"""

from __future__ import annotations

from typing import Any

import pytest

from simdesk.metrics.actions import action_table
from simdesk.metrics.tables import duty_table
from tests.helpers import Scripted, events, plan_for, run_scripted

LONG = 100.0


def _plan(rule: dict[str, Any], every: str = "10m", horizon: str = "200m") -> Any:
    return plan_for(horizon=horizon,
                    channels={"phone": {"sla": {"within": "5m", "target": "80%"}}},
                    tiers={"L1": {"agents": 1, "handle": {"dist": "exponential",
                                                            "mean": "5m"}}},
                    supervisor={"every": every, "rules": [{"tier": "L1", **rule}]})


def _queue_of(waiting: int) -> list[Scripted]:
    """One ticket in hand from minute 1, then ``waiting`` more queued by minute 10."""
    return [Scripted(at=1 + k, handles=[LONG]) for k in range(waiting + 1)]


def test_a_queue_above_its_threshold_calls_a_reserve_agent_in_until_the_next_review() -> None:
    plan = _plan({"queue_above": 2, "call": 1})
    record = run_scripted(plan, _queue_of(3))
    assert events(record, "start", "done", "call", "on", "off") == [
        (0, "on", None, "L1#1"),
        (1, "start", 0, "L1#1"),
        (10, "call", None, "L1#reserve1"),
        (10, "on", None, "L1#reserve1"),
        (10, "start", 1, "L1#reserve1"),     # the oldest waiting ticket, at once
        (101, "done", 0, "L1#1"),
        (101, "start", 2, "L1#1"),
        (110, "done", 1, "L1#reserve1"),     # its time ended at 20: it finishes first,
        (110, "off", None, "L1#reserve1"),   # then goes off and takes nothing more
    ]
    actions = action_table(plan, record, 0)
    assert actions[["time", "value", "threshold", "called", "kept", "until"]].values.tolist() \
        == [[10, 3, 2, 1, 0, 20]]
    assert actions["name"].tolist() == ["L1 queue > 2"]


def test_a_queue_at_its_threshold_does_not_fire() -> None:
    plan = _plan({"queue_above": 2, "call": 1})
    record = run_scripted(plan, _queue_of(2))
    assert events(record, "call") == []
    assert record.actions is not None and len(record.actions) == 0


def test_a_rule_that_fires_again_keeps_its_agents_on() -> None:
    plan = _plan({"queue_above": 1, "call": 1})
    tickets = [*_queue_of(3), Scripted(at=15, handles=[1.0])]
    record = run_scripted(plan, tickets)
    actions = action_table(plan, record, 0)
    assert actions[["time", "called", "kept", "until"]].values.tolist()[:2] == [
        [10, 1, 0, 20], [20, 0, 1, 30]]
    # the reserve agent is on from 10 without a break until its last extension ends
    duty = duty_table(plan, record, 0)
    reserve = duty[duty["agent"] == "L1#reserve1"]
    assert reserve["on"].tolist()[0] == 10
    assert len(reserve) == 1


@pytest.mark.parametrize(("threshold", "fires"), [("50%", False), ("51%", True)])
def test_a_running_sla_below_its_threshold_fires_at_the_review(threshold: str,
                                                                 fires: bool) -> None:
    """At 20: ticket 0 was answered at once (met); ticket 1 has waited 19 > 5 minutes
    (decided, missed): the running SLA is exactly 50 %."""
    plan = _plan({"channel": "phone", "sla_below": threshold, "window": "1h", "call": 1},
                 every="20m")
    record = run_scripted(plan, [Scripted(at=0, handles=[30.0]),
                                 Scripted(at=1, handles=[1.0])])
    starts = events(record, "start")
    if fires:
        assert starts == [(0, "start", 0, "L1#1"), (20, "start", 1, "L1#reserve1")]
        actions = action_table(plan, record, 0)
        # the same two tickets stay in the 1-hour window until 60; then none is decided
        assert actions[["time", "value", "threshold"]].values.tolist() == [
            [20, 0.5, 0.51], [40, 0.5, 0.51], [60, 0.5, 0.51]]
    else:
        assert starts == [(0, "start", 0, "L1#1"), (30, "start", 1, "L1#1")]
        assert events(record, "call") == []


def test_tickets_not_yet_decided_do_not_count() -> None:
    """At 20 the second ticket has waited 2 minutes of a 5-minute target: undecided; the
    only decided ticket met its target, so an SLA rule at 99 % does not fire. At 40 it
    has been answered late (at 30): 50 %, and the rule fires."""
    plan = _plan({"channel": "phone", "sla_below": "99%", "call": 1}, every="20m")
    record = run_scripted(plan, [Scripted(at=0, handles=[30.0]),
                                 Scripted(at=18, handles=[1.0])])
    assert [t for t, *_ in events(record, "call")] == [40]
    actions = action_table(plan, record, 0)  # at 60 both are still in the window: kept on
    assert actions[["time", "value", "called", "kept"]].values.tolist() == [
        [40, 0.5, 1, 0], [60, 0.5, 0, 1]]


def test_reviews_only_within_their_hours() -> None:
    plan = plan_for(horizon="2d", tiers={"L1": {"agents": 1, "handle": {
        "dist": "exponential", "mean": "5m"}}},
        supervisor={"every": "1h", "hours": "daily 09:00-12:00",
                    "rules": [{"tier": "L1", "queue_above": 0, "call": 1}]})
    tickets = [Scripted(at=m, handles=[LONG * 30]) for m in (0, 1, 2)]
    record = run_scripted(plan, tickets)
    day = 1440
    # 09:00 each day (on day two the reserve agent is still busy from day one: called
    # back, it keeps its ticket and takes no other)
    assert [t for t, *_ in events(record, "call")] == [540, 540 + day]
    actions = action_table(plan, record, 0)
    assert actions["time"].tolist() == [540, 600, 660, 540 + day, 600 + day, 660 + day]
    assert actions["until"].tolist() == [600, 660, 720, 600 + day, 660 + day, 720 + day]
    assert [t for t, _, ticket, _ in events(record, "start") if ticket == 2] == []


def _desk(**extra: Any) -> dict[str, Any]:
    return {"name": "supervised", "horizon": "3d", "warmup": "4h",
            "channels": {"chat": {"sla": {"within": "5m", "target": "80%"},
                                  "patience": {"dist": "exponential", "mean": "10m"}}},
            "arrivals": [{"channel": "chat", "rate": "18/h"}],
            "tiers": {"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "8m"}}},
            "supervisor": {"every": "30m", "rules": [
                {"channel": "chat", "sla_below": "80%", "tier": "L1", "call": 2}]},
            **extra}


def test_called_in_hours_are_paid_at_the_reserve_price() -> None:
    import simdesk

    result = simdesk.simulate(_desk(money={"agent_hour": {"L1": 30, "L1/reserve": 50}}),
                              seed=3, replications=2)
    duty = result.duty
    reserve = duty[duty["agent"].astype(str).str.contains("reserve")]
    assert len(reserve) > 0 and len(result.actions) > 0
    hours = ((reserve["off"].clip(upper=3 * 1440) - reserve["on"].clip(lower=240)).clip(
        lower=0) / 60).groupby(reserve["replication"]).sum()
    scheduled = 2 * (3 * 24 - 4) * 30
    expected = (scheduled + 50 * hours).mean()
    assert result.value("overall", "all", "staff_cost") == pytest.approx(expected)


def test_a_supervised_run_writes_its_actions_and_reports_them(tmp_path: Any) -> None:
    import yaml
    from click.testing import CliRunner

    from simdesk.cli import main

    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(_desk()))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--seed", "1", "-r", "2",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Supervisor:" in result.output and "First actions" in result.output
    import pandas as pd

    actions = pd.read_parquet(out / "actions.parquet")
    assert len(actions) > 0 and (actions["value"] < actions["threshold"]).all()
    report = CliRunner().invoke(main, ["report", str(out)])
    assert report.exit_code == 0, report.output
    assert "Supervisor actions" in (out / "report.html").read_text(encoding="utf-8")


def test_a_supervisor_rule_naming_an_unknown_tier_is_one_clear_line() -> None:
    import simdesk
    from simdesk.errors import ScenarioError

    data = _desk()
    data["supervisor"]["rules"][0]["tier"] = "L9"
    with pytest.raises(ScenarioError, match=r"supervisor.rules\[0\].tier: unknown tier 'L9'"):
        simdesk.load_scenario(data)
