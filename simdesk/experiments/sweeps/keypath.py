"""Key paths into a scenario: ``tiers.L1.agents[0].count``, ``arrivals[0].rate``.

A sweep names what it varies by key path into the scenario *as written* (the raw
YAML data): the path must exist there, or end in keys the schema knows (which are then
added), so a typo is an error before any run.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from simdesk.errors import SimdeskError, format_key_path
from simdesk.scenario.messages import did_you_mean, one_of

Step = str | int
KnownKeys = Callable[[tuple[Step, ...]], list[str]]
"""The keys the schema accepts at a path (empty when it cannot be told)."""
_TOKEN = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


class KeyPathError(SimdeskError):
    """A key path that does not fit the data; ``reason`` says where it breaks, without
    repeating the whole path (the message does)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)

    def __reduce__(self) -> tuple[type[KeyPathError], tuple[str, str]]:
        return KeyPathError, (self.path, self.reason)


def parse_key_path(text: str) -> tuple[Step, ...]:
    """``tiers.L1.agents[0].count`` → ``("tiers", "L1", "agents", 0, "count")``."""
    steps: list[Step] = []
    position = 0
    text = text.strip()
    while position < len(text):
        if text[position] == "." and steps:
            position += 1
        match = _TOKEN.match(text, position)
        if match is None:
            raise KeyPathError(text, "not a key path such as tiers.L1.agents[0].count")
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if not steps:
        raise KeyPathError("", "an empty key path")
    return tuple(steps)


def _child(node: Any, step: Step, done: tuple[Step, ...], whole: str,
           known: list[str] | None = None) -> Any:
    where = format_key_path(done) or "the scenario"
    if isinstance(step, int):
        if not isinstance(node, list):
            raise KeyPathError(whole, f"{where} is not a list, so [{step}] does not apply")
        if not -len(node) <= step < len(node):
            raise KeyPathError(whole, f"{where} has {len(node)} item(s); [{step}] is out of "
                                      "range")
        return node[step]
    if not isinstance(node, Mapping):
        raise KeyPathError(whole, f"{where} is {node!r}, not a mapping with key {step!r}")
    if step not in node:
        keys = [str(k) for k in node]
        extra = [k for k in known or () if k not in keys]
        if keys:
            has = f"it has {one_of(keys)}"
            if extra:
                has += f" (and may have {one_of(extra)})"
        else:
            has = f"it may have {one_of(extra)}" if extra else "it is empty"
        raise KeyPathError(whole, f"{where} has no key {step!r}; {has}"
                                  f"{did_you_mean(str(step), keys + extra)}")
    return node[step]


def get_path(data: Any, path: tuple[Step, ...], whole: str = "") -> Any:
    """The value at ``path`` (an error naming where the path breaks)."""
    node = data
    for depth, step in enumerate(path):
        node = _child(node, step, path[:depth], whole or format_key_path(path))
    return node


def set_path(data: Any, path: tuple[Step, ...], value: Any,
             known_keys: KnownKeys | None = None) -> Any:
    """A deep copy of ``data`` with ``value`` at ``path``.

    The path must exist, except that a mapping may lack a key the schema knows there
    (``known_keys(path so far)``): then it is added (``routing.policy`` in a scenario
    that left routing at its default). A typo is never silently added.
    """
    result = copy.deepcopy(data)
    whole = format_key_path(path)
    node = result
    for depth, step in enumerate(path):
        last = depth == len(path) - 1
        known = known_keys(path[:depth]) if known_keys is not None and isinstance(
            node, dict) and step not in node else []
        if step in known:
            if last:
                break
            node[step] = {}
        if last:
            _child(node, step, path[:depth], whole, known)
            break
        node = _child(node, step, path[:depth], whole, known)
    node[path[-1]] = value
    return result
