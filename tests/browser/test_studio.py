"""``simdesk studio`` in Debian's Chromium: the page a manager uses, driven as they would.

Each test starts the studio in a subprocess on a copy of a shipped scenario
(``simdesk studio FILE --no-browser --port 0``) and stops it afterwards (no process is
left). The browser may reach only that server: every other request is blocked and
recorded, and no console or page error is allowed. Every state is saved as a screenshot
under ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.browser.harness import (
    CHROMIUM_ARGS,
    SCREENSHOTS,
    Chromium,
    require_chromium,
    screenshot_name,
)
from tests.studio.serving import StudioProcess, studio_process

REPO = Path(__file__).resolve().parents[2]
SCENARIO = "saas-startup.yaml"
WAIT_MS = 90_000
"""The longest a step may take on a loaded 2-core machine."""
LOOPBACK_ARGS = [a for a in CHROMIUM_ARGS if not a.startswith("--host-resolver-rules")] + [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
"""The harness's Chromium, but 127.0.0.1 resolves (the studio's server); nothing else."""


@pytest.fixture(scope="module")
def browser(_chromium_session: Chromium) -> Iterator[Browser]:
    """A second Chromium of the worker's Playwright, allowed to reach 127.0.0.1."""
    require_chromium()
    launched = _chromium_session._playwright.chromium.launch(
        executable_path=require_chromium(), args=LOOPBACK_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A folder holding a copy of the shipped SaaS desk (saving must not touch the repo)."""
    shutil.copy(REPO / "scenarios" / SCENARIO, tmp_path / SCENARIO)
    return tmp_path


class Session:
    """One page on one studio: what it logged, and screenshots by state."""

    def __init__(self, page: Page, studio: StudioProcess, test: str) -> None:
        self.page, self.studio, self.test = page, studio, test
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.jobs = 0

    def shot(self, state: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / screenshot_name(f"studio_{state}")
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def field(self, group: str, label: str) -> str:
        """The selector of a form field: the input labelled ``label`` in ``group``."""
        return (f".group:has(> .group-title:text-is('{group}')) "
                f"label.row:has(.label:text-is('{label}')) input")

    def set_field(self, group: str, label: str, value: str) -> None:
        field = self.page.locator(self.field(group, label))
        field.fill(value)
        field.press("Enter")  # the form's inputs report on Enter or leaving the field

    def run(self, button: str = "#run") -> None:
        """Click a run button and wait until the job has finished."""
        self.jobs += 1
        self.page.click(button)
        self.wait_for_job(self.jobs)
        assert "finished" in self.page.inner_text("#job-message"), self.page.inner_text(
            "#job-message")

    def wait_for_job(self, number: int) -> None:
        """Wait until job ``number`` (the studio counts them from 1) has ended."""
        try:
            self.page.wait_for_function(
                f"() => document.getElementById('job-message').innerText.startsWith("
                f"'Job {number}:')", timeout=WAIT_MS)
        except Exception:
            self.shot(f"{self.test}_stuck")
            raise AssertionError(
                f"job {number} did not end: {self.page.inner_text('.runbar')!r}, "
                f"{self.page.inner_text('#notice')!r}; errors {self.errors}, blocked "
                f"{self.outside}; server: {self.studio.output[-2000:]}") from None

    def card(self, channel: str) -> str:
        return self.page.inner_text(f"#run-results .card:has(b:text-is('{channel}'))")

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.outside, self.outside


@pytest.fixture
def session(browser: Browser, desk: Path, request: pytest.FixtureRequest
            ) -> Iterator[Session]:
    with studio_process(desk / SCENARIO) as studio:
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      service_workers="block", accept_downloads=True)
        page = context.new_page()
        opened = Session(page, studio, request.node.name)

        def route(found: Route) -> None:
            if found.request.url.startswith(studio.url):
                found.continue_()
            else:
                opened.outside.append(found.request.url)
                found.abort("blockedbyclient")

        context.route("**/*", route)
        page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error"
                else None)
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.goto(studio.url, wait_until="load")
        page.wait_for_selector(".group-title", timeout=WAIT_MS)
        try:
            yield opened
        finally:
            context.close()
    assert studio.process.returncode is not None  # the server is gone


def sla(card: str) -> tuple[float, float, float]:
    """(mean, low, high) in percent from a verdict card's text."""
    mean = re.search(r"(\d+\.\d)%", card)
    ci = re.search(r"95 % CI (\d+\.\d)–(\d+\.\d) %", card)
    assert mean and ci, card
    return float(mean.group(1)), float(ci.group(1)), float(ci.group(2))


def test_change_an_l1_group_and_run(session: Session, desk: Path) -> None:
    page = session.page
    assert "✓ valid" in page.inner_text("#problems")
    session.shot("opened")
    page.fill("#replications", "5")
    session.run()
    before = sla(session.card("chat"))
    assert "target 80% within 5m" in session.card("chat")
    session.shot("run_today")
    heads = {"missed": "chat ✗ missed its 80% target", "close": "chat ≈ close to its 80% "
             "target"}
    told = [head for word, head in heads.items() if f" {word}" in session.card("chat")]
    if told:  # the verdict says missed or close: the page says why, as the terminal does
        why = page.inner_text("#run-misses")
        assert told[0] in why and "Where:" in why, why
    else:
        why = page.inner_text("#run-misses") if page.locator("#run-misses").count() else ""
        assert not any(head in why for head in heads.values()), why

    session.set_field("L1", "group 1 agents", "3")  # two more agents on the early shift
    page.wait_for_function(
        "() => document.getElementById('yaml').value.includes("
        "'{shift: \"Mon-Fri 07:30-15:30\", count: 3}  # clears the overnight email first')")
    session.run()
    after = sla(session.card("chat"))
    session.shot("run_more_l1")
    assert after[0] > before[0], (before, after)
    assert after[1:] != before[1:], (before, after)  # its interval moved too
    assert after[1] <= after[0] <= after[2]

    page.click("#save")
    page.wait_for_function("() => document.getElementById('notice').innerText"
                           ".startsWith('Saved')")
    original = (REPO / "scenarios" / SCENARIO).read_text(encoding="utf-8").splitlines()
    saved = (desk / SCENARIO).read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(original, saved, strict=True) if a != b]
    assert changed == [('      - {shift: "Mon-Fri 07:30-15:30", count: 1}  # clears the '
                        "overnight email first",
                        '      - {shift: "Mon-Fri 07:30-15:30", count: 3}  # clears the '
                        "overnight email first")]
    session.assert_clean()


def test_a_plan_against_today_on_the_same_tickets(session: Session) -> None:
    page = session.page
    page.fill("#replications", "5")
    page.fill("#variant-name", "+1 evening agent")
    page.click("#add-variant")
    page.wait_for_function("() => document.getElementById('notice').innerText"
                           ".startsWith('Added plan')")
    session.set_field("L1", "group 5 agents", "2")
    page.wait_for_function("() => document.getElementById('yaml').value.includes("
                           "'{shift: \"Mon-Fri 11:00-19:00\", count: 2}')")
    session.run("#run-plans")
    table = page.inner_text("#plans-results")
    session.shot("plans")
    assert "+1 evening agent" in table and "today (baseline)" in table
    assert "exactly the same tickets as today" in table
    chat = page.inner_text("#plans-results tr:has(td:text-is('chat')):has(td:text-is('SLA'))")
    found = re.search(r"([✓✗=]) ([+-])(\d+\.\d)pp ±(\d+\.\d)", chat)
    assert found, chat
    mark, sign, size, half = found.groups()
    assert (mark, sign) == ("✓", "+"), chat  # one more agent at the evening peak helps chat
    assert 0 < float(half) < float(size), chat

    with page.expect_download() as download:  # the plan as YAML, comments kept
        page.click("#download-yaml")
    assert download.value.suggested_filename == "saas-startup-1-evening-agent.yaml"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert '- {shift: "Mon-Fri 11:00-19:00", count: 2}' in text
    assert text.startswith("# SaaS startup: a B2B web app")
    with page.expect_download(timeout=WAIT_MS) as download:  # its results as the report
        page.click("#download-report")
    assert download.value.suggested_filename == "saas-startup-1-evening-agent-report.html"
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert report.startswith("<!DOCTYPE html>") and 'id="fig-sla"' in report
    assert "5 replications" in report or "replications" in report
    session.assert_clean()


def test_staffing_against_today(session: Session) -> None:
    page = session.page
    page.fill("#replications", "3")
    session.run("#run-staff")
    shown = page.inner_text("#staff-results")
    session.shot("staffing")
    assert re.search(r"L1: today 200 agent-hours a week; the targets need \d+ by simulation "
                     r"\(Erlang \d+\)", shown), shown
    figure = page.evaluate("document.getElementById('staff-L1').querySelector('.js-plotly-plot')"
                           " !== null || document.querySelector('#staff-L1 .main-svg') !== null")
    assert figure
    session.assert_clean()


def test_broken_yaml_shows_the_message_with_its_line(session: Session) -> None:
    page = session.page
    text = page.input_value("#yaml")
    page.fill("#yaml", text.replace('count: 1}  # clears', 'count: many}  # clears', 1))
    page.wait_for_selector("#problems .problem")
    problems = page.inner_text("#problems")
    session.shot("broken_yaml")
    assert "✗ 1 problem" in problems
    assert ("saas-startup.yaml:51: tiers.L1.agents[0].count: expected a whole number, got "
            "'many'") in problems
    page.fill("#yaml", text.replace("routing: {policy: fifo}", "routing: {policy: fifo"))
    page.wait_for_function("() => document.getElementById('problems').innerText"
                           ".includes('YAML syntax error')")
    assert re.search(r"saas-startup\.yaml:\d+: YAML syntax error", page.inner_text("#problems"))
    page.click("#save")
    page.wait_for_function("() => document.getElementById('notice').innerText"
                           ".startsWith('Not saved')")
    page.fill("#replications", "2")
    page.click("#run")  # a run of a broken plan fails on the page; the server goes on
    session.jobs += 1
    session.wait_for_job(session.jobs)
    failed = page.inner_text("#job-message")
    assert "failed" in failed and "'today' is not a valid scenario" in failed, failed
    assert "YAML syntax error" in failed
    page.fill("#yaml", text)
    page.wait_for_function("() => document.getElementById('problems').innerText"
                           ".includes('✓ valid')")
    session.run()
    session.shot("broken_then_fixed")
    assert "chat" in session.card("chat")
    session.assert_clean()


def test_cancel_a_long_run(session: Session) -> None:
    page = session.page
    page.fill("#replications", "1000")
    page.click("#run")
    session.jobs += 1
    page.wait_for_function("() => /of 1000 replications/.test("
                           "document.getElementById('progress-label').innerText)",
                           timeout=WAIT_MS)
    session.shot("long_run")
    page.click("#cancel")
    session.wait_for_job(session.jobs)
    assert re.search(r"cancelled after \d+ of 1000", page.inner_text("#job-message"))
    session.shot("cancelled")
    assert page.locator("#run-results .card").count() == 0
    page.fill("#replications", "2")  # the server still serves
    session.run()
    assert "chat" in page.inner_text("#run-results")
    session.assert_clean()


def test_the_benchmark_runs(browser: Browser, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """benchmarks/bench_studio.py once (no timing judged here: that is ``make bench``)."""
    from tests.benchmarks import benchmark_module

    out = tmp_path / "bench.json"
    with benchmark_module("bench_studio") as bench:
        report = bench.main(["--repeat", "1", "--json", str(out)], browser=browser)
    start = report.starts[0]
    assert 0 < start.server < start.first_paint <= start.charts
    assert "first paint median" in capsys.readouterr().out
    assert out.is_file()


def test_scenario_text_is_shown_as_text(session: Session) -> None:
    page = session.page
    hostile = "<script>window.hacked=1</script><b>bold</b><img src=x onerror=window.hacked=2>"
    text = page.input_value("#yaml")
    page.fill("#yaml", text.replace("name: SaaS startup — chat and email, developer on rotation",
                                    f"name: '{hostile}'"))
    page.wait_for_function("() => document.getElementById('problems').innerText"
                           ".includes('<script>')")
    assert f"✓ valid: {hostile}" in page.inner_text("#problems")
    assert page.evaluate("window.hacked === undefined")
    assert page.locator("#problems b, #problems script, #problems img").count() == 0
    session.assert_clean()
