"""Fixtures shared by every test tier."""

from __future__ import annotations

import pytest

from simdesk.policies.custom import ALLOW_CODE_ENV


@pytest.fixture
def code_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let scenarios name policy classes (as ``--allow-code`` does) for one test; the
    setting is restored afterwards, also when the test ran the CLI with ``--allow-code``."""
    monkeypatch.setenv(ALLOW_CODE_ENV, "1")


@pytest.fixture(autouse=True)
def _code_forbidden_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts as a user who has not allowed code; ``--allow-code`` given to
    the CLI inside a test does not leak into the next one."""
    monkeypatch.setenv(ALLOW_CODE_ENV, "0")
