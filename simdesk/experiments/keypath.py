"""Key paths into a scenario: ``tiers.L1.agents[0].count``, ``arrivals[0].rate``.

A sweep names what it varies by key path into the scenario *as written* (the raw
YAML data): the path must exist there, so a typo is an error before any run.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from simdesk.errors import SimdeskError, format_key_path
from simdesk.scenario.messages import did_you_mean, one_of

Step = str | int
_TOKEN = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


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
            raise SimdeskError(f"{text!r} is not a key path such as tiers.L1.agents[0].count")
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if not steps:
        raise SimdeskError("an empty key path")
    return tuple(steps)


def _child(node: Any, step: Step, done: tuple[Step, ...], whole: str) -> Any:
    where = format_key_path(done) or "the scenario"
    if isinstance(step, int):
        if not isinstance(node, list):
            raise SimdeskError(f"{whole}: {where} is not a list, so [{step}] does not apply")
        if not -len(node) <= step < len(node):
            raise SimdeskError(f"{whole}: {where} has {len(node)} item(s); "
                               f"[{step}] is out of range")
        return node[step]
    if not isinstance(node, Mapping):
        raise SimdeskError(f"{whole}: {where} is {node!r}, not a mapping with key {step!r}")
    if step not in node:
        keys = [str(k) for k in node]
        raise SimdeskError(f"{whole}: {where} has no key {step!r}; it has {one_of(keys)}"
                           f"{did_you_mean(step, keys)}")
    return node[step]


def get_path(data: Any, path: tuple[Step, ...], whole: str = "") -> Any:
    """The value at ``path`` (an error naming where the path breaks)."""
    node = data
    for depth, step in enumerate(path):
        node = _child(node, step, path[:depth], whole or format_key_path(path))
    return node


def set_path(data: Any, path: tuple[Step, ...], value: Any,
             known_keys: Callable[[tuple[Step, ...]], list[str]] | None = None) -> Any:
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
        if isinstance(node, dict) and step not in node and known_keys is not None and (
                step in known_keys(path[:depth])):
            if last:
                break
            node[step] = {}
        if last:
            _child(node, step, path[:depth], whole)
            break
        node = _child(node, step, path[:depth], whole)
    node[path[-1]] = value
    return result
