"""The package's shape: no import cycle, no module too long without a reason.

Imports are read with :mod:`ast`, not by importing. An import **counts** when it runs on
import of the module: at module level, including inside ``try``/``if`` blocks, but not
under ``if TYPE_CHECKING:`` (type-only). Imports inside functions are deferred on
purpose (lazy start-up, optional plotly/scipy): they cannot leave a module
half-initialised, so the first cycle test leaves them out; a second one counts them too
(today the package has no cycle either way, and a deferred import must not be a patch
over one). The grammar of ``expect:`` must not reach pandas or the simulation, even
lazily.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simdesk"
MAX_LINES = 450
LONG_REASON = "Why this module is long:"
"""A module over :data:`MAX_LINES` lines says why in its top docstring, after this."""
LONG_ALLOWED: dict[str, str] = {}
"""Modules over the limit without a reason in their docstring yet, each with why."""


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, *, lazy: bool) -> Iterator[str]:
    """Names imported by ``module``: at module level (``lazy``: in functions too), never
    under ``if TYPE_CHECKING:``."""
    path = _modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(nodes: list[ast.stmt]) -> Iterator[str]:
        for node in nodes:
            if isinstance(node, ast.Import):
                yield from (alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in node.names:  # a submodule, else a name of ``base``
                    full = f"{base}.{alias.name}"
                    yield full if full in _modules() else base
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    yield from visit(node.body)
                yield from visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody,
                              *(h.body for h in node.handlers)):
                    yield from visit(block)
            elif isinstance(node, (ast.With, ast.ClassDef)) or (
                    lazy and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))):
                yield from visit(node.body)

    yield from visit(ast.parse(path.read_text()).body)


def _graph(*, lazy: bool = False) -> dict[str, set[str]]:
    """Module → the package's modules it imports (a ``from a import b`` of a submodule
    points at ``a.b`` only: every module's parent packages are imported first anyway)."""
    known = _modules()
    return {module: {name for name in _imports(module, lazy=lazy) if name in known
                     and name != module}
            for module in known}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for other in graph.get(todo.pop(), set()) - seen:
            seen.add(other)
            todo.append(other)
    return seen


def test_the_walk_sees_the_package() -> None:
    graph = _graph()
    assert len(graph) > 100
    assert "simdesk.metrics.catalogue" in graph["simdesk.scenario.expect"]
    assert "simdesk.metrics.stats" in graph["simdesk.simulation"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    """Negative control: a planted cycle is reported."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_at_module_level() -> None:
    assert _cycles(_graph()) == []


def test_no_import_cycle_even_counting_imports_inside_functions() -> None:
    assert _cycles(_graph(lazy=True)) == []


def test_the_catalogue_imports_nothing_from_simdesk_but_units() -> None:
    assert _graph(lazy=True)["simdesk.metrics.catalogue"] <= {"simdesk.scenario.units",
                                                              "simdesk.scenario",
                                                              "simdesk.metrics"}


def test_the_expect_grammar_reaches_neither_pandas_nor_the_simulation() -> None:
    reached = _reaches(_graph(lazy=True), "simdesk.scenario.expect")
    assert "simdesk.simulation" not in reached
    assert "simdesk.metrics.verdicts" not in reached
    third_party = {name.split(".")[0] for module in {"simdesk.scenario.expect", *reached}
                   if module in _modules() for name in _imports(module, lazy=True)}
    assert "pandas" not in third_party


def test_the_report_does_not_import_the_terminal() -> None:
    graph = _graph(lazy=True)
    for module, imported in graph.items():
        if module.startswith("simdesk.report"):
            assert not {m for m in imported if m.startswith("simdesk.console")}, module


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text())) or ""


@pytest.mark.parametrize("module", sorted(_modules()))
def test_no_module_is_long_without_a_reason(module: str) -> None:
    path = _modules()[module]
    lines = len(path.read_text().splitlines())
    if lines <= MAX_LINES or module in LONG_ALLOWED:
        return
    assert LONG_REASON in _docstring(path), (
        f"{module} has {lines} lines (over {MAX_LINES}): split it, or say why in its "
        f"docstring after {LONG_REASON!r}")


def test_the_allow_list_holds_only_long_modules() -> None:
    for module in LONG_ALLOWED:
        assert len(_modules()[module].read_text().splitlines()) > MAX_LINES, module
