"""Rows of an export that could not be used, by reason, with their line numbers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

SHOWN = 8
"""Line numbers listed per reason (the count is always complete)."""


@dataclass
class BadRows:
    """Problems found while reading, each with the rows it affects and what was done.

    ``unit`` is how rows are numbered: ``line`` for a CSV file (the header is line 1, as a
    spreadsheet shows it), ``row`` for Parquet (the first row is 1).
    """

    unit: str = "line"
    problems: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    """(what is wrong, what was done) → row numbers."""

    def add(self, reason: str, action: str, rows: Iterable[int]) -> None:
        numbers = [int(r) for r in rows]
        if numbers:
            self.problems.setdefault((reason, action), []).extend(numbers)

    @property
    def dropped(self) -> int:
        """Rows left out entirely."""
        return len({r for (_, action), rows in self.problems.items()
                    if action == DROPPED for r in rows})

    @property
    def affected(self) -> int:
        """Rows with any problem."""
        return len({r for rows in self.problems.values() for r in rows})

    def lines(self) -> list[str]:
        """One line per problem, the most frequent first: count, reason, action, rows."""
        out = []
        for (reason, action), rows in sorted(self.problems.items(), key=lambda kv: -len(kv[1])):
            shown = sorted(set(rows))
            where = ", ".join(str(r) for r in shown[:SHOWN])
            more = f", … ({len(shown) - SHOWN} more)" if len(shown) > SHOWN else ""
            plural = "s" if len(shown) > 1 else ""
            out.append(f"{len(shown):,} {self.unit}{plural}: {reason} — {action} "
                       f"({self.unit}{plural} {where}{more})")
        return out


DROPPED = "left out"
"""The action for rows that cannot be placed at all (no usable creation time or channel)."""
