"""Composed routing: each built-in it can express gives that built-in's records; scripted
orders for keys and filters; names checked at load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.engine.records import RunRecord
from simdesk.engine.run import run_desk
from simdesk.errors import ScenarioError
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.policies import make_policy
from simdesk.scenario.load import load_scenario
from tests.benchmarks import benchmark_module
from tests.helpers import Scripted, events, plan_for, run_scripted

WINDOW = "Mon-Fri 09:00-12:00"

EQUIVALENT: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "fifo": ({"policy": "fifo"}, {"policy": "composed", "by": ["oldest"]}),
    "newest-first": ({"policy": "newest-first"}, {"policy": "composed", "by": ["newest"]}),
    "sla-deadline": ({"policy": "sla-deadline"}, {"policy": "composed", "by": ["deadline"]}),
    "cherry-pick": ({"policy": "cherry-pick", "noise": "30%"},
                    {"policy": "composed", "by": ["effort"], "noise": "30%"}),
    "paid-first": ({"policy": "paid-first", "order": ["free", "paid"]},
                   {"policy": "composed", "by": ["segment", "oldest"],
                    "segments": ["free", "paid"]}),
    "skills": ({"policy": "skills"}, {"policy": "composed", "filters": ["skills"]}),
    "skills with fallback": (
        {"policy": "skills", "fallback_after": "20m"},
        {"policy": "composed", "filters": [{"filter": "skills", "fallback_after": "20m"}]}),
    "ninja over paid-first": (
        {"policy": "ninja", "team": "beta", "windows": WINDOW, "max_effort": 1.0,
         "noise": "20%", "base": {"policy": "paid-first"}},
        {"policy": "composed", "by": ["segment", "oldest"], "noise": "20%",
         "filters": [{"filter": "team", "team": "beta", "windows": WINDOW, "max_effort": 1.0,
                      "by": ["newest"]}]}),
}
"""Each built-in a composed list expresses, and that list."""


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    with benchmark_module("bench_policies") as module:
        yield module


def _record(bench: ModuleType, routing: dict[str, Any], seed: int) -> RunRecord:
    loaded = load_scenario(bench.scenario(0.6, routing))
    plan = compile_plan(loaded)
    return run_desk(plan, draw_tickets(plan, Streams(seed, 0)), make_policy(loaded.routing))


def _rows(visits: np.ndarray) -> np.ndarray:
    """Visits in a canonical row order: the tickets still waiting at the horizon are
    listed in each queue's own order (a heap's is not arrival order)."""
    return visits[np.lexsort(visits.T[::-1])]


@pytest.mark.parametrize("name", list(EQUIVALENT))
def test_a_builtin_and_its_composed_list_give_identical_records(
        bench: ModuleType, name: str) -> None:
    """On the three-tier benchmark desk (four channels, two segments, five topics, teams
    and skills, shifts and a rotation; ~3,700 tickets)."""
    builtin, composed = EQUIVALENT[name]
    one, two = _record(bench, builtin, 11), _record(bench, composed, 11)
    for field in ("first_response", "resolved", "abandoned_at", "refused", "duty"):
        assert np.array_equal(getattr(one, field), getattr(two, field), equal_nan=True), field
    assert np.array_equal(_rows(one.visits), _rows(two.visits), equal_nan=True)
    # a sum over the visits: the same up to the order of its terms
    assert two.queue_area == pytest.approx(one.queue_area, rel=1e-12)
    assert np.count_nonzero(~np.isnan(one.first_response)) > 1000  # the desk did work


def test_a_different_list_gives_different_records(bench: ModuleType) -> None:
    """Negative control: the comparison above can fail."""
    one = _record(bench, {"policy": "fifo"}, 11)
    two = _record(bench, {"policy": "composed", "by": ["segment", "oldest"]}, 11)
    assert not np.array_equal(one.first_response, two.first_response, equal_nan=True)


# -- scripted orders ----------------------------------------------------------------------

TOPICS = {"outage": {"share": "20%"}, "bug": {"share": "30%"}, "howto": {"share": "50%"}}
OUTAGE, BUG, HOWTO = 0, 1, 2
PAID, FREE = 0, 1


def _desk(routing: dict[str, Any], agents: Any = 1, **overrides: Any) -> Any:
    desk: dict[str, Any] = {"topics": TOPICS, "segments": {"paid": "40%", "free": "60%"}}
    return plan_for(routing=routing, **{**desk, **overrides},
                    tiers={"L1": {"agents": agents,
                                  "handle": {"dist": "exponential", "mean": "5m"}}})


def _taken(record: RunRecord) -> list[int | None]:
    return [ticket for _, _, ticket, _ in events(record, "start")]


def test_paid_first_then_topic_importance_then_oldest() -> None:
    plan = _desk({"policy": "composed", "by": ["segment", "topic", "oldest"],
                  "segments": ["paid"], "topics": ["outage", "bug"]})
    record = run_scripted(plan, [
        Scripted(0, [10]),
        Scripted(1, [1], segment=FREE, topic=OUTAGE),
        Scripted(2, [1], segment=PAID, topic=HOWTO),
        Scripted(3, [1], segment=PAID, topic=BUG),
        Scripted(4, [1], segment=PAID, topic=BUG),
        Scripted(5, [1], segment=FREE, topic=BUG),
    ])
    # paid before free; among paid, bug before howto, the older bug first
    assert _taken(record) == [0, 3, 4, 2, 1, 5]


def test_newest_per_topic_priority() -> None:
    plan = _desk({"policy": "composed", "by": ["topic", "newest"], "topics": ["bug"]})
    record = run_scripted(plan, [
        Scripted(0, [10]), Scripted(1, [1], topic=BUG), Scripted(2, [1], topic=HOWTO),
        Scripted(3, [1], topic=BUG), Scripted(4, [1], topic=HOWTO)])
    assert _taken(record) == [0, 3, 1, 4, 2]


def test_skills_filter_in_front_of_an_order() -> None:
    plan = _desk({"policy": "composed", "by": ["segment", "oldest"], "filters": ["skills"]},
                 agents=[{"shift": "24x7", "count": 1, "skills": ["bug"]},
                         {"shift": "24x7", "count": 1}])
    record = run_scripted(plan, [
        Scripted(0, [10], topic=BUG), Scripted(0.5, [10], topic=HOWTO),
        Scripted(1, [1], segment=FREE, topic=BUG), Scripted(2, [1], segment=PAID, topic=HOWTO),
        Scripted(3, [1], segment=PAID, topic=BUG)])
    # at 10 L1#1 (bug only) takes the paid bug (4) before the older free bug (2); L1#2
    # at 10.5 takes the paid howto (3), then the free bug
    assert events(record, "start") == [
        (0, "start", 0, "L1#1"), (0.5, "start", 1, "L1#2"), (10, "start", 4, "L1#1"),
        (10.5, "start", 3, "L1#2"), (11, "start", 2, "L1#1")]


def test_team_filter_takes_the_newest_light_ticket_in_its_window() -> None:
    plan = _desk({"policy": "composed", "by": ["oldest"],
                  "filters": [{"filter": "team", "team": "ninja", "windows": "Mon 00:00-01:00",
                               "max_effort": 1.0, "by": ["newest"]}]},
                 agents=[{"shift": "24x7", "count": 1, "team": "ninja"},
                         {"shift": "24x7", "count": 1}],
                 topics={"light": {"share": "50%"}, "heavy": {"share": "50%", "effort": 3}})
    record = run_scripted(plan, [
        Scripted(0, [30]), Scripted(0, [30]), Scripted(1, [5]), Scripted(2, [5], topic=1),
        Scripted(3, [5]), Scripted(4, [5], topic=1), Scripted(5, [5])])
    # the tickets of 0 wait for the shifts to begin (at 0 too): the ninja takes the
    # newest, the other the oldest; at 30 the ninja takes the newest light ticket (6),
    # the other the oldest (2); at 35 the ninja passes over heavy 5 for light 4, and the
    # other takes heavy 3; at 40 only heavy 5 is left: the ninja may not, the other does
    assert [(t, ticket, who) for t, _, ticket, who in events(record, "start")] == [
        (0, 1, "L1#1"), (0, 0, "L1#2"), (30, 6, "L1#1"), (30, 2, "L1#2"),
        (35, 4, "L1#1"), (35, 3, "L1#2"), (40, 5, "L1#2")]


def test_effort_filter_holds_heavy_tickets_in_its_hours_and_wakes_at_the_end() -> None:
    plan = _desk({"policy": "composed",
                  "filters": [{"filter": "effort", "max_effort": 1.0,
                               "windows": "Mon 00:00-01:00"}]},
                 topics={"light": {"share": "50%"}, "heavy": {"share": "50%", "effort": 3}})
    record = run_scripted(plan, [Scripted(1, [5], topic=1), Scripted(2, [5])])
    assert events(record, "start") == [(2, "start", 1, "L1#1"), (60, "start", 0, "L1#1")]


# -- names checked at load ----------------------------------------------------------------


@pytest.mark.parametrize(("routing", "message"), [
    ({"policy": "composed", "segments": ["gold"]}, "routing.segments: unknown segment 'gold'"),
    ({"policy": "composed", "filters": [{"filter": "team", "team": "ninjas"}]},
     "routing.filters[0].team: unknown team 'ninjas'"),
    ({"policy": "composed", "by": ["oldest", "newest"]}, "contradict"),
    ({"policy": "composed", "by": ["segment", "segment"]}, "listed twice"),
    ({"policy": "composed", "filters": ["skills", "skills"]}, "at most one skills filter"),
])
def test_bad_composed_routing_is_refused(routing: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _desk(routing)


def test_compare_runs_composed_lists_by_name(tmp_path: Path) -> None:
    """``simdesk compare`` takes ``composed`` (a built-in name) and named composed lists
    under ``policies:``, on the same tickets."""
    desk = {
        "name": "composed compare", "horizon": "2d",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"}}},
        "segments": {"paid": "40%", "free": "60%"}, "topics": TOPICS,
        "arrivals": [{"channel": "phone", "rate": "20/h"}],
        "tiers": {"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"}}},
        "policies": {"paid-bugs": {"policy": "composed", "by": ["segment", "topic", "oldest"],
                                   "topics": ["outage", "bug"]}},
    }
    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(desk), encoding="utf-8")
    result = CliRunner().invoke(main, ["compare", str(path), "-p", "fifo,composed,paid-bugs",
                                       "-r", "2", "--seed", "3", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "paid-bugs" in result.output and "composed" in result.output
    runs = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert set(runs["policy"]) == {"fifo", "composed", "paid-bugs"}
