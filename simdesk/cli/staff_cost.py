"""``staff --goal cost``: run the cost search, print it, write ``cost.csv`` and the
cheapest scenario."""

from __future__ import annotations

from pathlib import Path

from simdesk.cli.common import err_console, out_console, progress_bar
from simdesk.scenario.schema import Scenario


def staff_for_cost(scenario: Scenario, folder: Path, *, tiers: str | None,
                   seed: int | None, replications: int, workers: int, quiet: bool) -> None:
    """Find the cheapest shift-group counts and write ``cost.csv`` (the margins) and
    ``cheapest.yaml`` (the scenario with them) into ``folder``."""
    from simdesk.console.outcomes import cost_tables
    from simdesk.scenario.load import scenario_to_yaml
    from simdesk.staffing.cost import cost_staffing, margins_frame
    from simdesk.store.atomic import atomic_text
    from simdesk.store.results import write_csv

    with progress_bar(err_console(), "Cost search by simulation", quiet) as advance:
        answer = cost_staffing(scenario, tiers=tiers.split(",") if tiers else None,
                               seed=seed, replications=replications,
                               workers=max(workers, 1),
                               progress=lambda n: advance(n, 0))
    console = out_console()
    for part in cost_tables(answer):
        if quiet and not isinstance(part, str):
            continue
        console.print(part, highlight=False, soft_wrap=False)
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(margins_frame(answer), folder / "cost.csv")
    staffed = answer.staffed().model_copy(update={"seed": answer.seed})
    atomic_text(folder / "cheapest.yaml",
                f"# The cheapest staffing found by simdesk staff --goal cost (seed "
                f"{answer.seed}, {answer.replications} replications).\n"
                + scenario_to_yaml(staffed))
    console.print(f"Results written to {folder}/")
