"""``validate``, ``run``, ``compare`` and ``check``: one scenario, simulated and judged."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from simdesk.cli.common import (
    allow_code_option,
    err_console,
    limits_options,
    out_console,
    progress_bar,
    reports_errors,
    results_options,
    write_report_to,
)
from simdesk.errors import SimdeskError

if TYPE_CHECKING:
    from simdesk.plan.budget import Work


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@allow_code_option
@limits_options
@reports_errors
def validate(scenario: Path) -> None:
    """Check SCENARIO and report every problem at once (exit 2 if any)."""
    from simdesk.console.plan import describe_plan, print_notices
    from simdesk.plan.budget import check_work
    from simdesk.plan.prepare import prepare
    from simdesk.policies import make_policy

    prepared = prepare(scenario)
    loaded, plan = prepared.scenario, prepared.plan
    check_work(plan, loaded.replications, what=str(scenario))
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
@limits_options
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
    from simdesk.experiments.suggest import explain_misses, suggest_changes
    from simdesk.metrics.misses_text import miss_lines
    from simdesk.plan.budget import check_work
    from simdesk.plan.prepare import prepare
    from simdesk.simulation import auto_workers, simulate
    from simdesk.store.results import ResultsWriter, check_results_folder, default_results_dir

    prepared = prepare(scenario)
    loaded, plan = prepared.scenario, prepared.plan
    work = check_work(plan, replications or loaded.replications, what=str(scenario))
    folder = out or default_results_dir(loaded.name)
    check_results_folder(folder, overwrite=overwrite)  # before the work, not after
    errors = err_console()
    if not quiet:
        print_notices(errors, list(prepared.notices))
    with progress_bar(errors, "Simulating replications", quiet) as advance:
        result = simulate(prepared, seed=seed, replications=replications,
                          workers=workers or auto_workers(plan, replications or
                                                          loaded.replications),
                          progress=advance)
    suggest = not no_suggest and _suggestions_fit(work)
    if not suggest and not no_suggest and not quiet:
        errors.print("No changes tried for missed targets: with them the run would exceed "
                     "the --max-tickets budget (raise it, or pass --no-limits).",
                     highlight=False)
    with ResultsWriter(result, folder, overwrite=overwrite) as writer:  # tables meanwhile
        explained = explain_misses(result, suggest=False)
        writer.finish()
        if suggest:  # after the writes: their processes are not forked beside its threads
            suggest_changes(result, explained, workers=workers)
        writer.write_misses(explained)
    written = writer.folder
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


def _suggestions_fit(work: Work) -> bool:
    """Whether the changes tried for missed targets (at most ``CHANNELS × CANDIDATES ×
    REPLICATIONS`` more replications) keep the run within the work budget."""
    from simdesk.experiments.suggest import CANDIDATES, CHANNELS, REPLICATIONS
    from simdesk.plan.budget import limits

    budget = limits()
    extra = CHANNELS * CANDIDATES * min(REPLICATIONS, work.replications)
    return (not budget.enforced
            or work.tickets_per_replication * (work.replications + extra) <= budget.max_tickets)


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--policies", "-p", default=None, metavar="NAME,NAME,...",
              help="With one scenario: routing policies to compare, comma-separated; the "
                   "first is the baseline. Each is a key of the scenario's policies:, its own "
                   "routing policy, a built-in (fifo, cherry-pick, paid-first, ...) or "
                   "package.module:Class.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed, the same for every run (default: the first "
                   "scenario's seed, else a fresh one).")
@click.option("--replications", "-r", type=click.IntRange(1), default=None,
              help="Replications per run (default: the first scenario's, else 10); at least "
                   "2 for confidence intervals.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Results folder (default: results/<scenario>-compare-<timestamp>/).")
@results_options
@allow_code_option
@limits_options
@reports_errors
def compare(scenarios: tuple[Path, ...], policies: str | None, seed: int | None,
            replications: int | None, out: Path | None, overwrite: bool, workers: int,
            quiet: bool, with_report: bool) -> None:
    """Compare plans on the same tickets: SCENARIO under several routing --policies, or
    whole files BASE.yaml VARIANT.yaml [MORE.yaml ...] (today's roster against a
    proposed one). Shows the paired differences to the first, with 95 % confidence
    intervals."""

    from simdesk.console.compare import print_comparison
    from simdesk.console.plan import print_notices
    from simdesk.experiments.compare import compare as compare_policies
    from simdesk.experiments.compare import (
        compare_files,
        resolve_policies,
        split_policy_names,
    )
    from simdesk.plan.budget import check_work
    from simdesk.plan.prepare import prepare
    from simdesk.simulation import auto_workers
    from simdesk.store.results import check_results_folder, default_comparison_dir, write_comparison

    if len(scenarios) > 1 and policies is not None:
        raise SimdeskError("give several scenario files or one scenario with --policies, "
                           "not both")
    if len(scenarios) == 1 and policies is None:
        raise SimdeskError("compare needs a second scenario file (BASE.yaml VARIANT.yaml) "
                           "or --policies for one scenario, e.g. --policies fifo,paid-first")
    prepared = [prepare(path) for path in scenarios]
    loaded, plan = prepared[0].scenario, prepared[0].plan
    names = split_policy_names(policies) if policies is not None else []
    if names:
        resolve_policies(loaded, names)  # bad names fail before any work
    reps = replications or loaded.replications
    if names:
        check_work(plan, reps, what=str(scenarios[0]), times=len(names))
    for path, each in zip(scenarios if not names else (), prepared, strict=False):
        check_work(each.plan, reps, what=str(path), times=len(scenarios))
    folder = out or default_comparison_dir(loaded.name)
    check_results_folder(folder, overwrite=overwrite)  # before the work, not after
    errors = err_console()
    if not quiet:
        for each in prepared:
            print_notices(errors, list(each.notices))
    runs = len(names) or len(scenarios)
    what = f"{runs} policies" if names else f"{runs} scenarios"
    chosen = workers or auto_workers(plan, replications or loaded.replications)
    with progress_bar(errors, f"Simulating {what}", quiet) as advance:
        if names:
            comparison = compare_policies(loaded, names, seed=seed,
                                          replications=replications, workers=chosen,
                                          progress=advance)
        else:
            comparison = compare_files(scenarios, seed=seed, replications=replications,
                                       workers=chosen, progress=advance, prepared=prepared)
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
@limits_options
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
    from simdesk.plan.budget import check_work
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
    check_work(plan, replications or loaded.replications, what=str(scenario))
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
    from simdesk.experiments.sweeps.preflight import preflight

    preflight(loaded)
    executor: Any = InProcess() if workers == 1 else LocalProcesses(workers or None)
    with tempfile.TemporaryDirectory(prefix="simdesk-check-") as scratch:
        folder = out or Path(scratch) / "sweep"
        with progress_bar(err_console(), f"Sweep on {executor.name}", quiet) as advance:
            outcome = run_sweep(loaded, folder, executor,
                                progress=lambda done, total, failed: advance(done, total))
        verdicts = evaluate_points(outcome.summary, expectations)
    if outcome.interrupted:
        from simdesk.cli.common import interrupt_status

        sys.exit(interrupt_status())
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
