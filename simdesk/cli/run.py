"""``validate``, ``run``, ``compare`` and ``check``: one scenario, simulated and judged."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from simdesk.cli.common import (
    allow_code_option,
    err_console,
    out_console,
    progress_bar,
    reports_errors,
    results_options,
    write_report_to,
)
from simdesk.errors import SimdeskError


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@allow_code_option
@reports_errors
def validate(scenario: Path) -> None:
    """Check SCENARIO and report every problem at once (exit 2 if any)."""
    from simdesk.console.plan import describe_plan, print_notices
    from simdesk.plan.prepare import prepare
    from simdesk.policies import make_policy

    prepared = prepare(scenario)
    loaded, plan = prepared.scenario, prepared.plan
    for routing in (loaded.routing, *loaded.policies.values()):
        make_policy(routing)  # imports your own policy classes: a missing one is an error
    console = out_console()
    console.print(f"[green]✓[/] {scenario} is valid: {loaded.name} — {describe_plan(plan)}")
    print_notices(err_console(), list(prepared.notices))



@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed (default: the scenario's seed, else a fresh one).")
@click.option("--replications", "-r", type=click.IntRange(1), default=None,
              help="Independent replications (default: the scenario's, else 10).")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Results folder (default: results/<scenario>-<timestamp>/).")
@click.option("--wide", is_flag=True,
              help="Every column (the default on a terminal narrower than 150 columns "
                   "shows SLA, verdict, abandonment and p90 wait; piped output is wide).")
@click.option("--by-hour", is_flag=True,
              help="Also print each channel's SLA per hour of the week.")
@click.option("--no-suggest", is_flag=True,
              help="Skip the changes tried on the same tickets when a target is missed.")
@results_options
@allow_code_option
@reports_errors
def run(scenario: Path, seed: int | None, replications: int | None, out: Path | None,
        wide: bool, by_hour: bool, no_suggest: bool, overwrite: bool, workers: int,
        quiet: bool, with_report: bool) -> None:
    """Simulate SCENARIO, print a summary and write results to a folder.

    Under the table, for each channel that misses its target (or is close): where the
    misses fall, who gave up, what they queued behind, and a few changes simulated on the
    same tickets with the paired change in SLA (skip them with --no-suggest)."""
    from rich.console import Console

    from simdesk.console.plan import print_notices
    from simdesk.console.run import print_result
    from simdesk.experiments.suggest import explain_misses
    from simdesk.metrics.misses_text import miss_lines
    from simdesk.plan.prepare import prepare
    from simdesk.simulation import auto_workers, simulate
    from simdesk.store.results import check_results_folder, default_results_dir, write_results

    prepared = prepare(scenario)
    loaded, plan = prepared.scenario, prepared.plan
    errors = err_console()
    if not quiet:
        print_notices(errors, list(prepared.notices))
    folder = out or default_results_dir(loaded.name)
    check_results_folder(folder, overwrite=overwrite)  # before the work, not after
    with progress_bar(errors, "Simulating replications", quiet) as advance:
        result = simulate(prepared, seed=seed, replications=replications,
                          workers=workers or auto_workers(plan, replications or
                                                          loaded.replications),
                          progress=advance)
    explained = explain_misses(result, suggest=not no_suggest, workers=workers)
    written = write_results(result, folder, overwrite=overwrite, misses=explained)
    console = out_console()
    if wide and console.width < 160:  # every column, even past the terminal's edge
        console = Console(highlight=False, soft_wrap=True, width=160)
    if not quiet:
        print_result(console, result, wide=wide or not console.is_terminal
                     or console.width >= 150, by_hour=by_hour,
                     misses=miss_lines(explained))
    console.print(f"Results written to {written}/")
    if with_report:
        write_report_to(written, console)


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--policies", "-p", required=True, metavar="NAME,NAME,...",
              help="Routing policies to compare, comma-separated; the first is the baseline. "
                   "Each is a key of the scenario's policies:, its own routing policy, a "
                   "built-in (fifo, cherry-pick, paid-first, ...) or package.module:Class.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed, the same for every policy (default: the scenario's "
                   "seed, else a fresh one).")
@click.option("--replications", "-r", type=click.IntRange(1), default=None,
              help="Replications per policy (default: the scenario's, else 10); at least 2 "
                   "for confidence intervals.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Results folder (default: results/<scenario>-compare-<timestamp>/).")
@results_options
@allow_code_option
@reports_errors
def compare(scenario: Path, policies: str, seed: int | None, replications: int | None,
            out: Path | None, overwrite: bool, workers: int, quiet: bool,
            with_report: bool) -> None:
    """Run SCENARIO under several routing policies on the same tickets and show the
    paired differences to the first, with 95 % confidence intervals."""

    from simdesk.console.compare import print_comparison
    from simdesk.console.plan import print_notices
    from simdesk.experiments.compare import compare as compare_policies
    from simdesk.experiments.compare import resolve_policies, split_policy_names
    from simdesk.plan.prepare import prepare
    from simdesk.simulation import auto_workers
    from simdesk.store.results import check_results_folder, default_comparison_dir, write_comparison

    prepared = prepare(scenario)
    loaded, plan = prepared.scenario, prepared.plan
    names = split_policy_names(policies)
    resolve_policies(loaded, names)  # bad names fail before any work
    errors = err_console()
    if not quiet:
        print_notices(errors, list(prepared.notices))
    folder = out or default_comparison_dir(loaded.name)
    check_results_folder(folder, overwrite=overwrite)  # before the work, not after
    with progress_bar(errors, f"Simulating {len(names)} policies", quiet) as advance:
        comparison = compare_policies(
            loaded, names, seed=seed, replications=replications,
            workers=workers or auto_workers(plan, replications or loaded.replications),
            progress=advance)
    written = write_comparison(comparison, folder, overwrite=overwrite)
    console = out_console()
    if not quiet:
        print_comparison(console, comparison)
    console.print(f"Results written to {written}/")
    if with_report:
        write_report_to(written, console)



EXIT_EXPECTATION_FAILED = 1
NO_EXPECTATIONS = (
    "{file} has no expectations to check; add an expect: list to it, one assertion per "
    "line, e.g.\n"
    "  expect:\n"
    "    - chat.sla >= 80%\n"
    "    - email.p90_wait <= 4h\n"
    "    - tier:L1.utilization <= 85%\n"
    "(see docs/ci.md)"
)


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed (default: the scenario's seed, else a fresh one); fix "
                   "it in CI so that runs are reproducible.")
@click.option("--replications", "-r", type=click.IntRange(1), default=None,
              help="Independent replications (default: the scenario's, else 10); with one "
                   "there is no interval and the mean is judged.")
@click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
              help="Processes running replications side by side (0: one per core when "
                   "the run is big enough to gain). Results do not depend on it.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Also write the results to this folder, as run does (default: none).")
@click.option("--overwrite", is_flag=True, help="Replace results already in --out.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON document (every expectation with its metric, bound, value, "
                   "target and pass) instead of the table.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the failed expectations and the count met.")
@allow_code_option
@reports_errors
def check(scenario: Path, seed: int | None, replications: int | None, workers: int,
          out: Path | None, overwrite: bool, as_json: bool, quiet: bool) -> None:
    """Simulate SCENARIO (or every point of a SWEEP file) and check the expect: assertions
    against the conservative end of the 95 % CI (exit 0 if all pass, 1 if any fails, 2
    for bad input)."""
    import json

    from simdesk.console.check import print_check
    from simdesk.console.plan import print_notices
    from simdesk.metrics.verdicts import evaluate, report
    from simdesk.plan.prepare import prepare
    from simdesk.simulation import auto_workers, simulate
    from simdesk.store.results import check_results_folder, write_results

    if _is_sweep(scenario):
        _check_sweep(scenario, seed, replications, workers, out, as_json, quiet)
        return
    prepared = prepare(scenario)
    loaded, plan = prepared.scenario, prepared.plan
    if not loaded.expect:
        raise SimdeskError(NO_EXPECTATIONS.format(file=scenario))
    errors = err_console()
    if not quiet:
        print_notices(errors, list(prepared.notices))
    if out is not None:
        check_results_folder(out, overwrite=overwrite)  # before the work, not after
    with progress_bar(errors, "Simulating replications", quiet) as advance:
        result = simulate(prepared, seed=seed, replications=replications,
                          workers=workers or auto_workers(plan, replications or
                                                          loaded.replications),
                          progress=advance)
    verdicts = evaluate(result, loaded.expect)
    written = None if out is None else write_results(result, out, overwrite=overwrite)
    if as_json:
        document = report(verdicts, scenario=str(scenario), name=loaded.name,
                          seed=result.seed, replications=result.replications,
                          results=None if written is None else str(written))
        click.echo(json.dumps(document, indent=2, allow_nan=False))
    else:
        console = out_console()
        print_check(console, result, verdicts, quiet)
        if written is not None:
            console.print(f"Results written to {written}/")
    if not all(v.passed for v in verdicts):
        sys.exit(EXIT_EXPECTATION_FAILED)


def _is_sweep(path: Path) -> bool:
    """A sweep file names a base ``scenario:`` and its ``parameters:``."""
    from simdesk.scenario.yamlsource import load_yaml_file

    data, _ = load_yaml_file(path)
    return isinstance(data, dict) and "parameters" in data and "scenario" in data


def _check_sweep(path: Path, seed: int | None, replications: int | None, workers: int,
                 out: Path | None, as_json: bool, quiet: bool) -> None:
    """``check`` on a sweep: every point judged against the sweep's expectations (or its
    base scenario's); exit 1 unless every point meets every one."""
    import json
    import tempfile

    from simdesk.console.check import sweep_check_table
    from simdesk.experiments import InProcess, LocalProcesses, load_sweep, run_sweep
    from simdesk.metrics.verdicts import evaluate_points

    loaded = load_sweep(path)
    expectations = list(loaded.spec.expect or loaded.base.get("expect") or [])
    if not expectations:
        raise SimdeskError(NO_EXPECTATIONS.format(file=path))
    updates: dict[str, object] = {"expect": expectations}
    if seed is not None:
        updates["seed"] = seed
    if replications is not None:
        updates["replications"] = replications
    spec = type(loaded.spec).model_validate(loaded.spec.model_dump() | updates)
    loaded = type(loaded)(spec, loaded.file, loaded.base, loaded.base_file)
    executor: Any = InProcess() if workers == 1 else LocalProcesses(workers or None)
    with tempfile.TemporaryDirectory(prefix="simdesk-check-") as scratch:
        folder = out or Path(scratch) / "sweep"
        with progress_bar(err_console(), f"Sweep on {executor.name}", quiet) as advance:
            outcome = run_sweep(loaded, folder, executor,
                                progress=lambda done, total, failed: advance(done, total))
        verdicts = evaluate_points(outcome.summary, expectations)
    if outcome.interrupted:
        sys.exit(130)
    passed = [p for p in outcome.points if all(v.passed for v in verdicts.get(p.key, []))
              and p.key in verdicts]
    if as_json:
        document = {
            "sweep": str(path), "seed": outcome.seed, "expectations": expectations,
            "points": [{"index": p.index, "key": p.key,
                        "values": {k: str(v) for k, v in p.assignments},
                        "passed": p in passed,
                        "verdicts": [v.as_dict() for v in verdicts.get(p.key, [])]}
                       for p in outcome.points],
        }
        click.echo(json.dumps(document, indent=2, allow_nan=False))
    else:
        console = out_console()
        if not quiet:
            console.print(sweep_check_table(outcome.points, verdicts, expectations))
        console.print(f"{len(passed)} of {len(outcome.points)} points meet every expectation",
                      highlight=False)
    if outcome.failures:
        names = ", ".join(f["key"] for f in outcome.failures)
        err_console().print(f"[red]Error:[/] {len(outcome.failures)} point(s) failed: {names}")
    if len(passed) < len(outcome.points):
        sys.exit(EXIT_EXPECTATION_FAILED)
