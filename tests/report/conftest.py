"""Results folders of every kind, written once per test session, for the report tests."""

from __future__ import annotations

import json
import re
from base64 import b64decode
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from simdesk.cli import main


def desk(name: str = "Report test desk", **overrides: Any) -> dict[str, Any]:
    """Two channels (one with business-hours SLA), two segments, two topics, a
    dispatcher-free two-tier desk on weekday shifts, the satisfaction proxy: every figure
    has something to draw."""
    data: dict[str, Any] = {
        "name": name,
        "description": "A small desk for the report tests.",
        "start": "2026-01-07",  # a Wednesday: the first full week starts on Monday 12th
        "horizon": "12d",
        "warmup": "1d",
        "channels": {
            "chat": {"sla": {"within": "2m", "target": "80%"},
                     "patience": {"dist": "exponential", "mean": "6m"}},
            "email": {"sla": {"within": "2h", "target": "90%", "hours": "Mon-Fri 08:00-18:00"},
                      "response": "reply"},
        },
        "segments": {"paid": "30%", "free": "70%"},
        "arrivals": [{"channel": "chat", "rate": "6/h", "profile": "business-hours"},
                     {"channel": "email", "rate": "2/h", "profile": "office"}],
        "tiers": {
            "L1": {"agents": [{"shift": "Mon-Fri 08:00-16:00", "count": 1},
                              {"shift": "Mon-Fri 10:00-18:00", "count": 1}],
                   "handle": {"dist": "exponential", "mean": "8m"}, "resolves": "80%",
                   "escalate_to": "L2"},
            "L2": {"rotation": {"pool": 2, "every": "1w", "availability": "50%"},
                   "handle": {"dist": "exponential", "mean": "15m"}},
        },
        "policies": {"paid-first": {"policy": "paid-first", "order": ["paid", "free"]}},
        "topics": {"question": {"share": "70%", "effort": 0.8},
                   "problem": {"share": "30%", "effort": 1.5}},
        "satisfaction": {},
    }
    data.update(overrides)
    return data


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


@dataclass(frozen=True)
class Folders:
    run: Path
    compare: Path
    sweep: Path
    outputs: dict[str, str]


@pytest.fixture(scope="session")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Folders:
    """A run, a comparison and a two-parameter sweep, each written with ``--report``."""
    root = tmp_path_factory.mktemp("report")
    scenario = write_yaml(root / "desk.yaml", desk())
    outputs = {}
    outputs["run"] = invoke("run", str(scenario), "--seed", "1", "-r", "3", "-o",
                            str(root / "run"), "-q", "--report").output
    outputs["compare"] = invoke("compare", str(scenario), "-p", "fifo,paid-first", "--seed",
                                "1", "-r", "3", "-o", str(root / "compare"), "-q",
                                "--report").output
    sweep = write_yaml(root / "sweep.yaml", {
        "scenario": "desk.yaml",
        "parameters": {"tiers.L1.agents[0].count": [1, 2],
                       "arrivals[0].rate": ["5/h", "7/h"]},
        "replications": 2, "seed": 1, "metric": "channel:chat.sla"})
    outputs["sweep"] = invoke("sweep", str(sweep), "-o", str(root / "sweep"), "-w", "1",
                              "-q", "--report").output
    return Folders(root / "run", root / "compare", root / "sweep", outputs)


class Page(HTMLParser):
    """What the tests look for in a report: every element with an id, the figure JSON
    blobs, the scripts, the title and the h1."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, str] = {}
        self.figure_data: dict[str, dict[str, Any]] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.body: dict[str, str | None] = {}
        self.title = ""
        self.h1 = ""
        self._in: str | None = None
        self._figure: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "id" in attributes and attributes["id"] is not None:
            self.ids[attributes["id"]] = tag
        if tag == "body":
            self.body = attributes
        if tag == "script":
            self.scripts.append(attributes)
            self._figure = attributes.get("data-figure")
        if tag in ("title", "h1"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "h1"):
            self._in = None
        if tag == "script":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._figure is not None:
            self.figure_data[self._figure] = json.loads(data)
        elif self._in == "title" and not self.title:
            self.title = data
        elif self._in == "h1":
            self.h1 += data


def points(value: Any) -> int:
    """How many values a trace attribute holds (plain lists or plotly's base64 arrays)."""
    if isinstance(value, dict) and "bdata" in value:
        size = {"f8": 8, "f4": 4, "i4": 4, "u4": 4, "i2": 2, "u2": 2, "i1": 1, "u1": 1}
        count = len(b64decode(value["bdata"])) // size.get(value.get("dtype", "f8"), 8)
        shape = value.get("shape")
        return count if not shape else int(re.split(r",\s*", str(shape))[0])
    if isinstance(value, list):
        return len(value)
    return 0


def trace_points(trace: dict[str, Any]) -> int:
    """The data points of one trace, whatever its type."""
    if trace.get("type") == "sankey":
        return points(trace.get("link", {}).get("value"))
    return max(points(trace.get(key)) for key in ("x", "y", "z"))
