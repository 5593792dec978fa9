"""Form edits change one scalar of the YAML text and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simdesk.errors import SimdeskError
from simdesk.studio.textedit import set_value, value_at

REPO = Path(__file__).resolve().parents[2]
SAAS = (REPO / "scenarios" / "saas-startup.yaml").read_text(encoding="utf-8")


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
            if a != b]


def test_a_count_in_a_flow_mapping_keeps_the_comment() -> None:
    after = set_value(SAAS, ("tiers", "L1", "agents", 0, "count"), 3)
    assert changed_lines(SAAS, after) == [
        ('      - {shift: "Mon-Fri 07:30-15:30", count: 1}  # clears the overnight email first',
         '      - {shift: "Mon-Fri 07:30-15:30", count: 3}  # clears the overnight email first')]
    assert yaml.safe_load(after)["tiers"]["L1"]["agents"][0]["count"] == 3


@pytest.mark.parametrize(("path", "value"), [
    (("tiers", "L1", "agents", 1, "shift"), "Mon-Fri 08:00-17:00"),  # was double-quoted
    (("channels", "chat", "sla", "target"), "85%"),
    (("arrivals", 1, "rate"), "6/h"),
    (("routing", "policy"), "paid-first"),
    (("tiers", "L2", "rotation", "pool"), 4),
    (("name",), "x: y # not a comment"),  # needs quotes to stay one value
    (("warmup",), "2d"),
    (("tiers", "L2", "rotation", "availability"), "it's 50%"),
])
def test_each_value_reads_back_and_only_its_line_changes(path: tuple[str | int, ...],
                                                         value: object) -> None:
    after = set_value(SAAS, path, value)
    assert value_at(after, path) == value
    assert len(changed_lines(SAAS, after)) == 1
    assert SAAS.count("#") <= after.count("#")  # no comment lost


def test_quotes_are_kept() -> None:
    after = set_value(SAAS, ("tiers", "L1", "agents", 1, "shift"), "Mon-Fri 08:00-17:00")
    assert '{shift: "Mon-Fri 08:00-17:00", count: 1}' in after
    text = "a: 'x'\nb: 1.5\n"
    assert set_value(text, ("a",), "y") == "a: 'y'\nb: 1.5\n"
    assert set_value(text, ("b",), 2.25) == "a: 'x'\nb: 2.25\n"


@pytest.mark.parametrize("path", [("nope",), ("tiers", "L1"), ("arrivals", 9, "rate"),
                                  ("tiers", 0)])
def test_only_existing_scalars_change(path: tuple[str | int, ...]) -> None:
    with pytest.raises(SimdeskError):
        set_value(SAAS, path, 1)


def test_text_that_does_not_parse_is_refused() -> None:
    with pytest.raises(SimdeskError, match="does not parse"):
        set_value("a: [1,\n", ("a",), 2)
