"""The compiled loop of :mod:`simdesk.engine.compiled`, in numba's Python (imported only
to build the loop's machine code, :mod:`simdesk.engine.native`, the first time on a machine;
importing this module compiles nothing).

All the loop's state lives in three flat arrays, ``f`` (float64: working state), ``i``
(int64) and ``o`` (float64: the records, which the run's record then views without a
copy): every helper receives just those, so a call costs no reference counting per
column. The tickets' fates — arrival times, patience, handle times, channel, deflection,
tiers to visit — are read from the batch's own arrays (the tuple ``t``, passed to the
helpers that read them), never copied: at 5 million tickets a copy was 200 MB of the
run's peak. The first slots of ``i`` hold the running scalars and where each column
starts (the ``O_*`` and ``F_*`` slots of :mod:`~simdesk.engine.compiled_slots`;
``F_FIRST``, ``F_RESOLVED``, ``F_ABANDONED``, ``F_VISITS`` and ``F_DUTY`` are offsets in
``o``); :mod:`~simdesk.engine.compiled` lays them out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types

from simdesk.engine.compiled_slots import *  # noqa: F403  (the slots of the working arrays)

OPTIONS: dict[str, Any] = {"cache": False, "_nrt": False}
"""numba's options for every function of the loop. Not cached by numba: its cached code has
no IR to make the machine code of :mod:`~simdesk.engine.native` from, which is the cache (and
numba's cache would not see a change of :mod:`~simdesk.engine.compiled_slots`, as the
native cache does). Its runtime (NRT) is off: nothing is
allocated inside, and the arrays a helper receives are not reference-counted at each call
(with the tickets' fates passed as a tuple of arrays, counting made the loop 50 % slower)."""


def _array(dtype: Any, dims: int = 1, *, readonly: bool = False) -> Any:
    return types.Array(dtype, dims, "C", readonly=readonly)


SIGNATURE = types.void(
    _array(types.float64), _array(types.int64), _array(types.float64),  # f, i, o
    _array(types.float64, readonly=True), _array(types.float64, readonly=True),
    _array(types.float64, 2, readonly=True), _array(types.int64, readonly=True),
    _array(types.boolean, readonly=True), _array(types.int64, readonly=True),
    types.float64)
""":func:`run`'s one signature: its three working arrays, the tickets' fates (read-only
views of the batch's arrays, so that the loop cannot write them and a batch made
read-only — as a staffing search keeps it — needs no second compilation), the horizon."""


def kernel(function: Any) -> Any:
    """A function of the loop, compiled by numba with :data:`OPTIONS`."""
    return njit(**OPTIONS)(function)


Fates = Any
"""``(arrived, patience, handles, channel, deflected, visits)``: the batch's arrays, as a
tuple (``visits``: the tiers a ticket visits at most, its channel's chain permitting)."""


@kernel
def idle_front(f: np.ndarray, i: np.ndarray, o: np.ndarray, tier: int) -> int:
    """The agent of ``tier`` idle longest (stale ring entries skipped)."""
    ring = i[RING]
    base = tier * ring
    head = i[i[O_IDLE_HEAD] + tier]
    while (i[i[O_AGENT_MARK] + i[i[O_IDLE_AGENT] + base + head]]
           != i[i[O_IDLE_MARK] + base + head]):
        head += 1
        if head == ring:
            head = 0
    i[i[O_IDLE_HEAD] + tier] = head
    return int(i[i[O_IDLE_AGENT] + base + head])


@kernel
def idle_remove(f: np.ndarray, i: np.ndarray, o: np.ndarray, agent: int) -> None:
    """``tier.idle.pop(agent, None)``."""
    if i[i[O_AGENT_MARK] + agent] != 0:
        i[i[O_AGENT_MARK] + agent] = 0
        i[i[O_IDLE_COUNT] + i[i[O_AGENT_TIER] + agent]] -= 1


@kernel
def idle_insert(f: np.ndarray, i: np.ndarray, o: np.ndarray, agent: int) -> None:
    """``tier.idle[agent] = None``: last in line, unless idle already (kept in place)."""
    if i[i[O_AGENT_MARK] + agent] != 0:
        return
    tier = i[i[O_AGENT_TIER] + agent]
    ring = i[RING]
    base = tier * ring
    agents, marks = i[O_IDLE_AGENT] + base, i[O_IDLE_MARK] + base
    heads, tails = i[O_IDLE_HEAD] + tier, i[O_IDLE_TAIL] + tier
    if (i[tails] + 1) % ring == i[heads]:  # full of stale entries: keep the live ones
        live = i[O_SCRATCH]  # 2 × ring slots (the ring may wrap: copy out first)
        kept = 0
        head = i[heads]
        while head != i[tails]:
            other = i[agents + head]
            if i[i[O_AGENT_MARK] + other] == i[marks + head]:
                i[live + kept] = other
                i[live + ring + kept] = i[marks + head]
                kept += 1
            head = (head + 1) % ring
        for k in range(kept):
            i[agents + k] = i[live + k]
            i[marks + k] = i[live + ring + k]
        i[heads] = 0
        i[tails] = kept
    i[SEQ] += 1
    i[i[O_AGENT_MARK] + agent] = i[SEQ]
    tail = i[tails]
    i[agents + tail] = agent
    i[marks + tail] = i[SEQ]
    i[tails] = (tail + 1) % ring
    i[i[O_IDLE_COUNT] + tier] += 1


@kernel
def heap_push(f: np.ndarray, i: np.ndarray, o: np.ndarray, time: float, agent: int) -> None:
    """Schedule a service completion (or, for ``NO_AGENT``, the arrival alarm)."""
    times, eids, agents = i[F_HEAP_TIME], i[O_HEAP_EID], i[O_HEAP_AGENT]
    k = i[HEAP]
    i[HEAP] = k + 1
    eid = i[EID]
    i[EID] = eid + 1
    while k > 0:
        parent = (k - 1) >> 1
        if f[times + parent] < time or (f[times + parent] == time and i[eids + parent] < eid):
            break
        f[times + k] = f[times + parent]
        i[eids + k] = i[eids + parent]
        i[agents + k] = i[agents + parent]
        k = parent
    f[times + k] = time
    i[eids + k] = eid
    i[agents + k] = agent


@kernel
def heap_pop(f: np.ndarray, i: np.ndarray, o: np.ndarray) -> None:
    """Drop the earliest event (the first scheduled among equal times)."""
    times, eids, agents = i[F_HEAP_TIME], i[O_HEAP_EID], i[O_HEAP_AGENT]
    size = i[HEAP] - 1
    i[HEAP] = size
    time, eid, agent = f[times + size], i[eids + size], i[agents + size]
    k = 0
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        right = child + 1
        if right < size and (f[times + right] < f[times + child] or (
                f[times + right] == f[times + child] and i[eids + right] < i[eids + child])):
            child = right
        if time < f[times + child] or (time == f[times + child] and eid < i[eids + child]):
            break
        f[times + k] = f[times + child]
        i[eids + k] = i[eids + child]
        i[agents + k] = i[agents + child]
        k = child
    f[times + k] = time
    i[eids + k] = eid
    i[agents + k] = agent


@kernel
def visit(f: np.ndarray, i: np.ndarray, o: np.ndarray, ticket: int, tier: int, agent: int,
          start: float, end: float) -> None:
    """A row of the visits record (the ``VISIT_*`` columns)."""
    row = i[F_VISITS] + 7 * i[VISITS]
    i[VISITS] += 1
    o[row] = ticket
    o[row + 1] = tier
    o[row + 2] = agent
    o[row + 3] = f[i[F_QUEUED] + ticket]
    o[row + 4] = start
    o[row + 5] = end
    o[row + 6] = 0.0


@kernel
def duty_row(f: np.ndarray, i: np.ndarray, o: np.ndarray, agent: int, off: float) -> None:
    """A row of the duty record: the agent was on the queue until ``off``."""
    row = i[F_DUTY] + 3 * i[DUTY]
    i[DUTY] += 1
    o[row] = agent
    o[row + 1] = f[i[F_ON_SINCE] + agent]
    o[row + 2] = off


@kernel
def abandon(f: np.ndarray, i: np.ndarray, o: np.ndarray, tier: int, ticket: int) -> None:
    """Record a customer who left at their patience's end."""
    gone = f[i[F_ABANDON] + ticket]
    o[i[F_ABANDONED] + ticket] = gone
    visit(f, i, o, ticket, tier, NO_AGENT, np.nan, gone)


@kernel
def take(f: np.ndarray, i: np.ndarray, o: np.ndarray, tier: int, now: float) -> int:
    """The oldest waiting ticket of ``tier`` whose customer is still there, or −1."""
    heads = i[O_QUEUE_HEAD] + tier
    while i[heads] < i[i[O_QUEUE_TAIL] + tier]:
        ticket = i[i[O_QUEUE] + i[heads]]
        i[heads] += 1
        i[i[O_WAITING] + tier] -= 1
        if f[i[F_ABANDON] + ticket] > now:
            return int(ticket)
        abandon(f, i, o, tier, ticket)
    return -1


@kernel
def start(f: np.ndarray, i: np.ndarray, o: np.ndarray, t: Fates, agent: int, ticket: int,
          now: float) -> None:
    i[i[O_HOLDS] + agent] = ticket
    f[i[F_STARTED] + agent] = now
    step = i[i[O_STEP] + ticket]
    if step == 0:
        f[i[F_ABANDON] + ticket] = np.inf
        if not i[i[O_REPLY] + t[T_CHANNEL][ticket]]:
            o[i[F_FIRST] + ticket] = now
    due = now + t[T_HANDLES][ticket, step]
    f[i[F_DUE] + agent] = due
    heap_push(f, i, o, due, agent)


@kernel
def offer(f: np.ndarray, i: np.ndarray, o: np.ndarray, t: Fates, tier: int, now: float) -> None:
    """Idle agents take waiting tickets, longest idle first."""
    while i[i[O_IDLE_COUNT] + tier] > 0:
        agent = idle_front(f, i, o, tier)
        ticket = take(f, i, o, tier, now)
        if ticket < 0:
            return
        idle_remove(f, i, o, agent)
        start(f, i, o, t, agent, ticket, now)


@kernel
def enter(f: np.ndarray, i: np.ndarray, o: np.ndarray, t: Fates, ticket: int, tier: int,
          now: float) -> None:
    """The ticket joins the tier: straight to the agent idle longest if nothing waits."""
    f[i[F_QUEUED] + ticket] = now
    if (i[i[O_IDLE_COUNT] + tier] > 0 and i[i[O_WAITING] + tier] == 0
            and f[i[F_ABANDON] + ticket] > now):
        agent = idle_front(f, i, o, tier)
        idle_remove(f, i, o, agent)
        start(f, i, o, t, agent, ticket, now)
        return
    tails = i[O_QUEUE_TAIL] + tier
    i[i[O_QUEUE] + i[tails]] = ticket
    i[tails] += 1
    i[i[O_WAITING] + tier] += 1
    if i[i[O_IDLE_COUNT] + tier] > 0:
        offer(f, i, o, t, tier, now)


@kernel
def admit(f: np.ndarray, i: np.ndarray, o: np.ndarray, t: Fates, now: float) -> None:
    """Every ticket that arrived up to ``now`` enters its first tier, at its arrival."""
    arrivals = t[T_ARRIVED]
    tickets = i[TICKETS]
    k = i[NEXT]
    while k < tickets and arrivals[k] <= now:
        if t[T_DEFLECTED][k]:
            k += 1
            continue
        arrived = arrivals[k]
        f[i[F_ABANDON] + k] = arrived + t[T_PATIENCE][k]
        f[i[F_QUEUED] + k] = arrived
        tier = i[i[O_CHAIN] + t[T_CHANNEL][k] * i[WIDTH]]
        k += 1
        enter(f, i, o, t, k - 1, tier, arrived)
    i[NEXT] = k
    f[NEXT_ARRIVAL] = arrivals[k] if k < tickets else np.inf


@kernel
def set_alarm(f: np.ndarray, i: np.ndarray, o: np.ndarray) -> None:
    """Wake up at the next arrival if an agent of an entry tier is idle."""
    if i[ALARM] or i[NEXT] >= i[TICKETS]:
        return
    for tier in range(i[TIERS]):
        if i[i[O_ENTRY] + tier] and i[i[O_IDLE_COUNT] + tier] > 0:
            i[ALARM] = 1
            heap_push(f, i, o, f[NEXT_ARRIVAL], NO_AGENT)
            return


@kernel
def done(f: np.ndarray, i: np.ndarray, o: np.ndarray, t: Fates, agent: int) -> None:
    """An agent finished its ticket: pass it on or resolve it, then take the next."""
    ticket = i[i[O_HOLDS] + agent]
    now = f[i[F_DUE] + agent]
    if f[NEXT_ARRIVAL] <= now:
        admit(f, i, o, t, now)
    tier = i[i[O_AGENT_TIER] + agent]
    visit(f, i, o, ticket, tier, agent, f[i[F_STARTED] + agent], now)
    step = i[i[O_STEP] + ticket]
    channel = t[T_CHANNEL][ticket]
    if step == 0 and i[i[O_REPLY] + channel]:
        o[i[F_FIRST] + ticket] = now
    step += 1
    i[i[O_STEP] + ticket] = step
    i[i[O_HOLDS] + agent] = -1
    if step < min(t[T_VISITS][ticket], i[i[O_LENGTH] + channel]):
        enter(f, i, o, t, ticket, i[i[O_CHAIN] + channel * i[WIDTH] + step], now)
    else:
        o[i[F_RESOLVED] + ticket] = now
    if not i[i[O_ON] + agent] or now >= f[i[F_DUTY_END] + agent]:
        i[i[O_ON] + agent] = 0
        duty_row(f, i, o, agent, now)
        return
    following = take(f, i, o, tier, now)
    if following >= 0:
        start(f, i, o, t, agent, following, now)
        return
    idle_insert(f, i, o, agent)
    if not i[ALARM]:
        set_alarm(f, i, o)


@kernel
def shift(f: np.ndarray, i: np.ndarray, o: np.ndarray, t: Fates, k: int, now: float) -> None:
    """An agent's hours begin or end (``Shifts._duty_starts`` / ``_duty_ends``)."""
    agent = i[i[O_SHIFT_AGENT] + k]
    end = f[i[F_SHIFT_END] + k]
    admit(f, i, o, t, now)
    on = i[O_ON] + agent
    if i[i[O_SHIFT_KIND] + k] == STARTS:
        was_working = i[i[O_HOLDS] + agent] >= 0 and not i[on]
        i[on] = 1
        f[i[F_DUTY_END] + agent] = end
        if was_working:
            return
        f[i[F_ON_SINCE] + agent] = now
        ticket = take(f, i, o, i[i[O_AGENT_TIER] + agent], now)
        if ticket >= 0:
            start(f, i, o, t, agent, ticket, now)
            return
        idle_insert(f, i, o, agent)
        if not i[ALARM]:
            set_alarm(f, i, o)
        return
    if not i[on] or f[i[F_DUTY_END] + agent] != end:
        return
    idle_remove(f, i, o, agent)
    if i[i[O_HOLDS] + agent] >= 0:
        i[on] = 0
    else:
        i[on] = 0
        duty_row(f, i, o, agent, now)


@kernel
def close(f: np.ndarray, i: np.ndarray, o: np.ndarray, horizon: float) -> None:
    """Everyone still on duty or waiting at the horizon (``Desk._close``)."""
    for tier in range(i[TIERS]):
        for k in range(i[i[O_TIER_FIRST] + tier], i[i[O_TIER_FIRST] + tier + 1]):
            agent = i[i[O_TIER_AGENTS] + k]
            ticket = i[i[O_HOLDS] + agent]
            if ticket >= 0:
                visit(f, i, o, ticket, tier, agent, f[i[F_STARTED] + agent], np.nan)
            if i[i[O_ON] + agent] or ticket >= 0:
                duty_row(f, i, o, agent, horizon)
        for head in range(i[i[O_QUEUE_HEAD] + tier], i[i[O_QUEUE_TAIL] + tier]):
            ticket = i[i[O_QUEUE] + head]
            if f[i[F_ABANDON] + ticket] <= horizon:
                abandon(f, i, o, tier, ticket)
            else:
                visit(f, i, o, ticket, tier, NO_AGENT, np.nan, np.nan)


@kernel
def run(f: np.ndarray, i: np.ndarray, o: np.ndarray, arrived: np.ndarray,
        patience: np.ndarray, handles: np.ndarray, channel: np.ndarray, deflected: np.ndarray,
        visits: np.ndarray, horizon: float) -> None:
    """The replication: shift events (all scheduled first, so first among equal times)
    merged with the heap of completions and the alarm, until the horizon. The tickets'
    fates are the batch's own arrays (``handles[ticket, step]``)."""
    t = (arrived, patience, handles, channel, deflected, visits)
    shifts = i[SHIFTS]
    times = i[F_SHIFT_TIME]
    k = 0
    set_alarm(f, i, o)
    while True:
        if k < shifts and (i[HEAP] == 0 or f[times + k] <= f[i[F_HEAP_TIME]]):
            now = f[times + k]
            if now >= horizon:
                break
            shift(f, i, o, t, k, now)
            k += 1
            continue
        if i[HEAP] == 0:
            break
        now = f[i[F_HEAP_TIME]]
        if now >= horizon:
            break
        agent = i[i[O_HEAP_AGENT]]
        heap_pop(f, i, o)
        if agent == NO_AGENT:  # the arrival alarm
            i[ALARM] = 0
            admit(f, i, o, t, now)
            set_alarm(f, i, o)
        else:
            done(f, i, o, t, agent)
    admit(f, i, o, t, horizon)
    close(f, i, o, horizon)
