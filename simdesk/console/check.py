"""Terminal rendering of ``simdesk check``: a pass/fail table of a scenario's expectations.

One row per expectation: the assertion, what it was measured on, the mean, which value
was judged (the conservative bound of the 95 % CI, or the mean without an interval) and
that value, the target and PASS/FAIL; then "N of M expectations met".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.console.run import describe_run
from simdesk.experiments.sweeps.spec import Point
from simdesk.metrics.verdicts import Verdict
from simdesk.simulation import SimulationResult

ONE_REPLICATION = ("one replication: no confidence interval, so the mean is judged; "
                   "run 2 or more (20 for tight intervals) to judge the conservative bound")


def verdict_table(verdicts: Sequence[Verdict], title: str | None = None) -> Table:
    """The pass/fail table."""
    if title is None:
        title = ("Expectations (judged on the mean: no confidence interval)"
                 if verdicts and all(v.bound == "mean" for v in verdicts) else
                 "Expectations (judged on the conservative end of the 95 % CI)")
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in ("Expectation", "Measured on", "Mean", "Judged on", "Value", "Target",
                   "Result"):
        right = column in ("Mean", "Value")
        table.add_column(column, justify="right" if right else "left", no_wrap=True)
    for verdict in verdicts:
        e = verdict.expectation
        result = "[green]PASS[/]" if verdict.passed else "[red]FAIL[/]"
        judged = verdict.judged_on
        if verdict.note:
            judged = f"{judged} [dim]({escape(verdict.note)})[/]"
        table.add_row(escape(e.text), escape(e.where), e.format(verdict.mean), judged,
                      e.format(verdict.value), escape(e.target_text), result)
    if any(v.bound == "mean" and v.replications == 1 for v in verdicts):
        table.caption = ONE_REPLICATION
    return table


def met_line(verdicts: Sequence[Verdict]) -> str:
    """``3 of 3 expectations met`` (green) or ``1 of 3 expectations met`` (red)."""
    met = sum(v.passed for v in verdicts)
    colour = "green" if met == len(verdicts) else "red"
    return f"[{colour}]{met} of {len(verdicts)} expectations met[/]"


def failure_line(verdict: Verdict) -> str:
    """One line for a failed expectation, e.g. for ``--quiet``."""
    e = verdict.expectation
    text = (f"[red]FAIL[/] {escape(e.text)}: {verdict.judged_on} "
            f"{e.format(verdict.value)} (mean {e.format(verdict.mean)})")
    return f"{text}, {escape(verdict.note)}" if verdict.note else text


def print_check(console: Console, result: SimulationResult, verdicts: Sequence[Verdict],
                quiet: bool = False) -> None:
    """What the run was, the table and the final line; when ``quiet``, only the failures
    and that line."""
    if quiet:
        for verdict in verdicts:
            if not verdict.passed:
                console.print(failure_line(verdict), highlight=False)
    else:
        console.print(describe_run(result), highlight=False)
        console.print(verdict_table(verdicts))
    console.print(met_line(verdicts), highlight=False)


def sweep_check_table(points: Sequence[Point], verdicts: Mapping[str, Sequence[Verdict]],
                      expectations: Sequence[str]) -> Table:
    """One row per point: its values, then each expectation's judged value and PASS/FAIL."""
    table = Table(title="Expectations at every point (judged on the conservative end of the "
                        "95 % CI)", title_justify="left", header_style="bold")
    table.add_column("#", justify="right")
    names = [name for name, _ in points[0].assignments] if points else []
    for name in names:
        table.add_column(escape(name), justify="right")
    for text in expectations:
        table.add_column(escape(text), justify="right")
    table.add_column("All met")
    for point in points:
        cells = [str(point.index)] + [escape(str(v)) for _, v in point.assignments]
        found = verdicts.get(point.key)
        if found is None:
            table.add_row(*cells, *["—"] * len(expectations), "[yellow]not run[/]")
            continue
        marks = [f"{escape(v.expectation.format(v.value)) if v.value == v.value else '—'} "
                 f"{'[green]PASS[/]' if v.passed else '[red]FAIL[/]'}" for v in found]
        every = all(v.passed for v in found)
        table.add_row(*cells, *marks, "[green]yes[/]" if every else "[red]no[/]")
    return table
