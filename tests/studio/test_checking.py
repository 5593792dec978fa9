"""Live validation says what ``simdesk validate`` says, line and key included; every
shipped scenario gives a form whose fields read back from the text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from simdesk.cli import main
from simdesk.studio.checking import check_text
from simdesk.studio.form import field_value, form_groups, path_of, weekly_profile
from simdesk.studio.textedit import set_value, value_at

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted(path for path in [*REPO.glob("scenarios/*.yaml"),
                                   *REPO.glob("examples/**/*.yaml")]
                 if "\ntiers:" in path.read_text(encoding="utf-8"))  # not a shifts file


def cli_problems(path: Path) -> list[str]:
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    return [line.removeprefix("Error: ") for line in result.output.splitlines()
            if line.startswith("Error: ")]


@pytest.mark.parametrize("broken", [
    ("count: 1}  # clears", "count: x}  # clears"),
    ("routing: {policy: fifo}", "routing: {policy: fifoo}"),
    ("routing: {policy: fifo}", "routing: {policy: fifo"),
    ("horizon: 4w", "horizon: 4 fortnights"),
])
def test_the_same_messages_as_validate(tmp_path: Path, broken: tuple[str, str]) -> None:
    text = (REPO / "scenarios" / "saas-startup.yaml").read_text(encoding="utf-8")
    text = text.replace(*broken, 1)
    path = tmp_path / "saas-startup.yaml"
    path.write_text(text, encoding="utf-8")
    checked = check_text(text, str(path), tmp_path, allow_code=False)
    assert not checked.valid
    assert list(checked.problems) == cli_problems(path)
    assert all(re.match(rf"{re.escape(str(path))}:\d+: ", p) for p in checked.problems)


def test_policy_classes_need_allow_code(code_allowed: None) -> None:
    folder = REPO / "examples" / "custom-policy"
    text = (folder / "desk.yaml").read_text(encoding="utf-8")
    refused = check_text(text, "desk.yaml", folder, allow_code=False)
    assert refused.problems and all("--allow-code" in p for p in refused.problems)
    assert refused.problems[0].startswith("desk.yaml:")
    assert check_text(text, "desk.yaml", folder, allow_code=True).valid


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_scenario_has_a_form(path: Path, code_allowed: None) -> None:
    text = path.read_text(encoding="utf-8")
    checked = check_text(text, path.name, path.parent, allow_code=True)
    assert checked.valid, checked.problems
    assert checked.plan is not None
    groups = form_groups(checked.data)
    assert {g.section for g in groups} >= {"channels", "tiers", "routing"}
    for group in groups:
        for field in group.fields:
            assert path_of(field.key) == field.path
            assert value_at(text, field.path) == field.value
            same = set_value(text, field.path, field_value(field, field.value))
            assert same == text or value_at(same, field.path) == field.value
        if group.arrival is not None:
            hours, rates = weekly_profile(checked.plan, group.arrival)
            assert hours[0] >= 0 and hours[-1] <= 168 and (rates >= 0).all()
            assert len(hours) == len(rates)


def test_entered_values_become_yaml_values() -> None:
    groups = form_groups({"tiers": {"L1": {"agents": [{"shift": "Mon 08:00-09:00",
                                                       "count": 2}]}},
                          "channels": {"c": {"sla": {"within": 30, "target": "80%"}}}})
    fields = {f.label: f for g in groups for f in g.fields}
    count, within, target = (fields["group 1 agents"], fields["answered within"],
                             fields["target share"])
    assert field_value(count, 3.0) == 3 and field_value(count, -1) is None
    assert field_value(count, None) is None
    assert field_value(within, "45") == 45 and field_value(within, "1m") == "1m"
    assert field_value(target, " 85% ") == "85%" and field_value(target, "") is None
