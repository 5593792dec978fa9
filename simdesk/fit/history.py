"""Read a ticket export (CSV or Parquet) into a ticket history the fit can use.

Columns are found through a preset (:mod:`simdesk.fit.presets`, detected from the header
when not named) and ``--map`` overrides; timestamps through :mod:`simdesk.fit.times`.
A row without a usable creation time or channel is left out; a row with one bad field
keeps what is good (it still counts as an arrival) and loses that field. Every problem is
counted with its line numbers (:class:`~simdesk.fit.badrows.BadRows`).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.fit.badrows import DROPPED, BadRows
from simdesk.fit.memory import give_back, lean_allocation
from simdesk.fit.presets import (
    ALL_PRESETS,
    FIELDS,
    TIME_FIELDS,
    Preset,
    detect_preset,
)
from simdesk.fit.steps import (
    MAX_WORK_MINUTES,
    one_tier,
    paths_of,
    single_items,
    split_items,
    tier_steps,
)
from simdesk.fit.tablefile import read_header, read_table
from simdesk.fit.timeformats import detect_time_format
from simdesk.fit.times import ParsedTimes, parse_times
from simdesk.fit.workunits import WorkUnit, check_plausible, detect_unit

MAX_GAP_DAYS = 31
"""Days without a ticket that split a history: tickets beyond such a gap from the bulk
of the export (a 1980 typo among 2026 tickets) are reported and left out."""
MAX_SPAN_DAYS = 5 * 365
"""The longest history fitted (a scenario of at most 5 years)."""

STATES = ("answered", "abandoned", "waiting", "refused")
"""How a ticket's first response went: answered, the customer gave up, still waiting
when the export was taken, or turned away (closed with no response)."""


@dataclass(frozen=True)
class History:
    """Tickets of an export, one row each, in the desk's local time.

    ``tickets``: ``row`` (line or row number in the file), ``id``, ``created`` (local
    wall-clock time), ``channel``, ``segment``, ``topic`` (``<NA>`` when not given),
    ``state`` (one of :data:`STATES`), ``pickup_wait`` (minutes until an agent first
    took it), ``response_wait`` (until the first response), ``abandon_wait`` (until the
    customer gave up), ``open_for`` (minutes from creation to the end of the export),
    ``solved_after``, ``path`` (``L1>L2``). Durations are elapsed minutes.

    ``steps``: one row per ticket and tier it went through: ``ticket`` (the ticket's
    position in ``tickets``), ``step`` (0 for the first tier), ``tier``, ``work``
    (minutes, NaN if unknown), ``agent``, ``start`` (local time the work began when it
    can be told: the first tier's pickup, the last tier's solve time minus its work).
    """

    source: str
    preset: str
    zone: ZoneInfo | None
    rows: int
    tickets: pd.DataFrame
    steps: pd.DataFrame
    first_day: pd.Timestamp
    """Local midnight of the first day with tickets."""
    days: int
    """Whole local days from ``first_day`` to the day of the last ticket, inclusive."""
    columns: Mapping[str, str]
    """field → the column it was read from."""
    bad: BadRows
    notes: tuple[str, ...]
    time_format: str | None = None
    """The timestamps' ``strptime`` format (``None``: ISO 8601)."""
    work_unit: WorkUnit | None = None
    """How the work times read (``None`` without a work-time column)."""

    @property
    def has(self) -> frozenset[str]:
        """The fields the export provides."""
        return frozenset(self.columns)


def _columns(header: list[str], path: Path, preset: Preset | None,
             mapping: Mapping[str, str]) -> dict[str, str]:
    """field → column for the fields present, after checking what must be there."""
    present = list(header)
    wanted: dict[str, str] = {}
    if preset is not None:
        for key in FIELDS:
            column = preset.find(key, present)
            if column is not None:
                wanted[key] = column
            elif key in preset.columns:
                wanted[key] = preset.columns[key]
    wanted.update(mapping)
    for key, column in mapping.items():
        if column not in present:
            close = difflib.get_close_matches(column, present, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SimdeskError(f"{path}: --map {key}={column}: no column {column!r}{hint}; "
                               f"columns: {', '.join(present)}")
    for key in ("created_at", "channel"):
        named = wanted.get(key)
        if key == "channel" and preset is not None and preset.default_channel and (
                named is None or named not in present) and key not in mapping:
            continue
        if named is None or named not in present:
            close = difflib.get_close_matches(named or key, present, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            what = (f"the {preset.name} preset's {key} column {named!r} is not in the file"
                    if preset is not None and named is not None else f"no {key} column")
            raise SimdeskError(
                f"{path}: {what}{hint}; map it with --map {key}=COLUMN (columns: "
                f"{', '.join(present)})")
    found = {key: column for key, column in wanted.items() if column in present}
    if "first_response_minutes" in found and "first_response_at" in found:
        found.pop("first_response_minutes")
    return found


def _choose_preset(header: list[str], path: Path, name: str | None,
                   mapping: Mapping[str, str]) -> Preset | None:
    if name is not None:
        if name not in ALL_PRESETS:
            raise SimdeskError(f"--preset {name!r}: unknown; presets: "
                               f"{', '.join(ALL_PRESETS)}")
        return ALL_PRESETS[name]
    detected = detect_preset(header)
    if detected is None and not {"created_at", "channel"} <= set(mapping):
        needs = "; ".join(f"{p.name}: {p.columns['created_at']!r} and "
                          f"{p.columns['channel']!r}" for p in ALL_PRESETS.values())
        raise SimdeskError(
            f"{path}: cannot tell which export this is: no preset's columns are there "
            f"({needs}); columns in the file: {', '.join(header)}. Pass --preset "
            "NAME, or --map created_at=COLUMN,channel=COLUMN")
    return detected


def responds(columns: Collection[str]) -> bool:
    """Whether an export tells when tickets were answered (a pickup or first response
    time): without one, waits, patience and the observed service level are unknown."""
    return bool({"assigned_at", "first_response_at", "first_response_minutes"} & set(columns))


def read_history(path: str | Path, *, preset: str | None = None,
                 mapping: Mapping[str, str] | None = None, zone: ZoneInfo | None = None,
                 time_format: str | None = None,
                 channels: Collection[str] | None = None,
                 work_unit: str | None = None) -> History:
    """Read a ticket export. ``channels``: the channels to accept (others are bad rows);
    every channel in the file by default. ``work_unit``: the unit of the work times
    (``seconds``, ``minutes``, ``hours``, ``clock``; told from the column otherwise)."""
    path = Path(path)
    lean_allocation(path.stat().st_size if path.is_file() else 0)
    header = read_header(path)
    mapping = dict(mapping or {})
    chosen = _choose_preset(header, path, preset, mapping)
    columns = _columns(header, path, chosen, mapping)
    frame, unit, numbers, ragged = read_table(path, sorted(set(columns.values())))
    rules = chosen or Preset("custom", "columns given with --map", {})
    bad = BadRows(unit)
    for reason in sorted(set(ragged.values())):
        bad.add(reason, DROPPED, [line for line, why in ragged.items() if why == reason])
    notes: list[str] = []

    def column(key: str) -> pd.Series:
        return frame[columns[key]] if key in columns else pd.Series(
            pd.NA, index=frame.index, dtype="string")

    def done(key: str) -> None:
        """Free a column once read (unless another field still needs it)."""
        name = columns.get(key)
        if name is not None and name in frame.columns and not any(
                other != key and columns[other] == name for other in needed):
            del frame[name]
            give_back()
        needed.discard(key)

    needed = set(columns)

    def label(key: str) -> str:
        return f"{key} ({columns[key]!r})" if key in columns else key

    if time_format is None:
        time_format = detect_time_format(column("created_at"),
                                         f"{path}: {label('created_at')}")
        if time_format is not None:
            notes.append(f"timestamps read as {time_format!r} (told from the values; "
                         "--time-format sets it)")
    times: dict[str, ParsedTimes] = {}
    for key in TIME_FIELDS:
        if key in columns:
            times[key] = parse_times(column(key), zone, time_format, f"{path}: {label(key)}")
            if key != "created_at":
                done(key)
            give_back()
            if times[key].shifted:
                notes.append(
                    f"{times[key].shifted} {key} time(s) fell in an hour skipped or repeated "
                    f"when clocks changed in {zone}: read as the first occurrence (a repeated "
                    "hour) or the end of the gap (a skipped one)")
    created = times["created_at"]
    keep = pd.Series(True, index=frame.index)
    missing = created.local.isna() & ~created.unreadable
    bad.add(f"{label('created_at')} is empty", DROPPED, numbers[missing.to_numpy()])
    example = column("created_at")[created.unreadable]
    if len(example):
        hint = "ISO 8601 such as 2026-03-02 08:15 or 2026-03-02T08:15:00+01:00"
        if time_format is not None:
            hint = f"{time_format!r} like the other rows"
        bad.add(f"{label('created_at')} is not a timestamp (e.g. {example.iloc[0]!r}; "
                f"expected {hint}, from 1900 to 2199, or --time-format)", DROPPED,
                numbers[created.unreadable.to_numpy()])
    keep &= created.local.notna()
    done("created_at")

    if "channel" in columns:
        raw_channel = column("channel").fillna("")
        spelled = {v: (rules.channel(v) if v.strip() else "") for v in raw_channel.unique()}
        channel = raw_channel.map(spelled)
        del raw_channel
    else:
        fallback = rules.default_channel or "requests"
        channel = pd.Series(fallback, index=frame.index, dtype=object)
        notes.append(f"no channel column: every ticket is counted as channel {fallback!r} "
                     "(map one with --map channel=COLUMN)")
    done("channel")
    empty = channel == ""
    bad.add(f"{label('channel')} is empty", DROPPED, numbers[(empty & keep).to_numpy()])
    keep &= ~empty
    if channels is not None:
        known = set(channels)
        unknown = keep & ~channel.isin(known)
        for value in sorted(set(channel[unknown])):
            rows = unknown & (channel == value)
            bad.add(f"unknown channel {value!r} (known: {', '.join(sorted(known))})", DROPPED,
                    numbers[rows.to_numpy()])
        keep &= ~unknown

    far = _far_from_the_rest(created.local, keep)
    for day, rows in far:
        bad.add(f"{label('created_at')} on {day:%Y-%m-%d} is more than {MAX_GAP_DAYS} days "
                "away from the bulk of the tickets (a typo, or another export?)", DROPPED,
                numbers[rows.to_numpy()])
        keep &= ~rows
    if keep.any():
        span = (created.local[keep].max() - created.local[keep].min()).days
        if span > MAX_SPAN_DAYS:
            raise SimdeskError(
                f"{path}: the tickets span {span:,} days ({span / 365.25:.0f} years) with no "
                f"gap of {MAX_GAP_DAYS} days; fit at most {MAX_SPAN_DAYS // 365} years at a "
                "time (filter the export by date)")

    def elapsed_after(key: str) -> pd.Series:
        """Minutes from creation to the time in ``key`` (NaN if missing or bad)."""
        if key not in times:
            return pd.Series(np.nan, index=frame.index)
        parsed = times[key]
        bad.add(f"{label(key)} is not a timestamp", "that time ignored",
                numbers[(parsed.unreadable & keep).to_numpy()])
        after = parsed.elapsed - times["created_at"].elapsed
        negative = keep & (after < 0)
        bad.add(f"{label(key)} is before created_at (a negative duration)",
                "that time ignored", numbers[negative.to_numpy()])
        return after.mask(after < 0)

    response = elapsed_after("first_response_at")
    if "first_response_minutes" in columns:
        given = column("first_response_minutes")
        response = _minutes(given)
        unreadable = keep & given.notna() & response.isna()
        bad.add(f"{label('first_response_minutes')} is not a number", "that time ignored",
                numbers[unreadable.to_numpy()])
        negative = keep & (response < 0)
        bad.add(f"{label('first_response_minutes')} is negative", "that time ignored",
                numbers[negative.to_numpy()])
        response = response.mask(response < 0)
        del given
    pickup = elapsed_after("assigned_at") if "assigned_at" in columns else response.copy()
    if "assigned_at" in columns:
        pickup = pickup.fillna(response)
    abandon = elapsed_after("abandoned_at")
    solved = elapsed_after("solved_at")
    closed = elapsed_after("closed_at")

    status = column("status").fillna("").str.strip().str.lower()
    said = status.isin(rules.abandoned_statuses)
    if "tags" in columns and rules.abandoned_tags:
        pattern = r"(?:^|[\s,;])(?:" + "|".join(rules.abandoned_tags) + r")(?:$|[\s,;])"
        tagged = column("tags").fillna("").str.lower().str.contains(pattern, regex=True)
        said |= tagged.astype(bool)
        del tagged
    for key in ("status", "tags", "first_response_minutes"):
        done(key)
    abandon = abandon.fillna(solved.where(said)).fillna(closed.where(said))
    abandoned = abandon.notna() | said
    answered = pickup.notna() | response.notna()
    if not responds(columns):  # no response times at all: a worked ticket was answered
        answered = ~said & (solved.notna() | ~status.isin(rules.open_statuses) & (status != ""))
    both = keep & abandoned & answered
    bad.add("both abandoned and answered", "counted as answered", numbers[both.to_numpy()])
    abandoned &= ~answered
    unknown_wait = keep & abandoned & abandon.isna()
    if unknown_wait.any():
        notes.append(f"{int(unknown_wait.sum()):,} ticket(s) say the customer gave up but "
                     "hold no time for it: counted as abandoned in the service level, left "
                     "out of patience")
    still_open = status.isin(rules.open_statuses) | (status == "")
    state = np.select([answered.to_numpy(), abandoned.to_numpy(), still_open.to_numpy()],
                      ["answered", "abandoned", "waiting"], default="refused")

    latest = [times[k].elapsed[keep].max() for k in times if times[k].elapsed[keep].notna().any()]
    export_end = float(max(latest)) if latest else float("nan")
    for key in [k for k in times if k != "created_at"]:
        del times[key]  # read into the waits above
    first_day = created.local[keep].min().normalize() if keep.any() else pd.Timestamp(0)
    last_day = created.local[keep].max().normalize() if keep.any() else pd.Timestamp(0)
    days = int((last_day - first_day).days) + 1
    tickets = pd.DataFrame({
        "row": numbers,
        "id": column("id").fillna(pd.Series(numbers, index=frame.index).astype(str)),
        "created": created.local,
        "channel": channel,
        "segment": column("segment").str.strip(),
        "topic": column("topic").str.strip(),
        "state": state,
        "pickup_wait": pickup.where(answered),
        "response_wait": response,
        "abandon_wait": abandon.where(abandoned),
        "open_for": export_end - created.elapsed,
        "solved_after": solved,
        "path": "",
    })
    for key in ("id", "segment", "topic"):
        done(key)
    # the parsed columns live on in ``tickets``: free the intermediates before the steps
    times.clear()
    del created, channel, status, said, response, pickup, abandon, solved, closed
    del answered, abandoned, still_open, state
    if "groups" not in columns and "work_minutes" in columns:
        notes.append("no groups column: every ticket is taken as worked by one tier, L1")
    give_back()
    kept = keep.to_numpy()
    tickets = tickets if kept.all() else tickets.loc[kept].copy()
    if "groups" in columns:
        groups = split_items(column("groups")[kept])
        done("groups")
    else:
        groups = one_tier(int(kept.sum()), True)
    work = None
    if "work_minutes" in columns:
        work = single_items(column("work_minutes")[kept]) or split_items(
            column("work_minutes")[kept])
        done("work_minutes")
    agents = split_items(column("assignees")[kept]) if "assignees" in columns else None
    done("assignees")
    found_unit = None
    if work is not None:
        found_unit = detect_unit(columns["work_minutes"], work.text,
                                 rules.units.get(columns["work_minutes"]), work_unit)
        if found_unit.unit != "minutes" or found_unit.why != "from the column name " + repr(
                columns["work_minutes"]):
            notes.append(f"work times in {label('work_minutes')} read as {found_unit.unit} "
                         f"({found_unit.why}; --work-unit sets it)")
    give_back()
    steps = tier_steps(tickets, groups, work, agents, bad, label, found_unit)
    del work, agents
    if found_unit is not None:
        check_plausible(steps["work"].to_numpy(dtype=float), found_unit,
                        f"{path}: {label('work_minutes')}")
    tickets["path"] = paths_of(groups, len(tickets))
    tickets = tickets.reset_index(drop=True)
    for key in ("channel", "topic"):
        slashed = tickets[key].str.contains("/", regex=False).fillna(False).astype(bool)
        if slashed.any():
            names = sorted(set(tickets.loc[slashed, key].astype(str)))
            notes.append(f"{key} name(s) {', '.join(repr(n) for n in names)} hold '/', which "
                         "handle_by keys use between channel and topic: '/' became '-'")
            tickets[key] = tickets[key].str.replace("/", "-", regex=False)
    for key in ("segment", "topic"):
        if key in columns and tickets[key].isna().any():
            rows = tickets.loc[tickets[key].isna(), "row"]
            bad.add(f"{label(key)} is empty", f"counted as {key} 'unknown'", rows)
            tickets[key] = tickets[key].fillna("unknown")
    source = str(path)
    rows = len(frame) + len(ragged)
    for name in list(frame.columns):
        del frame[name]
    give_back()
    return History(source, rules.name, zone, rows, tickets, steps,
                   first_day, days, columns, bad, tuple(notes), time_format, found_unit)


def _far_from_the_rest(created: pd.Series, keep: pd.Series
                       ) -> list[tuple[pd.Timestamp, pd.Series]]:
    """Days of tickets separated from the bulk (the stretch of days with the most
    tickets, splitting at gaps over :data:`MAX_GAP_DAYS`), each with its rows."""
    days = created[keep].dt.normalize()
    if days.empty:
        return []
    counts = days.value_counts().sort_index()
    gaps = np.diff(counts.index.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    cluster = np.concatenate([[0], np.cumsum(gaps > MAX_GAP_DAYS)])
    if cluster[-1] == 0:
        return []
    sizes = np.bincount(cluster, weights=counts.to_numpy())
    bulk = int(np.argmax(sizes))
    outside = counts.index[cluster != bulk]
    return [(day, keep & (created.dt.normalize() == day)) for day in outside]


def _minutes(values: pd.Series) -> pd.Series:
    """Minutes from numbers or ``HH:MM[:SS]``; NaN where unreadable."""
    numbers = pd.to_numeric(values, errors="coerce")
    numbers = numbers.where(np.isfinite(numbers) & (numbers.abs() <= MAX_WORK_MINUTES))
    clock = values.str.fullmatch(r"\s*\d+:[0-5]\d(?::[0-5]\d)?\s*").fillna(False).astype(bool)
    if bool(clock.any()):
        parts = values[clock].str.strip().str.split(":")
        numbers[clock] = parts.map(
            lambda p: int(p[0]) * 60 + int(p[1]) + (int(p[2]) / 60 if len(p) > 2 else 0))
    return numbers.astype(float)


__all__ = ["FIELDS", "STATES", "History", "read_history"]
