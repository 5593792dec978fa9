"""Write a simulation's tickets as a help desk would export them: ``simdesk export``.

One row per ticket of one replication, with absolute timestamps (created, first picked
up, first response, abandoned, solved), channel, segment, topic, status, the tiers that
worked it (``groups``), the minutes of work at each (the first visit at each tier) and
the agent. Column names and conventions follow a preset of :mod:`simdesk.fit.presets`,
so ``simdesk fit`` reads the file back with no mapping: the round trip of the fit.

The simulator's calendar has no daylight saving: a scenario minute is a local wall-clock
minute. With ``--tz`` the wall-clock times are placed in that zone (a time in a skipped
interval moves to its end, a repeated one is read as its first occurrence:
:mod:`~simdesk.fit.export_clock`), so the weekday × hour pattern is exact and only a wait
spanning a clock change differs by that change.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from simdesk.errors import SimdeskError
from simdesk.fit.export_clock import seconds, times
from simdesk.fit.presets import PRESETS
from simdesk.store.spreadsheet import FORMULA_STARTS

EXPORT_FORMATS = tuple(PRESETS)


def _replication_tables(folder: Path, replication: int | None, policy: str | None
                        ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The tickets and visits of one replication (and policy, for a comparison): only
    the columns the export uses, only that replication's rows read from the files."""
    import pyarrow.parquet as pq

    if (folder / "points").is_dir():
        raise SimdeskError(f"{folder} holds a sweep; export a run or a comparison folder "
                           "(a sweep keeps no per-ticket table per point unless "
                           "--keep-tickets; run the point you want with simdesk run)")
    needed = [folder / name for name in ("scenario.yaml", "tickets.parquet", "visits.parquet")]
    missing = [p.name for p in needed if not p.exists()]
    if missing:
        raise SimdeskError(f"{folder} is not a results folder of simdesk run or compare: "
                           f"missing {', '.join(missing)}")
    names = set(pq.read_schema(needed[1]).names)
    keys = pq.read_table(needed[1], columns=[c for c in ("replication", "policy")
                                             if c in names]).to_pandas()
    chosen_rows: list[tuple[str, str, Any]] = []
    if "policy" in keys.columns:
        policies = [str(p) for p in pd.unique(keys["policy"])]
        if policy is None:
            raise SimdeskError(f"{folder} holds a comparison; choose the policy to export "
                               f"with --policy ({', '.join(policies)})")
        if policy not in policies:
            raise SimdeskError(f"--policy {policy!r}: not in {folder} "
                               f"({', '.join(policies)})")
        keys = keys.loc[keys["policy"].astype(str) == policy]
        chosen_rows.append(("policy", "==", policy))
    elif policy is not None:
        raise SimdeskError(f"--policy: {folder} holds one run, not a comparison")
    available = sorted(int(r) for r in pd.unique(keys["replication"]))
    if not available:
        raise SimdeskError(f"{folder}: tickets.parquet holds no tickets")
    chosen = available[0] if replication is None else replication
    if chosen not in available:
        raise SimdeskError(f"--replication {chosen}: {folder} holds replications "
                           f"{available[0]}..{available[-1]}")
    rows = [*chosen_rows, ("replication", "==", chosen)]
    ticket_columns = [c for c in TICKET_COLUMNS if c in names]
    tickets = pq.read_table(needed[1], columns=ticket_columns, filters=rows).to_pandas()
    visits = pq.read_table(needed[2], columns=list(VISIT_COLUMNS), filters=rows).to_pandas()
    return tickets, visits, chosen


TICKET_COLUMNS = ("ticket", "channel", "segment", "topic", "arrived", "first_response",
                  "resolved", "abandoned", "refused")
VISIT_COLUMNS = ("ticket", "tier", "agent", "queued", "start", "end")


def two_decimals(values: np.ndarray) -> pa.Array:
    """``f"{v:.2f}"`` of every value, vectorised (empty where NaN): rounded in integer
    hundredths where that is unambiguous, by Python's own formatting where a value lies
    within a hair of a half hundredth (so the text is exactly Python's)."""
    values = np.asarray(values, dtype=float)
    valid = np.isfinite(values)
    scaled = np.where(valid, values, 0.0) * 100
    tie = valid & ((np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
                   | (np.abs(scaled) >= 1e15))
    hundredths = np.where(tie, 0.0, np.floor(np.abs(scaled) + 0.5))  # of the magnitude
    whole = pa.array(hundredths // 100, type=pa.int64())
    cents = pa.array(hundredths % 100, type=pa.int64())
    text = pc.binary_join_element_wise(
        pc.if_else(pa.array(np.signbit(values)), "-", ""),
        pc.cast(whole, pa.string()), ".",
        pc.utf8_lpad(pc.cast(cents, pa.string()), width=2, padding="0"), "")
    exact = pc.if_else(pa.array(valid), text, "")
    if tie.any():
        found = exact.to_numpy(zero_copy_only=False)
        for index in np.flatnonzero(tie):
            found[index] = f"{values[index]:.2f}"
        return pa.array(found, type=pa.string())
    return exact


def _hundredths_between(start: pd.Timestamp, arrived: np.ndarray, response: np.ndarray
                        ) -> pa.Array:
    """First response in minutes after creation, from the times rounded to the second
    (so it agrees with the exported timestamps), two decimals; empty when none.

    Whole seconds ``s`` give ``100 s / 60 = 5 s / 3`` hundredths, never within a third
    of a half: the integer rounding ``(10 s + 3) // 6`` is exactly ``f"{s / 60:.2f}"``."""
    base = seconds(start, arrived)
    then = seconds(start, response)
    valid = ~(np.isnat(base) | np.isnat(then))
    elapsed = np.where(valid, (then - base).astype(np.int64), 0)
    hundredths = (10 * elapsed + 3) // 6
    return two_decimals(np.where(valid, hundredths / 100, np.nan))


def _words(values: pd.Series, spelled: Callable[[str], str] = str) -> pa.Array:
    """A column of names as text, each distinct name spelled once (null where missing)."""
    values = values.astype("category")
    categories = [spelled(str(c)) for c in values.cat.categories]
    codes = values.cat.codes.to_numpy()
    return pa.DictionaryArray.from_arrays(
        pa.array(codes, type=pa.int32(), mask=codes < 0),
        pa.array(categories, type=pa.string())).cast(pa.string())


def _scenario_facts(path: Path) -> tuple[pd.Timestamp, bool, bool]:
    """The start of a results folder's scenario, and whether it names segments and
    topics. The file is the resolved scenario simdesk wrote (every default filled in), so
    it is read as YAML, not validated again (0.25 s of an export's imports); anything
    unexpected is read by :func:`~simdesk.scenario.load.load_scenario`, with its
    messages."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        start = data["start"]
        if isinstance(start, str):
            start = dt.datetime.fromisoformat(start.strip())
        elif isinstance(start, dt.date) and not isinstance(start, dt.datetime):
            start = dt.datetime.combine(start, dt.time())
        if not isinstance(start, dt.datetime):
            raise TypeError(start)
        return pd.Timestamp(start), bool(data["segments"]), bool(data["topics"])
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError):
        from simdesk.scenario.load import load_scenario

        scenario = load_scenario(path)
        return pd.Timestamp(scenario.start), bool(scenario.segments), bool(scenario.topics)


def _by_ticket(visits: pd.DataFrame) -> pd.DataFrame:
    """The visits sorted by ticket, then by when they queued (stable)."""
    return visits.sort_values(["ticket", "queued"], kind="stable")


def _steps(visits: pd.DataFrame, tickets: np.ndarray, *, ordered: bool = False
           ) -> dict[str, pa.Array]:
    """Per ticket (in the order of ``tickets``): its tiers in order with the work and
    agent of the first visit at each, joined by ``>`` (empty when no visit at all, and
    the work or agents empty when none was worked). ``ordered``: the visits are sorted
    by ticket and queue time already (stable)."""
    if not ordered:
        visits = _by_ticket(visits)
    first = visits.drop_duplicates(["ticket", "tier"], keep="first")
    ids = first["ticket"].to_numpy()
    starts = first["start"].to_numpy(dtype=float)
    worked = ~np.isnan(starts) & ~np.isnan(first["end"].to_numpy(dtype=float))
    work = two_decimals(np.where(worked, first["end"].to_numpy(dtype=float) - starts, np.nan))
    tier = _words(first["tier"])
    agent = pc.if_else(pa.array(~np.isnan(starts)), pc.fill_null(_words(first["agent"]), "nan"),
                       "")
    boundary = np.r_[True, ids[1:] != ids[:-1]] if len(ids) else np.zeros(0, dtype=bool)
    begins = np.flatnonzero(boundary)
    place = np.arange(len(ids)) - np.repeat(begins, np.diff(np.r_[begins, len(ids)]))
    row = pd.Index(tickets).get_indexer(ids)
    joined: dict[str, pa.Array] = {}
    for name, items in (("groups", tier), ("work_minutes", work), ("assignees", agent)):
        parts = []
        for depth in range(int(place.max(initial=-1)) + 1):
            at = np.flatnonzero(place == depth)
            source = np.full(len(tickets), -1, dtype=np.int64)
            source[row[at]] = at
            parts.append(pc.take(items, pa.array(source, mask=source < 0)))
        text = pa.array([""] * len(tickets), type=pa.string())
        for depth, part in enumerate(parts):  # (Arrow's own null skipping drops rows)
            longer = pc.binary_join_element_wise(text, part, ">") if depth else part
            text = pc.if_else(pc.is_valid(part), longer, text)
        if name != "groups":
            text = pc.replace_substring_regex(text, pattern="^>+$", replacement="")
        joined[name] = text
    return joined


def export_table(folder: str | Path, *, preset: str = "simdesk", replication: int | None = None,
                 zone: ZoneInfo | None = None, policy: str | None = None) -> pa.Table:
    """The tickets of one replication of a results folder as an export table (Arrow:
    every column text, as the export is written)."""
    folder = Path(folder)
    if preset not in PRESETS:
        raise SimdeskError(f"--format {preset!r}: unknown; formats: {', '.join(PRESETS)}")
    rules = PRESETS[preset]
    tickets, visits, _ = _replication_tables(folder, replication, policy)
    start, has_segments, has_topics = _scenario_facts(folder / "scenario.yaml")
    ids = tickets["ticket"].to_numpy()
    visits = _by_ticket(visits)
    steps = _steps(visits, ids, ordered=True)
    arrived = tickets["arrived"].to_numpy(dtype=float)
    first_visit = visits.drop_duplicates("ticket", keep="first").set_index("ticket")
    pickup = first_visit["start"].reindex(ids).to_numpy(dtype=float)
    left = visits.loc[visits["start"].isna() & visits["end"].notna()].groupby("ticket")["end"]
    abandoned = tickets["abandoned"].to_numpy(dtype=bool)
    gave_up = left.min().reindex(ids).to_numpy(dtype=float)
    gave_up = np.where(abandoned, gave_up, np.nan)
    refused = (tickets["refused"].to_numpy(dtype=bool) if "refused" in tickets.columns
               else np.zeros(len(tickets), dtype=bool))
    resolved = tickets["resolved"].to_numpy(dtype=float)
    status = np.select([refused, abandoned, ~np.isnan(resolved)],
                       [rules.statuses.get(s, s) for s in ("refused", "abandoned", "solved")],
                       default=rules.statuses.get("open", "open"))
    response = tickets["first_response"].to_numpy(dtype=float)

    def when(minutes: np.ndarray) -> pa.Array:
        return times(start, minutes, zone, rules.naive_times)

    def text(values: Any) -> pa.Array:
        return pa.array(np.asarray(values, dtype=object), type=pa.string())

    def words(column: str, spelled: Callable[[str], str] = str) -> pa.Array:
        return _words(tickets[column], spelled)

    fields: dict[str, Callable[[], pa.Array]] = {
        "id": lambda: pc.cast(pa.array(ids + 1), pa.string()),
        "created_at": lambda: when(arrived),
        "channel": lambda: words("channel", rules.channel_value),
        "segment": lambda: words("segment"),
        "topic": lambda: words("topic"),
        "status": lambda: text(status),
        "assigned_at": lambda: when(pickup),
        "first_response_at": lambda: when(response),
        "first_response_minutes": lambda: _hundredths_between(start, arrived, response),
        "abandoned_at": lambda: when(gave_up),
        "solved_at": lambda: when(resolved),
        "groups": lambda: steps["groups"],
        "work_minutes": lambda: steps["work_minutes"],
        "assignees": lambda: steps["assignees"],
    }
    unused = {"segment"} if not has_segments else set()
    unused |= {"topic"} if not has_topics else set()
    chosen = [(key, column) for key, column in rules.columns.items() if key not in unused]
    return pa.table({column: fields[key]() for key, column in chosen})


def export_tickets(folder: str | Path, *, preset: str = "simdesk", replication: int | None = None,
                   zone: ZoneInfo | None = None, policy: str | None = None) -> pd.DataFrame:
    """The tickets of one replication of a results folder as an export table."""
    table = export_table(folder, preset=preset, replication=replication, zone=zone,
                         policy=policy)
    return pd.DataFrame({name: table.column(name).to_numpy(zero_copy_only=False)
                         for name in table.column_names})


def write_export(table: pa.Table | pd.DataFrame, out: str | Path) -> Path:
    """Write the export as CSV (``.csv``, ``.csv.gz``) or Parquet (``.parquet``); in a
    CSV, text a spreadsheet would run as a formula is neutralised."""
    import pyarrow.parquet as pq

    from simdesk.store.atomic import atomic_write

    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table.astype(str), preserve_index=False)
    target = Path(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimdeskError(f"cannot write {target}: {exc.strerror or exc}") from None
    name = target.name.lower()
    if name.endswith((".parquet", ".pq")):
        atomic_write(target, lambda p: pq.write_table(table, p))
        return target
    packer = (_deflate().compressobj(1, zlib.DEFLATED, 31) if name.endswith(".gz")
              else None)  # gzip's wrapper (wbits 31), level 1, no name, no time

    def write(path: Path) -> None:
        with path.open("wb") as handle:
            for part in csv_parts(table):
                handle.write(part if packer is None else packer.compress(part))
            if packer is not None:
                handle.write(packer.flush())

    atomic_write(target, write)
    return target


def _deflate() -> Any:
    """ISA-L's deflate (the ``isal`` package: zlib's interface, 3× its speed at level 1 and
    smaller files), else zlib's."""
    try:
        from isal import isal_zlib
    except ImportError:  # (a platform without its wheels)
        return zlib
    return isal_zlib


_QUOTED = '[,"\r\n]'
ROWS_PER_PART = 65_536
"""Lines of an export's CSV made at a time (about 10 MB of text)."""


def _byte_set(members: bytes) -> np.ndarray:
    """A lookup table of 256 booleans: ``table[byte]`` is whether ``byte`` is a member."""
    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(members, dtype=np.uint8)] = True
    return table


_FORMULA_BYTES = _byte_set("".join(FORMULA_STARTS).encode("ascii"))
"""The first bytes that make a spreadsheet run a cell as a formula (all ASCII: a byte of
a longer UTF-8 character never equals one)."""
_QUOTED_BYTES = _byte_set(b',"\r\n')


def _text_bytes(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's cell boundaries (``n + 1`` offsets into the bytes) and its bytes:
    checks on every cell's bytes at once, without a regular expression per cell."""
    _, offsets, data = values.buffers()
    starts = np.frombuffer(offsets, dtype=np.int32)[values.offset: values.offset
                                                    + len(values) + 1]
    first, last = (int(starts[0]), int(starts[-1])) if len(starts) else (0, 0)
    raw = (np.frombuffer(data, dtype=np.uint8)[first:last] if data is not None
           else np.zeros(0, dtype=np.uint8))
    return starts - first, raw


def csv_text(table: pa.Table) -> str:
    """:func:`csv_parts` as text."""
    return b"".join(csv_parts(table)).decode("utf-8")


def csv_parts(table: pa.Table, rows: int = ROWS_PER_PART) -> Iterator[bytes | memoryview]:
    """A text table as CSV (UTF-8: its header, then its body, ``rows`` lines at a time) the
    way pandas writes it (a cell quoted only when it holds a comma, quote or line break;
    ``\n`` line ends), every cell a spreadsheet would run as a formula prefixed with an
    apostrophe; vectorised with Arrow. Part by part, so that the text of the whole table
    is never held at once."""
    def cells(values: pa.Array) -> pa.Array:
        if values.type != pa.string():
            values = pc.cast(values, pa.string())
        if values.null_count:
            values = pc.fill_null(values, "")
        starts, data = _text_bytes(values)
        risky = np.zeros(len(values), dtype=bool)
        filled = starts[1:] > starts[:-1]
        risky[filled] = _FORMULA_BYTES[data[starts[:-1][filled]]]
        if risky.any():
            values = pc.if_else(pa.array(risky), pc.binary_join_element_wise("'", values, ""),
                                values)
        if not _QUOTED_BYTES[data].any():  # (the whole part: no cell needs it)
            return values
        needs = pc.match_substring_regex(values, pattern=_QUOTED)
        quoted = pc.binary_join_element_wise(
            '"', pc.replace_substring(values, pattern='"', replacement='""'), '"', "")
        return pc.if_else(needs, quoted, values)

    header = cells(pa.array(table.column_names, type=pa.string())).to_pylist()
    yield (",".join(header) + "\n").encode("utf-8")
    if not table.num_columns:
        return
    for first in range(0, table.num_rows, rows):
        part = table.slice(first, rows)
        columns = [cells(part.column(name).combine_chunks()) for name in part.column_names]
        columns[-1] = pc.binary_join_element_wise(columns[-1], "", "\n")  # the line's end
        _, body = _text_bytes(pc.binary_join_element_wise(*columns, ","))
        yield body.data  # Arrow's own bytes: not copied
