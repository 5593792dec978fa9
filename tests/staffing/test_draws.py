"""A search draws each replication's tickets once: the batch kept for one plan is the
batch a fresh draw gives every staffed plan of the scenario, it is kept only while the
scenario outside its agents and the seed are the same, and the engine cannot change it.
The searches' shortcuts (kept draws, lean tables, the exact interval arithmetic) change
no answer."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.metrics.tables import SLA_COLUMNS
from simdesk.plan.compile import compile_plan
from simdesk.scenario.calendar import Clock
from simdesk.scenario.load import load_scenario
from simdesk.simulation import SLA_TICKETS, simulate
from simdesk.staffing import draws as draws_module
from simdesk.staffing.draws import TicketDraws, batch_bytes
from simdesk.staffing.grid import WeekGrid
from simdesk.staffing.search import goals_for, staff
from simdesk.staffing.seats import staffed_scenario

SCENARIOS = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.yaml"))


def _same(one: Any, other: Any) -> bool:
    """Field by field, NaN equal to NaN (nested customer fates included)."""
    if isinstance(one, np.ndarray):
        return (isinstance(other, np.ndarray) and one.dtype == other.dtype
                and np.array_equal(one, other, equal_nan=one.dtype.kind == "f"))
    if dataclasses.is_dataclass(one):
        return all(_same(getattr(one, f.name), getattr(other, f.name))
                   for f in dataclasses.fields(one))
    return bool(one == other)


def _staffed(scenario: simdesk.Scenario, agents: int) -> simdesk.Scenario:
    """Every tier answering first (and one more) staffed with ``agents`` around the clock."""
    plan = compile_plan(scenario)
    grid = WeekGrid(60)
    tiers = [goal.tier for goal in goals_for(plan, None, 60.0, grid)]
    tiers += [t.name for t in plan.tiers if t.name not in tiers][:1]
    return staffed_scenario(scenario, {name: np.full(grid.count, agents, dtype=np.int64)
                                       for name in tiers}, grid, plan)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_the_batch_kept_for_one_plan_is_a_fresh_draw_of_a_staffed_one(path: Path) -> None:
    scenario = load_scenario(path)
    staffed = _staffed(scenario, 2)
    draws = TicketDraws()
    streams = Streams(7, 1)
    kept = draws(compile_plan(scenario), streams)
    plan = compile_plan(staffed)
    again = draws(plan, streams)
    assert again is kept and draws.hits == 1 and draws.draws == 1
    assert _same(kept, draw_tickets(plan, streams))


def _chat(volume: str = "300/d") -> simdesk.Scenario:
    return simdesk.load_scenario({
        "name": "chat", "horizon": "2w", "warmup": "1d",
        "channels": {"chat": {"sla": {"within": "2m", "target": "80%"},
                              "patience": {"dist": "exponential", "mean": "10m"}}},
        "arrivals": [{"channel": "chat", "volume": volume, "profile": "consumer"}],
        "tiers": {"L1": {"agents": 4, "handle": {"dist": "exponential", "mean": "12m"}}},
    })


def test_batches_are_kept_while_the_draw_is_the_same_and_read_only() -> None:
    draws = TicketDraws()
    plan = compile_plan(_chat())
    batch = draws(plan, Streams(1, 0))
    assert draws(plan, Streams(1, 0)) is batch  # kept
    assert draws.kept == batch_bytes(batch) > 0
    with pytest.raises(ValueError, match="read-only"):
        batch.arrived[0] = 0.0
    assert draws(plan, Streams(1, 1)) is not batch  # another replication
    assert draws(plan, Streams(2, 0)) is not batch  # another seed: drawn again
    assert len(draws.batches) == 1
    busier = draws(compile_plan(_chat("400/d")), Streams(2, 0))  # another draw
    assert len(busier) > len(batch) and draws.hits == 1 and draws.draws == 4
    staffed = compile_plan(_staffed(_chat("400/d"), 3))
    assert draws(staffed, Streams(2, 0)) is busier  # the agents do not matter


def test_above_the_budget_batches_are_drawn_again() -> None:
    plan = compile_plan(_chat())
    size = batch_bytes(draw_tickets(plan, Streams(1, 0)))
    draws = TicketDraws(budget=size + 1)
    first = draws(plan, Streams(1, 0))
    second = draws(plan, Streams(1, 1))  # over the budget: not kept
    assert draws(plan, Streams(1, 0)) is first
    again = draws(plan, Streams(1, 1))
    assert again is not second and _same(again, second) and draws.kept == size


def test_a_lean_run_has_the_same_tickets_and_leaves_the_other_tables_empty() -> None:
    scenario = _chat()
    full = simulate(scenario, seed=4, replications=2)
    draws = TicketDraws()
    lean = simulate(scenario, seed=4, replications=2, draw=draws, tables=("tickets",))
    assert lean.tickets.equals(full.tickets)
    assert lean.visits.empty and lean.duty.empty and lean.replies.empty
    assert lean.queue_area.empty
    with_areas = simulate(scenario, seed=4, replications=2, draw=draws,
                          tables=("tickets", "queue_area"))
    assert with_areas.queue_area.equals(full.queue_area)
    again = simulate(scenario, seed=4, replications=2, draw=draws)
    assert draws.hits == 4
    for name in ("tickets", "visits", "duty", "replies", "queue_area"):
        assert getattr(again, name).equals(getattr(full, name))


@pytest.mark.parametrize("offset", [0.0, 1440.0 * 3 + 0.5, 9000.25])
def test_the_slot_of_a_time_is_the_floor_division_of_floats(offset: float) -> None:
    grid = WeekGrid(30)
    clock = Clock(datetime.datetime(2024, 1, 1) + datetime.timedelta(minutes=offset))
    edges = np.arange(0, 6 * 10080, 30, dtype=float) - clock.week_offset
    rng = np.random.default_rng(5)
    times = np.concatenate([
        edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf),
        rng.uniform(0, 6 * 10080, 20_000)])
    times = times[times >= 0]
    moment = times + clock.week_offset
    np.testing.assert_array_equal(grid.slots(times, clock),
                                  (moment // 30).astype(np.int64))
    np.testing.assert_array_equal(grid.of(times, clock),
                                  ((moment % 10080) // 30).astype(np.int64))


def _answer(scenario: simdesk.Scenario, monkeypatch: pytest.MonkeyPatch, budget: int,
            **options: Any) -> list[Any]:
    """What a search answers and shows, its draws kept up to ``budget`` bytes."""
    with monkeypatch.context() as patch:
        patch.setattr(draws_module, "BUDGET", budget)
        found = staff(scenario, seed=1, **options)
        shown = found.final.result.summary if found.final is not None else None
    return [found.table(), found.simulations, found.replications_run, found.minimal,
            None if found.today is None else found.today.sla, shown]


def _equal(one: list[Any], other: list[Any]) -> None:
    for a, b in zip(one, other, strict=True):
        if hasattr(a, "equals"):
            assert a.equals(b)
        else:
            assert a == b


def test_staff_gives_the_same_answer_with_and_without_kept_draws(
        monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / "internal-it.yaml")
    _equal(_answer(scenario, monkeypatch, draws_module.BUDGET, replications=3, most=6),
           _answer(scenario, monkeypatch, 0, replications=3, most=6))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["saas-startup", "freemium-outage", "reopens", "helpers"])
def test_staff_gives_the_same_answer_with_and_without_kept_draws_on_shipped_desks(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario(Path(__file__).parents[2] / "scenarios" / f"{name}.yaml")
    _equal(_answer(scenario, monkeypatch, draws_module.BUDGET),
           _answer(scenario, monkeypatch, 0))


def test_a_search_s_slim_ticket_table_holds_the_full_tables_sla_columns() -> None:
    """What a staffing verdict reads (replication, channel, arrival, warm-up, SLA met) is
    all a lean run of a search tabulates, with the values of the full table."""
    scenario = _chat()
    full = simulate(scenario, seed=6, replications=2)
    slim = simulate(scenario, seed=6, replications=2, tables=(SLA_TICKETS,))
    assert list(slim.tickets.columns) == list(SLA_COLUMNS)
    pd.testing.assert_frame_equal(slim.tickets, full.tickets[list(SLA_COLUMNS)])
    assert slim.visits.empty and slim.queue_area.empty

