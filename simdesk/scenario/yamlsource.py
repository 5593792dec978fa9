"""YAML loading that remembers where every key and value came from.

PyYAML's safe loader is used with two changes a scenario needs: sexagesimal integers
are off (``12:30`` stays the text ``12:30`` instead of becoming ``750``), and duplicate
keys are an error instead of silently keeping the last one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simdesk.errors import Problem, ScenarioError

KeyPath = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """A safe loader without YAML 1.1's base-60 integers."""


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


def _build(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    constructor: yaml.constructor.SafeConstructor,
    problems: list[Problem],
    file: str | None,
) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
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
    return constructor.construct_object(node, deep=True)


def load_yaml_text(text: str, file: str | None = None) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data and its :class:`SourceMap`."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        raise ScenarioError([Problem((), f"YAML syntax error: {what}", file, line)]) from exc
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem((), f"YAML syntax error: {exc}", file, None)]) from exc
    finally:
        loader.dispose()
    lines: dict[KeyPath, int] = {}
    problems: list[Problem] = []
    data = None if root is None else _build(root, (), lines, loader, problems, file)
    if problems:
        raise ScenarioError(problems)
    return data, SourceMap(file, lines)


def load_yaml_file(path: str | Path) -> tuple[Any, SourceMap]:
    """Read and parse a YAML file; a missing or unreadable file is a :class:`ScenarioError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem((), "no such file", str(path), None)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem((), f"cannot read: {exc}", str(path), None)]) from None
    return load_yaml_text(text, str(path))
