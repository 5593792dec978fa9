"""simdesk report: one self-contained HTML page per results folder, every figure with
data, scenario text escaped, fast and small, and clear refusals."""

from __future__ import annotations

import html
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from plotly.offline import get_plotlyjs

from simdesk.cli import main
from simdesk.report import (
    ALL_FIGURES,
    FIGURES,
    REPORT_NAME,
    build_report,
    expected_figures,
    write_report,
)
from simdesk.store.results import write_comparison, write_results
from tests.report.conftest import Folders, Page, desk, invoke, trace_points, write_yaml

REPO = Path(__file__).resolve().parents[2]
BUNDLE_HEAD = get_plotlyjs()[:400]
"""The start of plotly.js: found exactly once in a report."""


def read(path: Path) -> tuple[str, Page]:
    text = path.read_text(encoding="utf-8")
    return text, Page(text)


def check_page(path: Path, kind: str, name: str) -> Page:
    """The checks every report passes: one plotly.js, each expected figure once with
    data, the name escaped in the title and the heading, nothing loaded from outside."""
    text, page = read(path)
    assert text.count(BUNDLE_HEAD) == 1
    plain = [s for s in page.scripts if s.get("type") != "application/json"]
    assert len(plain) == 2 and not any(s.get("src") for s in page.scripts)  # bundle, loader
    assert "http://" not in text.split("</head>")[1] or "https://" not in text
    ids = expected_figures(path.parent) if path.name == REPORT_NAME else FIGURES[kind]
    assert page.body["data-figures"] == " ".join(ids)
    for figure in ids:
        assert page.ids.get(figure) == "div", figure
        spec = page.figure_data[figure]
        assert spec["data"], figure
        assert max(trace_points(trace) for trace in spec["data"]) > 0, figure
        assert spec["layout"]["height"] > 0
    assert [i for i in page.ids if i.startswith("fig-")] == list(ids)
    assert page.h1 == name and page.title.startswith(name)
    assert html.escape(name, quote=False) in text
    return page


def test_run_report(folders: Folders) -> None:
    path = folders.run / REPORT_NAME
    page = check_page(path, "run", "Report test desk")
    assert f"Report written to {path}" in folders.outputs["run"]
    text = path.read_text(encoding="utf-8")
    for words in ("What was simulated", "Results at a glance", "Mon-Fri 08:00-16:00",
                  "rota: 1 of 2 on duty", "80% within 2m", "counted Mon-Fri 08:00-18:00",
                  "Segments"):
        assert words in text, words
    assert "chip-met" in text or "chip-missed" in text or "chip-close" in text
    assert page.figure_data["fig-queue-week"]["data"][0]["x0"].startswith("2026-01-12")


def test_the_behaviour_a_run_assumed_and_measured_is_in_the_report(tmp_path: Path) -> None:
    """Speed, blending, concurrency, breaks, dates, helpers and the desk-wide behaviour
    are listed under "What was simulated"; self-service, repeat contacts and the helper's
    time in the queue are tabled; a plain run has none of it."""
    data = desk(volume={"day_factor": {"cv": "20%"}, "trend": "1%/w"},
                shrinkage={"absence": "5%"})
    data["topics"]["question"]["deflection"] = {"share": "30%", "picks": "easiest"}
    l1 = data["tiers"]["L1"]
    l1["agents"][0].update(channels=["chat", "email"], concurrency={"max": 2, "slowdown": "20%"},
                           breaks=[{"after": "4h30m", "for": "30m"}])
    l1["agents"][1].update(speed="80%", ramp={"start": "50%", "over": "4w"}, dates=["day 3"])
    l1["reopens"] = {"share": "10%", "after": {"dist": "exponential", "mean": "1d"}}
    l1["helpers"] = [{"name": "boss", "joins_at": 3}]
    scenario = write_yaml(tmp_path / "desk.yaml", data)
    invoke("run", str(scenario), "--seed", "1", "-r", "2", "-o", str(tmp_path / "run"), "-q",
           "--report")
    text = (tmp_path / "run" / REPORT_NAME).read_text(encoding="utf-8")
    for words in ("takes chat before email", "up to 2 at once, each 20% slower per other",
                  "break 30m 4h30m into the shift", "speed 80% (from 40% over 4w)",
                  "only on day 3", "helper boss: Mon-Fri 09:00-17:00, joins at 3 waiting",
                  "Day-to-day volume</b>: every day × a gamma factor, mean 1, cv 20%",
                  "volume grows 1%/w", "answers question 30% (the easiest)",
                  "comes back from tier L1 10%", "5% of shifts missed",
                  "Self-service, repeat contacts and helpers", "Helpers in the queue",
                  "Share of each tier's handling time spent on repeat contacts"):
        assert words in text, words
    plain = tmp_path / "plain"
    invoke("run", str(write_yaml(tmp_path / "plain.yaml", desk())), "--seed", "1", "-r", "2",
           "-o", str(plain), "-q", "--report")
    assert "Self-service, repeat contacts" not in (plain / REPORT_NAME).read_text(
        encoding="utf-8")


def test_compare_report(folders: Folders) -> None:
    page = check_page(folders.compare / REPORT_NAME, "compare", "Report test desk")
    differences = page.figure_data["fig-compare-diff"]["data"]
    assert {t["name"] for t in differences} <= {"significantly better", "significantly worse",
                                                "no significant difference"}
    sla = page.figure_data["fig-sla"]["data"]
    assert [t["name"] for t in sla if t["type"] == "bar"] == ["fifo", "paid-first"]
    text = (folders.compare / REPORT_NAME).read_text(encoding="utf-8")
    assert "All differences against the baseline" in text and "(baseline)" in text


def test_sweep_report(folders: Folders) -> None:
    page = check_page(folders.sweep / REPORT_NAME, "sweep", "Report test desk")
    assert expected_figures(folders.sweep) == FIGURES["sweep"]
    sla = page.figure_data["fig-sweep-sla"]
    names = {t.get("name") for t in sla["data"]}
    assert "chat arrival rate = 5/h" in names and "chat arrival rate = 7/h" in names
    assert sla["layout"]["xaxis"]["title"]["text"] == "L1 agents on Mon-Fri 08:00-16:00"
    text = (folders.sweep / REPORT_NAME).read_text(encoding="utf-8")
    assert "4 of 4 points finished" in text


def test_one_parameter_sweep_has_no_heatmap(tmp_path: Path) -> None:
    base = write_yaml(tmp_path / "desk.yaml", desk(horizon="3d", warmup="4h"))
    sweep = write_yaml(tmp_path / "sweep.yaml", {
        "scenario": base.name, "parameters": {"tiers.L1.agents[1].count": [1, 2, 3]},
        "replications": 2, "seed": 2})
    result = CliRunner().invoke(main, ["sweep", str(sweep), "-o", str(tmp_path / "out"),
                                       "-w", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out" / REPORT_NAME).exists()  # no --report, no report
    written = write_report(tmp_path / "out")
    assert expected_figures(tmp_path / "out") == ("fig-sweep-sla", "fig-sweep-utilization")
    check_page(written, "sweep", "Report test desk")


def test_report_command_writes_where_asked(folders: Folders, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "desk.html"
    result = CliRunner().invoke(main, ["report", str(folders.run), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Report written to {out} (")
    check_page(out, "run", "Report test desk")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    assert write_report(folders.compare, folder) == folder / REPORT_NAME


HOSTILE = "<script>alert(1)</script>"


def test_scenario_text_is_escaped_everywhere(tmp_path: Path) -> None:
    data = desk(name=HOSTILE, description="</script><img src=x onerror=alert(2)>")
    data["channels"] = {"<img src=x onerror=alert(3)>": data["channels"]["chat"],
                        'e"mail&<b>': data["channels"]["email"]}
    data["arrivals"][0]["channel"] = "<img src=x onerror=alert(3)>"
    data["arrivals"][1]["channel"] = 'e"mail&<b>'
    data["segments"] = {"<i>paid</i>": "30%", "free": "70%"}
    data["tiers"] = {"<a href='javascript:alert(4)'>L1</a>": {
        **data["tiers"]["L1"], "escalate_to": "L2<br>"}, "L2<br>": data["tiers"]["L2"]}
    data["policies"] = {"<svg onload=alert(5)>": {"policy": "newest-first"}}
    scenario = write_yaml(tmp_path / "desk.yaml", data)
    for command, extra in (("run", []), ("compare", ["-p", "fifo,<svg onload=alert(5)>"])):
        out = tmp_path / command
        result = CliRunner().invoke(main, [command, str(scenario), "--seed", "1", "-r", "2",
                                           "-o", str(out), "-q", "--report", *extra])
        assert result.exit_code == 0, result.output
        path = out / REPORT_NAME
        page = check_page(path, command, HOSTILE)
        text = path.read_text(encoding="utf-8")
        after_bundle = text[text.index("</script>") + len("</script>"):]
        for raw in (HOSTILE, "<img src=x", "<svg onload", "<a href='javascript", "<i>paid",
                    "L2<br>", "</script><img"):
            assert raw not in after_bundle, raw
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        for spec in page.figure_data.values():  # plotly decodes entities: text, not tags
            blob = json.dumps(spec)
            assert "<svg" not in blob and "<img" not in blob and "<script" not in blob
        assert "&lt;img src=x onerror=alert(3)&gt;" in json.dumps(
            page.figure_data["fig-sla"])


def test_size_and_time_on_a_mid_size_run(tmp_path: Path) -> None:
    """The SaaS desk: 4 weeks, 3 tiers, 10 replications — generous bounds."""
    import simdesk

    result = simdesk.simulate(REPO / "scenarios" / "saas-startup.yaml", seed=1,
                              replications=10)
    folder = write_results(result, tmp_path / "saas")
    started = time.process_time()  # CPU: the machine may be loaded
    path = write_report(folder)
    seconds = time.process_time() - started
    assert seconds < 10
    assert path.stat().st_size < 10_000_000
    check_page(path, "run", result.scenario.name)


def test_compare_folder_written_from_python(tmp_path: Path) -> None:
    from simdesk.experiments.compare import compare

    comparison = compare(desk(horizon="4d", warmup="8h"), ["fifo", "newest-first"], seed=3,
                         replications=2)
    folder = write_comparison(comparison, tmp_path / "cmp")
    report = build_report(folder)
    assert report.kind == "compare" and report.figures == FIGURES["compare"]
    assert report.seconds < 10


def test_figure_ids_are_documented() -> None:
    import simdesk.report

    doc = simdesk.report.__doc__ or ""
    for figure in ALL_FIGURES:
        assert figure in doc, figure
    assert set(ALL_FIGURES) == {i for ids in FIGURES.values() for i in ids}
    docs = (REPO / "docs" / "report.md").read_text(encoding="utf-8")
    for figure in ALL_FIGURES:
        assert figure in docs, figure


def test_plotly_is_imported_only_for_a_report() -> None:
    code = ("import sys, simdesk, simdesk.cli, simdesk.report, simdesk.store.results; "
            "print(any(m == 'plotly' or m.startswith('plotly.') for m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, cwd=REPO)
    assert found.stdout.strip() == "False"


# -- refusals --------------------------------------------------------------------------


def refused(*args: str) -> str:
    result = CliRunner().invoke(main, ["report", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_folder_that_holds_no_results_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    message = refused(str(tmp_path))
    assert f"{tmp_path} is not a simdesk results folder" in message
    assert "simdesk run" in message and "simdesk compare" in message
    assert "simdesk sweep" in message and "tickets.parquet" in message


def test_missing_paths_and_files_are_refused(tmp_path: Path, folders: Folders) -> None:
    assert "does not exist" in refused(str(tmp_path / "nowhere"))
    file = tmp_path / "file.txt"
    file.write_text("x", encoding="utf-8")
    assert "is not a folder" in refused(str(file))
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("scenario.yaml", "summary.csv"):
        (broken / name).write_bytes((folders.run / name).read_bytes())
    message = refused(str(broken))
    assert "`simdesk run`" in message and "tickets.parquet" in message


def test_a_sweep_with_no_finished_point_is_refused(tmp_path: Path, folders: Folders) -> None:
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    for name in ("sweep.yaml", "state.json", "scenario.yaml"):
        (sweep / name).write_bytes((folders.sweep / name).read_bytes())
    assert "no finished point" in refused(str(sweep))


def test_an_unwritable_target_is_refused(tmp_path: Path, folders: Folders) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    message = refused(str(folders.run), "-o", str(blocker / "report.html"))
    assert "cannot write the report" in message


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_report_flag_is_documented(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert "--report" in result.output and "report.html" in result.output
