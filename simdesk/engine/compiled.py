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
compiler and ships wheels for the usual platforms. It compiles the loop once per machine
(~4 s); :mod:`~simdesk.engine.native` caches the machine code, which every later process
loads in ~0.03 s without importing numba. It is optional (``pip install simdesk[fast]``):
without it, or if the loop cannot be built or loaded, SimPy runs, with the same results.
``SIMDESK_COMPILED=0`` turns the kernel off.

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

from simdesk.engine import compiled_slots as slots
from simdesk.engine import native
from simdesk.engine.records import (
    DUTY_COLUMNS,
    REPLY_COLUMNS,
    VISIT_COLUMNS,
    RunRecord,
)
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import DeskPlan
from simdesk.policies.base import Policy
from simdesk.policies.fifo import Fifo
from simdesk.scenario.calendar import Interval

MIN_TICKETS = 10_000
"""Below this many tickets the SimPy desk is used: loading the compiled loop (~0.03 s
the first time in a process, as much as SimPy spends on 10,000 tickets) would cost more
than it saves — unless a search runs (:func:`searching`)."""

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
    """Load the compiled loop into this process now — its machine code from the cache, or,
    the first time on a machine, compiled by numba (:mod:`~simdesk.engine.native`); whether
    it is available."""
    return _runner() is not None


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
    runner = _runner()
    if runner is None:
        return None
    floats, ints, records = _layout(plan, batch, duty)
    n = len(batch)
    if runner(floats, ints, records, *_fates(batch), plan.horizon) != 0:
        return None  # the loop stopped on an error it cannot have: SimPy runs instead
    _RUNS[0] += 1
    at = {slot: int(ints[slot]) for slot in (slots.F_FIRST, slots.F_RESOLVED,
                                             slots.F_ABANDONED, slots.F_VISITS, slots.F_DUTY)}
    used = {slots.F_VISITS: VISIT_COLUMNS * int(ints[slots.VISITS]),
            slots.F_DUTY: DUTY_COLUMNS * int(ints[slots.DUTY])}
    del floats, ints  # the working state; the record views `records`, not a copy

    def column(slot: int, length: int) -> np.ndarray:
        return records[at[slot]: at[slot] + length]

    visits = column(slots.F_VISITS, used[slots.F_VISITS]).reshape(-1, VISIT_COLUMNS)
    return RunRecord(
        arrived=batch.arrived,
        first_response=column(slots.F_FIRST, n),
        resolved=column(slots.F_RESOLVED, n),
        abandoned_at=column(slots.F_ABANDONED, n),
        refused=np.zeros(n, dtype=bool),
        visits=visits,
        replies=np.empty((0, REPLY_COLUMNS)),
        duty=column(slots.F_DUTY, used[slots.F_DUTY]).reshape(-1, DUTY_COLUMNS).copy(),
        window=(len(plan.tiers), plan.warmup, plan.horizon),
        log=None,
    )


def _layout(plan: DeskPlan, batch: TicketBatch,
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
    shift = _shift_events(plan, duty, tier_agents)
    ring = max(len(t.agents) for t in plan.tiers) + 2
    entry = np.zeros(tiers, dtype=np.int64)
    entry[chain[:, 0]] = 1
    int_columns = {
        slots.O_LENGTH: lengths,
        slots.O_STEP: n,
        slots.O_CHAIN: chain.ravel(),
        slots.O_REPLY: np.array([c.response == "reply" for c in plan.channels]),
        slots.O_ENTRY: entry,
        slots.O_AGENT_TIER: agent_tier,
        slots.O_TIER_AGENTS: tier_agents,
        slots.O_TIER_FIRST: tier_first,
        slots.O_SHIFT_KIND: shift[:, 1],
        slots.O_SHIFT_AGENT: shift[:, 2],
        slots.O_QUEUE: int(queue_first[-1]),
        slots.O_QUEUE_HEAD: queue_first[:-1],
        slots.O_QUEUE_TAIL: queue_first[:-1],
        slots.O_WAITING: tiers,
        slots.O_IDLE_AGENT: tiers * ring,
        slots.O_IDLE_MARK: tiers * ring,
        slots.O_IDLE_HEAD: tiers,
        slots.O_IDLE_TAIL: tiers,
        slots.O_IDLE_COUNT: tiers,
        slots.O_AGENT_MARK: agents,
        slots.O_ON: agents,
        slots.O_HOLDS: np.full(agents, -1),
        slots.O_HEAP_EID: agents + 2,
        slots.O_HEAP_AGENT: agents + 2,
        slots.O_SCRATCH: 2 * ring,
    }
    float_columns = {
        slots.F_SHIFT_TIME: shift[:, 0],
        slots.F_SHIFT_END: shift[:, 3],
        slots.F_QUEUED: n,
        slots.F_ABANDON: n,
        slots.F_DUTY_END: agents,
        slots.F_ON_SINCE: agents,
        slots.F_STARTED: agents,
        slots.F_DUE: agents,
        slots.F_HEAP_TIME: agents + 2,
    }
    record_columns: dict[int, Any] = {
        slots.F_FIRST: n,
        slots.F_RESOLVED: n,
        slots.F_ABANDONED: n,
        slots.F_VISITS: VISIT_COLUMNS * int(stops.sum()),
        slots.F_DUTY: DUTY_COLUMNS * (len(shift) // 2 + agents),
    }
    ints = _pack(int_columns, slots.HEADER, np.int64)
    floats = _pack(float_columns, slots.FLOAT_HEADER, np.float64)
    records = _pack(record_columns, 0, np.float64)
    records[: 3 * n] = np.nan  # first response, resolution, abandonment: none yet
    for slot, start in (*float_columns.items(), *record_columns.items()):
        ints[slot] = start
    for slot, start in int_columns.items():
        ints[slot] = start
    ints[slots.TICKETS] = n
    ints[slots.TIERS] = tiers
    ints[slots.WIDTH] = width
    ints[slots.RING] = ring
    ints[slots.SHIFTS] = len(shift)
    return floats, ints, records


_SHIFTS: list[tuple[DeskPlan, np.ndarray]] = []
"""The shift events of the last plan laid out with its own duty: a search lays the same
plan out for each of its replications."""


def _shift_events(plan: DeskPlan, duty: Sequence[Sequence[Interval]] | None,
                  tier_agents: np.ndarray) -> np.ndarray:
    """Each shift start and end as (time, kind, agent, end of the shift), in the order
    SimPy runs them: by time, then as ``Desk._schedule_duty`` schedules them."""
    if duty is None and _SHIFTS and _SHIFTS[0][0] is plan:
        return _SHIFTS[0][1]
    events: list[tuple[float, int, int, float]] = []
    for index in tier_agents.tolist():
        for begin, end in plan.agents[index].duty if duty is None else duty[index]:
            events.append((begin, slots.STARTS, index, end))
            events.append((end, slots.ENDS, index, end))
    shift = np.array(events, dtype=float).reshape(-1, 4)
    shift = shift[np.argsort(shift[:, 0], kind="stable")]
    shift.flags.writeable = False
    if duty is None:
        _SHIFTS[:] = [(plan, shift)]
    return shift


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


_RUNNER: list[native.Runner | None] = []


def _runner() -> native.Runner | None:
    """The loop, loaded once per process; ``None`` when numba is missing, the loop is turned
    off (``SIMDESK_COMPILED=0``), or it cannot be built or loaded here."""
    if not _RUNNER:
        runner = None
        if os.environ.get("SIMDESK_COMPILED", "1") != "0":
            runner = native.load_cached() or _build()
        _RUNNER.append(runner)
    return _RUNNER[0]


def _build() -> native.Runner | None:
    """Compile the loop with numba, make its machine code, and cache it if a probe desk
    gives the same records both ways (numba's dispatcher, the machine code)."""
    try:
        loop = importlib.import_module("simdesk.engine.compiled_loop")
        with _without_scipy_blas():
            loop.run.compile(loop.SIGNATURE)
        compiled = loop.run.overloads[loop.SIGNATURE.args]
        name = compiled.fndesc.llvm_func_name
        machine_code = native.build(compiled.library.get_llvm_str(), name)
        runner = native.load(machine_code, name)
        if not _agrees(runner, loop.run):
            return None
    except Exception:  # numba missing or unable to compile here: SimPy gives the same records
        return None
    native.store(machine_code, name)
    return runner


PROBE: dict[str, Any] = {
    "name": "probe of the compiled loop", "start": "2026-01-05", "horizon": "1w",
    "channels": {
        "chat": {"sla": {"within": "5m", "target": "80%"}, "response": "pickup",
                 "patience": {"dist": "weibull", "mean": "10m", "cv": 0.8}},
        "email": {"sla": {"within": "4h", "target": "90%"}, "response": "reply"}},
    "topics": {"howto": {"share": "50%", "effort": 0.6,
                         "deflection": {"share": "30%", "picks": "random"}},
               "bug": {"share": "50%", "effort": 2.0}},
    "arrivals": [{"channel": "chat", "rate": "14/h", "profile": "office"},
                 {"channel": "email", "rate": "5/h"}],
    "tiers": {
        "L1": {"agents": [{"shift": "Mon-Fri 08:00-16:00", "count": 2},
                          {"shift": "Mon-Sun 10:00-18:00", "count": 1}],
               "handle": {"dist": "lognormal", "mean": "11m", "cv": 1},
               "resolves": "80%", "escalate_to": "L2"},
        "L2": {"agents": [{"shift": "Mon-Fri 09:00-17:00", "count": 1}],
               "handle": {"dist": "gamma", "mean": "20m", "cv": 1}}},
    "routing": {"policy": "fifo"},
}
"""A small desk that takes every path of the loop — shifts starting and ending with work
in hand, two tiers, abandonment, deflection, response on pickup and on reply."""


def _agrees(runner: native.Runner, dispatcher: Any) -> bool:
    """Whether the machine code gives numba's records on :data:`PROBE`, bit for bit."""
    from simdesk.fates.streams import Streams
    from simdesk.fates.tickets import draw_tickets
    from simdesk.plan.compile import compile_plan
    from simdesk.scenario.load import load_scenario

    plan = compile_plan(load_scenario(PROBE))
    batch = draw_tickets(plan, Streams(1, 0))
    theirs, mine = _layout(plan, batch, None), _layout(plan, batch, None)
    dispatcher(*theirs, *_fates(batch), plan.horizon)
    status = runner(*mine, *_fates(batch), plan.horizon)
    return status == 0 and all(a.tobytes() == b.tobytes() for a, b in zip(mine, theirs,
                                                                           strict=True))
