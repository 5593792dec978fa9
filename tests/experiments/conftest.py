"""The sweep tests run the probe policy (tests/experiments/probe_policy.py): code is allowed."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _probe_policy_allowed(code_allowed: None) -> None:
    """The probe policy is this suite's own code."""
