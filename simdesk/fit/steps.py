"""The tiers each ticket went through, one row per ticket and tier.

An export's list fields (``groups``, ``work_minutes``, ``assignees``: ``L1>L2``,
``12.5>40``, ``ann>bob``) are split and aligned here. Each distinct value is split once
and the rows refer to it by code, so a million rows cost arrays of numbers rather than a
million Python strings; work times are read in the unit :mod:`simdesk.fit.workunits`
told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simdesk.fit.badrows import BadRows
from simdesk.fit.presets import LIST_SEPARATORS
from simdesk.fit.workunits import WorkUnit

MAX_WORK_MINUTES = 10 * 365 * 24 * 60
"""Work times above ten years are not work times (``1e308``)."""
_CHUNK = 1 << 17
"""Steps converted at a time where a conversion makes several temporary arrays."""


@dataclass(frozen=True)
class Items:
    """The items of a list field (``L1>L2``), flat: ``row`` (position of the row),
    ``k`` (the item's place in its list), ``text`` (a categorical: few distinct values),
    and each row's ``count``."""

    row: np.ndarray
    """32-bit positions (a million rows: half the memory of 64-bit ones)."""
    k: np.ndarray
    text: Any
    """Categorical, or text when every row holds at most one item (work times: many
    distinct values, read as numbers directly)."""
    count: np.ndarray


def _positions(values: np.ndarray) -> np.ndarray:
    """Positions as 32-bit integers when they fit (always, short of 2**31 rows)."""
    if len(values) and int(values.max()) >= np.iinfo(np.int32).max:
        return values
    return values.astype(np.int32)


def split_items(values: pd.Series) -> Items:
    """Split a list field on ``>``, ``;`` or ``|``. Each distinct value is split once and
    the rows refer to it by code, so a million rows cost arrays of numbers, not a
    million strings."""
    codes, uniques = pd.factorize(values, sort=False)
    parts = [[p.strip() for p in LIST_SEPARATORS.split(str(u).strip())] if str(u).strip()
             else [] for u in uniques]
    lengths = np.array([len(p) for p in parts] + [0], dtype=np.int64)  # last: missing
    flat = [item for items in parts for item in items]
    item_codes, names = pd.factorize(pd.Series(flat, dtype=object), sort=False)
    part_start = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    codes = np.where(codes < 0, len(uniques), codes)
    count = lengths[codes]
    row = np.repeat(np.arange(len(codes)), count)
    offsets = np.concatenate([[0], np.cumsum(count)])
    k = np.arange(len(row)) - offsets[row]
    which = np.asarray(item_codes, dtype=np.int64)[np.repeat(part_start[codes], count) + k] \
        if len(row) else np.array([], dtype=np.int64)
    text = pd.Categorical.from_codes(which, categories=pd.Index(names, dtype=object))
    return Items(_positions(row), _positions(k), text, count)


def single_items(values: pd.Series) -> Items | None:
    """The items of a field whose rows hold one item at most (``None`` otherwise)."""
    if bool(values.str.contains(r"[>;|]", regex=True).fillna(False).any()):
        return None
    given = (values.notna() & (values.str.strip() != "")).to_numpy(dtype=bool)
    row = _positions(np.flatnonzero(given))
    return Items(row, np.zeros(len(row), dtype=row.dtype),
                 values[given].str.strip().reset_index(drop=True), given.astype(np.int64))


def one_tier(rows: int, given: bool) -> Items:
    """Every ticket worked by one tier, ``L1`` (an export without groups)."""
    count = np.full(rows, int(given), dtype=np.int64)
    row = _positions(np.flatnonzero(count))
    return Items(row, np.zeros(len(row), dtype=row.dtype),
                 pd.Categorical.from_codes(np.zeros(len(row), dtype=np.int64),
                                           categories=pd.Index(["L1"])), count)


def paths_of(groups: Items, tickets: int) -> np.ndarray:
    """Each ticket's tiers joined with ``>`` (``""`` when none)."""
    paths = np.full(tickets, "", dtype=object)
    first = groups.k == 0
    paths[groups.row[first]] = np.asarray(groups.text[first], dtype=object)
    for k in range(1, int(groups.count.max()) if len(groups.count) else 0):
        at = groups.k == k
        rows = groups.row[at]
        paths[rows] = paths[rows] + ">" + np.asarray(groups.text[at], dtype=object)
    return paths


def tier_steps(tickets: pd.DataFrame, groups: Items, work: Items | None, agents: Items | None,
           bad: BadRows, describe: Callable[[str], str], unit: WorkUnit | None
           ) -> pd.DataFrame:
    """One row per ticket and tier it went through."""
    rows = tickets["row"].to_numpy()
    counts = groups.count
    ticket = groups.row.astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    minutes = np.full(len(ticket), np.nan)
    names = np.full(len(ticket), None, dtype=object)
    for key, values in (("work_minutes", work), ("assignees", agents)):
        if values is None:
            continue
        too_many = values.count > counts
        bad.add(f"{describe(key)} lists more items than groups", f"{key} ignored",
                rows[too_many])
        usable = ~too_many[values.row] & np.asarray(values.text != "", dtype=bool)
        where = offsets[values.row[usable]] + values.k[usable]
        if key == "assignees":
            names[where] = np.asarray(values.text[usable], dtype=object)
            continue
        assert unit is not None
        if isinstance(values.text, pd.Categorical):
            each = unit.minutes(np.asarray(values.text.categories, dtype=object))
            read = np.array(each[values.text.codes[usable]], dtype=float) if len(each) else (
                np.full(int(usable.sum()), np.nan))
        else:
            # each distinct text once: a million work times hold far fewer values
            codes, distinct = pd.factorize(values.text[usable])
            each = unit.minutes(np.asarray(distinct, dtype=object))
            read = np.append(np.asarray(each, dtype=float), np.nan)[codes]
        unreadable = np.isnan(read)
        bad.add(f"{describe('work_minutes')} holds something that is not a number of "
                f"{'minutes' if unit.unit == 'clock' else unit.unit}",
                "that work time ignored", rows[values.row[usable][unreadable]])
        too_big = read > MAX_WORK_MINUTES
        read[too_big] = np.nan
        bad.add(f"{describe('work_minutes')} is over ten years", "that work time ignored",
                rows[values.row[usable][too_big]])
        negative = read < 0
        bad.add(f"{describe('work_minutes')} is negative", "that work time ignored",
                rows[values.row[usable][negative]])
        read[negative] = np.nan
        minutes[where] = read
    steps = pd.DataFrame({"ticket": ticket, "step": groups.k.astype(np.int64),
                          "tier": pd.Series(np.asarray(groups.text, dtype=object),
                                            dtype="string"), "work": minutes,
                          "agent": pd.Series(names, dtype="string")}, copy=False)
    del names  # each temporary goes as soon as it is used: a million steps' worth each
    # the first tier began at pickup; the last (or a single one with no pickup time, as
    # in Jira's and ServiceNow's exports) its work before the solve
    last = groups.k == counts[ticket] - 1
    offset = np.where(last, tickets["solved_after"].to_numpy()[ticket] - minutes, np.nan)
    del last
    pickup = tickets["pickup_wait"].to_numpy()[ticket]
    use_pickup = (groups.k == 0) & ~np.isnan(pickup)
    offset[use_pickup] = pickup[use_pickup]
    del pickup, use_pickup
    created = tickets["created"].to_numpy()
    start = np.empty(len(ticket), dtype="datetime64[ns]")
    for at in range(0, len(ticket), _CHUNK):  # in chunks: the conversion's temporaries
        part = slice(at, at + _CHUNK)         # of a million steps are large
        start[part] = created[ticket[part]] + pd.to_timedelta(offset[part],
                                                              unit="min").to_numpy()
    del offset
    steps["start"] = pd.Series(start, dtype="datetime64[ns]", copy=False)
    return steps


__all__ = ["MAX_WORK_MINUTES", "Items", "one_tier", "paths_of", "single_items", "split_items",
           "tier_steps"]
