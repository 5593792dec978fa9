"""The compiled loop (:mod:`simdesk.engine.compiled`) gives the SimPy desk's records bit
for bit, is chosen where it applies, and is not needed: without numba, SimPy runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simdesk.engine import compiled, native
from simdesk.engine.records import RunRecord
from simdesk.engine.run import run_desk
from simdesk.engine.state import is_plain
from simdesk.fates.duty import draw_duty
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.policies import Fifo, make_policy
from simdesk.scenario.load import load_scenario
from tests.engine.test_properties import PLAIN_FIELDS, desks

pytest.importorskip("numba")


def _same(mine: RunRecord, theirs: RunRecord) -> None:
    for field in PLAIN_FIELDS:
        a, b = getattr(mine, field), getattr(theirs, field)
        assert a.dtype == b.dtype and a.shape == b.shape, field
        np.testing.assert_array_equal(a, b, err_msg=field)  # NaN equal to NaN, bit for bit
    assert mine.log is None and theirs.log is None


@st.composite
def fifo_desks(draw: st.DrawFn) -> dict[str, Any]:
    """A random plain desk under FIFO, sometimes with absences and meetings (shrinkage),
    response on reply, and deflection by self-service."""
    scenario = draw(desks(plain=True))
    scenario["routing"] = {"policy": "fifo"}
    if draw(st.booleans()):
        scenario["shrinkage"] = {"absence": f"{draw(st.integers(0, 20))}%",
                                 "off_queue": f"{draw(st.integers(0, 20))}%", "block": "30m"}
    for channel in scenario["channels"].values():
        if draw(st.booleans()):
            channel["response"] = "reply"
    if draw(st.booleans()):
        scenario["topics"] = {
            "howto": {"share": "50%", "effort": 0.6,
                      "deflection": {"share": f"{draw(st.integers(10, 60))}%",
                                     "picks": draw(st.sampled_from(["random", "easiest"]))}},
            "bug": {"share": "50%", "effort": 1.5},
        }
    return scenario


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fifo_desks(), st.integers(0, 2**32))
def test_the_compiled_loop_gives_the_simpy_records_bit_for_bit(scenario: dict[str, Any],
                                                               seed: int) -> None:
    plan = compile_plan(load_scenario(scenario))
    streams = Streams(seed, 0)
    batch = draw_tickets(plan, streams)
    duty = draw_duty(plan, streams)
    policy = make_policy(plan.scenario.routing)
    assert is_plain(plan, batch) and compiled.covers(plan, batch, policy, duty)
    mine = compiled.run_compiled(plan, batch, duty)
    assert mine is not None
    _same(mine, run_desk(plan, batch, policy, duty=duty, compiled=False))


def _bench_desk(tickets: int) -> dict[str, Any]:
    return {"name": "m/m/10", "horizon": f"{tickets / 0.75!r}m",
            "channels": {"queue": {"sla": {"within": "5m", "target": "80%"},
                                   "patience": {"dist": "exponential", "mean": "30m"}}},
            "arrivals": [{"channel": "queue", "rate": "45/h"}],
            "tiers": {"agents": {"agents": 10,
                                 "handle": {"dist": "exponential", "mean": "12m"}}}}


def test_big_runs_take_the_compiled_loop_with_the_same_records(
        monkeypatch: pytest.MonkeyPatch) -> None:
    plan = compile_plan(load_scenario(_bench_desk(compiled.MIN_TICKETS + 5_000)))
    batch = draw_tickets(plan, Streams(7, 0))
    assert len(batch) >= compiled.MIN_TICKETS
    taken: list[int] = []
    real = compiled.run_compiled

    def spy(*args: Any, **kwargs: Any) -> RunRecord | None:
        taken.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("simdesk.engine.run.run_compiled", spy)
    chosen = run_desk(plan, batch, Fifo())
    assert taken == [1]
    _same(chosen, run_desk(plan, batch, Fifo(), compiled=False))


def test_small_runs_and_other_policies_stay_on_simpy(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the compiled loop was chosen")

    monkeypatch.setattr("simdesk.engine.run.run_compiled", fail)
    small = compile_plan(load_scenario(_bench_desk(2_000)))
    run_desk(small, draw_tickets(small, Streams(1, 0)), Fifo())
    big = compile_plan(load_scenario(_bench_desk(compiled.MIN_TICKETS + 5_000)))
    batch = draw_tickets(big, Streams(1, 0))
    run_desk(big, batch, make_policy(load_scenario({**_bench_desk(1), "routing": {
        "policy": "newest-first"}}).routing))
    run_desk(big, batch, Fifo(), compiled=False)


def test_without_numba_simpy_runs_with_the_same_records(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    plan = compile_plan(load_scenario(_bench_desk(3_000)))
    batch = draw_tickets(plan, Streams(2, 0))
    expected = run_desk(plan, batch, Fifo(), compiled=True)
    monkeypatch.setattr(compiled, "_RUNNER", [None])  # as if `import numba` had failed
    assert compiled.run_compiled(plan, batch) is None
    _same(run_desk(plan, batch, Fifo(), compiled=True), expected)


def test_overlapping_hours_breaks_and_blended_agents_are_not_covered() -> None:
    plan = compile_plan(load_scenario(_bench_desk(100)))
    batch = draw_tickets(plan, Streams(1, 0))
    assert compiled.covers(plan, batch, Fifo(), None)
    overlapping = [[(0.0, 600.0), (300.0, 900.0)]] + [[(0.0, 60.0)]] * 9
    assert not compiled.covers(plan, batch, Fifo(), overlapping)
    breaks = load_scenario("scenarios/shrinkage-breaks.yaml")
    with_breaks = compile_plan(breaks)
    assert not compiled.covers(with_breaks, draw_tickets(with_breaks, Streams(1, 0)), Fifo(),
                               None)


def test_a_search_takes_the_compiled_loop_for_small_runs_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    plan = compile_plan(load_scenario(_bench_desk(2_000)))
    batch = draw_tickets(plan, Streams(3, 0))
    expected = run_desk(plan, batch, Fifo(), compiled=False)
    before = compiled.runs()
    run_desk(plan, batch, Fifo())  # below MIN_TICKETS: SimPy
    assert compiled.runs() == before
    with compiled.searching():
        assert compiled.in_search()
        _same(run_desk(plan, batch, Fifo()), expected)
    assert compiled.runs() == before + 1 and not compiled.in_search()
    monkeypatch.setattr(compiled, "_RUNNER", [None])  # without numba a search runs SimPy
    with compiled.searching():
        _same(run_desk(plan, batch, Fifo()), expected)
    assert compiled.runs() == before + 1


def test_the_first_process_builds_the_machine_code_and_the_next_loads_it_without_numba(
        tmp_path: Path) -> None:
    """In an empty cache, numba compiles the loop (without importing scipy's BLAS, which
    it would load for np.linalg: 0.1 s) and its machine code is cached once a probe desk
    agreed; a second process loads that code with llvmlite alone: numba is not imported.
    Both give the same records, and scipy.linalg still imports after."""
    script = (
        "import sys\n"
        "from simdesk.engine import compiled, native\n"
        "from simdesk.fates.streams import Streams\n"
        "from simdesk.fates.tickets import draw_tickets\n"
        "from simdesk.plan.compile import compile_plan\n"
        "from simdesk.scenario.load import load_scenario\n"
        "cached = native.cache_file().exists()\n"
        "assert compiled.load()\n"
        "assert native.cache_file().exists()\n"
        "assert 'scipy.linalg' not in sys.modules, 'numba imported scipy.linalg'\n"
        "assert ('numba' in sys.modules) is not cached\n"
        "plan = compile_plan(load_scenario(compiled.PROBE))\n"
        "record = compiled.run_compiled(plan, draw_tickets(plan, Streams(9, 0)))\n"
        "import scipy.linalg\n"
        "assert float(scipy.linalg.det([[2.0, 0.0], [0.0, 3.0]])) == 6.0\n"
        "print(cached, record.first_response.tobytes().hex()[:4000],"
        " record.visits.tobytes().hex()[-4000:])\n")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=False, env=env) for _ in range(2)]
    for done in runs:
        assert done.returncode == 0, done.stderr
    built, loaded = (done.stdout.split() for done in runs)
    assert built[0] == "False" and loaded[0] == "True"
    assert built[1:] == loaded[1:]
    assert [p.name for p in (tmp_path / "simdesk").iterdir()] == [native.cache_file().name]


def test_a_damaged_or_stale_cache_file_is_never_loaded(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    path = native.cache_file()
    assert path is not None and native.load_cached() is None  # none yet
    good = native._pack(b"\x7fELF...", "run")
    assert native._unpack(good) == ("run", b"\x7fELF...")
    path.parent.mkdir(parents=True)
    for damaged in (good[:-1], good.replace(b"ELF", b"ELG"), b"", b"not ours"):
        path.write_bytes(damaged)
        assert native._unpack(damaged) is None
        assert native.load_cached() is None


def test_the_probe_desk_takes_the_loops_paths() -> None:
    """The desk the machine code is checked on before it is cached is covered by the loop
    and uses what the loop does: shifts, escalation, abandonment, deflection, replies."""
    plan = compile_plan(load_scenario(compiled.PROBE))
    batch = draw_tickets(plan, Streams(1, 0))
    assert is_plain(plan, batch) and compiled.covers(plan, batch, Fifo(), None)
    record = compiled.run_compiled(plan, batch)
    assert record is not None
    assert (~np.isnan(record.abandoned_at)).sum() > 50
    assert batch.deflected is not None and batch.deflected.sum() > 50
    assert (batch.visits > 1).sum() > 50
    assert {c.response for c in plan.channels} == {"pickup", "reply"}
    assert len({tuple(a.duty) for a in plan.agents}) > 1  # agents on different shifts


def test_the_machine_code_takes_only_arrays_of_its_types() -> None:
    """The loop is called through ctypes with raw pointers: an array of another dtype,
    shape or layout is refused before the call, never read as if it were right."""
    plan = compile_plan(load_scenario(_bench_desk(200)))
    batch = draw_tickets(plan, Streams(8, 0))
    runner = compiled._runner()
    assert runner is not None
    arrays = compiled._layout(plan, batch, None)
    fates = list(compiled._fates(batch))
    strided = np.repeat(fates[3], 2)[::2]  # the channels, not contiguous
    for place, wrong in ((0, fates[0].astype(np.float32)), (3, strided),
                         (2, fates[2].ravel())):
        changed = [*fates[:place], wrong, *fates[place + 1:]]
        with pytest.raises(ValueError, match="the loop takes"):
            runner(*arrays, *changed, plan.horizon)
    assert runner(*arrays, *fates, plan.horizon) == 0


def test_machine_code_that_calls_outside_the_loop_is_refused() -> None:
    """A function of the loop that called Python or numba's runtime could not run from the
    cache alone (and MCJIT aborts the process on a symbol it cannot find): refused."""
    ir = ("declare i32 @PyErr_Occurred()\n"
          "define i32 @run() {\n  %r = call i32 @PyErr_Occurred()\n  ret i32 %r\n}\n")
    with pytest.raises(ValueError, match="PyErr_Occurred"):
        native.build(ir, "run")
    wrapper = ("declare i32 @PyErr_Occurred()\n"
               "define i32 @run() {\n  ret i32 0\n}\n"
               "define i32 @wrapper() {\n  %r = call i32 @PyErr_Occurred()\n  ret i32 %r\n}\n")
    runner_code = native.build(wrapper, "run")  # the wrapper is dropped, the call with it
    assert b"PyErr_Occurred" not in runner_code


def test_the_loop_reads_the_batch_and_never_writes_it() -> None:
    """The loop reads the tickets' fates from the batch's own arrays (no copy), so a batch
    run twice — as compare and suggestions do — must come back untouched, with the same
    records both times."""
    plan = compile_plan(load_scenario(_bench_desk(3000)))
    batch = draw_tickets(plan, Streams(5, 0))
    before = {name: np.copy(getattr(batch, name)) for name in
              ("arrived", "patience", "handles", "channel", "visits")}
    first = compiled.run_compiled(plan, batch)
    second = compiled.run_compiled(plan, batch)
    assert first is not None and second is not None
    for name, values in before.items():
        assert np.array_equal(getattr(batch, name), values), name
    _same(first, second)
    for name in before:  # as a staffing search keeps a batch: read-only, no new compile
        getattr(batch, name).flags.writeable = False
    third = compiled.run_compiled(plan, batch)
    assert third is not None
    _same(first, third)
