"""Golden seeded outputs of every shipped scenario and sweep (issue 14: a refactor or a
speed-up changes no result).

``python -m tests.golden.record`` writes ``tests/golden/outputs.json``; the test
``tests/test_golden.py`` recomputes the same digests and compares them bit for bit. Run
the recorder only when a change is *meant* to change results, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
OUTPUTS = Path(__file__).with_name("outputs.json")
SEED = 1
REPLICATIONS = 2
SCENARIOS = sorted([*REPO.glob("scenarios/*.yaml"),
                    REPO / "examples" / "history" / "desk.yaml",
                    REPO / "examples" / "custom-policy" / "desk.yaml"])
SWEEPS = sorted(REPO.glob("sweeps/*.yaml"))
TABLES = ("tickets", "visits", "duty", "replies")


def frame_digest(frame: pd.DataFrame) -> str:
    """A digest of a table's values, dtypes and column names, exact to the bit."""
    digest = hashlib.sha256()
    digest.update(repr([(c, str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:20]


def summary_digest(summary: pd.DataFrame) -> str:
    """The summary as CSV with every float written exactly (repr)."""
    text = summary.to_csv(index=False, float_format="%r")
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def scenario_outputs(path: Path) -> dict[str, Any]:
    import simdesk
    from simdesk.policies.custom import allow_code

    allow_code()  # the custom-policy example is this repository's own code
    result = simdesk.simulate(simdesk.load_scenario(path), seed=SEED,
                              replications=REPLICATIONS)
    outputs = {"summary": summary_digest(result.summary)}
    for name in TABLES:
        outputs[name] = frame_digest(getattr(result, name))
    outputs["sla"] = {str(g): round(float(v), 12) for g, v in result.summary.loc[
        (result.summary["scope"] == "channel") & (result.summary["metric"] == "sla"),
        ["group", "mean"]].itertuples(index=False)}
    return outputs


def sweep_outputs(path: Path, folder: Path) -> dict[str, Any]:
    from simdesk.experiments import InProcess, load_sweep, run_sweep

    loaded = load_sweep(path)
    spec = type(loaded.spec).model_validate(loaded.spec.model_dump() | {"seed": SEED})
    seeded = type(loaded)(spec, loaded.file, loaded.base, loaded.base_file)
    outcome = run_sweep(seeded, folder, InProcess())
    summary = outcome.summary.sort_values(["point", "scope", "group", "metric"],
                                          ignore_index=True)
    return {"summary": summary_digest(summary), "points": len(outcome.points)}


def record_all(folder: Path) -> dict[str, Any]:
    outputs: dict[str, Any] = {"seed": SEED, "replications": REPLICATIONS, "scenarios": {},
                               "sweeps": {}}
    for path in SCENARIOS:
        outputs["scenarios"][str(path.relative_to(REPO))] = scenario_outputs(path)
    for path in SWEEPS:
        outputs["sweeps"][str(path.relative_to(REPO))] = sweep_outputs(
            path, folder / path.stem)
    return outputs


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        recorded = record_all(Path(tmp))
    OUTPUTS.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUTS}", file=sys.stderr)
