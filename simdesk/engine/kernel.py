"""The engine's one contact with SimPy's internals: events scheduled at absolute times.

simdesk runs on SimPy's :class:`simpy.Environment`, but schedules its hot-path events
itself, as small reusable objects instead of a ``Timeout`` each. That relies on the
contract of SimPy 4.1's ``Environment.step``: it pops ``(time, priority, eid, event)``
from ``env._queue`` (a heap, ``eid`` from ``env._eid``), sets ``event.callbacks`` to
``None``, calls each callback with the event, then reads ``event._ok``. This module is
the only one that relies on it; ``tests/engine/test_kernel.py`` fails loudly when a
SimPy release changes it, and ``pyproject.toml`` pins SimPy to the tested range.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy

NORMAL = 1
"""SimPy's priority of ordinary events (``simpy.core.NORMAL``); at equal times, events
run in the order they were scheduled."""


class Event:
    """A SimPy event without SimPy's machinery: it only carries its ``callbacks`` (set to
    ``None`` by SimPy when it runs, so ``None`` means "not scheduled") and succeeds.

    Subclasses add slots of their own (an :class:`~simdesk.engine.entities.Agent` is the
    event of its own service completion).
    """

    __slots__ = ("callbacks",)
    _ok = True

    def __init__(self) -> None:
        self.callbacks: list[Callable[[Any], None]] | None = None


class Call(Event):
    """A one-off event: calls ``callback(event)`` at its time; ``value`` is for the callback."""

    __slots__ = ("value",)

    def __init__(self, callback: Callable[[Any], None], value: Any) -> None:
        self.callbacks = [callback]
        self.value = value


class Kernel(simpy.Environment):
    """A SimPy environment that also schedules :class:`Event` objects at absolute times."""

    def __init__(self) -> None:
        super().__init__()
        queue: list[Any] = self._queue
        ids = self._eid

        def at(time: float, event: Event) -> None:
            """Schedule ``event`` (its ``callbacks`` set) at the absolute ``time``."""
            heappush(queue, (time, NORMAL, next(ids), event))

        self.at = at  # a closure: the hot path skips two attribute look-ups

    def call(self, time: float, callback: Callable[[Any], None], value: Any = None) -> None:
        """Call ``callback`` with a :class:`Call` carrying ``value`` at ``time``."""
        self.at(time, Call(callback, value))

    def clear(self) -> None:
        """Drop every scheduled event (a desk frees its tickets when it is done)."""
        self._queue.clear()
