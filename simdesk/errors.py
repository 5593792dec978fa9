"""One exception tree for everything a user can get wrong.

The CLI turns a :class:`SimdeskError` into ``Error: ...`` lines and exit status 2;
anything else is a bug and shows a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def format_key_path(path: Sequence[str | int]) -> str:
    """``("tiers", "L1", "agents", 0, "count")`` → ``tiers.L1.agents[0].count``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, with where it is."""

    path: tuple[str | int, ...]
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        key = format_key_path(self.path)
        return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"


class SimdeskError(Exception):
    """Base of every error caused by input rather than by a bug."""


class ScenarioError(SimdeskError):
    """A scenario that cannot be loaded; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file or "", p.line or 0))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        return ScenarioError, (self.problems,)  # crosses process boundaries intact
