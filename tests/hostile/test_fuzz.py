"""Fuzzing: shipped scenarios with random values replaced, keys dropped or lists grown,
through ``simdesk validate`` (and ``run`` on a short horizon): an input error is one
clear line and exit 2; never a traceback."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BASES = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in SCENARIOS]

HOSTILE_TEXT = ["1e400/h", "1e308/h", "-5m", "0", "nan", "inf", "2026-02-30", "day 0",
                "Mon-Sun 25:00-26:00", "100000w", "1e9w", "0%", "-1%", "1000%/d", "9/h",
                "weibull", "", "\x00", "=cmd", "[/red]", "a" * 300, "subprocess:Popen",
                "12:99", "24x7", "-", "NaN/h", "0/h", "1e-300/h"]
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
              st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(HOSTILE_TEXT),
              st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def _places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _places(value, (*path, index))
    return found


def _mutate(data: Any, path: tuple[Any, ...], action: str, value: Any) -> Any:
    if not path:
        return value if action == "replace" else data
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "drop" and isinstance(parent, dict):
        del parent[last]
    elif action == "grow" and isinstance(parent[last], list) and parent[last]:
        parent[last] = parent[last] * 50
    else:
        parent[last] = value
    return data


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    import copy

    data = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        places = _places(data)
        path = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "grow"]))
        data = _mutate(data, path, action, draw(values))
    return data


def _dump(data: Any) -> str:
    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return yaml.safe_dump(clean(data), allow_unicode=True, sort_keys=False)


def _check(data: Any, command: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "s.yaml"
        path.write_text(_dump(data), encoding="utf-8")
        result = CliRunner().invoke(main, [*command, str(path)], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{type(result.exception).__name__}: {result.exception}\n"
                             f"{_dump(data)[:3000]}") from result.exception
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "Error:" in result.stderr


FUZZ = settings(deadline=None, max_examples=60, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(mutated())
def test_validate_never_shows_a_traceback(data: Any) -> None:
    _check(data, ("validate",))


@settings(FUZZ, max_examples=400)
@pytest.mark.slow
@given(mutated())
def test_validate_never_shows_a_traceback_long(data: Any) -> None:
    _check(data, ("validate",))


@settings(FUZZ, max_examples=15)
@given(mutated())
def test_run_never_shows_a_traceback(data: Any) -> None:
    if isinstance(data, dict):
        data["horizon"], data["warmup"], data["replications"] = "2d", "0d", 2
    with tempfile.TemporaryDirectory() as out:
        _check(data, ("run", "-q", "-w", "1", "--out", f"{out}/r"))
