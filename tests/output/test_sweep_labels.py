"""Sweep parameter labels: the shortest unique tail of each key path, the rest in a legend."""

from __future__ import annotations

from simdesk.console.labels import legend, short_labels


def test_shortest_unique_tails() -> None:
    paths = ["tiers.L1.agents[0].count", "tiers.L1.agents[1].count", "outcomes.churn",
             "outcomes.unhappy.late", "tiers.L2.handle.mean", "channels.chat.handle.mean"]
    labels = short_labels(paths)
    assert labels == {"tiers.L1.agents[0].count": "agents[0].count",
                      "tiers.L1.agents[1].count": "agents[1].count",
                      "outcomes.churn": "churn", "outcomes.unhappy.late": "late",
                      "tiers.L2.handle.mean": "L2.handle.mean",
                      "channels.chat.handle.mean": "chat.handle.mean"}
    assert len(set(labels.values())) == len(paths)
    assert "churn = outcomes.churn" in legend(labels)


def test_a_path_that_is_another_ones_tail_keeps_its_whole_name() -> None:
    labels = short_labels(["seed", "x.seed"])
    assert labels == {"seed": "seed", "x.seed": "x.seed"}
    assert legend({"seed": "seed"}) == ""
