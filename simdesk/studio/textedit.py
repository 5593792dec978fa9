"""Change one value of a scenario's YAML text in place, keeping everything else.

The form edits scalars that already exist in the text (a count, a shift, a target). The
text is composed into YAML nodes with :mod:`simdesk.scenario.yamlsource`'s loader, which
know where each scalar starts and ends; only those characters are replaced. Comments,
flow style, quoting elsewhere and key order stay exactly as the user wrote them (PyYAML
alone would drop the comments on a round trip).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

from simdesk.errors import SimdeskError
from simdesk.scenario.yamlsource import _Loader

KeyPath = Sequence[str | int]


def _node(text: str, path: KeyPath) -> yaml.ScalarNode:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise SimdeskError(f"the YAML text does not parse: {exc}") from None
    finally:
        loader.dispose()
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = [value for key, value in node.value
                     if isinstance(key, yaml.ScalarNode) and key.value == step]
            if not found:
                raise SimdeskError(f"no key {step!r} at this place in the YAML text")
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                raise SimdeskError(f"no item {step} at this place in the YAML text")
            node = node.value[step]
        else:
            raise SimdeskError(f"the YAML text has no {step!r} here")
    if not isinstance(node, yaml.ScalarNode):
        raise SimdeskError("only a single value can be changed from the form")
    return node


def value_at(text: str, path: KeyPath) -> Any:
    """The value at ``path``, as the scenario loader reads it."""
    node = _node(text, path)
    return _read(text[node.start_mark.index:node.end_mark.index])


def _read(fragment: str) -> Any:
    return yaml.load(fragment, Loader=_Loader)  # a safe loader


def _render(value: Any, style: str | None) -> str:
    """``value`` as a YAML scalar: in the original quotes, else plain when that reads back
    as the same value, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if style != '"' and text and "\n" not in text and "#" not in text:
        try:
            if _read(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def set_value(text: str, path: KeyPath, value: Any) -> str:
    """``text`` with the scalar at ``path`` replaced by ``value`` (int, float, bool or
    text); every other character unchanged."""
    node = _node(text, path)
    rendered = _render(value, node.style)
    changed = text[:node.start_mark.index] + rendered + text[node.end_mark.index:]
    if value_at(changed, path) != value:  # e.g. a flow mapping needs quotes a block does not
        rendered = json.dumps(str(value), ensure_ascii=False)
        changed = text[:node.start_mark.index] + rendered + text[node.end_mark.index:]
    return changed
