"""Where the compiled loop keeps its state: the slots of its three flat arrays.

The loop (:mod:`~simdesk.engine.compiled_loop`, numba) and the code that lays its arrays
out and reads its records (:mod:`~simdesk.engine.compiled`, no numba) share this layout,
so it lives apart from both: reading it must not import numba.
"""

from __future__ import annotations

# Slots of `i`: running scalars.
NEXT, ALARM, VISITS, DUTY, SEQ, HEAP, EID = range(7)
# Slots of `i`: sizes.
TICKETS, TIERS, WIDTH, RING, SHIFTS = range(7, 12)
# Slots of `i`: where the int columns start in `i`.
(O_LENGTH, O_STEP, O_CHAIN, O_REPLY, O_ENTRY, O_AGENT_TIER,
 O_TIER_AGENTS, O_TIER_FIRST, O_SHIFT_KIND, O_SHIFT_AGENT, O_QUEUE, O_QUEUE_HEAD,
 O_QUEUE_TAIL, O_WAITING, O_IDLE_AGENT, O_IDLE_MARK, O_IDLE_HEAD, O_IDLE_TAIL,
 O_IDLE_COUNT, O_AGENT_MARK, O_ON, O_HOLDS, O_HEAP_EID, O_HEAP_AGENT, O_SCRATCH) = range(12, 37)
# Slots of `i`: where the float columns start in `f`.
(F_SHIFT_TIME, F_SHIFT_END, F_QUEUED, F_ABANDON,
 F_FIRST, F_RESOLVED, F_ABANDONED, F_DUTY_END, F_ON_SINCE, F_STARTED, F_DUE, F_HEAP_TIME,
 F_VISITS, F_DUTY) = range(37, 51)
HEADER = 51
# Places in `t`, the tickets' fates as the batch holds them (read, never copied).
T_ARRIVED, T_PATIENCE, T_HANDLES, T_CHANNEL, T_DEFLECTED, T_VISITS = range(6)
# Slots of `f`.
NEXT_ARRIVAL = 0
FLOAT_HEADER = 1
STARTS, ENDS = 0, 1
"""Kinds of the shift events."""
NO_AGENT = -1
