"""Problem management (``problems:``): the level-one analyst's fixes.

The trigger is the ``after``-th ticket of the topic within ``within``; the analyst's work
comes out of their queue time; after the fix lands the topic's arrivals are Poisson at
``1 − lowers`` of the rate (Poisson counts against the thinned rate, within standard
errors), other topics' tickets are untouched, and ``target: reopens`` lowers the reopen
share by the configured amount.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import simdesk
from simdesk.errors import ScenarioError
from simdesk.fates.problems import manage_problems, noticed_at, take_time
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.scenario.roles import ProblemRule
from tests.helpers import scenario_dict

Z = 4.0
RATE = 10 / 60  # tickets a minute
BUG = 0.3


def _desk(rule: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return scenario_dict(
        horizon="3w", topics={"bug": f"{BUG:.0%}", "howto": f"{1 - BUG:.0%}"},
        channels={"email": {"sla": {"within": "4h", "target": "80%"}, "response": "reply"}},
        arrivals=[{"channel": "email", "rate": "10/h"}],
        tiers={"L1": {"agents": 4, "handle": {"dist": "exponential", "mean": "15m"},
                      **extra}},
        problems={"analyst": "L1", "rules": [{"topic": "bug", **rule}]})


def test_the_trigger_is_the_nth_ticket_within_the_window() -> None:
    rule = ProblemRule.model_validate({"topic": "bug", "after": 3, "within": "10m",
                                       "lowers": "50%"})
    assert noticed_at(np.array([0.0, 20.0, 25.0, 29.0, 50.0]), rule) == 29.0
    assert noticed_at(np.array([0.0, 11.0, 22.0, 33.0]), rule) is None
    assert noticed_at(np.array([0.0, 5.0]), rule) is None


def test_the_analysts_work_comes_out_of_their_queue_time() -> None:
    duty = ((0.0, 60.0), (100.0, 160.0))
    kept, began, ended = take_time(duty, 40.0, 50.0)
    assert kept == ((0.0, 40.0), (130.0, 160.0))
    assert (began, ended) == (40.0, 130.0)
    kept, began, ended = take_time(duty, 70.0, 10.0)  # starts at their next hours
    assert kept == ((0.0, 60.0), (110.0, 160.0)) and (began, ended) == (100.0, 110.0)


def test_after_the_fix_the_topic_arrives_at_the_lowered_rate() -> None:
    lowers = 0.4
    plan = compile_plan(simdesk.load_scenario(_desk(
        {"after": 40, "within": "1d", "work": "4h", "delay": "2d", "lowers": f"{lowers:.0%}"})))
    horizon = plan.horizon
    observed = expected = 0.0
    bug = plan.topics.index("bug")
    for replication in range(20):
        streams = Streams(9, replication)
        before = draw_tickets(plan, streams)
        after, duty, fixes = manage_problems(plan, before, None, streams)
        (fix,) = fixes
        assert fix.noticed < fix.work_from + 1e-9 and fix.lands == fix.work_until + 2 * 1440
        # nothing changes before the fix lands, and other topics never
        early = before.arrived < fix.lands
        assert np.array_equal(after.arrived[after.arrived < fix.lands], before.arrived[early])
        assert np.array_equal(after.arrived[after.topic != bug],
                              before.arrived[before.topic != bug])
        late = (after.topic == bug) & (after.arrived >= fix.lands)
        observed += late.sum()
        expected += RATE * BUG * (1 - lowers) * (horizon - fix.lands)
        assert fix.removed == len(before) - len(after)
        assert duty is not None
        analyst = duty[0]
        worked = sum(e - b for b, e in plan.agents[0].duty) - sum(e - b for b, e in analyst)
        assert worked == pytest.approx(240.0)
    assert abs(observed - expected) <= Z * math.sqrt(expected)


def test_a_fix_on_reopens_lowers_the_reopen_share() -> None:
    share, lowers = 0.3, 0.5
    reopens = {"share": f"{share:.0%}", "after": {"dist": "exponential", "mean": "1h"},
               "max": 20}
    plan = compile_plan(simdesk.load_scenario(_desk(
        {"after": 20, "within": "1d", "work": "1h", "delay": "1d", "lowers": f"{lowers:.0%}",
         "target": "reopens"}, reopens=reopens)))
    bug = plan.topics.index("bug")
    contacts = resolutions = 0
    for replication in range(10):
        streams = Streams(3, replication)
        batch, _, (fix,) = manage_problems(plan, draw_tickets(plan, streams), None, streams)
        assert batch.reopens is not None
        late = (batch.topic == bug) & (batch.arrived >= fix.lands)
        contacts += int(batch.reopens[late].sum())
        resolutions += int(batch.reopens[late].sum() + late.sum())
    lowered = share * (1 - lowers)
    # every resolution reopens with the lowered share: contacts / resolutions ≈ it
    se = math.sqrt(lowered * (1 - lowered) / resolutions)
    assert abs(contacts / resolutions - lowered) <= Z * se


def test_a_run_reports_the_fixes(tmp_path: Any) -> None:
    import yaml
    from click.testing import CliRunner

    from simdesk.cli import main

    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(_desk({"after": 40, "within": "1d", "lowers": "40%"})))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--seed", "1", "-r", "2",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Problem management" in result.output
    assert (out / "fixes.parquet").exists()


@pytest.mark.parametrize(("problems", "message"), [
    ({"analyst": "L7", "rules": [{"topic": "bug", "after": 5, "lowers": "10%"}]},
     "problems.analyst: 'L7' is not a tier"),
    ({"analyst": "L1", "rules": [{"topic": "bugs", "after": 5, "lowers": "10%"}]},
     "problems.rules[0].topic: unknown topic 'bugs'"),
])
def test_bad_problem_rules_are_one_clear_line(problems: dict[str, Any], message: str) -> None:
    data = _desk({"after": 5, "lowers": "10%"})
    data["problems"] = problems
    with pytest.raises(ScenarioError) as caught:
        simdesk.load_scenario(data)
    assert message in str(caught.value)


def test_a_fix_removes_the_tickets_customer_fates_too() -> None:
    """With customer rules (overflow, redial) a removed ticket's fates go with it: every
    per-ticket array of the batch, nested ones included, keeps one row per ticket, and the
    desk runs (it once indexed the overflow draws of removed tickets)."""
    import dataclasses

    spec = _desk({"after": 20, "within": "1d", "work": "2h", "delay": "1d", "lowers": "60%"})
    spec["channels"]["chat"] = {"sla": {"within": "2m", "target": "80%"},
                                "patience": {"dist": "exponential", "mean": "5m"},
                                "redial": {"share": "50%",
                                           "after": {"dist": "exponential", "mean": "10m"}},
                                "overflow": {"to": "email", "after": "3m"}}
    spec["arrivals"].append({"channel": "chat", "rate": "20/h"})
    plan = compile_plan(simdesk.load_scenario(spec))
    streams = Streams(5, 0)
    before = draw_tickets(plan, streams)
    after, _, (fix,) = manage_problems(plan, before, None, streams)
    assert fix.removed > 0 and len(after) == len(before) - fix.removed
    assert after.customers is not None
    for field in dataclasses.fields(after.customers):
        assert len(getattr(after.customers, field.name)) == len(after), field.name
    result = simdesk.simulate(simdesk.load_scenario(spec), seed=5, replications=1)
    assert len(result.tickets) > 0
