"""Open a local HTML file in headless Chromium and say what a person would have seen.

The browser is Debian's Chromium (``/usr/bin/chromium``; ``.ci/run`` installs it), driven by
Playwright for Python with ``executable_path`` set, so Playwright never downloads a browser of
its own. Each page gets a new browser context (an empty profile: no cache, no storage), and

- every console message of level ``error`` and every uncaught page error is recorded;
- every request for anything but a ``file:``, ``data:``, ``blob:`` or ``about:`` URL is
  aborted before it leaves the browser and recorded: a report must be self-contained;
- the harness waits until plotly has rendered every expected figure div (the div exists,
  has the class ``js-plotly-rendered`` or holds a ``.main-svg``, and its ``data`` is a
  non-empty array with at least one trace with points), and also every other plotly div
  found on the page;
- a full-page screenshot goes to ``test-artifacts/screenshots/<test name>.png``, before any
  check is judged, so a failing page leaves its picture too.

Without Chromium the browser tests are skipped with the reason, except when ``CI`` is set:
there they fail, so CI can never pass without the browser proof.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    ViewportSize,
    sync_playwright,
)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

CHROMIUM_ENV = "SIMDESK_CHROMIUM"
"""Path of another Chromium binary to use (default: ``/usr/bin/chromium``, else ``chromium``
on PATH)."""

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # else a closed network refuses many connections
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces under the request blocking below: no name resolves to anything.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
LOAD_TIMEOUT = 60.0
"""Seconds for a page's load event (a report inlines ~4.5 MB of plotly.js)."""
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}

# One JS function: the state of each figure div, by id, plus every plotly div on the page.
FIGURE_STATE_JS = """
(ids) => {
  const points = (gd, i) => {
    const full = gd._fullData && gd._fullData[i];
    if (full && typeof full._length === 'number' && full._length > 0) return full._length;
    const trace = gd.data[i] || {};
    const size = (v) => {
      if (v === null || v === undefined) return 0;
      if (Array.isArray(v) || ArrayBuffer.isView(v)) return v.length;
      if (typeof v === 'object') {
        if (v._inputArray) return size(v._inputArray) || Object.keys(v._inputArray).length;
        if (typeof v.bdata === 'string') return v.bdata.length > 0 ? 1 : 0;
      }
      return 0;
    };
    let n = 0;
    for (const key of ['x', 'y', 'z', 'values', 'labels', 'lat', 'lon', 'r', 'theta',
                       'a', 'b', 'c', 'ids', 'locations', 'dimensions']) {
      n = Math.max(n, size(trace[key]));
    }
    if (trace.cells && Array.isArray(trace.cells.values)) {
      n = Math.max(n, ...trace.cells.values.map(size), 0);
    }
    if (trace.link) n = Math.max(n, size(trace.link.value));  // a sankey: its flows
    if (typeof trace.value === 'number') n = Math.max(n, 1);  // an indicator
    return n;
  };
  const state = (el) => {
    if (!el) return {exists: false, rendered: false, traces: -1, points: []};
    const rendered = el.classList.contains('js-plotly-rendered')
      || el.querySelector('.main-svg') !== null;
    const traces = Array.isArray(el.data) ? el.data.length : -1;
    const pts = traces > 0 ? el.data.map((_, i) => points(el, i)) : [];
    return {exists: true, rendered, traces, points: pts};
  };
  const out = {};
  for (const id of ids) out['#' + id] = state(document.getElementById(id));
  document.querySelectorAll('.plotly-graph-div, .js-plotly-plot').forEach((el, i) => {
    const key = el.id ? '#' + el.id : 'plotly div ' + i + ' (no id)';
    if (!(key in out)) out[key] = state(el);
  });
  return out;
}
"""


@dataclass(frozen=True)
class FigureState:
    exists: bool
    rendered: bool
    traces: int
    """Length of the div's ``data`` (-1: no ``data`` array)."""
    points: tuple[int, ...]
    """Points of each trace."""

    @property
    def ok(self) -> bool:
        return self.exists and self.rendered and self.traces > 0 and max(self.points) > 0

    def problem(self) -> str:
        if not self.exists:
            return "no such element"
        if not self.rendered:
            return "not rendered by plotly (no js-plotly-rendered class, no .main-svg)"
        if self.traces < 0:
            return "no data array"
        if self.traces == 0:
            return "data is an empty array"
        return f"no trace with points (points per trace: {list(self.points)})"


@dataclass
class LoadedPage:
    """A page opened by :meth:`Chromium.load`: what happened, and the page itself (still open
    until the test ends) for the test's own checks."""

    url: str
    page: Page
    screenshot: Path
    expected: tuple[str, ...]
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    figures: dict[str, FigureState] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        found = [f"console error: {text}" for text in self.console_errors]
        found += [f"page error: {text}" for text in self.page_errors]
        found += [f"request to a non-file URL (blocked): {url}"
                  for url in self.external_requests]
        found += [f"figure {key}: {state.problem()}"
                  for key, state in self.figures.items() if not state.ok]
        if not self.figures and not self.expected:
            found.append("no plotly figure on the page")
        return found

    def assert_ok(self) -> None:
        problems = self.problems
        assert not problems, (f"{self.url} (screenshot: {self.screenshot}):\n  "
                              + "\n  ".join(problems))

    def visible_text(self) -> str:
        return self.page.inner_text("body")


def chromium_path() -> str | None:
    """The Chromium binary, or None when there is none."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if Path(configured).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_chromium() -> str:
    """The Chromium binary; skips the test without one, but fails when ``CI`` is set."""
    path = chromium_path()
    if path is None:
        reason = ("Chromium not found (/usr/bin/chromium, chromium on PATH or "
                  f"${CHROMIUM_ENV}): apt-get install chromium (.ci/run does it)")
        if in_ci():
            pytest.fail(f"CI is set, and the browser proof cannot be skipped: {reason}",
                        pytrace=False)
        pytest.skip(reason)
    return path


def screenshot_name(test_name: str) -> str:
    """A file name from a test's name (parametrized ids included)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_") + ".png"


class Chromium:
    """One headless Chromium (per pytest worker); :meth:`load` opens a page in a new
    context."""

    def __init__(self, executable: str) -> None:
        self._manager = sync_playwright()
        self._playwright = self._manager.start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, args=list(CHROMIUM_ARGS))
        except BaseException:
            self._manager.__exit__(None, None, None)
            raise
        self._contexts: list[BrowserContext] = []

    @property
    def version(self) -> str:
        return self._browser.version

    def load(self, path: Path, figure_ids: Iterable[str], *, name: str,
             render_timeout: float = 20.0) -> LoadedPage:
        """Open ``path`` (a local HTML file) and wait for its load event (at most
        ``LOAD_TIMEOUT``), then until every figure in ``figure_ids`` (and every other plotly
        div) has rendered or ``render_timeout`` seconds have passed; save a full-page
        screenshot as ``name``. Nothing is asserted: see
        :meth:`LoadedPage.assert_ok`."""
        started = time.monotonic()
        context = self._browser.new_context(viewport=VIEWPORT, service_workers="block")
        self._contexts.append(context)
        page = context.new_page()
        url = Path(path).resolve().as_uri()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        loaded = LoadedPage(url=url, page=page, screenshot=SCREENSHOTS / screenshot_name(name),
                            expected=tuple(figure_ids))

        def route(request_route: Route) -> None:
            request_url = request_route.request.url
            if request_url.startswith(LOCAL_SCHEMES):
                request_route.continue_()
            else:
                loaded.external_requests.append(request_url)
                request_route.abort("blockedbyclient")

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                where = message.location or {}
                at = f" ({where.get('url', '')}:{where.get('lineNumber', '')})" if where else ""
                loaded.console_errors.append(f"{message.text}{at}")

        context.route("**/*", route)
        page.on("console", console)
        page.on("pageerror", lambda error: loaded.page_errors.append(str(error)))
        page.on("websocket", lambda socket: loaded.external_requests.append(socket.url))
        page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT * 1000)

        deadline = time.monotonic() + render_timeout
        while True:
            states = page.evaluate(FIGURE_STATE_JS, list(loaded.expected))
            loaded.figures = {key: FigureState(s["exists"], s["rendered"], s["traces"],
                                               tuple(s["points"]))
                              for key, s in states.items()}
            done = all(state.ok for state in loaded.figures.values())
            if done or loaded.page_errors or time.monotonic() > deadline:
                break
            page.wait_for_timeout(100)
        page.screenshot(path=str(loaded.screenshot), full_page=True)
        loaded.seconds = time.monotonic() - started
        return loaded

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()
        self._browser.close()
        self._manager.__exit__(None, None, None)

    def close_pages(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()


def open_chromium() -> Iterator[Chromium]:
    """Generator behind the session fixture (see conftest.py)."""
    browser = Chromium(require_chromium())
    try:
        yield browser
    finally:
        browser.close()

