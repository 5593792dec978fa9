"""Results you can trust on resume, and files written whole or not at all.

A point file flipped, swapped, truncated or emptied, or a marker that names another
point, is rejected (moved to ``rejected/``) and the point recomputed: the summary is the
one a clean run gives. Temporary files are created exclusively under unpredictable names
and renamed over the target, so a planted symlink is never written through. A full disk
is a clear error with nothing half-written. CSV cells a spreadsheet would run are
neutralised."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from simdesk.errors import SimdeskError
from simdesk.experiments import InProcess, load_sweep, run_sweep
from simdesk.store.atomic import atomic_text, atomic_write
from simdesk.store.spreadsheet import neutralised
from tests.hostile.cases import saas

SMALL = saas("horizon: 4w", "horizon: 1w", saas("warmup: 1w", "warmup: 1d"))


def _sweep(folder: Path, values: str = "[1, 2, 3, 4, 5, 6]", extra: str = "") -> Path:
    (folder / "saas.yaml").write_text(SMALL, encoding="utf-8")
    path = folder / "w.yaml"
    path.write_text(f"scenario: saas.yaml\nparameters:\n  tiers.L1.agents[1].count: {values}\n"
                    f"replications: 2\nseed: 7\n{extra}", encoding="utf-8")
    return path


def _run(path: Path, out: Path) -> tuple[bytes, list[str]]:
    outcome = run_sweep(load_sweep(path), out, InProcess())
    return (out / "summary.csv").read_bytes(), outcome.rejected


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    folder = tmp_path_factory.mktemp("clean")
    path = _sweep(folder)
    summary, _ = _run(path, folder / "out")
    return path, summary


def _copy(clean: tuple[Path, bytes], tmp_path: Path) -> Path:
    import shutil

    path, _ = clean
    shutil.copytree(path.parent / "out", tmp_path / "out")
    return tmp_path / "out"


def test_tampered_points_are_rejected_and_recomputed(clean: tuple[Path, bytes],
                                                     tmp_path: Path) -> None:
    path, reference = clean
    out = _copy(clean, tmp_path)
    files = sorted((out / "points").glob("p*.parquet"))
    markers = sorted((out / "points").glob("_p*.json"))
    flipped = bytearray(files[0].read_bytes())
    flipped[len(flipped) // 2] ^= 0x01
    files[0].write_bytes(bytes(flipped))
    first, second = files[1].read_bytes(), files[2].read_bytes()
    files[1].write_bytes(second)
    files[2].write_bytes(first)
    files[3].write_bytes(files[3].read_bytes()[:100])
    files[4].write_bytes(b"")
    markers[5].write_text("{", encoding="utf-8")
    summary, rejected = _run(path, out)
    assert summary == reference
    assert len(rejected) == 6
    assert any("does not match its checksum" in r for r in rejected)
    assert any("cannot be read" in r for r in rejected)
    assert len(list((out / "rejected").iterdir())) == 12


def test_a_marker_naming_other_values_is_rejected(clean: tuple[Path, bytes],
                                                  tmp_path: Path) -> None:
    path, reference = clean
    out = _copy(clean, tmp_path)
    marker = sorted((out / "points").glob("_p*.json"))[0]
    meta = json.loads(marker.read_text(encoding="utf-8"))
    meta["values"] = {"tiers.L1.agents[1].count": 99}
    marker.write_text(json.dumps(meta), encoding="utf-8")
    summary, rejected = _run(path, out)
    assert summary == reference
    assert rejected and "other parameter values" in rejected[0]


def test_a_marker_without_checksums_is_not_trusted(clean: tuple[Path, bytes],
                                                   tmp_path: Path) -> None:
    path, reference = clean
    out = _copy(clean, tmp_path)
    marker = sorted((out / "points").glob("_p*.json"))[1]
    meta = json.loads(marker.read_text(encoding="utf-8"))
    del meta["sha256"]
    marker.write_text(json.dumps(meta), encoding="utf-8")
    summary, rejected = _run(path, out)
    assert summary == reference and "no checksums" in rejected[0]


def test_an_untouched_folder_resumes_with_nothing_rejected(clean: tuple[Path, bytes],
                                                           tmp_path: Path) -> None:
    path, reference = clean
    out = _copy(clean, tmp_path)
    summary, rejected = _run(path, out)
    assert summary == reference and rejected == []


def test_a_planted_symlink_is_never_written_through(clean: tuple[Path, bytes],
                                                    tmp_path: Path) -> None:
    path, reference = clean
    out = _copy(clean, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    for name in (".summary.csv.partial", ".summary.parquet.partial", "summary.csv"):
        (out / name).unlink(missing_ok=True)
        (out / name).symlink_to(victim)
    summary, _ = _run(path, out)
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (out / "summary.csv").is_symlink() and summary == reference


def test_the_temporary_file_is_created_exclusively(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    seen: list[Path] = []

    def write(partial: Path) -> None:
        seen.append(partial)
        assert partial.exists() and not partial.is_symlink()
        assert partial.name.startswith(".a.txt.") and partial.name.endswith(".partial")
        partial.write_text("x", encoding="utf-8")

    atomic_write(target, write)
    atomic_write(target, write)
    assert seen[0] != seen[1]  # unpredictable: a name planted in advance is not used
    assert target.read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def _no_space(partial: Path) -> None:
    partial.write_text("half", encoding="utf-8")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_is_an_error_and_leaves_nothing_simulated(tmp_path: Path) -> None:
    """ENOSPC simulated in the middle of a write (the tmpfs test below does it for real)."""
    target = tmp_path / "p.parquet"
    with pytest.raises(SimdeskError, match=r"cannot write .*p\.parquet: No space left"):
        atomic_write(target, _no_space)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_is_an_error_and_leaves_nothing_on_a_tmpfs(tmp_path: Path) -> None:
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(tmp_path)],
            capture_output=True, check=False).returncode != 0:
        pytest.skip("needs root to mount a tmpfs")
    try:
        with pytest.raises(SimdeskError, match="No space left on device"):
            atomic_text(tmp_path / "big.txt", "x" * 2**20)
        assert list(tmp_path.iterdir()) == []
    finally:
        subprocess.run(["umount", str(tmp_path)], check=False)


def test_an_empty_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SimdeskError, match="nothing was written"):
        atomic_write(tmp_path / "fit.yaml", lambda partial: None)
    assert list(tmp_path.iterdir()) == []


def test_a_point_that_cannot_be_written_is_not_finished(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    path = _sweep(tmp_path, "[1, 2]")
    original = pd.DataFrame.to_parquet

    def full(self: pd.DataFrame, target: object, *args: object, **kwargs: object) -> None:
        if "points" in str(target):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        original(self, target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    with pytest.raises(SimdeskError, match="No space left"):
        run_sweep(load_sweep(path), tmp_path / "out", InProcess())
    assert [p.name for p in (tmp_path / "out" / "points").iterdir()] == []


def test_formulas_are_neutralised_in_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": ["=1+1", "@SUM(A1)", "+cmd", "-2+3", "plain", "\tx"],
                          "value": [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                          "group": pd.Categorical(["=a", "b", "b", "b", "b", "b"])})
    safe = neutralised(frame)
    assert list(safe["name"]) == ["'=1+1", "'@SUM(A1)", "'+cmd", "'-2+3", "plain", "'\tx"]
    assert list(safe["value"]) == [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert list(safe["group"].cat.categories) == ["'=a", "b"]
    assert neutralised(frame.drop(columns=["name", "group"])) is not None


def test_a_sweep_summary_csv_holds_no_formula(tmp_path: Path) -> None:
    path = _sweep(tmp_path, "['=HYPERLINK(\"http://x\")', '@calc']").read_text(
        encoding="utf-8").replace("tiers.L1.agents[1].count", "name")
    (tmp_path / "w.yaml").write_text(path, encoding="utf-8")
    run_sweep(load_sweep(tmp_path / "w.yaml"), tmp_path / "out", InProcess())
    table = pd.read_csv(tmp_path / "out" / "summary.csv", dtype=str)
    cells = [v for column in table.columns for v in table[column].dropna()]
    assert not any(v.startswith(("=", "@", "+")) for v in cells)
    assert "'=HYPERLINK(\"http://x\")" in set(table["name"])
