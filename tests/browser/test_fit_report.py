"""The fit report in a real browser: made by the CLI from a simulated export, it opens in
headless Chromium with no console or page error and no request leaving the file, every
figure drawn with data; names from the export holding HTML stay text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.report.fit_figures import FIT_FIGURES
from tests.browser.harness import Chromium
from tests.fit.helpers import desk, write_yaml

HOSTILE = "<script>window.hacked=1</script><b>bold</b>"


def simdesk(*args: str | Path) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def _export(folder: Path) -> Path:
    scenario = write_yaml(folder / "desk.yaml", desk(horizon="2w", warmup="1d"))
    simdesk("run", scenario, "--seed", "6", "-r", "1", "-q", "-o", folder / "run")
    path = folder / "tickets.csv"
    simdesk("export", folder / "run", "-o", path, "--tz", "Europe/Berlin")
    return path


def test_fit_report(chromium: Chromium, tmp_path: Path, request: pytest.FixtureRequest
                    ) -> None:
    tickets = _export(tmp_path)
    simdesk("fit", tickets, "--tz", "Europe/Berlin", "-o", tmp_path / "fitted.yaml", "-r", "2")
    loaded = chromium.load(tmp_path / "fitted.fit.html", FIT_FIGURES, name=request.node.name)
    loaded.assert_ok()
    assert tuple(loaded.figures) == tuple(f"#{i}" for i in FIT_FIGURES)
    body = loaded.page.evaluate("[document.body.dataset.rendered,"
                                " document.body.dataset.renderError ?? null]")
    assert body == ["true", None]
    text = loaded.visible_text()
    for words in ("FIT REPORT", "Arrivals", "Handle times", "Patience", "Naive average",
                  "Check before you trust it", "Service level"):
        assert words in text, words
    # one arrivals panel per channel, observed and fitted in each
    names = loaded.page.evaluate(
        "document.getElementById('fig-fit-arrivals').data.map(t => t.name)")
    assert names.count("fitted") == 3
    assert loaded.screenshot.stat().st_size > 50_000


def test_names_from_the_export_are_shown_as_text(chromium: Chromium, tmp_path: Path,
                                                 request: pytest.FixtureRequest) -> None:
    """A topic and a segment named with a script and a tag (a tier cannot be: '>' separates
    the tiers in the groups column): they appear literally in the page and the charts,
    and nothing runs."""
    tickets = _export(tmp_path)
    table = pd.read_csv(tickets, dtype=str, keep_default_na=False)
    table["topic"] = table["topic"].replace("bug", f"bug {HOSTILE}")
    table["segment"] = table["segment"].replace("paid", f"paid {HOSTILE}")
    table.to_csv(tickets, index=False)
    simdesk("fit", tickets, "--tz", "Europe/Berlin", "-o", tmp_path / "fitted.yaml", "-r", "2")
    loaded = chromium.load(tmp_path / "fitted.fit.html", FIT_FIGURES, name=request.node.name)
    loaded.assert_ok()
    found = loaded.page.evaluate("""() => ({
        hacked: typeof window.hacked,
        bold: [...document.querySelectorAll('b, strong, svg *')]
                .filter(e => e.textContent === 'bold').length,
        svgText: [...document.querySelectorAll('svg text')].map(t => t.textContent)
                   .filter(t => t.includes('window.hacked')),
    })""")
    assert found["hacked"] == "undefined"
    assert found["bold"] == 0
    assert found["svgText"], "no chart shows the hostile topic or segment"
    assert all(HOSTILE in t or HOSTILE.replace("/", "-") in t for t in found["svgText"]), (
        found["svgText"])
    text = loaded.visible_text()
    topic = f"bug {HOSTILE}".replace("/", "-")  # '/' separates channel/topic in handle_by
    assert topic in text and f"paid {HOSTILE}" in text
