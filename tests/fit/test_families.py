"""Maximum-likelihood fits: AIC picks the family that made the data; the standard errors
give intervals that cover the truth as often as they say; grouping by BIC."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simdesk.fit.families import best_by_aic, fit_families, fit_gamma, gamma_shape
from simdesk.fit.handles import GroupFit, fit_tier
from simdesk.scenario.distributions import Exponential, Gamma, Lognormal

TRUTHS = {
    "exponential": Exponential(dist="exponential", mean="6m"),
    "lognormal": Lognormal(dist="lognormal", mean="6m", cv=0.6),
    "gamma": Gamma(dist="gamma", mean="6m", cv=0.6),
}


def _binomial_floor(expected: float, trials: int, alpha: float = 1e-3) -> float:
    """The lowest share of successes that is not a surprise at level ``alpha``."""
    return float(stats.binom.ppf(alpha, trials, expected)) / trials


@pytest.mark.parametrize("family", list(TRUTHS))
def test_aic_chooses_the_family_that_made_the_data(family: str) -> None:
    """20 samples of 2,000 values each. Lognormal and gamma at cv 0.6 are far apart at this
    size (nearly always told apart). Exponential data are a gamma with shape 1, so gamma's
    extra parameter wins when twice its log-likelihood gain exceeds 2: P(χ²₁ > 2) = 16 %;
    exponential should win ~84 % of the time."""
    rng = np.random.default_rng(11)
    trials = 20
    chosen = [best_by_aic(fit_families(TRUTHS[family].sample(rng, 2000))).family
              for _ in range(trials)]
    rate = chosen.count(family) / trials
    expected = 1 - stats.chi2.sf(2, 1) if family == "exponential" else 0.99
    assert rate >= _binomial_floor(expected, trials), (family, chosen)


@pytest.mark.parametrize("family", ["lognormal", "gamma"])
def test_intervals_of_mean_and_cv_cover_the_truth_at_their_level(family: str) -> None:
    """The 95 % intervals from the delta-method standard errors contain the true mean
    and cv in about 95 % of 300 samples of 400 (a binomial check at the 0.1 % level)."""
    rng = np.random.default_rng(12)
    truth = TRUTHS[family]
    trials = 300
    hits = {"mean": 0, "cv": 0}
    for _ in range(trials):
        fitted = fit_families(truth.sample(rng, 400), (family,))[family]
        low, high = fitted.interval("mean")
        hits["mean"] += low <= truth.mean <= high
        low, high = fitted.interval("cv")
        hits["cv"] += low <= 0.6 <= high
    for what, count in hits.items():
        assert count / trials >= _binomial_floor(0.95, trials), (what, count)
        assert count / trials <= 1 - _binomial_floor(0.05, trials), (what, count)


def test_gamma_shape_solves_the_likelihood_equation() -> None:
    rng = np.random.default_rng(13)
    x = rng.gamma(2.5, 3.0, 5000)
    shape = gamma_shape(x)
    scipy_shape, _, _ = stats.gamma.fit(x, floc=0)
    assert shape == pytest.approx(scipy_shape, rel=1e-4)
    fitted = fit_gamma(x)
    assert fitted.log_likelihood == pytest.approx(
        float(np.sum(stats.gamma.logpdf(x, shape, scale=np.mean(x) / shape))), rel=1e-9)


def test_a_sample_no_family_fits_is_written_as_its_observed_values() -> None:
    """A two-humped sample (quick answers and long investigations) is rejected by every
    family; its empirical values keep the mean exactly."""
    rng = np.random.default_rng(14)
    x = np.sort(np.concatenate([rng.normal(2, 0.2, 3000), rng.normal(40, 3, 1000)]))
    group = GroupFit("", x, fit_families(x))
    assert group.empirical and group.chosen == "empirical"
    values = group.empirical_values()
    assert len(values) == 200
    assert float(np.mean(values)) == pytest.approx(float(np.mean(x)), rel=1e-9)
    spec = group.distribution()
    assert spec["dist"] == "empirical" and len(spec["values"]) == 200  # type: ignore[arg-type]


def test_bic_keeps_one_distribution_when_groups_do_not_differ() -> None:
    """The same distribution for every channel and topic: the grouping with the fewest
    parameters wins."""
    rng = np.random.default_rng(15)
    n = 3000
    work = pd.DataFrame({"work": rng.lognormal(1.5, 0.8, n),
                         "channel": rng.choice(["phone", "email"], n),
                         "topic": rng.choice(["a", "b", "c"], n)})
    fitted = fit_tier("L1", work)
    assert fitted.level == "tier"
    assert fitted.overrides == ()


def test_bic_splits_by_topic_when_only_topics_differ() -> None:
    rng = np.random.default_rng(16)
    n = 3000
    topic = rng.choice(["a", "b", "c"], n)
    scale = pd.Series(topic).map({"a": 1.0, "b": 2.5, "c": 5.0}).to_numpy()
    work = pd.DataFrame({"work": rng.gamma(2.0, 2.0, n) * scale,
                         "channel": rng.choice(["phone", "email"], n), "topic": topic})
    fitted = fit_tier("L1", work)
    assert fitted.level == "topic"
    by_key = {g.key: g for g in fitted.overrides}
    assert set(by_key) == {"a", "b", "c"}
    for key, factor in {"a": 1.0, "b": 2.5, "c": 5.0}.items():
        best = by_key[key].best
        assert abs(best.mean - 4 * factor) <= 3.5 * best.mean_se, (key, best.mean)
        assert best.family == "gamma"


def test_small_groups_fall_back_to_the_tiers_fit() -> None:
    rng = np.random.default_rng(17)
    topic = np.array(["big"] * 2000 + ["tiny"] * 10)
    work = pd.DataFrame({"work": np.concatenate([rng.exponential(3, 2000),
                                                 rng.exponential(30, 10)]),
                         "channel": "email", "topic": topic})
    fitted = fit_tier("L1", work)
    assert ("tiny", 10) in fitted.small or fitted.level == "tier"
    assert all(g.key != "tiny" for g in fitted.overrides)


def test_zero_work_times_are_raised_to_half_the_smallest() -> None:
    work = pd.DataFrame({"work": [0.0, 0.0, 1.0, 2.0, 3.0, 4.0] * 10, "channel": "email",
                         "topic": "a"})
    fitted = fit_tier("L1", work, ("tier",))
    assert fitted.zeros == 20
    assert fitted.handle.sample.min() == 0.5
    assert math.isfinite(fitted.handle.best.log_likelihood)
