"""Turn pydantic's validation errors into one clear line each: key path, line, what is valid."""

from __future__ import annotations

import difflib
import inspect
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from simdesk.errors import Problem
from simdesk.scenario.yamlsource import KeyPath, SourceMap


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else ``''``."""
    options = list(choices)
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if not close and len(str(word)) >= 3:
        close = [c for c in options if c.lower().startswith(str(word).lower())][:1]
    return f" (did you mean {close[0]!r}?)" if close else ""


def one_of(choices: Sequence[str]) -> str:
    return ", ".join(choices)


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _tags(model: type[BaseModel]) -> set[str]:
    """The discriminator values and the name pydantic uses for a union member."""
    tags = {model.__name__}
    for key in ("dist", "policy"):
        field = model.model_fields.get(key)
        if field is not None:
            choices = typing.get_args(field.annotation)
            tags.update(str(a) for a in choices) if choices else tags.add("custom")
    return tags


def _descend(tp: Any, step: str | int) -> list[Any]:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        members = [_unwrap(m) for m in typing.get_args(tp)]
        for member in members:
            if inspect.isclass(member) and issubclass(member, BaseModel) and step in _tags(member):
                return [member]
            if step in (getattr(member, "__name__", None), str(member).replace("typing.", "")):
                return [member]
        return [t for member in members for t in _descend(member, step)]
    if inspect.isclass(tp) and issubclass(tp, BaseModel):
        for name, field in tp.model_fields.items():
            if step in (name, field.alias):
                return [field.annotation]
        return []
    if origin is dict and isinstance(step, str):
        return [typing.get_args(tp)[1]]
    if origin is list and isinstance(step, int):
        return [typing.get_args(tp)[0]]
    return []


def valid_keys(root: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys the model at ``loc`` accepts (empty when it cannot be told)."""
    current: list[Any] = [root]
    for step in loc:
        current = [t for tp in current for t in _descend(tp, step)]
    keys: list[str] = []
    for tp in current:
        candidates = [_unwrap(tp)]
        if typing.get_origin(candidates[0]) in (typing.Union, types.UnionType):
            candidates = [_unwrap(m) for m in typing.get_args(candidates[0])]
        for model in candidates:
            if inspect.isclass(model) and issubclass(model, BaseModel):
                for name, field in model.model_fields.items():
                    key = field.alias or name
                    if key not in keys:
                        keys.append(key)
    return keys


def data_path(data: Any, loc: Sequence[str | int]) -> KeyPath:
    """The part of ``loc`` that exists in the raw data (drops pydantic's union tags)."""
    path: list[str | int] = []
    node = data
    for step in loc:
        in_dict = isinstance(node, dict) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_dict or in_list:
            node = node[step]
        elif isinstance(node, dict | list):
            continue
        else:
            break
        path.append(step)
    return tuple(path)


_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "list_type": "a list",
}
_BOUNDS = {
    "greater_than": "more than {gt}",
    "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}",
    "less_than_equal": "at most {le}",
}


def _message(error: Any, root: type[BaseModel], data: Any) -> str:
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return f"required key {loc[-1]!r} is missing"
    if kind == "extra_forbidden":
        keys = valid_keys(root, loc[:-1])
        hint = did_you_mean(str(loc[-1]), keys)
        listed = f"; valid keys: {one_of(keys)}" if keys else ""
        return f"unknown key {loc[-1]!r}{listed}{hint}"
    if kind == "union_tag_invalid":
        tags = [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",")]
        what = str(ctx.get("discriminator", "")).strip("'")
        what = {"dist": "distribution"}.get(what, what)
        return (
            f"unknown {what} {ctx.get('tag')!r}; "
            f"valid: {one_of(tags)}{did_you_mean(str(ctx.get('tag')), tags)}"
        )
    if kind == "unknown_policy":
        from simdesk.scenario.routing import BUILTIN_POLICIES

        policy = value.get("policy") if isinstance(value, dict) else value
        hint = did_you_mean(str(policy), BUILTIN_POLICIES)
        return (f"unknown routing policy {policy!r}; valid: {one_of(BUILTIN_POLICIES)}, or "
                f"'package.module:Class' for your own{hint}")
    if kind == "union_tag_not_found":
        return f"required key {ctx.get('discriminator', '').strip(chr(39))!r} is missing"
    if kind == "literal_error":
        choices = [c.strip().strip("'") for c in str(ctx.get("expected", "")).split(" or ")]
        choices = [c for part in choices for c in part.split(", ")]
        choices = [c.strip().strip("'") for c in choices]
        hint = did_you_mean(str(value), choices)
        return f"{value!r} is not valid; valid: {one_of(choices)}{hint}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {value!r}"
    if kind in _BOUNDS:
        return f"must be {_BOUNDS[kind].format(**ctx)}, got {value!r}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"takes at most {ctx.get('max_length')} item(s), got {ctx.get('actual_length')}"
    return str(error["msg"])


def problems_from(
    exc: ValidationError, root: type[BaseModel], data: Any, source: SourceMap
) -> list[Problem]:
    """One :class:`Problem` per pydantic error, located in the YAML source."""
    problems: list[Problem] = []
    seen: set[tuple[KeyPath, str]] = set()
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if error["type"] == "unknown_policy":
            loc = (*loc, "policy")
        path = data_path(data, loc)
        message = _message(error, root, data)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        problems.append(Problem(path, message, source.file, source.line(path)))
    return problems
