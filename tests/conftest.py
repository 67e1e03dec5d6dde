"""Shared fixtures. Keep this small: helpers and constants live in tests/tools/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.tools.browser import launch_browser


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian chromium (Playwright ``Browser``) for the whole session."""
    with launch_browser() as b:
        yield b


@pytest.fixture
def page(browser):  # noqa: ANN001 - playwright Browser
    """A fresh page in its own context, closed after the test."""
    context = browser.new_context()
    p = context.new_page()
    try:
        yield p
    finally:
        context.close()
