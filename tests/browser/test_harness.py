"""The browser harness itself, on small plotly pages made here: a good page passes, and each
kind of broken page is caught (console error, page error, a figure not rendered or without
data, a request leaving the file)."""

from __future__ import annotations

import functools
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from tests.browser import harness
from tests.browser.harness import Chromium


@functools.cache
def plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def figure(title: str) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[1, 2, 3, 4], y=[3.0, 1.0, 2.0, 4.0], name="tickets"))
    fig.add_bar(x=[1, 2, 3, 4], y=[1, 2, 1, 3], name="agents")
    return fig.update_layout(title=title, height=320)


def page_with(tmp_path: Path, body: str, name: str = "page.html") -> Path:
    """A full HTML page with plotly.js inlined and ``body``."""
    path = tmp_path / name
    path.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8">'
                    f"<script>{plotly_js()}</script></head><body>{body}</body></html>",
                    encoding="utf-8")
    return path


def good_body() -> str:
    return "<h1>Two figures</h1>" + "".join(
        pio.to_html(figure(f"Figure {i}"), include_plotlyjs=False, full_html=False,
                    div_id=f"fig-{i}")
        for i in (1, 2))


def test_a_self_contained_plotly_page_passes(chromium: Chromium, tmp_path: Path,
                                             request: pytest.FixtureRequest) -> None:
    path = tmp_path / "fig.html"
    path.write_text(pio.to_html(figure("One figure"), include_plotlyjs=True, full_html=True,
                                div_id="fig-test"), encoding="utf-8")
    loaded = chromium.load(path, ["fig-test"], name=request.node.name)
    loaded.assert_ok()
    assert loaded.figures["#fig-test"].points == (4, 4)
    assert loaded.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert loaded.screenshot.stat().st_size > 10_000
    assert "One figure" in loaded.visible_text()


def test_every_plotly_div_is_checked_not_only_the_expected(chromium: Chromium, tmp_path: Path,
                                                           request: pytest.FixtureRequest
                                                           ) -> None:
    loaded = chromium.load(page_with(tmp_path, good_body()), ["fig-1"], name=request.node.name)
    loaded.assert_ok()
    assert set(loaded.figures) == {"#fig-1", "#fig-2"}


def test_a_console_error_is_caught(chromium: Chromium, tmp_path: Path,
                                   request: pytest.FixtureRequest) -> None:
    body = good_body() + "<script>console.error('boom from the page')</script>"
    loaded = chromium.load(page_with(tmp_path, body), ["fig-1", "fig-2"],
                           name=request.node.name)
    assert [p for p in loaded.problems if "boom from the page" in p]
    assert all(state.ok for state in loaded.figures.values())  # only the console failed
    with pytest.raises(AssertionError, match="console error: boom from the page"):
        loaded.assert_ok()


def test_a_page_error_is_caught(chromium: Chromium, tmp_path: Path,
                                request: pytest.FixtureRequest) -> None:
    body = good_body() + "<script>undefinedFunction()</script>"
    loaded = chromium.load(page_with(tmp_path, body), ["fig-1", "fig-2"],
                           name=request.node.name)
    with pytest.raises(AssertionError, match=r"page error: .*undefinedFunction"):
        loaded.assert_ok()


def test_figures_not_rendered_or_without_data_are_caught(chromium: Chromium, tmp_path: Path,
                                                         request: pytest.FixtureRequest
                                                         ) -> None:
    body = good_body() + """
      <div id="fig-plain">a div that plotly never drew</div>
      <div id="fig-empty" class="plotly-graph-div"></div>
      <div id="fig-no-points" class="plotly-graph-div"></div>
      <script>
        Plotly.newPlot('fig-empty', []);
        Plotly.newPlot('fig-no-points', [{type: 'scatter', x: [], y: []}]);
      </script>"""
    expected = ["fig-1", "fig-plain", "fig-empty", "fig-no-points", "fig-missing"]
    loaded = chromium.load(page_with(tmp_path, body), expected, name=request.node.name,
                           render_timeout=1.5)
    problems = "\n".join(loaded.problems)
    assert loaded.figures["#fig-1"].ok and loaded.figures["#fig-2"].ok
    assert "figure #fig-plain: not rendered by plotly" in problems
    assert "figure #fig-empty: data is an empty array" in problems
    assert "figure #fig-no-points: no trace with points (points per trace: [0])" in problems
    assert "figure #fig-missing: no such element" in problems
    assert len(loaded.problems) == 4, problems


def test_requests_leaving_the_file_are_blocked_and_caught(chromium: Chromium, tmp_path: Path,
                                                          request: pytest.FixtureRequest
                                                          ) -> None:
    body = good_body() + """
      <img src="https://example.com/logo.png" alt="logo">
      <script>fetch('http://127.0.0.1:9/data.json').catch(() => {});</script>"""
    loaded = chromium.load(page_with(tmp_path, body), ["fig-1", "fig-2"],
                           name=request.node.name)
    assert all(state.ok for state in loaded.figures.values())
    loaded.page.wait_for_timeout(200)  # the fetch starts after the load event
    assert sorted(loaded.external_requests) == ["http://127.0.0.1:9/data.json",
                                                "https://example.com/logo.png"]
    with pytest.raises(AssertionError, match="request to a non-file URL"):
        loaded.assert_ok()


def test_plotly_from_a_cdn_is_caught(chromium: Chromium, tmp_path: Path,
                                     request: pytest.FixtureRequest) -> None:
    """The realistic mistake: ``include_plotlyjs="cdn"``. The script is blocked, so the
    figure never renders and plotly is undefined: all three are reported."""
    path = tmp_path / "cdn.html"
    path.write_text(pio.to_html(figure("CDN"), include_plotlyjs="cdn", full_html=True,
                                div_id="fig-cdn"), encoding="utf-8")
    loaded = chromium.load(path, ["fig-cdn"], name=request.node.name, render_timeout=1.5)
    problems = "\n".join(loaded.problems)
    assert loaded.external_requests and "plot.ly" in loaded.external_requests[0]
    assert "figure #fig-cdn: not rendered by plotly" in problems
    assert "page error:" in problems or "console error:" in problems


def test_no_chromium_skips_locally_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.setenv(harness.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not found"):
        harness.require_chromium()
    for value in ("true", "1", "yes"):
        monkeypatch.setenv("CI", value)
        with pytest.raises(pytest.fail.Exception, match="CI is set"):
            harness.require_chromium()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        harness.require_chromium()
