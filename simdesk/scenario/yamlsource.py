"""YAML loading that remembers where every key and value came from.

PyYAML's safe loader is used with two changes a scenario needs: sexagesimal integers
are off (``12:30`` stays the text ``12:30`` instead of becoming ``750``), and duplicate
keys are an error instead of silently keeping the last one.

Loading is bounded by construction: a file is read only when it is a regular file of at
most :data:`MAX_BYTES`, nesting deeper than :data:`MAX_DEPTH` is refused while the
document is composed (before any recursion could overflow), and aliases may add at most
:data:`MAX_ALIAS_NODES` nodes when expanded (a "billion laughs" document is refused
before it is built, wherever the aliases are).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simdesk.errors import Problem, ScenarioError

KeyPath = tuple[str | int, ...]

MAX_BYTES = 1 << 20
"""The largest YAML file read (1 MiB; the shipped scenarios are below 10 KiB)."""
MAX_DEPTH = 64
"""The deepest nesting of mappings and lists accepted (a scenario needs about 8)."""
MAX_ALIAS_NODES = 10_000
"""How many nodes aliases (``*name``) may add to a document when expanded."""


class _TooDeepError(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _Loader(yaml.SafeLoader):
    """A safe loader without YAML 1.1's base-60 integers, refusing deep nesting."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _TooDeepError(event.start_mark.line + 1)
            node = super().compose_node(parent, index)
            assert node is not None
            return node
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+)$""",
        re.X,
    ),
    list("-+0123456789"),
)


@dataclass(frozen=True)
class SourceMap:
    """Line numbers (1-based) of each key path in one YAML document."""

    file: str | None
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int | None:
        """The line of ``path`` or, failing that, of its nearest ancestor."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


def _expanded_size(root: yaml.Node) -> int | None:
    """How many nodes the document has once every alias is expanded (None: an alias
    refers to a node that contains it, which would expand forever)."""
    sizes: dict[int, int | None] = {}

    def size(node: yaml.Node) -> int | None:
        known = id(node) in sizes
        if known:
            return sizes[id(node)]
        sizes[id(node)] = None  # in progress: meeting it again is a cycle
        total = 1
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        for child in children:
            part = size(child)
            if part is None:
                return None
            total += part
        sizes[id(node)] = total
        return total

    return size(root)


def _own_size(root: yaml.Node) -> int:
    """How many distinct nodes the document has (aliases not expanded)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


def _check_aliases(root: yaml.Node, file: str | None) -> None:
    expanded = _expanded_size(root)
    if expanded is None:
        raise ScenarioError([Problem((), "an alias (*name) refers to a mapping or list that "
                                     "contains it, which would never end", file, None)])
    added = expanded - _own_size(root)
    if added > MAX_ALIAS_NODES:
        raise ScenarioError([Problem(
            (), f"aliases (*name) would expand this document by {added:,} nodes; at most "
                f"{MAX_ALIAS_NODES:,} are accepted", file, None)])


def _scalar(node: yaml.Node, path: KeyPath, constructor: yaml.constructor.SafeConstructor,
            problems: list[Problem], file: str | None) -> Any:
    """A scalar's value; one YAML cannot construct (``2026-02-30``, an unknown tag, an
    integer of thousands of digits) is a problem on its line."""
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        text = str(node.value)[:40] if isinstance(node, yaml.ScalarNode) else node.tag
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0][:120]
        problems.append(Problem(path, f"cannot read {text!r}: {reason}", file,
                                node.start_mark.line + 1))
        return None


_TAGS = {f"tag:yaml.org,2002:{name}" for name in
         ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")}
"""The YAML types a scenario is written in (no ``!!binary``, ``!!set``, ``!!python/...``)."""


def _build(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    constructor: yaml.constructor.SafeConstructor,
    problems: list[Problem],
    file: str | None,
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        problems.append(Problem(path, f"the YAML tag {tag!r} is not allowed in a scenario",
                                file, node.start_mark.line + 1))
        return None
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, path, constructor, problems, file)
            if key is None and problems:
                continue
            if not isinstance(key, str | int | float | bool):
                problems.append(
                    Problem(path, "a key must be a plain name", file, key_node.start_mark.line + 1)
                )
                continue
            key_text = key if isinstance(key, str) else str(key)
            child = (*path, key_text)
            if key_text in result:
                problems.append(
                    Problem(
                        child,
                        f"duplicate key {key_text!r} (first on line {lines[child]})",
                        file,
                        key_node.start_mark.line + 1,
                    )
                )
                continue
            lines[child] = key_node.start_mark.line + 1
            result[key_text] = _build(value_node, child, lines, constructor, problems, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), lines, constructor, problems, file)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node, path, constructor, problems, file)


def load_yaml_text(text: str, file: str | None = None) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data and its :class:`SourceMap`."""
    if len(text) > MAX_BYTES:
        raise ScenarioError([Problem((), f"{len(text) / 2**20:.1f} MiB of YAML; at most "
                                     f"{MAX_BYTES // 2**20} MiB is read", file, None)])
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # characters YAML does not allow (NUL, controls)
        raise ScenarioError([Problem((), f"YAML syntax error: {exc}".splitlines()[0][:200],
                                     file, None)]) from None
    try:
        root = loader.get_single_node()
    except _TooDeepError as exc:
        raise ScenarioError([Problem((), f"nested more than {MAX_DEPTH} levels deep",
                                     file, exc.line)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        raise ScenarioError([Problem((), f"YAML syntax error: {what}", file, line)]) from exc
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem((), f"YAML syntax error: {exc}", file, None)]) from exc
    finally:
        loader.dispose()
    if root is not None:
        _check_aliases(root, file)
    lines: dict[KeyPath, int] = {}
    problems: list[Problem] = []
    data = None if root is None else _build(root, (), lines, loader, problems, file)
    if problems:
        raise ScenarioError(problems)
    return data, SourceMap(file, lines)


def load_yaml_file(path: str | Path) -> tuple[Any, SourceMap]:
    """Read and parse a YAML file; a missing or unreadable file is a :class:`ScenarioError`."""
    path = Path(path)
    return load_yaml_text(read_bounded(path, "YAML"), str(path))


def read_bounded(path: Path, kind: str, limit: int = MAX_BYTES) -> str:
    """The text of ``path``: a regular file of at most ``limit`` bytes in UTF-8 (a device,
    a pipe or a folder is refused before it is opened for reading)."""
    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem((), message, str(path), None)])

    try:
        info = path.stat()
    except FileNotFoundError:
        raise refuse("no such file") from None
    except (OSError, ValueError) as exc:
        raise refuse(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise refuse(f"is a folder, not a {kind} file")
    if not stat.S_ISREG(info.st_mode):
        raise refuse(f"is not a regular file (a device, pipe or socket); give a {kind} file")
    if info.st_size > limit:
        raise refuse(f"{info.st_size / 2**20:.1f} MiB; a {kind} file of at most "
                     f"{limit // 2**20} MiB is read")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise refuse(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise refuse(f"more than {limit // 2**20} MiB; a {kind} file of at most "
                     f"{limit // 2**20} MiB is read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refuse(f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
