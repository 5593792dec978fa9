"""What the buttons run: the same numbers as the library's own commands."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simdesk.errors import SimdeskError
from simdesk.experiments.compare import compare
from simdesk.scenario.load import load_scenario
from simdesk.simulation import simulate
from simdesk.staffing.grid import WeekGrid
from simdesk.studio.checking import check_text
from simdesk.studio.jobs import Job
from simdesk.studio.textedit import set_value
from simdesk.studio.work import (
    Settings,
    Variant,
    drawing_differences,
    run_plans,
    run_staffing,
    run_variant,
    today_levels,
)

REPO = Path(__file__).resolve().parents[2]
SAAS = (REPO / "scenarios" / "saas-startup.yaml").read_text(encoding="utf-8")
SHORT = SAAS.replace("horizon: 4w", "horizon: 10d").replace("warmup: 1w", "warmup: 2d")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings("saas-startup.yaml", REPO / "scenarios", tmp_path, False)


def scenario(text: str) -> object:
    checked = check_text(text, "x.yaml", REPO / "scenarios", allow_code=False)
    assert checked.scenario is not None, checked.problems
    return checked.scenario


def test_a_run_is_simulate_as_the_report_reads_it(settings: Settings) -> None:
    job = Job(1, "run", "test")
    outcome = run_variant(job, Variant("today", SHORT), settings, 7, 2)
    assert (job.done, job.total) == (2, 2)
    assert outcome.folder.parent == settings.scratch
    direct = simulate(load_scenario(REPO / "scenarios" / "saas-startup.yaml").model_copy(
        update={"horizon": 10 * 1440.0, "warmup": 2 * 1440.0}), seed=7, replications=2)
    shown = outcome.results.summary.drop(columns="policy").reset_index(drop=True)
    pd.testing.assert_frame_equal(shown[["scope", "group", "metric", "mean"]],
                                  direct.summary[["scope", "group", "metric", "mean"]]
                                  .reset_index(drop=True), check_dtype=False)


def _texts(component: object) -> list[str]:
    """Every string of a Dash component tree, in order."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    if children is None:
        return []
    items = children if isinstance(children, list) else [children]
    return [text for child in items for text in _texts(child)]


def test_the_page_says_why_targets_were_missed_as_the_terminal_does(
        settings: Settings) -> None:
    from rich.text import Text

    from simdesk.experiments.suggest import explain_misses
    from simdesk.metrics.misses_text import channel_lines
    from simdesk.studio import views

    outcome = run_variant(Job(1, "run", "t"), Variant("today", SHORT), settings, 7, 2)
    direct = simulate(load_scenario(REPO / "scenarios" / "saas-startup.yaml").model_copy(
        update={"horizon": 10 * 1440.0, "warmup": 2 * 1440.0}), seed=7, replications=2)
    explained = explain_misses(direct, suggest=False)
    assert [m.channel for m in explained] == ["chat", "email"]  # both close to the target
    block = views.misses_block(outcome)
    assert block is not None
    shown = [text.strip().lstrip("• ") for text in _texts(block)]
    for misses in explained:
        for line in channel_lines(misses):
            assert Text.from_markup(line).plain.strip().lstrip("• ") in shown
    assert (outcome.folder / "misses.json").is_file()  # the downloaded report has them too


def test_an_invalid_variant_says_why(settings: Settings) -> None:
    with pytest.raises(SimdeskError, match=r"'broken' is not a valid scenario:\n"
                                           r"saas-startup\.yaml:51: tiers\.L1"):
        run_variant(Job(1, "run", "t"), Variant("broken", SHORT.replace("count: 1}", "count: x}",
                                                                         1)), settings, 1, 2)


def test_plans_that_change_only_routing_are_compare(settings: Settings) -> None:
    paid = set_value(SHORT, ("routing", "policy"), "newest-first")
    outcome = run_plans(Job(1, "plans", "t"), [Variant("today", SHORT),
                                               Variant("newest", paid)], settings, 3, 3)
    expected = compare(scenario(SHORT), ["fifo", "newest-first"], seed=3, replications=3)
    mine = outcome.differences.drop(columns=["policy", "baseline", "better"])
    theirs = expected.differences.drop(columns=["policy", "baseline", "better"])
    pd.testing.assert_frame_equal(mine, theirs)
    assert outcome.pairing == {"newest": ()}
    assert set(outcome.folders) == {"today", "newest"}


def test_pairing_is_partial_only_where_draws_differ() -> None:
    base = scenario(SHORT)
    staffed = scenario(set_value(SHORT, ("tiers", "L1", "agents", 4, "count"), 2))
    target = scenario(set_value(SHORT, ("channels", "chat", "sla", "target"), "85%"))
    volume = scenario(set_value(SHORT, ("arrivals", 1, "rate"), "7/h"))
    assert drawing_differences(base, staffed) == ()
    assert drawing_differences(base, target) == ()
    assert drawing_differences(base, volume) == ("arrivals",)


def test_plans_need_two(settings: Settings) -> None:
    with pytest.raises(SimdeskError, match="add a variant"):
        run_plans(Job(1, "plans", "t"), [Variant("today", SHORT)], settings, 1, 2)


def test_today_on_duty_per_hour() -> None:
    checked = check_text(SAAS, "x.yaml", REPO / "scenarios", allow_code=False)
    assert checked.plan is not None
    grid = WeekGrid(60)
    levels = today_levels(checked.plan, "L1", grid)
    assert levels.sum() == pytest.approx(5 * 5 * 8)  # five agents, 8 h, Mon-Fri
    monday = levels[:24]
    assert monday[7] == pytest.approx(0.5) and monday[8] == pytest.approx(2)
    assert monday[11:15].tolist() == [5, 5, 5, 5] and monday[19] == 0
    assert np.all(levels[5 * 24:] == 0)  # nobody at the weekend


def test_staffing_beside_today(settings: Settings) -> None:
    job = Job(1, "staff", "t")
    outcome = run_staffing(job, Variant("today", SHORT), settings, 1, 2)
    assert set(outcome.today) == {goal.tier for goal in outcome.staffing.goals}
    assert "L1" in outcome.today and job.done == outcome.staffing.simulations
    assert outcome.today["L1"].sum() == pytest.approx(200)


SHIPPED = sorted(path for path in [*REPO.glob("scenarios/*.yaml"),
                                   *REPO.glob("examples/**/*.yaml")]
                 if "\ntiers:" in path.read_text(encoding="utf-8"))
QUICK = ("internal-it.yaml", "freemium-outage.yaml", "custom-policy/desk.yaml")
"""A light default: business-hours SLA, surges and segments, a policy class."""


def run_and_draw(path: Path, tmp_path: Path) -> None:
    from simdesk.studio import views

    settings = Settings(path.name, path.parent, tmp_path, True)
    outcome = run_variant(Job(1, "run", "t"), Variant("today", path.read_text(
        encoding="utf-8")), settings, 1, 2)
    shown = str(views.run_view(outcome, 1.0))
    for channel in outcome.results.plan.channels:
        assert channel.name in shown
    assert "run-fig-sla" in shown and "run-fig-heatmap-sla" in shown


@pytest.mark.parametrize("path", [p for p in SHIPPED if p.as_posix().endswith(QUICK)],
                         ids=lambda p: p.name)
def test_shipped_scenarios_run_and_draw(path: Path, tmp_path: Path,
                                        code_allowed: None) -> None:
    run_and_draw(path, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_scenario_runs_and_draws(path: Path, tmp_path: Path,
                                               code_allowed: None) -> None:
    run_and_draw(path, tmp_path)


def test_what_to_try_is_on_the_page_with_progress(settings: Settings) -> None:
    """With ``suggest``, the changes ``simdesk run`` would try are tried on the same
    tickets, reported through the job's progress, and shown with the misses."""
    from rich.text import Text

    from simdesk.experiments.suggest import explain_misses
    from simdesk.metrics.misses_text import channel_lines
    from simdesk.studio import views

    job = Job(1, "run", "t")
    seen: list[str] = []
    original = job.progress

    def spy(done: int, total: int, step: str = "") -> None:
        seen.append(step)
        original(done, total, step)

    job.progress = spy  # type: ignore[method-assign]
    outcome = run_variant(job, Variant("today", SHORT), settings, 7, 2, suggest=True)
    direct = simulate(load_scenario(REPO / "scenarios" / "saas-startup.yaml").model_copy(
        update={"horizon": 10 * 1440.0, "warmup": 2 * 1440.0}), seed=7, replications=2)
    explained = explain_misses(direct, suggest=True)
    assert any(m.suggestions for m in explained)  # the test can fail
    assert any(step.startswith("what to try — chat: ") for step in seen)
    shown = [text.strip().lstrip("• ") for text in _texts(views.misses_block(outcome))]
    for misses in explained:
        for line in channel_lines(misses):
            assert Text.from_markup(line).plain.strip().lstrip("• ") in shown


def test_cancel_while_trying_changes_keeps_the_run(settings: Settings) -> None:
    from simdesk.report.misses import read_misses

    job = Job(1, "run", "t")
    original = job.progress

    def cancel_in_suggestions(done: int, total: int, step: str = "") -> None:
        if step.startswith("what to try"):
            job.cancel_asked.set()
        original(done, total, step)

    job.progress = cancel_in_suggestions  # type: ignore[method-assign]
    outcome = run_variant(job, Variant("today", SHORT), settings, 7, 2, suggest=True)
    found = read_misses(outcome.folder)
    assert found and all(m.suggestion_note == "no changes tried: cancelled" for m in found)
    assert all(not m.suggestions for m in found)
    assert len(outcome.results.summary) > 0
