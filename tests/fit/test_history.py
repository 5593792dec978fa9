"""Reading exports: presets, --map, bad rows with their line numbers, time zones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simdesk.errors import SimdeskError
from simdesk.fit.arrivals import fit_channel
from simdesk.fit.history import read_history
from simdesk.fit.presets import PRESETS, parse_mapping
from simdesk.fit.times import parse_times, zone_named
from tests.fit.helpers import desk, simulated_export

HEADER = ("ticket_id,created_at,channel,segment,topic,status,assigned_at,first_response_at,"
          "abandoned_at,solved_at,groups,work_minutes,assignees")
GOOD = ("{id},2026-03-02T08:{m:02d}:00+01:00,phone,paid,bug,solved,2026-03-02T08:{m:02d}:30+01:00,"
        "2026-03-02T08:{m:02d}:30+01:00,,2026-03-02T09:00:00+01:00,L1>L2,4.5>20,ann>bob")
BERLIN = zone_named("Europe/Berlin")


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "tickets.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_bad_rows_are_counted_by_reason_with_their_line_numbers(tmp_path: Path) -> None:
    rows = [GOOD.format(id=i, m=i) for i in range(1, 4)]
    rows += [
        "4,yesterday,phone,paid,bug,solved,,,,,L1,3,ann",                      # line 5
        "5,2026-03-02T09:00:00+01:00,,paid,bug,solved,,,,,L1,3,ann",           # line 6
        "6,2026-03-02T09:10:00+01:00,fax,paid,bug,solved,,,,,L1,3,ann",        # line 7
        "7,2026-03-02T09:20:00+01:00,email,paid,bug,solved,,2026-03-02T09:00:00+01:00,,,"
        "L1,3,ann",                                                            # line 8
        "8,2026-03-02T09:30:00+01:00,email,paid,bug,solved,,,,,L1>L2,abc>4,ann>bob",  # 9
        "9,2026-03-02T09:40:00+01:00,email,paid,bug,solved,,,,,L1,-3,ann",     # line 10
        "10,2026-03-02T09:50:00+01:00,email,,bug,solved,,,,,L1,3,ann",         # line 11
    ]
    history = read_history(_csv(tmp_path, rows), zone=BERLIN, channels=["phone", "email"])
    lines = history.bad.lines()
    problems = {reason: sorted(rows) for (reason, _), rows in history.bad.problems.items()}

    def rows_for(fragment: str) -> list[int]:
        return next(r for reason, r in problems.items() if fragment in reason)

    assert rows_for("is not a timestamp (e.g. 'yesterday'") == [5]
    assert rows_for("channel ('channel') is empty") == [6]
    assert rows_for("unknown channel 'fax' (known: email, phone)") == [7]
    assert rows_for("first_response_at ('first_response_at') is before created_at") == [8]
    assert rows_for("not a number of minutes") == [9]
    assert rows_for("work_minutes ('work_minutes') is negative") == [10]
    assert rows_for("segment ('segment') is empty") == [11]
    assert history.bad.dropped == 3
    assert len(history.tickets) == history.rows - 3 == 7
    assert "1 line: created_at ('created_at') is not a timestamp (e.g. 'yesterday'" in " ".join(
        lines)
    # a row with one bad field keeps the rest: line 9's L2 work is still there
    line9 = history.tickets.index[history.tickets["row"] == 9][0]
    steps = history.steps.loc[history.steps["ticket"] == line9]
    assert steps["work"].isna().tolist() == [True, False]
    assert history.tickets.loc[history.tickets["row"] == 8, "response_wait"].isna().all()


def test_many_problems_list_the_first_lines_and_the_count(tmp_path: Path) -> None:
    rows = [f"{i},not a time,phone,paid,bug,solved,,,,,L1,3,ann" for i in range(20)]
    history = read_history(_csv(tmp_path, rows), zone=BERLIN)
    (line,) = history.bad.lines()
    assert line.startswith("20 lines: created_at")
    assert "(lines 2, 3, 4, 5, 6, 7, 8, 9, … (12 more))" in line


def test_offsets_without_a_time_zone_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SimdeskError, match=r"timestamps carry a UTC offset \(e\.g\. "
                                           r"'2026-03-02T08:01:00\+01:00'\); give --tz"):
        read_history(_csv(tmp_path, [GOOD.format(id=1, m=1)]))


def test_an_unknown_zone_says_what_to_write() -> None:
    with pytest.raises(SimdeskError, match="--tz 'Berlin' is not a time zone; write an IANA "
                                           "name such as Europe/Berlin"):
        zone_named("Berlin")


def test_missing_required_column_names_the_preset_and_suggests(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Id,Created,Via\n1,2026-03-02 08:00,Mail\n", encoding="utf-8")
    with pytest.raises(SimdeskError, match=r"cannot tell which export this is.*columns in "
                                           r"the file: Id, Created, Via"):
        read_history(path)
    with pytest.raises(SimdeskError, match=r"the zendesk preset's created_at column "
                                           r"'Created at' is not in the file \(did you "
                                           r"mean 'Created'\?\)"):
        read_history(path, preset="zendesk")
    history = read_history(path, preset="zendesk", mapping={"created_at": "Created"})
    assert history.tickets["channel"].tolist() == ["email"]
    with pytest.raises(SimdeskError, match=r"--map created_at=Creatd: no column 'Creatd' "
                                           r"\(did you mean 'Created'\?\)"):
        read_history(path, preset="zendesk", mapping={"created_at": "Creatd"})


def test_map_parses_pairs_and_names_bad_fields() -> None:
    assert parse_mapping(["created_at=Created at,channel=Via", "topic=Type"]) == {
        "created_at": "Created at", "channel": "Via", "topic": "Type"}
    with pytest.raises(SimdeskError, match="unknown field 'createdat'; fields: id, created_at"):
        parse_mapping(["createdat=Created"])
    with pytest.raises(SimdeskError, match="write field=Column"):
        parse_mapping(["created_at"])


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_is_detected_and_reads_what_export_wrote(tmp_path: Path,
                                                             preset: str) -> None:
    """The same simulated tickets exported in each format read back to the same history
    (channel names through the preset's words, e.g. Zendesk's 'Phone call (inbound)')."""
    data = desk(horizon="3d")
    _, path = simulated_export(tmp_path, data, seed=4, preset=preset, zone="Europe/Berlin")
    history = read_history(path, zone=BERLIN)
    assert history.preset == preset
    reference = read_history(simulated_export(tmp_path, data, seed=4, zone="Europe/Berlin",
                                              name="reference.csv")[1], zone=BERLIN)
    assert history.bad.problems == {}
    for column in ("channel", "segment", "topic", "state", "path"):
        assert history.tickets[column].astype(str).tolist() == \
            reference.tickets[column].astype(str).tolist(), column
    for column in ("pickup_wait", "abandon_wait", "solved_after"):
        np.testing.assert_allclose(history.tickets[column], reference.tickets[column])
    # Zendesk's first reply time is in minutes with two decimals
    np.testing.assert_allclose(history.tickets["response_wait"],
                               reference.tickets["response_wait"], atol=0.006)
    np.testing.assert_allclose(history.steps["work"], reference.steps["work"])


def test_a_mapped_export_with_other_column_names_reads_the_same(tmp_path: Path) -> None:
    _, path = simulated_export(tmp_path, desk(horizon="2d", warmup="1d"), seed=5)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    renamed = {"created_at": "Opened", "channel": "Medium", "work_minutes": "Effort",
               "groups": "Teams"}
    table.rename(columns=renamed).to_csv(tmp_path / "custom.csv", index=False)
    mapping = parse_mapping([",".join(f"{k}={v}" for k, v in renamed.items())])
    history = read_history(tmp_path / "custom.csv", preset="simdesk", mapping=mapping,
                           zone=None)
    reference = read_history(path)
    assert history.tickets["channel"].tolist() == reference.tickets["channel"].tolist()
    np.testing.assert_allclose(history.steps["work"], reference.steps["work"])


def test_parquet_rows_are_numbered_from_one(tmp_path: Path) -> None:
    _, path = simulated_export(tmp_path, desk(horizon="2d", warmup="1d"), seed=6, name="t.parquet")
    table = pd.read_parquet(path)
    table.loc[2, "created_at"] = "soon"
    table.to_parquet(path)
    history = read_history(path)
    assert history.bad.unit == "row"
    assert list(history.bad.problems.values()) == [[3]]


def test_utc_times_are_placed_in_local_hours_across_a_clock_change(tmp_path: Path) -> None:
    """Tickets arrive Monday to Friday 09:00-17:00 Berlin time for four weeks around the
    change to summer time (29 March 2026) and are exported in UTC. Read in Europe/Berlin,
    every ticket lands in a local hour 09-16 and the fitted rate is zero elsewhere; read
    as UTC, summer tickets move an hour earlier."""
    rng = np.random.default_rng(31)
    stamps = []
    for day in pd.date_range("2026-03-16", "2026-04-10", freq="D"):
        if day.weekday() >= 5:
            continue
        opening = (day + pd.Timedelta(hours=9)).tz_localize("Europe/Berlin")
        minutes = np.sort(rng.uniform(0, 480, rng.poisson(80)))
        stamps += [opening + pd.Timedelta(minutes=float(m)) for m in minutes]
    utc = [s.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ") for s in stamps]
    frame = pd.DataFrame({"created_at": utc, "channel": "email"})
    frame.to_csv(tmp_path / "utc.csv", index=False)
    mapping = {"created_at": "created_at", "channel": "channel"}
    local = read_history(tmp_path / "utc.csv", mapping=mapping, zone=BERLIN)
    assert set(local.tickets["created"].dt.hour) <= set(range(9, 17))
    fitted = fit_channel("email", local.tickets["created"], local.first_day, local.days,
                         BERLIN, "matrix")
    outside = np.ones((7, 24), dtype=bool)
    outside[:5, 9:17] = False
    assert fitted.rates[outside].max() == 0
    inside = fitted.rates[~outside]
    expected = 10.0
    exposure = fitted.exposure[~outside]
    assert np.all(np.abs(inside - expected) <= 4 * np.sqrt(expected / exposure))
    as_utc = read_history(tmp_path / "utc.csv", mapping=mapping, zone=zone_named("UTC"))
    assert set(as_utc.tickets["created"].dt.hour) == set(range(7, 16))


def test_waits_across_a_clock_change_are_elapsed_time() -> None:
    """Created 01:30 and answered 03:30 Berlin time on the night clocks go forward: an hour
    of waiting, not two. Naive local times in the skipped hour are counted."""
    created = parse_times(pd.Series(["2026-03-29T00:30:00Z"]), BERLIN)
    answered = parse_times(pd.Series(["2026-03-29 03:30"]), BERLIN)
    assert float(answered.elapsed.iloc[0] - created.elapsed.iloc[0]) == 60
    assert str(created.local.iloc[0]) == "2026-03-29 01:30:00"
    skipped = parse_times(pd.Series(["2026-03-29 02:30", "2026-03-29 04:00"]), BERLIN)
    assert skipped.shifted == 1
    repeated = parse_times(pd.Series(["2026-10-25 02:30"]), BERLIN)
    assert repeated.shifted == 1
    naive = parse_times(pd.Series(["2026-03-29 01:30", "2026-03-29 03:30"]), None)
    assert float(naive.elapsed.iloc[1] - naive.elapsed.iloc[0]) == 120  # no zone: wall clock


def test_the_exposure_of_a_skipped_hour_is_one_hour_less() -> None:
    """Two weeks including 29 March 2026: the Sunday 02:00 cell was observed once, not
    twice; its neighbours twice."""
    created = pd.Series(pd.to_datetime(["2026-03-23 10:00"] * 3))
    fitted = fit_channel("email", created, pd.Timestamp("2026-03-23"), 14, BERLIN, "matrix")
    assert fitted.exposure[6, 2] == 1
    assert fitted.exposure[6, 1] == fitted.exposure[6, 3] == 2
