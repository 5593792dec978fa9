"""A scenario is data: a ``module:Class`` policy is imported only when the user allows
code, and only a class that implements the policy protocol is built."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from simdesk.cli import main

DESK = {
    "name": "code in a scenario",
    "horizon": "1d",
    "channels": {"chat": {"sla": {"within": "5m", "target": "80%"}}},
    "arrivals": [{"channel": "chat", "rate": "5/h"}],
    "tiers": {"L1": {"agents": 2, "handle": {"dist": "exponential", "mean": "5m"}}},
}

GOOD = """
from simdesk.policies import ChoosingPolicy

class Oldest(ChoosingPolicy):
    name = "oldest"
    def choose(self, waiting, agent, now):
        return waiting[0]

class WrongChoose(ChoosingPolicy):
    def choose(self, waiting):
        return None

class WrongQueue:
    name = "wrong"
    def queue(self, plan):
        return None

class Raises(ChoosingPolicy):
    def __init__(self):
        raise ValueError("boom")
    def choose(self, waiting, agent, now):
        return None

def not_a_class():
    return None
"""


def _scenario(folder: Path, routing: dict[str, object]) -> Path:
    path = folder / "desk.yaml"
    path.write_text(yaml.safe_dump({**DESK, "routing": routing}), encoding="utf-8")
    return path


def _validate(path: Path, *flags: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", str(path), *flags])
    return result.exit_code, result.stderr


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory apart from the scenario's folder."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_popen_from_a_scenario_runs_nothing_by_default(tmp_path: Path, elsewhere: Path) -> None:
    path = _scenario(tmp_path, {"policy": "subprocess:Popen",
                                "options": {"args": ["touch", str(tmp_path / "pwned")]}})
    code, err = _validate(path)
    assert code == 2 and not (tmp_path / "pwned").exists()
    assert "names Python code" in err and "--allow-code" in err and "Traceback" not in err


def test_popen_is_refused_even_when_code_is_allowed(tmp_path: Path, elsewhere: Path) -> None:
    """Allowing code allows policy classes, not any class: Popen has no queue()."""
    path = _scenario(tmp_path, {"policy": "subprocess:Popen",
                                "options": {"args": ["touch", str(tmp_path / "pwned")]}})
    code, err = _validate(path, "--allow-code")
    assert code == 2 and not (tmp_path / "pwned").exists()
    assert "'subprocess:Popen' is not a routing policy" in err


def test_a_policy_class_beside_the_scenario_runs_when_allowed(tmp_path: Path,
                                                              elsewhere: Path) -> None:
    (tmp_path / "code_in_scenarios_ok.py").write_text(GOOD, encoding="utf-8")
    sys.modules.pop("code_in_scenarios_ok", None)
    path = _scenario(tmp_path, {"policy": "code_in_scenarios_ok:Oldest"})
    code, err = _validate(path)
    assert code == 2 and "code_in_scenarios_ok" not in sys.modules
    code, err = _validate(path, "--allow-code")
    assert code == 0, err
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "-r", "1", "--seed", "1", "-q",
                                       "--out", str(out), "--allow-code"])
    assert result.exit_code == 0, result.output
    assert (out / "summary.csv").is_file()


@pytest.mark.parametrize(("name", "message"), [
    ("WrongChoose", "choose must take (waiting, agent, now)"),
    ("WrongQueue", "queue must take (plan, tier, agents)"),
    ("Raises", "could not be built with these options: ValueError: boom"),
    ("not_a_class", "is not a class"),
    ("Missing", "has no 'Missing'"),
])
def test_what_is_not_a_policy_class_is_named(tmp_path: Path, elsewhere: Path, name: str,
                                             message: str) -> None:
    (tmp_path / "code_in_scenarios_bad.py").write_text(GOOD, encoding="utf-8")
    sys.modules.pop("code_in_scenarios_bad", None)
    code, err = _validate(_scenario(tmp_path, {"policy": f"code_in_scenarios_bad:{name}"}),
                          "--allow-code")
    assert code == 2 and message in err and "Traceback" not in err, err


def test_options_the_class_does_not_take_are_refused_before_it_is_built(
        tmp_path: Path, elsewhere: Path) -> None:
    (tmp_path / "code_in_scenarios_opts.py").write_text(GOOD, encoding="utf-8")
    path = _scenario(tmp_path, {"policy": "code_in_scenarios_opts:Oldest",
                                "options": {"speed": 2}})
    code, err = _validate(path, "--allow-code")
    assert code == 2 and "does not take these options" in err


@pytest.mark.parametrize("body", ["import sys\nsys.exit(3)\n", "raise RuntimeError('x')\n",
                                  "this is not python\n"])
def test_a_module_that_fails_on_import_is_one_line_exit_2(tmp_path: Path, elsewhere: Path,
                                                          body: str) -> None:
    name = f"code_in_scenarios_fails_{abs(hash(body)) % 10_000}"
    (tmp_path / f"{name}.py").write_text(body, encoding="utf-8")
    code, err = _validate(_scenario(tmp_path, {"policy": f"{name}:Policy"}), "--allow-code")
    assert code == 2 and f"cannot import {name!r}" in err and "Traceback" not in err


def test_a_module_in_the_scenario_folder_cannot_shadow_an_installed_one(
        tmp_path: Path, elsewhere: Path) -> None:
    """The scenario's folder is searched last: its json.py is never imported."""
    (tmp_path / "json.py").write_text("raise SystemExit('shadowed')\n", encoding="utf-8")
    code, err = _validate(_scenario(tmp_path, {"policy": "json:JSONDecoder"}), "--allow-code")
    assert code == 2 and "'json:JSONDecoder' is not a routing policy" in err


def test_a_sweep_point_naming_popen_runs_nothing(tmp_path: Path, elsewhere: Path) -> None:
    base = _scenario(tmp_path, {"policy": "fifo"})
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump({
        "scenario": str(base), "replications": 1, "seed": 1,
        "parameters": {"routing": [
            {"policy": "fifo"},
            {"policy": "subprocess:Popen",
             "options": {"args": ["touch", str(tmp_path / "pwned")]}}]}}), encoding="utf-8")
    result = CliRunner().invoke(main, ["sweep", str(sweep), "--out", str(tmp_path / "out"),
                                       "-q"])
    assert result.exit_code != 0 and not (tmp_path / "pwned").exists()
    assert "names Python code" in result.stderr and "Traceback" not in result.output


def test_the_project_file_setting_allows_code(tmp_path: Path, elsewhere: Path) -> None:
    (tmp_path / "code_in_scenarios_proj.py").write_text(GOOD, encoding="utf-8")
    path = _scenario(tmp_path, {"policy": "code_in_scenarios_proj:Oldest"})
    assert _validate(path)[0] == 2
    (elsewhere / "pyproject.toml").write_text("[tool.simdesk]\nallow-code = true\n",
                                              encoding="utf-8")
    code, err = _validate(path)
    assert code == 0, err
