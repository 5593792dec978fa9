"""A package's public names imported on first use (PEP 562), so that importing the
package — or one of its modules — loads none of the modules behind them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, home: Mapping[str, str]
               ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: each name of ``home`` imported
    from its module (``home[name]``) when first used, then kept as a plain attribute."""

    def attribute(name: str) -> Any:
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home[name]), name)
        vars(sys.modules[package])[name] = value  # the next look-up is a plain attribute
        return value

    def names() -> list[str]:
        return sorted([*vars(sys.modules[package]), *home])

    return attribute, names
