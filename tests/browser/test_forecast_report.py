"""The forecast report in a real browser: made by the CLI, it opens in headless Chromium
with no console or page error and no request leaving the file, every channel's figure
drawn; a channel named with HTML stays text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from simdesk.cli import main
from tests.browser.harness import Chromium

HOSTILE = "<b>bold</b><img src=x onerror=window.hacked=1>"


def simdesk(*args: str | Path) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_forecast_report(chromium: Chromium, tmp_path: Path, request: pytest.FixtureRequest
                         ) -> None:
    out = tmp_path / "next.csv"
    simdesk("forecast", "examples/history/tickets.csv.gz", "--tz", "Europe/Berlin", "-o", out)
    loaded = chromium.load(tmp_path / "next.html", [f"forecast-{i}" for i in range(3)],
                           name=request.node.name)
    loaded.assert_ok()
    text = loaded.visible_text()
    for words in ("Forecast per week", "The model per channel",
                  "Back-test against seasonal-naive", "Assumptions", "Forecast: chat"):
        assert words in text, words
    names = loaded.page.evaluate("document.getElementById('forecast-0').data.map(t => t.name)")
    assert names == ["history", "model (history)", "90% prediction interval", "forecast"]


def test_a_channel_named_with_html_stays_text(chromium: Chromium, tmp_path: Path,
                                              request: pytest.FixtureRequest) -> None:
    rng = np.random.default_rng(1)
    days = rng.integers(0, 28, size=2000)
    created = (pd.Timestamp("2026-03-02") + pd.to_timedelta(days, unit="D")
               + pd.to_timedelta(rng.uniform(8 * 60, 18 * 60, size=2000), unit="min"))
    frame = pd.DataFrame({"created_at": created.strftime("%Y-%m-%d %H:%M"),
                          "channel": np.where(rng.random(2000) < 0.5, HOSTILE, "email")})
    tickets = tmp_path / "t.csv"
    frame.to_csv(tickets, index=False)
    simdesk("forecast", tickets, "--preset", "simdesk", "-o", tmp_path / "f.csv")
    loaded = chromium.load(tmp_path / "f.html", ["forecast-0", "forecast-1"],
                           name=request.node.name)
    loaded.assert_ok()
    assert loaded.page.evaluate("window.hacked === undefined")
    text = loaded.visible_text()  # the reader writes '/' and spaces as '-'
    assert "<b>bold<-b><img-src=x-onerror=window.hacked=1>" in text
