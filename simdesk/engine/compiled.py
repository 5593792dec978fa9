"""The plain FIFO desk as one compiled loop (numba), for the runs searches repeat most.

:class:`~simdesk.engine.desk.Desk` on SimPy is the engine; this module is a second
implementation of the same rules for one common case, used only where it gives the
same records bit for bit (``tests/engine/test_compiled.py`` compares every column on
random desks). It covers :func:`~simdesk.engine.state.is_plain` desks routed by
:class:`~simdesk.policies.fifo.Fifo`, with no blended agents, breaks, or overlapping
hours (:func:`covers`); everything else runs on SimPy. A run takes it from
:data:`MIN_TICKETS` tickets per replication; a search (staffing) for any size, within
:func:`searching`.

Why numba: the engine's cost is its Python callbacks (~3 µs per ticket); a compiled loop
over the same rules runs ~50× faster. numba compiles from Python source with no C
compiler, ships wheels for the usual platforms and caches what it compiled on disk
(``cache=True``), so only the very first run pays the compilation. It is optional
(``pip install simdesk[fast]``): without it, or if it fails to load, SimPy runs, with
the same results. ``SIMDESK_COMPILED=0`` turns the kernel off.

The loop mirrors SimPy's order of events exactly: events at equal times run in the
order they were scheduled. The shift events are all scheduled before the run (their
order, by time then scheduling, is a sort); service completions and the arrival alarm
are scheduled later, so they sit in a small heap keyed by (time, scheduling number) and
lose ties to shift events. Each ticket stays at most once at a time in a tier's queue
and is taken from it only once, so the FIFO queue needs no stale-entry checks.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from simdesk.engine.records import (
    DUTY_COLUMNS,
    REPLY_COLUMNS,
    VISIT_COLUMNS,
    RunRecord,
    queue_areas,
)
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import DeskPlan
from simdesk.policies.base import Policy
from simdesk.policies.fifo import Fifo
from simdesk.scenario.calendar import Interval

MIN_TICKETS = 20_000
"""Below this many tickets the SimPy desk is used: loading the compiled loop (~0.3 s
the first time in a process) would cost more than it saves — unless a search runs
(:func:`searching`)."""

_SEARCHING: list[bool] = [False]


@contextmanager
def searching() -> Iterator[None]:
    """Within: every covered replication runs on the compiled loop whatever its size.

    A search (staffing) simulates many replications of similar plans, so loading the
    loop once pays for itself; it is loaded here, in this process, so that the worker
    processes forked for the simulations inherit it rather than load it each again.
    """
    before = _SEARCHING[0]
    _SEARCHING[0] = True
    try:
        load()
        yield
    finally:
        _SEARCHING[0] = before


def runs() -> int:
    """Replications the compiled loop has run in this process so far."""
    return _RUNS[0]


_RUNS: list[int] = [0]


def in_search() -> bool:
    """Whether a search runs (:func:`searching`): the compiled loop for any size."""
    return _SEARCHING[0]


def load() -> bool:
    """Load the compiled loop and its machine code (from numba's on-disk cache after
    the first compilation) into this process now; whether it is available."""
    loop = _loop()
    if loop is None:
        return False
    if not loop.run.signatures:
        try:
            with _without_scipy_blas():
                loop.run.compile(loop.SIGNATURE)
        except Exception:  # numba cannot compile here (a broken install): SimPy runs
            _LOOP[0] = None
            return False
    return True


BLAS = "scipy.linalg.cython_blas"


@contextmanager
def _without_scipy_blas() -> Iterator[None]:
    """While numba's CPU target loads, make the import of scipy's BLAS fail.

    On its first load numba imports ``scipy.linalg`` for the ``np.dot``/``np.linalg`` it
    could compile (``numba.np.linalg.ensure_blas``): 0.1–0.17 s of CPU in every process
    that runs the loop, which uses neither. Failing that import makes numba only mark
    BLAS unavailable. A process that has imported scipy.linalg already is left as it is.
    """
    if BLAS in sys.modules:
        yield
        return
    sys.modules[BLAS] = None  # type: ignore[assignment]  # import system: "not found"
    try:
        yield
    finally:
        if BLAS in sys.modules and sys.modules[BLAS] is None:
            del sys.modules[BLAS]


def covers(plan: DeskPlan, batch: TicketBatch, policy: Policy,
           duty: Sequence[Sequence[Interval]] | None) -> bool:
    """Whether the compiled loop gives this replication's records: a plain desk (the
    caller checks :func:`~simdesk.engine.state.is_plain`) under FIFO, no agent limited to
    some channels, no breaks, each agent's hours sorted and not overlapping, and every
    ticket visiting at least one tier."""
    if type(policy) is not Fifo or getattr(policy, "refuses", None) is not None:
        return False
    for agent in plan.agents:
        if agent.channels is not None or agent.breaks:
            return False
        hours = agent.duty if duty is None else duty[agent.index]
        last = -np.inf
        for begin, end in hours:
            if not last <= begin <= end:
                return False
            last = end
    return len(batch) == 0 or int(batch.visits.min()) >= 1




def run_compiled(plan: DeskPlan, batch: TicketBatch,
                 duty: Sequence[Sequence[Interval]] | None = None) -> RunRecord | None:
    """One replication by the compiled loop (the caller checks :func:`covers`), or
    ``None`` when the loop is not available (then run the SimPy desk)."""
    loop = _loop()
    if loop is None:
        return None
    if not load():
        return None
    floats, ints, records = _layout(loop, plan, batch, duty)
    n = len(batch)
    try:
        loop.run(floats, ints, records, *_fates(batch), plan.horizon)
    except Exception:  # numba cannot compile here (a broken install): SimPy runs
        _LOOP[0] = None
        return None
    _RUNS[0] += 1
    at = {slot: int(ints[slot]) for slot in (loop.F_FIRST, loop.F_RESOLVED, loop.F_ABANDONED,
                                             loop.F_VISITS, loop.F_DUTY)}
    used = {loop.F_VISITS: VISIT_COLUMNS * int(ints[loop.VISITS]),
            loop.F_DUTY: DUTY_COLUMNS * int(ints[loop.DUTY])}
    del floats, ints  # the working state; the record views `records`, not a copy

    def column(slot: int, length: int) -> np.ndarray:
        return records[at[slot]: at[slot] + length]

    visits = column(loop.F_VISITS, used[loop.F_VISITS]).reshape(-1, VISIT_COLUMNS)
    return RunRecord(
        arrived=batch.arrived,
        first_response=column(loop.F_FIRST, n),
        resolved=column(loop.F_RESOLVED, n),
        abandoned_at=column(loop.F_ABANDONED, n),
        refused=np.zeros(n, dtype=bool),
        visits=visits,
        replies=np.empty((0, REPLY_COLUMNS)),
        duty=column(loop.F_DUTY, used[loop.F_DUTY]).reshape(-1, DUTY_COLUMNS).copy(),
        queue_area=queue_areas(visits, len(plan.tiers), plan.warmup, plan.horizon),
        log=None,
    )


def _layout(loop: Any, plan: DeskPlan, batch: TicketBatch,
            duty: Sequence[Sequence[Interval]] | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loop's three flat arrays: the tickets' fates and the desk's state (float and
    int: the desk's layout, its shift events in the order SimPy would run them), and
    room for every record."""
    n = len(batch)
    agents = len(plan.agents)
    tiers = len(plan.tiers)
    width = max(len(c.chain) for c in plan.channels)
    chain = np.full((len(plan.channels), width), -1, dtype=np.int64)
    for c in plan.channels:
        chain[c.index, : len(c.chain)] = c.chain
    lengths = np.array([len(c.chain) for c in plan.channels], dtype=np.int64)
    channel = batch.channel.astype(np.int64, copy=False)
    stops = np.minimum(batch.visits, lengths[channel])
    room = np.zeros(tiers, dtype=np.int64)  # stays each tier's queue may ever hold
    for c in plan.channels:
        reach = np.bincount(stops[channel == c.index], minlength=width + 1)
        for k, tier in enumerate(c.chain):
            room[tier] += int(reach[k + 1:].sum())
    queue_first = np.concatenate([[0], np.cumsum(room)]).astype(np.int64)
    tier_agents = np.array([a.index for t in plan.tiers for a in t.agents], dtype=np.int64)
    tier_first = np.concatenate([[0], np.cumsum([len(t.agents) for t in plan.tiers])])
    agent_tier = np.zeros(agents, dtype=np.int64)
    for a in plan.agents:
        agent_tier[a.index] = a.tier
    events: list[tuple[float, int, int, float]] = []
    for index in tier_agents.tolist():  # as Desk._schedule_duty schedules them
        for begin, end in plan.agents[index].duty if duty is None else duty[index]:
            events.append((begin, loop.STARTS, index, end))
            events.append((end, loop.ENDS, index, end))
    shift = np.array(events, dtype=float).reshape(-1, 4)
    shift = shift[np.argsort(shift[:, 0], kind="stable")]
    ring = max(len(t.agents) for t in plan.tiers) + 2
    entry = np.zeros(tiers, dtype=np.int64)
    entry[chain[:, 0]] = 1
    int_columns = {
        loop.O_LENGTH: lengths,
        loop.O_STEP: n,
        loop.O_CHAIN: chain.ravel(),
        loop.O_REPLY: np.array([c.response == "reply" for c in plan.channels]),
        loop.O_ENTRY: entry,
        loop.O_AGENT_TIER: agent_tier,
        loop.O_TIER_AGENTS: tier_agents,
        loop.O_TIER_FIRST: tier_first,
        loop.O_SHIFT_KIND: shift[:, 1],
        loop.O_SHIFT_AGENT: shift[:, 2],
        loop.O_QUEUE: int(queue_first[-1]),
        loop.O_QUEUE_HEAD: queue_first[:-1],
        loop.O_QUEUE_TAIL: queue_first[:-1],
        loop.O_WAITING: tiers,
        loop.O_IDLE_AGENT: tiers * ring,
        loop.O_IDLE_MARK: tiers * ring,
        loop.O_IDLE_HEAD: tiers,
        loop.O_IDLE_TAIL: tiers,
        loop.O_IDLE_COUNT: tiers,
        loop.O_AGENT_MARK: agents,
        loop.O_ON: agents,
        loop.O_HOLDS: np.full(agents, -1),
        loop.O_HEAP_EID: agents + 2,
        loop.O_HEAP_AGENT: agents + 2,
        loop.O_SCRATCH: 2 * ring,
    }
    float_columns = {
        loop.F_SHIFT_TIME: shift[:, 0],
        loop.F_SHIFT_END: shift[:, 3],
        loop.F_QUEUED: n,
        loop.F_ABANDON: n,
        loop.F_DUTY_END: agents,
        loop.F_ON_SINCE: agents,
        loop.F_STARTED: agents,
        loop.F_DUE: agents,
        loop.F_HEAP_TIME: agents + 2,
    }
    record_columns: dict[int, Any] = {
        loop.F_FIRST: n,
        loop.F_RESOLVED: n,
        loop.F_ABANDONED: n,
        loop.F_VISITS: VISIT_COLUMNS * int(stops.sum()),
        loop.F_DUTY: DUTY_COLUMNS * (len(events) // 2 + agents),
    }
    ints = _pack(int_columns, loop.HEADER, np.int64)
    floats = _pack(float_columns, loop.FLOAT_HEADER, np.float64)
    records = _pack(record_columns, 0, np.float64)
    records[: 3 * n] = np.nan  # first response, resolution, abandonment: none yet
    for slot, start in (*float_columns.items(), *record_columns.items()):
        ints[slot] = start
    for slot, start in int_columns.items():
        ints[slot] = start
    ints[loop.TICKETS] = n
    ints[loop.TIERS] = tiers
    ints[loop.WIDTH] = width
    ints[loop.RING] = ring
    ints[loop.SHIFTS] = len(shift)
    return floats, ints, records


def _fates(batch: TicketBatch) -> tuple[np.ndarray, ...]:
    """The tickets' fates the loop reads — arrival times, patience, handle times (ticket ×
    step), channel, deflected, tiers to visit — as read-only views of the batch's own
    arrays: no copy."""
    n = len(batch)
    deflected = np.zeros(n, dtype=np.bool_) if batch.deflected is None else batch.deflected
    return tuple(_read_only(column, dtype) for column, dtype in (
        (batch.arrived, np.float64), (batch.patience, np.float64),
        (batch.handles, np.float64), (batch.channel, np.int64), (deflected, np.bool_),
        (batch.visits, np.int64)))


def _read_only(column: np.ndarray, dtype: type) -> np.ndarray:
    view: np.ndarray = np.ascontiguousarray(column, dtype=dtype).view()
    view.flags.writeable = False
    return view


def _pack(columns: dict[int, Any], header: int, dtype: type) -> np.ndarray:
    """One flat array holding ``columns`` (an array, or a length for zeros) after
    ``header`` slots; each entry of ``columns`` is replaced by where its column starts."""
    size = header + sum(c if isinstance(c, int) else len(c) for c in columns.values())
    flat: np.ndarray = np.zeros(size, dtype=dtype)  # (lazily zeroed pages)
    at = header
    for slot, column in columns.items():
        length = column if isinstance(column, int) else len(column)
        if not isinstance(column, int):
            flat[at: at + length] = column
        columns[slot] = at
        at += length
    return flat


_LOOP: list[Any] = []


def _loop() -> Any:
    """The module of the compiled loop, or ``None`` if numba is missing, turned off
    (``SIMDESK_COMPILED=0``), or fails to load."""
    if not _LOOP:
        loop: Any = None
        if os.environ.get("SIMDESK_COMPILED", "1") != "0":
            try:
                loop = importlib.import_module("simdesk.engine.compiled_loop")
            except Exception:  # numba missing or broken: SimPy gives the same records
                loop = None
        _LOOP.append(loop)
    return _LOOP[0]
