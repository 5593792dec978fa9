"""``diff``: two finished results folders side by side."""

from __future__ import annotations

from pathlib import Path

import click

from simdesk.cli.common import out_console, reports_errors


@click.command()
@click.argument("results_a", type=click.Path(path_type=Path, file_okay=False))
@click.argument("results_b", type=click.Path(path_type=Path, file_okay=False))
@click.option("--scope", "scopes", default="overall,channel", show_default=True,
              metavar="SCOPE,SCOPE", help="Scopes shown (overall, channel, segment, topic).")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Also write the table to this CSV file.")
@reports_errors
def diff(results_a: Path, results_b: Path, scopes: str, csv_path: Path | None) -> None:
    """Compare two results folders (from run or compare): B − A per metric with Welch's
    95 % interval, and the paired interval when the seeds make the runs paired."""
    from rich.table import Table

    from simdesk.errors import SimdeskError
    from simdesk.experiments.compare import COMPARED_SCOPES
    from simdesk.metrics.catalogue import format_difference, format_metric
    from simdesk.store.diff import diff_results
    from simdesk.store.results import with_units, write_csv
    from simdesk.store.writable import check_writable

    wanted = [s.strip() for s in scopes.split(",") if s.strip()]
    for scope in wanted:
        if scope not in COMPARED_SCOPES:
            raise SimdeskError(f"--scope: unknown scope {scope!r}; valid: "
                               f"{', '.join(COMPARED_SCOPES)}")
    if csv_path is not None:
        check_writable(csv_path, folder=False, option="--csv")  # before the work
    found = diff_results(results_a, results_b)
    console = out_console()
    console.print(f"A: {results_a} — {found.a.scenario.name}, {found.a.replications} "
                  f"replication(s), seed {found.a.seed}", highlight=False)
    console.print(f"B: {results_b} — {found.b.scenario.name}, {found.b.replications} "
                  f"replication(s), seed {found.b.seed}", highlight=False)
    if found.changed:
        console.print(f"Scenario keys that differ: {', '.join(found.changed)}",
                      highlight=False)
    for warning in found.warnings:
        console.print(f"[yellow]Note:[/] {warning}", highlight=False)
    rows = found.rows.loc[found.rows["scope"].isin(wanted)]
    table = Table(title="B − A (95 % intervals; ✓ B better, ✗ B worse, = no clear difference)",
                  title_justify="left", header_style="bold")
    for column in ("Scope", "Metric", "A", "B", "Δ Welch"):
        table.add_column(column, justify="left" if column in ("Scope", "Metric") else "right")
    if found.paired:
        table.add_column("Δ paired", justify="right")
    for row in rows.to_dict("records"):
        metric = str(row["metric"])

        mark = {"b": " [green]✓[/]", "a": " [red]✗[/]"}.get(str(row["better"]), " [dim]=[/]")
        difference = float(row["difference"])
        welch = format_difference(metric, difference,
                                  (float(row["welch_high"]) - float(row["welch_low"])) / 2)
        where = ("all tickets" if row["scope"] == "overall"
                 else f"{row['scope']} {row['group']}")
        cells = [where, metric, format_metric(metric, float(row["a"])),
                 format_metric(metric, float(row["b"])), welch]
        if found.paired:
            cells.append(format_difference(
                metric, difference, (float(row["paired_high"]) - float(row["paired_low"])) / 2))
        cells[-1] += mark
        table.add_row(*cells)
    console.print(table)
    if csv_path is not None:
        write_csv(with_units(found.rows), csv_path)
        console.print(f"Written to {csv_path}")
