"""Patience from censored waits: the censored estimate recovers the true mean where the
naive average of the abandoned tickets' waits is biased low; both are shown."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simdesk.fit.patience import fit_channel, fit_patience, kaplan_meier
from simdesk.scenario.distributions import Weibull

Z = 3.5
"""Standard errors allowed (two-sided ~5e-4 per check)."""


def _censored(rng: np.random.Generator, patience: np.ndarray, offered_mean: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """Each customer would be answered after an exponential wait; they give up first if
    their patience is shorter. Returns what a help desk sees: (wait, gave up)."""
    offered = rng.exponential(offered_mean, len(patience))
    gave_up = patience < offered
    return np.where(gave_up, patience, offered), gave_up.astype(float)


def test_censored_exponential_recovers_the_mean_and_the_naive_average_does_not() -> None:
    """Patience exponential with mean 3 min, answers after exponential waits of mean 2 min:
    those who give up are the impatient ones, so their waits average E[P | P < W] =
    1 / (1/3 + 1/2) = 1.2 min. The censored estimate Σt/d is unbiased for 3."""
    rng = np.random.default_rng(21)
    t, events = _censored(rng, rng.exponential(3.0, 4000), 2.0)
    fitted = fit_channel("phone", t, events)
    exponential = fitted.fits["exponential"]
    assert exponential.mean == pytest.approx(float(t.sum() / events.sum()))
    assert abs(exponential.mean - 3.0) <= Z * exponential.mean_se
    assert abs(fitted.naive_mean - 1.2) <= Z * fitted.naive_se
    assert 3.0 - fitted.naive_mean > 20 * fitted.naive_se  # biased, and far beyond noise
    assert fitted.best.family == "exponential" or (
        abs(fitted.best.mean - 3.0) <= Z * fitted.best.mean_se)


def test_censored_weibull_recovers_mean_and_cv() -> None:
    """Chat visitors with Weibull patience (mean 6 min, cv 0.8), answered after waits of
    mean 4 min: the Weibull fit recovers both, AIC prefers it to the exponential, and the
    naive average is far below 6."""
    rng = np.random.default_rng(22)
    truth = Weibull(dist="weibull", mean="6m", cv=0.8)
    t, events = _censored(rng, truth.sample(rng, 6000), 4.0)
    fitted = fit_channel("chat", t, events)
    weibull = fitted.fits["weibull"]
    assert abs(weibull.mean - 6.0) <= Z * weibull.mean_se, weibull
    assert abs(weibull.cv - 0.8) <= Z * weibull.cv_se, weibull
    assert fitted.best.family == "weibull"
    assert 6.0 - fitted.naive_mean > 10 * fitted.naive_se
    assert fitted.distance < 0.03  # the fitted curve follows Kaplan–Meier
    assert fitted.distribution() == {"dist": "weibull", "mean": f"{weibull.mean:.2f}m",
                                     "cv": round(weibull.cv, 3)}


def test_censored_estimates_are_unbiased_over_many_histories() -> None:
    """Over 200 histories of 300 customers, the average censored estimate is within its
    standard error of the truth, and the naive average is not."""
    rng = np.random.default_rng(23)
    censored, naive = [], []
    for _ in range(200):
        t, events = _censored(rng, rng.exponential(3.0, 300), 2.0)
        censored.append(float(t.sum() / events.sum()))
        naive.append(float(t[events > 0].mean()))
    for values, expected, unbiased in ((censored, 3.0, True), (naive, 3.0, False)):
        mean = float(np.mean(values))
        se = float(np.std(values, ddof=1) / math.sqrt(len(values)))
        # Σt/d is a ratio estimator: its bias is O(1/d) (~1 % here), well inside 3.5 SE.
        assert (abs(mean - expected) <= Z * se) is unbiased, (mean, se)


def test_kaplan_meier_follows_the_true_survival() -> None:
    rng = np.random.default_rng(24)
    t, events = _censored(rng, rng.exponential(3.0, 5000), 2.0)
    curve = kaplan_meier(t, events)
    truth = np.exp(-curve.times / 3.0)
    inside = (curve.low <= truth) & (truth <= curve.high)
    assert inside.mean() > 0.9  # a pointwise 95 % band
    assert np.all(np.diff(curve.survival) <= 0)


def test_fit_patience_reads_answered_abandoned_and_waiting_tickets() -> None:
    """Answered tickets are censored at their pickup, still-waiting ones at the end of the
    export; turned-away tickets are left out; channels where nobody gave up get none."""
    tickets = pd.DataFrame({
        "channel": ["phone"] * 5 + ["email"] * 2,
        "state": ["answered", "abandoned", "waiting", "refused", "abandoned", "answered",
                  "answered"],
        "pickup_wait": [1.0, np.nan, np.nan, np.nan, np.nan, 30.0, 60.0],
        "abandon_wait": [np.nan, 2.0, np.nan, np.nan, 4.0, np.nan, np.nan],
        "open_for": [100.0, 100.0, 3.0, 100.0, 100.0, 100.0, 100.0],
    })
    fitted = fit_patience(tickets)
    assert set(fitted) == {"phone"}
    phone = fitted["phone"]
    assert (phone.tickets, phone.abandoned) == (4, 2)
    assert phone.fits["exponential"].mean == pytest.approx((1 + 2 + 3 + 4) / 2)
    assert phone.naive_mean == pytest.approx(3.0)
