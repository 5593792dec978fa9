"""``report``: one self-contained HTML page of any results folder."""

from __future__ import annotations

from pathlib import Path

import click

from simdesk.cli.common import (
    out_console,
    reports_errors,
    write_report_to,
)


@click.command()
@click.argument("results_dir", metavar="RESULTS_DIR", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Where to write the report (default: RESULTS_DIR/report.html; a folder "
                   "gets report.html inside).")
@reports_errors
def report(results_dir: Path, out: Path | None) -> None:
    """Write one self-contained HTML report of RESULTS_DIR, a folder written by run,
    compare or sweep: verdicts, assumptions and interactive charts, with plotly.js
    inside, so it opens offline (from a disk or an e-mail attachment). See
    docs/report.md."""
    write_report_to(results_dir, out_console(), out)
