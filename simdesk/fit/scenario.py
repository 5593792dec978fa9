"""The fitted scenario as YAML, with comments saying what was fitted from what.

Everything is plain scenario data in the units a manager writes; each section carries a
comment with the tickets behind it, so the file explains itself when someone opens it
months later. The YAML is checked by loading it back before it is written.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

WIDTH = 100


@dataclass
class Entry:
    """One key of a mapping (or one item of a list) with the comments above it."""

    key: str | None
    value: Any
    comments: list[str] = field(default_factory=list)


def _comment(lines: Iterable[str], indent: int) -> list[str]:
    out = []
    for line in lines:
        wrapped = textwrap.wrap(line, WIDTH - indent - 2, break_on_hyphens=False) or [""]
        out += [" " * indent + "# " + part for part in wrapped]
    return out


def _dump(value: Any, indent: int) -> list[str]:
    """Block style, with collections of scalars written on one line (flow style)."""
    inner = list(value.values()) if isinstance(value, dict) else list(value)
    leaf = not any(isinstance(v, dict | list) for v in inner)
    text = yaml.safe_dump(value, sort_keys=False, default_flow_style=False if leaf else None,
                          width=WIDTH - indent, allow_unicode=True)
    return [" " * indent + line for line in text.splitlines()]


def block(key: str, entries: Sequence[Entry], comments: Sequence[str] = ()) -> list[str]:
    """A top-level mapping (entries with keys) or list (entries without), commented."""
    lines = [*_comment(comments, 0), f"{key}:"]
    if not entries:
        lines[-1] += " []" if all(e.key is None for e in entries) else " {}"
    for entry in entries:
        lines += _comment(entry.comments, 2)
        if entry.key is None:
            lines += _dump([entry.value], 2)
        else:
            lines += _dump({entry.key: entry.value}, 2)
    return lines


def scalar(key: str, value: Any, comments: Sequence[str] = ()) -> list[str]:
    """A top-level key with a value written in one piece."""
    return _comment(comments, 0) + _dump({key: value}, 0)


def commented(lines: Sequence[str]) -> list[str]:
    """YAML lines turned into comments (suggestions to uncomment)."""
    return ["# " + line for line in lines]


def document(header: Sequence[str], parts: Sequence[list[str]]) -> str:
    """The whole file: the header comment, then each part separated by a blank line."""
    lines = _comment(header, 0)
    for part in parts:
        if part:
            lines += ["", *part]
    return "\n".join(lines) + "\n"
