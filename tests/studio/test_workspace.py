"""The studio reads and saves only inside the folder it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from simdesk.errors import SimdeskError
from simdesk.studio.workspace import Workspace


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    inside = tmp_path / "desk"
    (inside / "plans").mkdir(parents=True)
    (inside / "today.yaml").write_text("name: a  # kept\n", encoding="utf-8")
    (inside / "plans" / "b.yml").write_text("name: b\n", encoding="utf-8")
    (inside / "notes.txt").write_text("not a scenario", encoding="utf-8")
    (inside / ".hidden").mkdir()
    (inside / ".hidden" / "c.yaml").write_text("name: c\n", encoding="utf-8")
    (inside / "results").mkdir()
    (inside / "results" / "d.yaml").write_text("name: d\n", encoding="utf-8")
    (tmp_path / "secret.yaml").write_text("name: secret\n", encoding="utf-8")
    (inside / "link.yaml").symlink_to(tmp_path / "secret.yaml")
    (inside / "out").symlink_to(tmp_path, target_is_directory=True)
    return inside


def test_lists_the_scenarios_inside(folder: Path) -> None:
    workspace = Workspace(folder)
    assert workspace.files() == ["today.yaml", "plans/b.yml"]
    assert workspace.initial == "today.yaml"
    assert Workspace(folder / "plans" / "b.yml").root == (folder / "plans").resolve()


@pytest.mark.parametrize("name", ["../secret.yaml", "/etc/passwd.yaml", "link.yaml",
                                  "out/secret.yaml", "plans/../../secret.yaml", ".hidden/c.yaml",
                                  "notes.txt", "", "a\\b.yaml"])
def test_refuses_names_that_lead_out(folder: Path, name: str) -> None:
    workspace = Workspace(folder)
    with pytest.raises(SimdeskError):
        workspace.read(name)
    with pytest.raises(SimdeskError):
        workspace.write(name, "name: x\n")
    assert (folder.parent / "secret.yaml").read_text(encoding="utf-8") == "name: secret\n"


def test_saves_atomically_inside(folder: Path) -> None:
    workspace = Workspace(folder)
    assert workspace.read("today.yaml") == "name: a  # kept\n"
    written = workspace.write("plans/new plan.yaml", "name: n\n")
    assert written == folder.resolve() / "plans" / "new plan.yaml"
    assert workspace.read("plans/new plan.yaml") == "name: n\n"
    assert not list(folder.rglob("*.partial"))


def test_a_missing_target_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SimdeskError, match="no such file or folder"):
        Workspace(tmp_path / "nope")
    (tmp_path / "x.txt").write_text("", encoding="utf-8")
    with pytest.raises(SimdeskError, match=r"\.yaml or \.yml"):
        Workspace(tmp_path / "x.txt")
    with pytest.raises(SimdeskError, match="no scenario"):
        Workspace(tmp_path)
