"""Write a simulation's tickets as a help desk would export them: ``simdesk export``.

One row per ticket of one replication, with absolute timestamps (created, first picked
up, first response, abandoned, solved), channel, segment, topic, status, the tiers that
worked it (``groups``), the minutes of work at each (the first visit at each tier) and
the agent. Column names and conventions follow a preset of :mod:`simdesk.fit.presets`,
so ``simdesk fit`` reads the file back with no mapping: the round trip of the fit.

The simulator's calendar has no daylight saving: a scenario minute is a local wall-clock
minute. With ``--tz`` the wall-clock times are placed in that zone (a time in a skipped
hour moves to its end, a repeated hour is read as its first occurrence), so the weekday ×
hour pattern is exact and only a wait spanning a clock change differs by that hour.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.fit.presets import PRESETS
from simdesk.scenario.load import load_scenario

EXPORT_FORMATS = tuple(PRESETS)


def _replication_tables(folder: Path, replication: int | None, policy: str | None
                        ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The tickets and visits of one replication (and policy, for a comparison)."""
    if (folder / "points").is_dir():
        raise SimdeskError(f"{folder} holds a sweep; export a run or a comparison folder "
                           "(a sweep keeps no per-ticket table per point unless "
                           "--keep-tickets; run the point you want with simdesk run)")
    needed = [folder / name for name in ("scenario.yaml", "tickets.parquet", "visits.parquet")]
    missing = [p.name for p in needed if not p.exists()]
    if missing:
        raise SimdeskError(f"{folder} is not a results folder of simdesk run or compare: "
                           f"missing {', '.join(missing)}")
    tickets = pd.read_parquet(needed[1])
    visits = pd.read_parquet(needed[2])
    if "policy" in tickets.columns:
        policies = [str(p) for p in pd.unique(tickets["policy"])]
        if policy is None:
            raise SimdeskError(f"{folder} holds a comparison; choose the policy to export "
                               f"with --policy ({', '.join(policies)})")
        if policy not in policies:
            raise SimdeskError(f"--policy {policy!r}: not in {folder} "
                               f"({', '.join(policies)})")
        tickets = tickets.loc[tickets["policy"].astype(str) == policy]
        visits = visits.loc[visits["policy"].astype(str) == policy]
    elif policy is not None:
        raise SimdeskError(f"--policy: {folder} holds one run, not a comparison")
    available = sorted(int(r) for r in pd.unique(tickets["replication"]))
    if not available:
        raise SimdeskError(f"{folder}: tickets.parquet holds no tickets")
    chosen = available[0] if replication is None else replication
    if chosen not in available:
        raise SimdeskError(f"--replication {chosen}: {folder} holds replications "
                           f"{available[0]}..{available[-1]}")
    tickets = tickets.loc[tickets["replication"] == chosen].reset_index(drop=True)
    visits = visits.loc[visits["replication"] == chosen].reset_index(drop=True)
    return tickets, visits, chosen


def _times(start: pd.Timestamp, minutes: np.ndarray, zone: ZoneInfo | None,
           naive: bool) -> pd.Series:
    """Scenario minutes as timestamp text (empty where NaN), to the second."""
    moments = pd.Series(start + pd.to_timedelta(minutes, unit="min")).dt.round("s")
    if zone is None:
        text = moments.dt.strftime("%Y-%m-%dT%H:%M:%S" if not naive else "%Y-%m-%d %H:%M:%S")
    else:
        placed = moments.dt.tz_localize(zone, ambiguous=np.ones(len(moments), dtype=bool),
                                        nonexistent="shift_forward")
        if naive:
            text = placed.dt.strftime("%Y-%m-%d %H:%M:%S")
        else:
            text = placed.dt.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(
                r"([+-]\d\d)(\d\d)$", r"\1:\2", regex=True)
    return text.fillna("").astype(str)


def _steps(visits: pd.DataFrame) -> pd.DataFrame:
    """Per ticket, its tiers in order with the work and agent of the first visit at each."""
    first = visits.sort_values(["ticket", "queued"], kind="stable").drop_duplicates(
        ["ticket", "tier"], keep="first")
    worked = first["start"].notna() & first["end"].notna()
    work = (first["end"] - first["start"]).where(worked)
    return pd.DataFrame({
        "ticket": first["ticket"].to_numpy(),
        "tier": first["tier"].astype(str).to_numpy(),
        "work": work.map(lambda m: "" if pd.isna(m) else f"{m:.2f}").to_numpy(),
        "agent": np.where(first["start"].notna(), first["agent"].astype(str), ""),
    })


def export_tickets(folder: str | Path, *, preset: str = "simdesk", replication: int | None = None,
                   zone: ZoneInfo | None = None, policy: str | None = None) -> pd.DataFrame:
    """The tickets of one replication of a results folder as an export table."""
    folder = Path(folder)
    if preset not in PRESETS:
        raise SimdeskError(f"--format {preset!r}: unknown; formats: {', '.join(PRESETS)}")
    rules = PRESETS[preset]
    tickets, visits, _ = _replication_tables(folder, replication, policy)
    scenario = load_scenario(folder / "scenario.yaml")
    start = pd.Timestamp(scenario.start)
    steps = _steps(visits)
    joined = steps.groupby("ticket", sort=True).agg(
        groups=("tier", ">".join), work_minutes=("work", ">".join),
        assignees=("agent", ">".join))
    joined["work_minutes"] = joined["work_minutes"].str.replace(r"^>+$", "", regex=True)
    joined["assignees"] = joined["assignees"].str.replace(r"^>+$", "", regex=True)
    by_ticket = joined.reindex(tickets["ticket"].to_numpy()).fillna("")
    arrived = tickets["arrived"].to_numpy(dtype=float)
    first_visit = visits.sort_values(["ticket", "queued"], kind="stable").drop_duplicates(
        "ticket", keep="first").set_index("ticket")
    pickup = first_visit["start"].reindex(tickets["ticket"].to_numpy()).to_numpy(dtype=float)
    left = visits.loc[visits["start"].isna() & visits["end"].notna()].groupby("ticket")["end"]
    abandoned = tickets["abandoned"].to_numpy(dtype=bool)
    gave_up = left.min().reindex(tickets["ticket"].to_numpy()).to_numpy(dtype=float)
    gave_up = np.where(abandoned, gave_up, np.nan)
    refused = (tickets["refused"].to_numpy(dtype=bool) if "refused" in tickets.columns
               else np.zeros(len(tickets), dtype=bool))
    resolved = tickets["resolved"].to_numpy(dtype=float)
    status = np.select([refused, abandoned, ~np.isnan(resolved)],
                       ["refused", "abandoned", "solved"], default="open")
    response = tickets["first_response"].to_numpy(dtype=float)

    def when(minutes: np.ndarray) -> pd.Series:
        return _times(start, minutes, zone, rules.naive_times)

    created = when(arrived)
    fields: dict[str, pd.Series | np.ndarray] = {
        "id": pd.Series(tickets["ticket"].to_numpy() + 1).astype(str),
        "created_at": created,
        "channel": tickets["channel"].astype(str).map(rules.channel_value).to_numpy(),
        "segment": tickets["segment"].astype(str).to_numpy(),
        "topic": tickets["topic"].astype(str).to_numpy(),
        "status": pd.Series(status).map(lambda s: rules.statuses.get(s, s)).to_numpy(),
        "assigned_at": when(pickup),
        "first_response_at": when(response),
        "first_response_minutes": _rounded_minutes(start, arrived, response),
        "abandoned_at": when(gave_up),
        "solved_at": when(resolved),
        "groups": by_ticket["groups"].to_numpy(),
        "work_minutes": by_ticket["work_minutes"].to_numpy(),
        "assignees": by_ticket["assignees"].to_numpy(),
    }
    unused = {"segment"} if not scenario.segments else set()
    unused |= {"topic"} if not scenario.topics else set()
    return pd.DataFrame({column: np.asarray(fields[key])
                         for key, column in rules.columns.items() if key not in unused})


def _rounded_minutes(start: pd.Timestamp, arrived: np.ndarray, response: np.ndarray
                     ) -> np.ndarray:
    """First response in minutes after creation, from the times rounded to the second
    (so it agrees with the exported timestamps), two decimals; empty when none."""
    base = pd.Series(start + pd.to_timedelta(arrived, unit="min")).dt.round("s")
    then = pd.Series(start + pd.to_timedelta(response, unit="min")).dt.round("s")
    minutes = (then - base).dt.total_seconds() / 60
    return np.array(["" if pd.isna(m) else f"{m:.2f}" for m in minutes], dtype=object)


def write_export(table: pd.DataFrame, out: str | Path) -> Path:
    """Write the export as CSV (``.csv``, ``.csv.gz``) or Parquet (``.parquet``)."""
    from simdesk.store.atomic import atomic_write
    from simdesk.store.spreadsheet import neutralised

    target = Path(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimdeskError(f"cannot write {target}: {exc.strerror or exc}") from None
    name = target.name.lower()
    if name.endswith((".parquet", ".pq")):
        atomic_write(target, lambda p: table.to_parquet(p, index=False))
    elif name.endswith(".gz"):  # text a spreadsheet would run as a formula neutralised
        atomic_write(target, lambda p: neutralised(table).to_csv(
            p, index=False, compression={"method": "gzip", "mtime": 0}))
    else:
        atomic_write(target, lambda p: neutralised(table).to_csv(p, index=False))
    return target
