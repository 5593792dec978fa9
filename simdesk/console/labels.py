"""Short column labels for sweep parameters: the shortest unique tail of each key path.

``tiers.L1.agents[0].count`` and ``tiers.L1.agents[1].count`` become ``agents[0].count``
and ``agents[1].count``; ``outcomes.churn`` becomes ``churn``. The full paths are listed
under the table, so a narrow terminal never cuts a parameter's name to "tiers.L1.agen…".
"""

from __future__ import annotations

from collections.abc import Sequence


def short_labels(paths: Sequence[str]) -> dict[str, str]:
    """Each path → its shortest tail (whole dotted parts) no other path ends with."""
    parts = {path: path.split(".") for path in paths}
    labels: dict[str, str] = {}
    for path, pieces in parts.items():
        for size in range(1, len(pieces) + 1):
            tail = ".".join(pieces[-size:])
            if not any(other != path and (other == tail or other.endswith("." + tail))
                       for other in paths):
                labels[path] = tail
                break
        else:
            labels[path] = path
    return labels


def legend(labels: dict[str, str]) -> str:
    """``label: full.path`` for each shortened label ('' when none is)."""
    shortened = [f"{label} = {path}" for path, label in labels.items() if label != path]
    return ("Parameters: " + "; ".join(shortened)) if shortened else ""


__all__ = ["legend", "short_labels"]
