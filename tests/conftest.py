"""Shared fixtures. Keep this small: helpers and constants live in tests/tools/."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
from hypothesis import settings

from tests.tools.browser import launch_browser

# The property tests (hypothesis) draw the same examples on every run, so a
# suite that passed here passes in CI; DIGEST_HYPOTHESIS_RANDOM=1 draws new
# ones to hunt for bugs (a random run found the `Draft: NO` crash), and a
# failure it finds becomes a plain regression test.
settings.register_profile("fixed", derandomize=True, database=None)
settings.register_profile("random")
settings.load_profile("random" if os.environ.get("DIGEST_HYPOTHESIS_RANDOM") else "fixed")

# A value the build cache cannot read back is an error in the tests (a
# warning in a user's build): digest.engine.cache.STRICT_ENV, inherited by the
# digest processes the tests start.
os.environ["DIGEST_CACHE_STRICT"] = "1"

# A suite started in the background by a script (`pytest ... &`, nohup) has
# SIGINT ignored, and an ignored signal stays ignored in every process it
# starts: the builds that tests interrupt with SIGINT (Ctrl-C) would not stop.
# A handled signal is reset to its default in a new program, so handling it
# here gives the builds under test the SIGINT a terminal would.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


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
