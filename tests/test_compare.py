"""`simdesk compare`: policies on the same tickets, paired differences, files, refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from rich.console import Console
from scipy import stats

from simdesk.cli import main
from simdesk.console.compare import print_comparison
from simdesk.errors import SimdeskError
from simdesk.experiments.compare import (
    DIFFERENCE_COLUMNS,
    Comparison,
    compare,
    resolve_policy,
)
from simdesk.metrics.catalogue import format_difference
from simdesk.metrics.stats import paired_interval, welch_interval
from simdesk.scenario import routing
from simdesk.scenario.load import load_scenario
from tests.helpers import scenario_dict


def two_segments(**overrides: Any) -> dict[str, Any]:
    """A loaded M/M/3 (90 %) with paid and free customers, chat and email, three topics."""
    data = scenario_dict(
        horizon="1d", warmup="2h",
        channels={"chat": {"sla": {"within": "2m", "target": "80%"},
                           "patience": {"dist": "exponential", "mean": "10m"}},
                  "email": {"sla": {"within": "1h", "target": "90%"}}},
        segments={"paid": "30%", "free": "70%"},
        topics={"howto": {"share": "50%", "effort": 0.6}, "bug": {"share": "20%", "effort": 2},
                "billing": {"share": "30%", "effort": 1}},
        arrivals=[{"channel": "chat", "rate": "20/h"}, {"channel": "email", "rate": "12.4/h"}],
        tiers={"L1": {"agents": 3, "handle": {"dist": "exponential", "mean": "5m"}}},
    )
    data.update(overrides)
    return data


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(two_segments(), ["fifo", "newest-first", "paid-first"], seed=5,
                   replications=6)


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(two_segments(horizon="12h")), encoding="utf-8")
    return path


# -- the library -----------------------------------------------------------------------


def test_every_policy_sees_the_same_tickets(comparison: Comparison) -> None:
    columns = ["replication", "ticket", "arrived", "channel", "segment", "topic"]
    fifo = comparison.results["fifo"].tickets[columns]
    assert fifo["replication"].nunique() == 6 and len(fifo) > 1000
    for label in ("newest-first", "paid-first"):
        other = comparison.results[label]
        assert other.policy == label and other.seed == 5
        pd.testing.assert_frame_equal(other.tickets[columns], fifo)
    # ... while the routing does change who waits
    waits = [comparison.results[label].tickets["wait"] for label in comparison.labels]
    assert not waits[0].equals(waits[2])


def test_comparison_holds_every_run_and_a_policy_column(comparison: Comparison) -> None:
    assert comparison.labels == ["fifo", "newest-first", "paid-first"]
    assert comparison.baseline == "fifo" and comparison.seed == 5
    assert comparison.replications == 6 == comparison.scenario.replications
    assert list(comparison.scenario.policies) == comparison.labels
    assert comparison.summary.columns[0] == "policy"
    assert list(comparison.summary["policy"].unique()) == comparison.labels
    assert comparison.metrics.columns[0] == "policy"
    tickets = comparison.table("tickets")
    assert list(tickets["policy"].cat.categories) == comparison.labels
    assert len(tickets) == 3 * len(comparison.results["fifo"].tickets)


def test_differences_are_paired_student_t_intervals(comparison: Comparison) -> None:
    differences = comparison.differences
    assert list(differences.columns) == DIFFERENCE_COLUMNS
    assert set(differences["policy"]) == {"newest-first", "paid-first"}
    assert set(differences["baseline"]) == {"fifo"}
    assert set(differences["scope"]) == {"overall", "channel", "segment", "topic"}
    metrics = comparison.metrics
    for scope, group, metric in [("segment", "paid", "sla"), ("overall", "all", "wait_mean"),
                                 ("channel", "chat", "abandonment"),
                                 ("topic", "bug", "resolution_mean")]:
        rows = metrics.loc[(metrics["scope"] == scope) & (metrics["group"] == group)
                           & (metrics["metric"] == metric)]
        by_policy = rows.pivot(index="replication", columns="policy", values="value")
        d = (by_policy["paid-first"] - by_policy["fifo"]).to_numpy()
        n = len(d)
        half = stats.t.ppf(0.975, n - 1) * d.std(ddof=1) / math.sqrt(n)
        row = differences.loc[(differences["scope"] == scope) & (differences["group"] == group)
                              & (differences["metric"] == metric)
                              & (differences["policy"] == "paid-first")].iloc[0]
        assert row["mean_difference"] == pytest.approx(d.mean(), abs=1e-12)
        assert row["ci_low"] == pytest.approx(d.mean() - half, abs=1e-9)
        assert row["ci_high"] == pytest.approx(d.mean() + half, abs=1e-9)
        assert row["replications"] == n == 6
        significant = d.mean() - half > 0 or d.mean() + half < 0
        assert row["significant"] == significant
        higher_is_better = metric == "sla"
        expected = ("" if not significant
                    else "paid-first" if (d.mean() > 0) == higher_is_better else "fifo")
        assert row["better"] == expected
    # paying customers are answered sooner when they go first
    paid = differences.loc[(differences["group"] == "paid") & (differences["metric"] == "sla")
                           & (differences["policy"] == "paid-first")].iloc[0]
    assert paid["significant"] and paid["better"] == "paid-first"


def test_pairing_gives_much_narrower_intervals_than_independent_runs() -> None:
    # Measured over seeds 1-5 with 20 replications of 1 and 2 days: the paired
    # half-width of the overall mean wait is 3 %-8 % of Welch's (work conservation
    # makes the two policies' overall waits move together), so 25 % leaves a wide margin.
    data = scenario_dict(horizon="1d", warmup="2h", segments={"paid": "30%", "free": "70%"},
                         arrivals=[{"channel": "phone", "rate": "32.4/h"}],
                         tiers={"L1": {"agents": 3,
                                       "handle": {"dist": "exponential", "mean": "5m"}}})
    result = compare(data, ["fifo", "paid-first"], seed=3, replications=20)

    def half_width(frame: pd.DataFrame) -> float:
        row = frame.loc[(frame["scope"] == "overall") & (frame["metric"] == "wait_mean")]
        return float((row["ci_high"] - row["ci_low"]).iloc[0] / 2)

    paired, unpaired = half_width(result.differences), half_width(result.unpaired_differences())
    assert 0 < paired < 0.25 * unpaired


def test_welch_interval_matches_scipy() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(10, 2, 12), rng.normal(9, 5, 7)
    interval = welch_interval(a, b)
    test = stats.ttest_ind(a, b, equal_var=False)
    low, high = test.confidence_interval(0.95)
    assert interval.mean == pytest.approx(a.mean() - b.mean())
    assert (interval.low, interval.high) == (pytest.approx(low), pytest.approx(high))
    assert interval.count == 7


def test_intervals_with_too_few_values_are_nan_and_not_significant() -> None:
    one = paired_interval([0.3, math.nan], [0.0, 0.0])
    assert one.mean == 0.3 and math.isnan(one.low) and not one.significant
    assert math.isnan(paired_interval([], []).mean)
    same = paired_interval([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert (same.low, same.high) == (0.0, 0.0) and not same.significant
    assert paired_interval([2.0, 3.0, 4.0], [1.0, 2.0, 3.0]).significant
    assert math.isnan(welch_interval([1.0], [2.0, 3.0]).low)


def test_policy_names_resolve_named_then_own_then_builtin_then_custom() -> None:
    scenario = load_scenario(two_segments(
        routing={"policy": "paid-first", "promote_after": "1h"},
        policies={"fifo": {"policy": "newest-first"},
                  "aging": {"policy": "paid-first", "promote_after": "30m"}}))
    assert resolve_policy(scenario, "fifo") == routing.NewestFirst(policy="newest-first")
    assert resolve_policy(scenario, "aging") == scenario.policies["aging"]
    assert resolve_policy(scenario, "paid-first") == scenario.routing
    assert resolve_policy(scenario, "cherry-pick") == routing.CherryPick(policy="cherry-pick")
    custom = resolve_policy(scenario, "my_module:MyPolicy")
    assert isinstance(custom, routing.Custom) and custom.options == {}
    unknown = r"unknown policy 'agin'; valid: fifo, aging, newest-first, .*'aging'\?\)$"
    with pytest.raises(SimdeskError, match=unknown):
        resolve_policy(scenario, "agin")


def test_no_seed_draws_one_seed_for_every_policy() -> None:
    result = compare(scenario_dict(horizon="4h"), "fifo, newest-first", replications=1)
    assert result.labels == ["fifo", "newest-first"]
    assert result.results["fifo"].seed == result.results["newest-first"].seed == result.seed
    assert result.scenario.seed == result.seed
    assert result.differences["ci_low"].isna().all()
    assert not result.differences["significant"].any()


def test_worker_processes_do_not_change_the_comparison() -> None:
    data = two_segments(horizon="6h")
    alone = compare(data, ["fifo", "paid-first"], seed=4, replications=3)
    spread = compare(data, ["fifo", "paid-first"], seed=4, replications=3, workers=2)
    pd.testing.assert_frame_equal(alone.table("tickets"), spread.table("tickets"))
    pd.testing.assert_frame_equal(alone.differences, spread.differences)


def test_differences_render_compactly() -> None:
    assert format_difference("sla", 0.0281, 0.0069) == "+2.8pp ±0.7"
    assert format_difference("abandonment", -0.00001, 0.002) == "0.0pp ±0.2"
    assert format_difference("wait_mean", -94.0, 0.67) == "-1h34m ±40s"
    assert format_difference("wait_p90", 0.2, math.nan) == "+12s"


def test_the_printed_comparison_fits_160_columns(comparison: Comparison) -> None:
    console = Console(width=160, record=True, force_terminal=False)
    print_comparison(console, comparison)
    text = console.export_text()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 160
    assert "…" not in text  # nothing cut off
    assert lines[1] == ("Policies compared on the same tickets: fifo (baseline) against "
                        "newest-first, paid-first")
    for title in ("All tickets", "Channel chat", "Channel email", "Segment paid",
                  "Segment free", "SLA attainment by policy"):
        assert any(line.startswith(title) for line in lines), title
    assert "✓" in text and "✗" in text and "Δ " in text


# -- the command -----------------------------------------------------------------------


def test_compare_command_prints_and_writes_every_file(scenario_file: Path, tmp_path: Path
                                                      ) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(scenario_file), "--policies",
                                       "fifo,paid-first,newest-first", "-r", "3", "--seed", "2",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("test desk — 3 replication(s) of 12h")
    assert "SLA attainment by policy" in result.stdout
    assert result.stdout.rstrip().endswith(f"Results written to {out}/")
    for name in ("tickets", "visits", "duty"):
        frame = pd.read_parquet(out / f"{name}.parquet")
        assert frame.columns[0] == "policy", name
        assert list(frame["policy"].unique()) == ["fifo", "paid-first", "newest-first"]
    assert not (out / "replies.parquet").exists()
    summary = pd.read_csv(out / "summary.csv")
    assert summary.columns[0] == "policy" and summary["policy"].nunique() == 3
    differences = pd.read_csv(out / "comparison.csv")
    assert differences.drop(columns="unit").columns.tolist() == DIFFERENCE_COLUMNS
    assert differences.columns.tolist().index("unit") == DIFFERENCE_COLUMNS.index("metric") + 1
    assert set(differences.loc[differences["metric"] == "sla", "unit"]) == {"share"}
    assert set(differences["policy"]) == {"paid-first", "newest-first"}
    document = json.loads((out / "summary.json").read_text())
    assert document["seed"] == 2 and document["baseline"] == "fifo"
    assert list(document["policies"]) == ["fifo", "paid-first", "newest-first"]
    assert document["policies"]["paid-first"]["routing"]["policy"] == "paid-first"
    assert "sla" in document["policies"]["fifo"]["metrics"]["channel"]["chat"]
    assert set(document["differences"]) == {"paid-first", "newest-first"}
    resolved = yaml.safe_load((out / "scenario.yaml").read_text())
    assert resolved["seed"] == 2 and resolved["replications"] == 3
    assert list(resolved["policies"]) == ["fifo", "paid-first", "newest-first"]
    # the resolved scenario reproduces the comparison
    again = compare(out / "scenario.yaml", ["fifo", "paid-first", "newest-first"])
    tickets = pd.read_parquet(out / "tickets.parquet")
    pd.testing.assert_frame_equal(tickets, again.table("tickets"), check_dtype=False,
                                  check_categorical=False)


def test_compare_refuses_to_overwrite_and_quiet_prints_the_folder(scenario_file: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["compare", str(scenario_file), "-p", "fifo,newest-first", "-r", "1", "--seed", "1",
            "-o", str(out), "-q"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and first.stdout == f"Results written to {out}/\n"
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 2
    assert second.stderr.startswith(f"Error: {out} already holds results (scenario.yaml, ")
    assert CliRunner().invoke(main, [*args, "--overwrite"]).exit_code == 0


def test_default_folder_is_named_after_the_scenario(scenario_file: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(scenario_file), "-p", "fifo,newest-first",
                                       "-r", "1", "-q"])
    assert result.exit_code == 0
    folders = list((tmp_path / "results").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("test-desk-compare-")


@pytest.mark.parametrize(("policies", "message"), [
    ("fifo,cherypick", "unknown policy 'cherypick'; valid: fifo, newest-first, cherry-pick, "
                       "sla-deadline, paid-first, split, round-robin, skills, ninja, composed, or "
                       "'package.module:Class' for your own (did you mean 'cherry-pick'?)"),
    ("fifo", "compare needs at least two policies, got 1 (fifo); e.g. "
             "--policies fifo,paid-first"),
    ("fifo,paid-first,fifo", "policy 'fifo' is listed twice; give each policy once"),
    ("fifo,mine:", "'mine:': write your own policy as 'package.module:Class'"),
])
def test_bad_policies_exit_2_with_one_clear_line(scenario_file: Path, tmp_path: Path,
                                                 policies: str, message: str) -> None:
    out = tmp_path / "never"
    result = CliRunner().invoke(main, ["compare", str(scenario_file), "--policies", policies,
                                       "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
    assert not out.exists()


def test_compare_has_help_on_every_option() -> None:
    command = main.commands["compare"]
    assert command.help and "same tickets" in command.help
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            assert parameter.help, parameter.opts
    result = CliRunner().invoke(main, ["compare", "--help"])
    assert result.exit_code == 0 and "--policies" in result.output


# -- whole scenario files ------------------------------------------------------------


def _files(tmp_path: Path, base: dict[str, Any], **variants: dict[str, Any]) -> list[Path]:
    paths = [tmp_path / "today.yaml"]
    paths[0].write_text(yaml.safe_dump(base), encoding="utf-8")
    for name, data in variants.items():
        paths.append(tmp_path / f"{name}.yaml")
        paths[-1].write_text(yaml.safe_dump(data), encoding="utf-8")
    return paths


def test_two_files_are_paired_on_identical_tickets(tmp_path: Path) -> None:
    # Today's file against one with paid customers first (the desk of the policy test
    # above): only the plan differs, so every ticket's fate is drawn alike and the paired
    # half-width of the overall mean wait is a few % of Welch's. A roster change (3 → 4
    # agents) pairs less well — measured 0.45-0.65 of Welch's at seeds 1-4 — because
    # the two queues react differently to the same busy hours; docs/compare.md says so.
    data = scenario_dict(horizon="1d", warmup="2h", segments={"paid": "30%", "free": "70%"},
                         arrivals=[{"channel": "phone", "rate": "32.4/h"}],
                         tiers={"L1": {"agents": 3,
                                       "handle": {"dist": "exponential", "mean": "5m"}}})
    from simdesk.experiments.compare import compare_files

    paths = _files(tmp_path, data, paid_first=data | {"routing": {"policy": "paid-first"}})
    result = compare_files(paths, seed=3, replications=20)
    assert result.labels == ["today", "paid_first"]
    assert result.pairing["paid_first"].full
    today, other = result.table("tickets").groupby("policy", observed=True)
    assert np.array_equal(today[1]["arrived"].to_numpy(), other[1]["arrived"].to_numpy())

    def half_width(frame: pd.DataFrame) -> float:
        row = frame.loc[(frame["scope"] == "overall") & (frame["metric"] == "wait_mean")]
        return float((row["ci_high"] - row["ci_low"]).iloc[0] / 2)

    paired, unpaired = half_width(result.differences), half_width(result.unpaired_differences())
    assert 0 < paired < 0.25 * unpaired


def test_a_variant_changing_arrivals_is_partially_paired(tmp_path: Path) -> None:
    busier = two_segments(arrivals=[{"channel": "chat", "rate": "24/h"},
                                    {"channel": "email", "rate": "12.4/h"}])
    slower = two_segments(tiers={"L1": {"agents": 3,
                                        "handle": {"dist": "exponential", "mean": "6m"}}})
    from simdesk.experiments.compare import compare_files

    result = compare_files(_files(tmp_path, two_segments(), busier=busier, slower=slower),
                           seed=1, replications=2)
    assert not result.pairing["busier"].full
    assert "arrival times" in result.pairing["busier"].differ
    assert result.pairing["slower"].differ == ("handle times",)


def test_compare_files_command_writes_the_tables_and_says_what_is_paired(
        tmp_path: Path) -> None:
    refusing = two_segments(routing={"policy": "paid-first", "restrict": {"email": ["paid"]}})
    paths = _files(tmp_path, two_segments(horizon="12h"),
                   paid_only=refusing | {"horizon": "12h"})
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", *map(str, paths), "--seed", "2", "-r", "3",
                                       "-o", str(out), "--report"])
    assert result.exit_code == 0, result.output
    assert "Scenario files compared on common random numbers" in result.stdout
    assert "paid_only: identical tickets, fully paired" in result.stdout
    table = pd.read_csv(out / "comparison.csv")
    assert {"abandonment", "refused"} <= set(table["metric"])
    pairing = json.loads((out / "pairing.json").read_text(encoding="utf-8"))
    assert pairing["variants"]["paid_only"]["identical_tickets"]
    assert (out / "report.html").stat().st_size > 0
    assert (out / "scenarios" / "paid-only.yaml").is_file() or (
        out / "scenarios" / "paid_only.yaml").is_file()


def test_compare_needs_a_second_file_or_policies(scenario_file: Path) -> None:
    result = CliRunner().invoke(main, ["compare", str(scenario_file)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: compare needs a second scenario file")
    both = CliRunner().invoke(main, ["compare", str(scenario_file), str(scenario_file),
                                     "--policies", "fifo,paid-first"])
    assert both.exit_code == 2 and "not both" in both.stderr


def test_refused_is_shown_where_a_policy_turns_tickets_away() -> None:
    data = two_segments(policies={"paid-only": {"policy": "paid-first",
                                                "restrict": {"email": ["paid"]}}})
    result = compare(data, ["fifo", "paid-only"], seed=4, replications=3)
    rows = result.differences.loc[result.differences["metric"] == "refused"]
    assert len(rows) and (rows["mean_difference"] > 0).any()
    console = Console(width=160, record=True)
    print_comparison(console, result)
    assert "Refused" in console.export_text()


def test_a_policy_that_changes_nothing_is_said_so(comparison: Comparison) -> None:
    """paid-first on a desk without segments orders every queue as fifo: the comparison
    says so (and why), rather than a table of zero differences to puzzle over."""
    assert comparison.unchanged == []  # the loaded two-segment desk: every policy differs
    data = two_segments()
    data.pop("segments")
    same = compare(data, ["fifo", "paid-first", "newest-first"], seed=5, replications=3)
    assert same.unchanged == ["paid-first"]
    console = Console(width=100, record=True)
    print_comparison(console, same)
    text = console.export_text()
    assert "paid-first changed nothing" in text and "no segments to rank" in text
    assert "newest-first changed nothing" not in text
