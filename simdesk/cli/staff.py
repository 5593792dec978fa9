"""``erlang`` and ``staff``: how many agents a desk needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from simdesk.cli.common import (
    allow_code_option,
    err_console,
    out_console,
    progress_bar,
    reports_errors,
    unit_option,
)
from simdesk.errors import SimdeskError

FIGURE_UNITS = {
    "agents": "count", "rate": "per minute", "mean_handle": "minutes", "within": "minutes",
    "service_level": "share", "asa": "minutes", "p_wait": "share", "occupancy": "share",
    "abandonment": "share", "offered_load": "Erlang", "target": "share",
}
"""The unit of each number in ``erlang --json`` (the ``units`` key)."""


@click.command()
@click.option("--rate", required=True, metavar="RATE", help="Contacts arriving, e.g. 200/h.")
@click.option("--aht", required=True, metavar="DURATION",
              help="Average handle time, e.g. 3m.")
@click.option("--within", required=True, metavar="DURATION",
              help="Service-level time: answered within, e.g. 20s.")
@click.option("--agents", type=click.IntRange(1), default=None,
              help="Figures for this many agents.")
@click.option("--target", default=None, metavar="PERCENT",
              help="The fewest agents reaching this service level, e.g. 80% (default 80% "
                   "when --agents is not given).")
@click.option("--patience", default=None, metavar="DURATION",
              help="Mean patience of callers (exponential): Erlang A instead of Erlang C.")
@click.option("--table", "as_table", is_flag=True,
              help="Figures for a range of agent counts around the answer.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@reports_errors
def erlang(rate: str, aht: str, within: str, agents: int | None, target: str | None,
           patience: str | None, as_table: bool, as_json: bool) -> None:
    """Erlang C (Erlang A with --patience): service level, ASA, P(wait), occupancy and
    abandonment for a number of agents, or the agents needed for a target."""
    import json
    import math

    from simdesk.console.staffing import figures_table
    from simdesk.scenario.units import (
        format_percent,
        parse_duration,
        parse_percent,
        parse_rate,
    )
    from simdesk.staffing.calculator import agents_needed, figures, table

    per_minute = unit_option(parse_rate, "--rate")(rate) or 0.0
    handle = unit_option(parse_duration, "--aht")(aht) or 0.0
    answer_within = unit_option(parse_duration, "--within")(within) or 0.0
    mean_patience = unit_option(parse_duration, "--patience")(patience)
    goal = unit_option(parse_percent, "--target")(target)
    if mean_patience is not None and mean_patience <= 0:
        raise SimdeskError(f"--patience: must be above zero, got {patience!r} (leave it out "
                           "for Erlang C: callers who never hang up)")
    if agents is not None and goal is not None:
        raise SimdeskError("give --agents or --target, not both")
    if agents is None:
        answer = agents_needed(per_minute, handle, answer_within, goal or 0.8, mean_patience)
    else:
        answer = figures(per_minute, handle, answer_within, agents, mean_patience)
    rows = [answer]
    if as_table:
        stable = 1 if mean_patience is not None else math.floor(per_minute * handle) + 1
        low = max(1, stable, answer.agents - 4)
        rows = table(per_minute, handle, answer_within, range(low, answer.agents + 6),
                     mean_patience)
    if as_json:
        document: dict[str, Any] = {
            "answer": answer.as_dict(), "target": (goal or 0.8) if agents is None else None,
            "units": FIGURE_UNITS}
        if as_table:
            document["table"] = [row.as_dict() for row in rows]
        click.echo(json.dumps(document, indent=2, allow_nan=False))
        return
    console = out_console()
    wanted = goal or 0.8
    digits = max(1, len(format_percent(wanted).rstrip("%").partition(".")[2]) + 1)
    console.print(figures_table(rows, highlight=answer.agents, digits=digits))
    if agents is None:
        console.print(f"{answer.agents} agents reach {format_percent(wanted)} answered within "
                      f"{within}: service level {answer.service_level:.{digits}%}",
                      highlight=False)


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--interval", default="1h", show_default=True, metavar="DURATION",
              help="Staffing interval; it must divide a day (30m, 1h, 2h, ...).")
@click.option("--tiers", default=None, metavar="NAME,NAME",
              help="Tiers to staff (default: those answering customers first).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed: the same in every simulation (common random numbers).")
@click.option("--goal", type=click.Choice(["interval", "channel", "cost"]),
              default="interval", show_default=True,
              help="interval: every interval meets its target (the WFM convention); "
                   "channel: also the fewest agent-hours meeting each channel's target over "
                   "the whole horizon and every expect: (the run verdict); cost: the shift "
                   "group counts with the lowest staff + lost-customer cost (needs money:).")
@click.option("--replications", "-r", type=click.IntRange(2), default=5, show_default=True,
              help="Replications each simulation starts with.")
@click.option("--max-replications", type=click.IntRange(2), default=20, show_default=True,
              help="Replications a simulation may grow to while a verdict it needs is "
                   "undecided (its 95 % interval contains the target).")
@click.option("--tier-wait", default="1h", show_default=True, metavar="DURATION",
              help="For a staffed tier that answers nobody first: the most its queue may "
                   "make tickets wait on average.")
@click.option("--shifts", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Allowed shift patterns: also find the cheapest roster and verify it.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for staffing.csv and the staffed scenarios (default: "
                   "results/<scenario>-staffing-<timestamp>/).")
@click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
              help="Processes for the replications of each simulation (0: by expected "
                   "work, as run does).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary lines.")
@allow_code_option
@reports_errors
def staff(scenario: Path, interval: str, tiers: str | None, seed: int | None, goal: str,
          replications: int, max_replications: int, tier_wait: str, shifts: Path | None,
          out: Path | None, workers: int, quiet: bool) -> None:
    """Find, per interval of the week and per tier, the fewest agents that meet every
    channel's target by simulation, next to today's staffing and Erlang's answer;
    optionally the cheapest roster of allowed shifts, verified by simulating it."""
    from simdesk.console.staffing import (
        print_staffing,
        roster_table,
        shortfall_lines,
        staffing_summary,
        verdict_line,
    )
    from simdesk.plan.prepare import prepare
    from simdesk.scenario.units import parse_duration
    from simdesk.staffing.roster import load_roster_spec
    from simdesk.staffing.search import staff as find_staffing
    from simdesk.staffing.verify import roster_for, write_staffing
    from simdesk.store.results import default_results_dir, slug
    from simdesk.store.writable import check_writable

    loaded = prepare(scenario).scenario  # each staffing tried is compiled on its own
    folder = out or default_results_dir(f"{slug(loaded.name)}-staffing")
    check_writable(folder)  # before the work, not after
    if goal == "cost":
        from simdesk.cli.staff_cost import staff_for_cost

        staff_for_cost(loaded, folder, tiers=tiers, seed=seed, replications=replications,
                       workers=workers, quiet=quiet)
        return
    spec = load_roster_spec(shifts) if shifts is not None else None
    minutes = unit_option(parse_duration, "--interval")(interval) or 60.0
    if minutes != int(minutes):
        raise SimdeskError("--interval must be a whole number of minutes")
    errors = err_console()
    with progress_bar(errors, "Staffing by simulation", quiet) as advance:
        result = find_staffing(
            loaded, tiers=tiers.split(",") if tiers else None, interval=int(minutes),
            seed=seed, replications=replications, most=max_replications, goal=goal,
            tier_wait=unit_option(parse_duration, "--tier-wait")(tier_wait) or 60.0,
            workers=workers,
            progress=lambda n, what: advance(n, 0))
    console = out_console()
    if quiet:
        for line in staffing_summary(result):
            console.print(line, highlight=False, soft_wrap=False)
    else:
        print_staffing(console, result)
    rosters = None
    if spec is not None:
        rosters = roster_for(result, spec)
        for tier, roster in rosters.rosters.items():
            if not quiet:
                console.print(roster_table(tier, roster))
            for line in shortfall_lines(tier, roster, result):
                console.print(line, highlight=False)
        console.print(verdict_line(rosters.missed(result)), highlight=False)
    write_staffing(folder, result, rosters)
    console.print(f"Results written to {folder}/")
