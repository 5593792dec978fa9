"""``sweep``: a base scenario run with parameters varied by key path."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from simdesk.cli.common import (
    allow_code_option,
    err_console,
    interrupt_status,
    limits_options,
    out_console,
    precision_option,
    replication_count,
    reports_errors,
    write_report_to,
)
from simdesk.errors import SimdeskError


@click.command()
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Results folder (default: results/<sweep>-sweep-<timestamp>/). Running "
                   "again into the same folder resumes: finished points are kept.")
@click.option("--resume", is_flag=True,
              help="Finish the sweep in --out, and refuse if --out holds none (running "
                   "into the same --out without it resumes too).")
@click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
              help="Local processes running points side by side (0: one per core when the "
                   "sweep is big enough to gain, else this process; 1: in this process); "
                   "with --dask local, the cluster's workers. Results do "
                   "not depend on it.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS|local",
              help="Run the points on a dask.distributed cluster: a scheduler address "
                   "(tcp://host:8786) or 'local' to start a LocalCluster here.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed, the same for every point (default: the sweep file's, "
                   "else the one recorded in --out, else a fresh one).")
@click.option("--replications", "-r", default=None, metavar="N|auto",
              help="Replications per point (overrides the sweep file); 'auto' runs them "
                   "until the main metric is precise enough.")
@click.option("--precision", default=None, metavar="PERCENT",
              help="With --replications auto: the main metric's 95 % half-width as a share "
                   "of its mean, e.g. 1%.")
@click.option("--keep-tickets", is_flag=True,
              help="Also keep every point's per-ticket table (large).")
@click.option("--quiet", "-q", is_flag=True, help="Print only where the results went.")
@click.option("--report", "with_report", is_flag=True,
              help="Also write an HTML report with charts of the finished points to the "
                   "results folder (report.html; see simdesk report).")
@allow_code_option
@limits_options
@reports_errors
def sweep(sweep_file: Path, out: Path | None, resume: bool, workers: int,
          dask_address: str | None, seed: int | None, replications: str | None,
          precision: str | None, keep_tickets: bool, quiet: bool, with_report: bool) -> None:
    """Run SWEEP: a base scenario with parameters varied by key path, point by point.

    Every point runs on the same random numbers (replication r of every point uses the
    same seed). Each point is written as soon as it finishes; running again into the
    same --out skips the finished points and retries the failed ones. The sweep file's
    expect: assertions are judged at every point, as simdesk check does. Exit 1 when a
    point failed or missed an expectation, 130 when interrupted (143 on SIGTERM), 2 for
    bad input. See docs/sweeps.md."""
    from simdesk.console.sweep import print_sweep, sweep_progress
    from simdesk.experiments import load_sweep, run_sweep
    from simdesk.experiments.sweeps.executors import choose_executor
    from simdesk.experiments.sweeps.preflight import point_count, preflight
    from simdesk.experiments.sweeps.runner import check_sweep_folder
    from simdesk.store.results import default_results_dir, slug

    loaded = load_sweep(sweep_file)
    updates: dict[str, object] = {}
    if seed is not None:
        updates["seed"] = seed
    if replications is not None:
        updates["replications"] = replications if replications == "auto" else replication_count(
            replications)
    if precision is not None:
        updates["precision"] = precision_option(precision)
    if keep_tickets:
        updates["keep_tickets"] = True
    if updates:
        spec = type(loaded.spec).model_validate(loaded.spec.model_dump() | updates)
        loaded = type(loaded)(spec, loaded.file, loaded.base, loaded.base_file)
    if precision is not None and loaded.spec.replications != "auto":
        raise SimdeskError("--precision applies to --replications auto (or replications: "
                           "auto in the sweep file)")
    if resume and out is None:
        raise SimdeskError("--resume needs the --out folder of the sweep to finish")
    folder = out or default_results_dir(f"{slug(loaded.name)}-sweep")
    # every value, the grid's size and the work: before any point runs
    work = preflight(loaded)
    loaded, _ = check_sweep_folder(loaded, folder, resume=resume)  # before any work
    spec = loaded.spec
    fewest = spec.min_replications if spec.replications == "auto" else int(spec.replications)
    executor: Any = choose_executor(
        workers, dask_address, None if work is None else work.per_replication * fewest,
        point_count(loaded))
    errors = err_console()
    with sweep_progress(errors, executor.name, quiet) as advance:
        outcome = run_sweep(loaded, folder, executor, progress=advance, resume=resume,
                            work=None if work is None else work.by_point)
    for rejected in outcome.rejected:
        errors.print(f"Warning: {rejected}; moved to rejected/ and run again",
                     highlight=False, markup=False)
    console = out_console()
    if not quiet:
        print_sweep(console, loaded, outcome)
    failed = f", {len(outcome.failures)} failed" if outcome.failures else ""
    skipped = f", {outcome.skipped} skipped (finished before)" if outcome.skipped else ""
    console.print(f"{outcome.ran} point(s) run{failed}{skipped}; results in "
                  f"{outcome.folder}/")
    if with_report and not outcome.interrupted and not outcome.summary.empty:
        write_report_to(outcome.folder, console)
    if outcome.interrupted:
        errors.print(f"Interrupted: the finished points are kept in {outcome.folder}/; run "
                     "the same command again to finish the others.")
        sys.exit(interrupt_status())
    met = _judge(console, loaded.spec.expect, outcome, quiet)
    if outcome.failures:
        errors.print(f"[red]Error:[/] {len(outcome.failures)} point(s) failed:")
        for record in outcome.failures:
            values = ", ".join(f"{k}={v}" for k, v in record.get("values", {}).items())
            errors.print(f"  {record['key']} ({values}): {record['error']}", markup=False)
        errors.print(f"Details in {outcome.folder}/failures/; running the same command "
                     "again retries only these points.")
        sys.exit(1)
    if not met:
        sys.exit(1)


def _judge(console: Any, expectations: list[str], outcome: Any, quiet: bool) -> bool:
    """The sweep file's own ``expect:`` judged at every finished point, as ``simdesk
    check`` does (whether every point meets every one; True when there are none)."""
    if not expectations or outcome.summary.empty:
        return True
    from simdesk.console.check import sweep_check_table
    from simdesk.metrics.verdicts import evaluate_points

    verdicts = evaluate_points(outcome.summary, expectations)
    finished = [p for p in outcome.points if p.key in verdicts]
    passed = [p for p in finished if all(v.passed for v in verdicts[p.key])]
    if not quiet:
        console.print(sweep_check_table(finished, verdicts, expectations))
    console.print(f"{len(passed)} of {len(finished)} finished points meet every expectation "
                  "of the sweep file", highlight=False)
    return len(passed) == len(finished)
