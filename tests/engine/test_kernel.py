"""SimPy's contract that :mod:`simdesk.engine.kernel` relies on. If a SimPy release changes
how ``Environment.step`` pops and runs events, these tests fail before any result does."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path
from typing import Any

import pytest
import simpy
import simpy.core
from packaging.specifiers import SpecifierSet

from simdesk.engine.kernel import NORMAL, Call, Event, Kernel

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_simpy_is_within_the_pinned_range() -> None:
    needs = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    pin = next(n for n in needs if n.startswith("simpy"))
    assert simpy.__version__ in SpecifierSet(pin.removeprefix("simpy")), (pin, simpy.__version__)


def test_the_environment_keeps_its_heap_and_event_ids_where_the_kernel_looks() -> None:
    env = simpy.Environment()
    assert isinstance(env._queue, list)
    assert isinstance(env._eid, itertools.count)
    assert NORMAL == simpy.core.NORMAL


def test_simpy_schedules_its_own_events_as_the_kernel_does() -> None:
    """``(time, priority, eid, event)`` on ``_queue``, with eids from ``_eid``."""
    env = Kernel()
    timeout = env.timeout(5, "x")
    event = Event()
    event.callbacks = []
    env.at(5.0, event)
    (t1, p1, e1, ev1), (t2, p2, e2, ev2) = sorted(env._queue)
    assert (t1, p1, ev1) == (5, NORMAL, timeout)
    assert (t2, p2, ev2) == (5.0, NORMAL, event)
    assert e2 == e1 + 1


def test_step_runs_the_callbacks_in_time_then_scheduling_order_and_clears_them() -> None:
    env = Kernel()
    seen: list[tuple[float, str]] = []

    def note(event: Any) -> None:
        seen.append((env.now, event.value))

    env.call(2.0, note, "b")
    env.timeout(2.0).callbacks.append(lambda e: seen.append((env.now, "simpy")))
    env.call(2.0, note, "c")
    env.call(1.0, note, "a")
    reused = Event()
    reused.callbacks = [lambda e: seen.append((env.now, "reused"))]
    env.at(3.0, reused)
    env.run(until=10)
    assert seen == [(1.0, "a"), (2.0, "b"), (2.0, "simpy"), (2.0, "c"), (3.0, "reused")]
    assert reused.callbacks is None  # SimPy marks a processed event by clearing callbacks
    reused.callbacks = [lambda e: seen.append((env.now, "again"))]
    env.at(12.0, reused)  # an event may be scheduled again once it ran
    env.run(until=20)
    assert seen[-1] == (12.0, "again")


def test_step_reads_ok_and_fails_on_a_failed_event() -> None:
    class Failed(Call):
        __slots__ = ("_value",)
        _ok = False

    env = Kernel()
    failed = Failed(lambda e: None, None)
    failed._value = RuntimeError("boom")
    env.at(1.0, failed)
    with pytest.raises(RuntimeError, match="boom"):
        env.run(until=2)


def test_run_until_stops_before_events_at_the_horizon_and_clear_drops_the_rest() -> None:
    env = Kernel()
    seen: list[float] = []
    env.call(5.0, lambda e: seen.append(env.now))
    env.call(7.0, lambda e: seen.append(env.now))
    env.run(until=5.0)
    assert seen == [] and env.now == 5.0
    env.clear()
    assert env._queue == []
