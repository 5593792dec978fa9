"""The sweep file: key paths (typos, ranges, keys the schema knows), grid and zip, the
main metric, and the clear errors of each — every problem at once, with its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.errors import ScenarioError, SimdeskError
from simdesk.experiments import load_sweep
from simdesk.experiments.sweeps.keypath import get_path, parse_key_path, set_path
from simdesk.metrics.catalogue import in_scope
from tests.experiments.helpers import desk, write_sweep


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_sweep(path)
    return [str(p) for p in caught.value.problems]


def sweep_errors(path: Path, tmp_path: Path) -> list[str]:
    """The ``Error:`` lines of ``simdesk sweep`` (which exits 2 before any work)."""
    result = CliRunner().invoke(main, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "out").exists()
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


# -- key paths ---------------------------------------------------------------------------


def test_key_paths_parse_into_steps() -> None:
    assert parse_key_path("tiers.L1.agents[0].count") == ("tiers", "L1", "agents", 0, "count")
    assert parse_key_path("arrivals[-1].rate") == ("arrivals", -1, "rate")
    assert parse_key_path("matrix[1][2]") == ("matrix", 1, 2)
    with pytest.raises(SimdeskError, match="not a key path"):
        parse_key_path("tiers.L1.agents[x]")


def test_set_path_copies_and_leaves_the_base_alone() -> None:
    base = desk()
    changed = set_path(base, parse_key_path("tiers.L1.agents[0].count"), 9)
    assert get_path(changed, parse_key_path("tiers.L1.agents[0].count")) == 9
    assert base["tiers"]["L1"]["agents"][0]["count"] == 3


OPTIONAL = ("role, rotation, handle_by, topic_effort, resolves, escalate_to, channels, "
            "reopens, shrinkage, helpers, queue_limit, morale, helps, preempt")


def test_a_typo_is_reported_with_did_you_mean_and_its_line(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agent[0].count": [2, 3],
                                  "tiers.L1.handel.mean": ["5m", "6m"]})
    base = tmp_path / "base.yaml"
    assert problems(path) == [
        f"{path}:3: parameters.tiers.L1.agent[0].count: tiers.L1 has no key 'agent'; it has "
        f"agents, handle (and may have {OPTIONAL}) (did you mean 'agents'?) (in {base})",
        f"{path}:6: parameters.tiers.L1.handel.mean: tiers.L1 has no key 'handel'; it has "
        f"agents, handle (and may have {OPTIONAL}) (did you mean 'handle'?) (in {base})",
    ]


def test_an_index_out_of_range_is_an_error(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[1].count": [2, 3],
                                  "channels.phone[0]": [1]})
    assert problems(path) == [
        f"{path}:3: parameters.tiers.L1.agents[1].count: tiers.L1.agents has 1 item(s); [1] "
        f"is out of range (in {tmp_path / 'base.yaml'})",
        f"{path}:6: parameters.channels.phone[0]: channels.phone is not a list, so [0] does "
        f"not apply (in {tmp_path / 'base.yaml'})",
    ]


def test_a_key_the_schema_knows_may_be_added(tmp_path: Path) -> None:
    """The base scenario has no routing: routing.policy is added at each point."""
    path = write_sweep(tmp_path, {"routing.policy": ["fifo", "newest-first"],
                                  "tiers.L1.resolves": ["100%", "90%"]}, mode="zip")
    sweep = load_sweep(path)
    assert "routing" not in sweep.base
    data = [sweep.scenario_data(p) for p in sweep.points()]
    assert [d["routing"] for d in data] == [{"policy": "fifo"}, {"policy": "newest-first"}]
    assert [d["tiers"]["L1"]["resolves"] for d in data] == ["100%", "90%"]


def test_a_typo_in_a_key_to_add_suggests_the_schema_keys(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"routing.polcy": ["fifo"]})
    [problem] = problems(path)
    assert problem.startswith(f"{path}:3: parameters.routing.polcy: routing has no key "
                              "'polcy'; it may have ownership, owner_fallback, policy, ")
    assert problem.endswith(f"(did you mean 'policy'?) (in {tmp_path / 'base.yaml'})")


@pytest.mark.parametrize("key", ["seed", "replications"])
def test_what_the_sweep_sets_cannot_be_varied(tmp_path: Path, key: str) -> None:
    """A swept seed would be silently replaced by the sweep's own."""
    path = write_sweep(tmp_path, {key: [1, 2]})
    [problem] = problems(path)
    assert problem.startswith(f"{path}:3: parameters.{key}: cannot be varied: it is set by "
                              f"the sweep's {key}")


# -- grid and zip ------------------------------------------------------------------------


def values(path: Path) -> list[tuple[Any, ...]]:
    return [tuple(v for _, v in p.assignments) for p in load_sweep(path).points()]


def test_grid_is_every_combination_zip_the_lists_side_by_side(tmp_path: Path) -> None:
    parameters = {"tiers.L1.agents[0].count": [2, 3], "arrivals[0].rate": ["10/h", "20/h"]}
    grid = write_sweep(tmp_path, parameters, name="grid.yaml")
    zipped = write_sweep(tmp_path, parameters, name="zip.yaml", mode="zip")
    assert values(grid) == [(2, "10/h"), (2, "20/h"), (3, "10/h"), (3, "20/h")]
    assert values(zipped) == [(2, "10/h"), (3, "20/h")]
    keys = [p.key for p in load_sweep(grid).points()]
    assert keys[0].startswith("p0000-") and len(set(keys)) == 4
    assert keys == [p.key for p in load_sweep(grid).points()]  # stable across loads


def test_zip_with_unequal_lengths_names_the_lengths_on_the_mode_line(tmp_path: Path) -> None:
    write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2]})
    path = tmp_path / "zip.yaml"
    path.write_text("scenario: base.yaml\n"
                    "parameters:\n"
                    "  tiers.L1.agents[0].count: [2, 3]\n"
                    "  arrivals[0].rate: [10/h, 20/h, 30/h]\n"
                    "mode: zip\n"
                    "seed: 7\n", encoding="utf-8")
    assert sweep_errors(path, tmp_path) == [
        f"Error: {path}:5: mode: zip pairs the lists item by item, so they need the same "
        "length (tiers.L1.agents[0].count: 2, arrivals[0].rate: 3)"]


def test_every_problem_of_the_sweep_file_at_once(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": []}, replications=0,
                       precision="150%", metric="channel:phnoe.sla", expect=["sla >= 80%"],
                       replicatoins=3)
    errors = sweep_errors(path, tmp_path)
    assert len(errors) == 5, errors
    text = "\n".join(errors)
    assert "parameters.tiers.L1.agents[0].count" in text
    assert "replications" in text and "replicatoins" in text
    assert "precision" in text


@pytest.mark.parametrize(("metric", "message"), [
    ("channel:phnoe.sla", "channel has no group 'phnoe' in {base}; it has phone (did you "
                          "mean 'phone'?)"),
    ("channel:phone.sal", f"channel has no metric 'sal'; it has {', '.join(in_scope('channel'))}"
                          " (did you mean 'sla'?)"),
    ("tear:L1.utilization", "unknown scope 'tear'; write scope:group.metric with scope one "
                            "of overall, channel, segment, topic, tier, reply, helper, agent "
                            "(did you mean 'tier'?)"),
])
def test_the_main_metric_is_checked_before_any_run(tmp_path: Path, metric: str,
                                                   message: str) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2]}, metric=metric)
    assert problems(path) == [
        f"{path}:7: metric: {message.format(base=tmp_path / 'base.yaml')}"]


@pytest.mark.parametrize("metric", ["overall:all.sla", "sla", "channel:phone.wait_p90",
                                    "tier:L1.utilization", "topic:general.sla",
                                    "segment:default.abandonment", "reply:1.wait_mean"])
def test_metrics_the_results_have_are_accepted(tmp_path: Path, metric: str) -> None:
    load_sweep(write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2]}, metric=metric))


def test_cli_options_are_checked(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, {"tiers.L1.agents[0].count": [2]})
    for options, error in [
        (["--precision", "2%"], "Error: --precision applies to --replications auto"),
        (["-r", "auto", "--precision", "1"], "Error: --precision: 1 is not above 0% and "
                                             "below 100%"),
        (["-r", "many"], "Error: --replications: 'many' is not a number or 'auto'"),
        (["--resume"], "Error: --resume needs the --out folder"),
    ]:
        result = CliRunner().invoke(main, ["sweep", str(path), *options])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(error), (options, result.stderr)
