"""Fixtures of the browser tests: one headless Chromium per pytest worker (see harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.harness import Chromium, open_chromium, require_chromium


@pytest.fixture(scope="session")
def _chromium_session() -> Iterator[Chromium]:
    yield from open_chromium()


@pytest.fixture
def chromium(_chromium_session: Chromium) -> Iterator[Chromium]:
    """The worker's Chromium; the pages a test opened are closed after it."""
    require_chromium()
    yield _chromium_session
    _chromium_session.close_pages()
