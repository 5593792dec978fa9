"""Small sweeps for the tests: a base scenario and a sweep file written to a folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from tests.experiments.probe_policy import REFERENCE

REPO = Path(__file__).resolve().parents[2]


def desk(horizon: str = "2d", **overrides: Any) -> dict[str, Any]:
    """One phone channel, one tier of agents on a 24/7 shift (a list: key paths such as
    ``tiers.L1.agents[0].count`` reach into it)."""
    data: dict[str, Any] = {
        "name": "sweep test desk",
        "horizon": horizon,
        "warmup": "2h",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"}}},
        "arrivals": [{"channel": "phone", "rate": "20/h"}],
        "tiers": {"L1": {"agents": [{"shift": "Mon-Sun 00:00-24:00", "count": 3}],
                         "handle": {"dist": "exponential", "mean": "6m"}}},
    }
    data.update(overrides)
    return data


def probe_routing(sleep: float = 0.0, **options: Any) -> dict[str, Any]:
    """A ``routing:`` with the probe policy (its options can be swept)."""
    return {"policy": REFERENCE,
            "options": {"sleep": sleep, "crash": False, "fail": False,
                        "fail_while": None, "mark": None} | options}


def write_sweep(folder: Path, parameters: dict[str, list[Any]], *,
                base: dict[str, Any] | None = None, name: str = "sweep.yaml",
                **spec: Any) -> Path:
    """``folder/base.yaml`` and ``folder/<name>``; ``spec`` adds sweep keys (seed 7 and
    2 replications unless given)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(yaml.safe_dump(base or desk()), encoding="utf-8")
    document = {"scenario": "base.yaml", "parameters": parameters, "replications": 2,
                "seed": 7} | spec
    path = folder / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def summary(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "summary.parquet")


def markers(out: Path) -> dict[str, tuple[str, int]]:
    """Each finished point's marker (``points/_KEY.json``): its text and mtime in ns."""
    return {path.name: (path.read_text(encoding="utf-8"), path.stat().st_mtime_ns)
            for path in sorted((out / "points").glob("_*.json"))}


def replications_of(out: Path) -> dict[str, int]:
    """Each finished point's replications, from its marker."""
    return {record["key"]: record["replications"] for record in
            (json.loads(p.read_text(encoding="utf-8"))
             for p in (out / "points").glob("_*.json"))}
