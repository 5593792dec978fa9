"""Per-group sums, ratios and quantiles with numpy: the arithmetic behind every metric.

Groups are integer keys ``replication index × width + code``; sums are ``bincount``s and
quantiles need one stable sort, so a metric over 500,000 tickets costs milliseconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` per group, NaN where the denominator is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


def measured(tickets: pd.DataFrame) -> pd.DataFrame:
    """The tickets that arrived after the warm-up: the table itself when every one did
    (a filtered copy of a big table is a second table in memory)."""
    warmup = tickets["warmup"].to_numpy(dtype=bool)
    return tickets.loc[~warmup] if warmup.any() else tickets


def group_quantiles(keys: np.ndarray, values: np.ndarray, groups: int,
                    quantiles: tuple[float, ...]) -> list[np.ndarray]:
    """Per-group quantiles (pandas' linear rule) of ``values`` already sorted ascending.

    A stable sort by key keeps each group's values in ascending order.
    """
    order = np.argsort(keys, kind="stable")
    ordered = values[order]
    counts = np.bincount(keys, minlength=groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    results = []
    for q in quantiles:
        position = (counts - 1) * q
        low = np.floor(position).astype(np.int64)
        fraction = position - low
        first = np.minimum(starts + low, max(len(ordered) - 1, 0))
        second = np.minimum(starts + low + 1, starts + np.maximum(counts - 1, 0))
        second = np.minimum(second, max(len(ordered) - 1, 0))
        if len(ordered):
            value = ordered[first] + fraction * (ordered[second] - ordered[first])
        else:
            value = np.zeros(groups)
        results.append(np.where(counts > 0, value, np.nan))
    return results


def category_codes(column: pd.Series) -> tuple[list[str], np.ndarray]:
    """The names and integer codes (−1 for missing) of a categorical column."""
    names = [str(c) for c in column.cat.categories]
    return names, column.cat.codes.to_numpy().astype(np.int64)


def scope_keys(table: pd.DataFrame, scope: str, rep_index: np.ndarray
               ) -> tuple[list[str], np.ndarray]:
    """A ticket scope's group names and each row's group key ``replication index ×
    width + code`` (``overall``: one group, ``all``; else the categorical column
    ``scope``)."""
    if scope == "overall":
        return ["all"], rep_index
    names, codes = category_codes(table[scope])
    return names, rep_index * len(names) + codes


def long_metrics(replications: np.ndarray, scope: str, names: list[str],
                 values: dict[str, np.ndarray]) -> pd.DataFrame:
    """``replication, scope, group, metric, value`` from per-group arrays laid out
    replication-major (group ``r × len(names) + code``), one array per metric."""
    width, metrics = len(names), list(values)
    groups = len(replications) * width
    return pd.DataFrame({
        "replication": np.tile(np.repeat(replications, width), len(metrics)),
        "scope": scope,
        "group": np.tile(np.array(names, dtype=object), len(replications) * len(metrics)),
        "metric": np.repeat(np.array(metrics, dtype=object), groups),
        "value": np.concatenate([values[m] for m in metrics]) if metrics else np.zeros(0),
    })
