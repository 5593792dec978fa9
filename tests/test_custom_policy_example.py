"""The runnable custom-policy example in examples/custom-policy works as documented."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import simdesk
from simdesk.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "custom-policy"


@pytest.mark.parametrize("policy", ["quick-wins", "chat-first"])
def test_the_example_policies_run_from_their_folder(policy: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    code_allowed: None) -> None:
    monkeypatch.chdir(EXAMPLE)
    scenario = simdesk.load_scenario("desk.yaml")
    routed = scenario.model_copy(update={"routing": scenario.policies[policy],
                                         "horizon": 3 * 1440.0})
    result = simdesk.simulate(routed, seed=1, replications=2)
    assert result.policy in ("quick-wins-first", "channel-priority")
    assert result.value("overall", "all", "tickets") > 100


def test_the_example_runs_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.chdir(EXAMPLE)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "desk.yaml", "--seed", "1", "-r", "1", "-q",
                                       "--out", str(out), "--allow-code"])
    assert result.exit_code == 0, result.output
    assert (out / "summary.csv").is_file()


def test_the_example_runs_from_the_repository_root(tmp_path: Path) -> None:
    """The module is found beside the scenario file, not only in the current directory."""
    result = CliRunner().invoke(main, ["validate", str(EXAMPLE / "desk.yaml"),
                                       "--allow-code"])
    assert result.exit_code == 0, result.output


def test_the_example_runs_no_code_unless_allowed(tmp_path: Path) -> None:
    sys.modules.pop("my_policies", None)
    result = CliRunner().invoke(main, ["validate", str(EXAMPLE / "desk.yaml")])
    assert result.exit_code == 2
    assert "names Python code" in result.stderr and "--allow-code" in result.stderr
    assert "my_policies" not in sys.modules  # refused before any import


def test_a_missing_policy_module_is_a_clear_error(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "my_policies", raising=False)
    text = (EXAMPLE / "desk.yaml").read_text(encoding="utf-8")
    (tmp_path / "desk.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "desk.yaml", "-r", "1", "-q", "--allow-code"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: policy 'my_policies:QuickWinsFirst': cannot import 'my_policies': "
        "ModuleNotFoundError: No module named 'my_policies'")
