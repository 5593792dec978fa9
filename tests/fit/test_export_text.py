"""simdesk export's vectorised text: exactly what Python's formatting and pandas'
CSV writer give, cell for cell."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa

from simdesk.fit.export import csv_text, two_decimals
from simdesk.store.spreadsheet import neutralised


def test_two_decimals_is_pythons_formatting_on_awkward_values() -> None:
    generator = np.random.default_rng(15)
    values = np.concatenate([
        generator.exponential(12.0, 20_000),
        np.round(generator.uniform(0, 500, 5_000), 3),  # many exact half hundredths
        np.arange(0, 10, 0.005), [0.125, 0.375, 2.675, 1.005, 0.0, -0.0, 1e-9, 123456.785,
                                  np.nan, -3.14159, 5e15, 1e300],
    ])
    expected = ["" if np.isnan(v) else f"{v:.2f}" for v in values]
    assert two_decimals(values).to_pylist() == expected


def test_csv_text_is_what_pandas_writes_neutralised() -> None:
    frame = pd.DataFrame({
        "id": ["1", "2", "3", "4", "5"],
        "=name": ["plain", "", "a,b", 'say "hi"', "two\nlines"],
        "formula": ["=1+1", "-3", "@x", "+y", "ok"],
        "times": ["2026-01-05T08:00:00", "", "", "x", "y"],
    })
    written = io.StringIO()
    neutralised(frame).to_csv(written, index=False)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    assert csv_text(table) == written.getvalue()


def test_steps_join_each_tickets_tiers_and_leave_unvisited_tickets_empty() -> None:
    from simdesk.fit.export import _steps

    visits = pd.DataFrame({
        "ticket": [2, 0, 2, 2], "tier": pd.Categorical(["L1", "L1", "L2", "L1"]),
        "agent": pd.Categorical(["ann", None, "bob", "cy"]),
        "queued": [1.0, 0.0, 5.0, 9.0], "start": [2.0, np.nan, 6.0, 10.0],
        "end": [4.5, 3.0, 7.125, 12.0]})
    joined = _steps(visits, np.array([0, 1, 2, 3]))
    assert joined["groups"].to_pylist() == ["L1", "", "L1>L2", ""]
    assert joined["work_minutes"].to_pylist() == ["", "", "2.50>1.12", ""]
    assert joined["assignees"].to_pylist() == ["", "", "ann>bob", ""]


def test_csv_text_on_random_and_sliced_text_is_what_pandas_writes() -> None:
    """Every cell's bytes are checked at once (first byte, quoting bytes): against pandas
    on random text — multi-byte characters, tabs, carriage returns, empty cells — and on
    a slice of a table (an Arrow array that starts past its buffers' beginning)."""
    generator = np.random.default_rng(4)
    alphabet = list("ab1,\"\n\t=+-@' é€日")  # (a lone \r: quoted here, not by pandas)
    cells = ["".join(generator.choice(alphabet, size=int(k)))
             for k in generator.integers(0, 4, 600)]
    frame = pd.DataFrame({"a": cells[:300], "b": cells[300:]})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for start, stop in ((0, 300), (37, 250)):
        part = frame.iloc[start:stop].reset_index(drop=True)
        written = io.StringIO()
        neutralised(part).to_csv(written, index=False)
        assert csv_text(table.slice(start, stop - start)) == written.getvalue()
    # a carriage return is quoted (a spreadsheet would break the row there), and at the
    # start of a cell neutralised first
    assert csv_text(pa.table({"a": ["x\r", "\ry"]})) == 'a\n"x\r"\n"\'\ry"\n'
