"""The HTML reports in a real browser: a run, a comparison and a sweep report made by the
CLI open in headless Chromium with no console error, no page error and no request leaving
the file, every figure of :data:`simdesk.report.FIGURES` drawn with data, and a screenshot
each; a scenario named with HTML stays text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.report import FIGURES, REPORT_NAME, expected_figures
from tests.browser.harness import Chromium, LoadedPage

REPO = Path(__file__).resolve().parents[2]
HOSTILE = "<script>window.hacked=1</script><b>bold</b>"


def internal_it(**overrides: Any) -> dict[str, Any]:
    """scenarios/internal-it.yaml (dispatcher, L1, L2; four channels) shortened to a week
    and a half, so a whole detail week follows the warm-up, with the satisfaction proxy:
    every figure of a run is drawn."""
    data: dict[str, Any] = yaml.safe_load(
        (REPO / "scenarios" / "internal-it.yaml").read_text(encoding="utf-8"))
    data.update({"horizon": "9d", "warmup": "1d", "satisfaction": {}} | overrides)
    return data


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def simdesk(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def assert_report_page(loaded: LoadedPage, kind: str) -> None:
    """No console or page error, no request out, every figure of ``kind`` drawn with
    data; the page itself says it drew all of them, and lists exactly those."""
    loaded.assert_ok()
    assert tuple(loaded.figures) == tuple(f"#{i}" for i in FIGURES[kind])
    body = loaded.page.evaluate(
        "[document.body.dataset.figures, document.body.dataset.rendered,"
        " document.body.dataset.renderError ?? null]")
    assert body[0].split() == list(FIGURES[kind]) or body[0].split(",") == list(FIGURES[kind])
    assert body[1:] == ["true", None]
    assert loaded.screenshot.stat().st_size > 50_000


def test_run_report(chromium: Chromium, tmp_path: Path, request: pytest.FixtureRequest
                    ) -> None:
    scenario = write_yaml(tmp_path / "it.yaml", internal_it())
    out = tmp_path / "run"
    simdesk("run", str(scenario), "--seed", "1", "-r", "2", "-w", "1", "-q", "-o", str(out),
            "--report")
    assert expected_figures(out) == FIGURES["run"]
    loaded = chromium.load(out / REPORT_NAME, FIGURES["run"], name=request.node.name)
    assert_report_page(loaded, "run")
    assert "Internal IT help desk" in loaded.visible_text()
    # A bar per channel; a node per channel, tier and ending in the Sankey.
    labels = [str(x) for x in
              loaded.page.evaluate("document.getElementById('fig-sla').data[0].x")]
    assert len(labels) == 4, labels
    for channel in ("phone", "voicemail", "walk-in", "email"):
        assert any(channel in label for label in labels), (channel, labels)
    nodes = loaded.page.evaluate("document.getElementById('fig-escalations').data[0].node.label")
    names = {str(n).split(" · ")[0] for n in nodes}
    assert {"phone", "email", "dispatcher", "L1", "L2", "resolved"} <= names, nodes
    assert all(re.fullmatch(r".+ · [\d,]+", str(n)) for n in nodes), nodes  # counts printed


def test_comparison_report(chromium: Chromium, tmp_path: Path,
                           request: pytest.FixtureRequest) -> None:
    scenario = write_yaml(tmp_path / "it.yaml", internal_it())
    out = tmp_path / "compare"
    simdesk("compare", str(scenario), "-p", "fifo,newest-first,cherry-pick", "--seed", "1",
            "-r", "2", "-w", "1", "-q", "-o", str(out), "--report")
    assert expected_figures(out) == FIGURES["compare"]
    loaded = chromium.load(out / REPORT_NAME, FIGURES["compare"], name=request.node.name)
    assert_report_page(loaded, "compare")
    text = loaded.visible_text()
    for policy in ("fifo", "newest-first", "cherry-pick"):
        assert policy in text
    # A bar per policy in the SLA chart; a row per channel (and all tickets) and policy
    # other than the baseline in the chart of paired differences.
    bars = loaded.page.evaluate(
        "document.getElementById('fig-sla').data.filter(t => t.type === 'bar')"
        ".map(t => t.name)")
    assert bars == ["fifo", "newest-first", "cherry-pick"]
    rows = loaded.page.evaluate(
        "[...new Set(document.getElementById('fig-compare-diff').data.flatMap(t => t.y))]")
    assert set(rows) == {f"{channel} — {policy}"
                         for channel in ("all tickets", "phone", "voicemail", "walk-in", "email")
                         for policy in ("newest-first", "cherry-pick")}


def test_sweep_report(chromium: Chromium, tmp_path: Path, request: pytest.FixtureRequest
                      ) -> None:
    """Two parameters (so the sweep heatmap is drawn too), 2 × 2 points: dispatchers on the
    morning shift and the phone rate."""
    write_yaml(tmp_path / "base.yaml", internal_it(horizon="4d"))
    sweep = write_yaml(tmp_path / "sweep.yaml", {
        "scenario": "base.yaml",
        "parameters": {"tiers.dispatcher.agents[0].count": [1, 2],
                       "arrivals[0].rate": ["5/h", "7/h"]},
        "mode": "grid", "replications": 3, "seed": 3, "metric": "channel:phone.sla"})
    out = tmp_path / "sweep"
    simdesk("sweep", str(sweep), "-w", "1", "-q", "-o", str(out), "--report")
    assert expected_figures(out) == FIGURES["sweep"]
    loaded = chromium.load(out / REPORT_NAME, FIGURES["sweep"], name=request.node.name)
    assert_report_page(loaded, "sweep")
    text = loaded.visible_text()
    assert "tiers.dispatcher.agents[0].count" in text and "4 of 4 points" in text
    cells = loaded.page.evaluate(
        "document.getElementById('fig-sweep-heatmap')._fullData"
        ".filter(t => t.type === 'heatmap')"
        ".map(t => Array.from(t.z).flatMap(row => Array.from(row)).filter(Number.isFinite)"
        ".length)")
    assert cells and all(n == 4 for n in cells), cells  # every combination, every channel


def hostile_scenario() -> dict[str, Any]:
    """The shortened internal IT desk with the hostile text as its name and description, in
    a channel's name (walk-in) and in a tier's name (L2): these reach the tables, the chart
    labels and the figures' JSON."""
    data = internal_it(name=HOSTILE, description=f"described as {HOSTILE}", horizon="8d")
    walk_in, l2 = f"walk-in {HOSTILE}", f"L2 {HOSTILE}"
    data["channels"] = {(walk_in if k == "walk-in" else k): v
                        for k, v in data["channels"].items()}
    for arrival in data["arrivals"]:
        if arrival["channel"] == "walk-in":
            arrival["channel"] = walk_in
    tiers = data["tiers"]
    tiers["dispatcher"]["channels"] = [walk_in if c == "walk-in" else c
                                       for c in tiers["dispatcher"]["channels"]]
    tiers["L1"]["escalate_to"] = l2
    tiers[l2] = tiers.pop("L2")
    return data


def test_a_hostile_scenario_name_is_shown_as_text(chromium: Chromium, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    """``simdesk report`` (the command, to a file of our choice) on a run whose scenario,
    one channel and one tier are named with a script and a tag: neither runs nor renders
    (in the page or in plotly's SVG), the names read literally."""
    scenario = write_yaml(tmp_path / "hostile.yaml", hostile_scenario())
    out = tmp_path / "run"
    simdesk("run", str(scenario), "--seed", "2", "-r", "2", "-w", "1", "-q", "-o", str(out))
    page = tmp_path / "hostile.html"
    simdesk("report", str(out), "-o", str(page))
    loaded = chromium.load(page, FIGURES["run"], name=request.node.name)
    assert_report_page(loaded, "run")
    found = loaded.page.evaluate("""() => ({
        hacked: typeof window.hacked,
        bold: [...document.querySelectorAll('b, strong, svg *')]
                .filter(e => e.textContent === 'bold').length,
        scripts: [...document.scripts].filter(s => s.text.includes('window.hacked=1')
                                                   && s.type !== 'application/json').length,
        title: document.title,
        h1: document.querySelector('h1').textContent,
        svgText: [...document.querySelectorAll('svg text')].map(t => t.textContent)
                   .filter(t => t.includes('window.hacked')),
    })""")
    assert found["hacked"] == "undefined"
    assert found["bold"] == 0  # no <b> (nor plotly's bold tspan) holding the name's "bold"
    assert found["scripts"] == 0
    assert found["h1"] == HOSTILE
    assert HOSTILE in found["title"]
    text = loaded.visible_text()
    for name in (HOSTILE, f"described as {HOSTILE}", f"walk-in {HOSTILE}", f"L2 {HOSTILE}"):
        assert name in text, name
    # The chart labels (axis ticks, legends, the Sankey's nodes) show the names whole.
    assert found["svgText"], "no chart shows the hostile channel or tier name"
    assert all(HOSTILE in t for t in found["svgText"]), found["svgText"]


def test_the_hours_map_shows_the_hour_most_callers_gave_up_as_missed(
        chromium: Chromium, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """A desk with one agent over a long lunch (12:00–14:00): most callers of those hours
    hang up. Their cells are red ("missed") with the SLA written in, not green or grey; the
    morning is met; the report says why the target was missed."""
    from tests.output.desks import lunch_gap_desk

    scenario = write_yaml(tmp_path / "lunch.yaml", lunch_gap_desk())
    out = tmp_path / "run"
    simdesk("run", str(scenario), "--seed", "1", "-r", "4", "-w", "1", "-q", "-o", str(out),
            "--report")
    loaded = chromium.load(out / REPORT_NAME, expected_figures(out), name=request.node.name)
    loaded.assert_ok()
    sla, gave_up = loaded.page.evaluate(
        "(() => { const d = document.getElementById('fig-heatmap-sla').data;"
        " const plain = t => ({name: t.name, y: t.y, text: t.text,"
        " hovertext: t.hovertext, meta: t.meta});"
        " return [plain(d[0]), plain(d[1])]; })()")
    assert sla["y"] == ["Mon–Fri"] and gave_up["name"].endswith("gave up")
    row = sla["meta"]["verdicts"][0]
    assert int(gave_up["text"][0][12].rstrip("%")) > 50  # most callers at 12:00 gave up
    assert row[12] == "missed" and row[13] == "missed"
    assert re.fullmatch(r"\d{1,2}%", sla["text"][0][12]), sla["text"][0][12]
    assert int(sla["text"][0][12].rstrip("%")) < 50
    assert "<b>missed</b>" in sla["hovertext"][0][12]
    assert row[8] == "met"
    colours = loaded.page.evaluate(
        "document.getElementById('fig-heatmap-sla')._fullData[0].colorscale")
    assert colours[0][1] == "#d73027"  # red for missed
    text = loaded.visible_text()
    assert "Why targets were missed" in text and "Where: Mon–Fri 12:00" in text
