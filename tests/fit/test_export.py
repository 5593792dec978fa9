"""simdesk export: a simulation's tickets as a help desk's export, exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simdesk.errors import SimdeskError
from simdesk.experiments.compare import compare
from simdesk.fit import export_tickets
from simdesk.fit.times import zone_named
from simdesk.simulation import simulate
from simdesk.store.results import write_comparison, write_results
from tests.fit.helpers import desk

START = pd.Timestamp("2026-01-05")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    result = simulate(desk(horizon="5d", warmup="1d"), seed=8, replications=2)
    return write_results(result, folder / "run")


def _minutes(text: pd.Series, zone: str | None = None) -> np.ndarray:
    times = pd.to_datetime(text.replace("", None), format="ISO8601")
    if zone is not None:
        times = times.dt.tz_convert(zone).dt.tz_localize(None)
    return ((times - START).dt.total_seconds() / 60).to_numpy(dtype=float)


def test_the_simdesk_format_holds_every_ticket_with_its_times(run: Path) -> None:
    table = export_tickets(run, replication=1)
    tickets = pd.read_parquet(run / "tickets.parquet")
    tickets = tickets.loc[tickets["replication"] == 1].reset_index(drop=True)
    visits = pd.read_parquet(run / "visits.parquet")
    visits = visits.loc[visits["replication"] == 1]
    assert list(table.columns) == [
        "ticket_id", "created_at", "channel", "segment", "topic", "status", "assigned_at",
        "first_response_at", "abandoned_at", "solved_at", "groups", "work_minutes",
        "assignees"]
    assert len(table) == len(tickets)
    half_second = 0.5 / 60 + 1e-9
    np.testing.assert_allclose(_minutes(table["created_at"]), tickets["arrived"],
                               atol=half_second)
    np.testing.assert_allclose(_minutes(table["first_response_at"]),
                               tickets["first_response"], atol=half_second)
    np.testing.assert_allclose(_minutes(table["solved_at"]), tickets["resolved"],
                               atol=half_second)
    assert table["groups"].tolist() == tickets["path"].astype(str).tolist()
    abandoned = tickets["abandoned"].to_numpy()
    assert (table["status"] == "abandoned").tolist() == abandoned.tolist()
    left = visits.loc[visits["start"].isna() & visits["end"].notna()].set_index("ticket")["end"]
    np.testing.assert_allclose(_minutes(table.loc[abandoned, "abandoned_at"]),
                               left.reindex(tickets.loc[abandoned, "ticket"]).to_numpy(),
                               atol=half_second)
    worked = visits.loc[visits["start"].notna() & visits["end"].notna()]
    first = worked.sort_values("queued").drop_duplicates(["ticket", "tier"])
    exported = table["work_minutes"].str.split(">").explode()
    exported = exported[exported != ""].astype(float).sum()
    assert exported == pytest.approx(float((first["end"] - first["start"]).sum()), abs=0.01 *
                                     len(first))


def test_zendesk_format_speaks_zendesk(run: Path) -> None:
    table = export_tickets(run, preset="zendesk", zone=zone_named("Europe/Berlin"))
    assert {"Id", "Created at", "Via", "First reply time in minutes", "Solved at"} <= set(
        table.columns)
    assert set(table["Via"]) == {"Phone call (inbound)", "Mail", "Chat"}
    assert set(table["Status"]) <= {"solved", "closed", "open"}
    created = pd.to_datetime(table["Created at"])
    assert created.iloc[0].tzinfo is None  # the account's local time, no offset
    assert (table.loc[table["Abandoned at"] != "", "Status"] == "closed").all()


def test_a_time_zone_writes_offsets_and_keeps_local_hours(run: Path) -> None:
    table = export_tickets(run, zone=zone_named("America/New_York"))
    assert table["created_at"].str.endswith("-05:00").all()
    local = export_tickets(run)
    assert (table["created_at"].str[:19] == local["created_at"].str[:19]).all()


def test_folders_are_checked(run: Path, tmp_path: Path) -> None:
    with pytest.raises(SimdeskError, match=r"--replication 7: .* holds replications 0\.\.1"):
        export_tickets(run, replication=7)
    with pytest.raises(SimdeskError, match=r"is not a results folder of simdesk run or compare: "
                                           r"missing scenario\.yaml, tickets\.parquet"):
        export_tickets(tmp_path)
    with pytest.raises(SimdeskError, match="--format 'excel': unknown; formats: simdesk, "
                                           "zendesk, freshdesk"):
        export_tickets(run, preset="excel")
    comparison = compare(desk(horizon="2d", warmup="1d"), ["fifo", "newest-first"], seed=2,
                         replications=1)
    folder = write_comparison(comparison, tmp_path / "compare")
    with pytest.raises(SimdeskError, match=r"holds a comparison; choose the policy to export "
                                           r"with --policy \(fifo, newest-first\)"):
        export_tickets(folder)
    assert len(export_tickets(folder, policy="newest-first")) > 0
