"""Test-only helpers (browser, HTML validator, axe, feeds) and shared paths.

The tools these helpers drive are installed by ``bash .ci/test``; a missing
tool is a test failure that says so, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parents[2]

# The read-only shared folder: beside the repository (in CI, a copy beside
# the fresh clone). DIGEST_SHARED overrides it.
SHARED_DIR: Path = Path(os.environ.get("DIGEST_SHARED") or (REPO_ROOT.parent / "shared")).resolve()

# Where .ci/install-system-deps puts npm packages (axe-core).
NODE_DIR: Path = REPO_ROOT / ".ci" / ".node"

# Seconds a test waits before calling a run hung: far above any normal run
# on a loaded two-core machine, so it catches a hang or an exponential blow-up
# (an alias bomb expanded, a regex backtracking), never a mere slowdown.
# Tests do not assert speed: the benchmarks in tests/bench measure it.
HANG_GUARD = 60.0

INSTALL_HINT = "run `bash .ci/test` (it installs the test tools) and try again"


def shared_file(rel: str) -> Path:
    """A file of the shared folder, for the tests marked ``shared``.

    A user's plain clone has no ../shared: there such a test is skipped,
    saying why (the real sample's tests have a variant on a fixture of the
    repository that always runs; the enrichment differential tests need the
    shared corpus generator).  In CI (``CI`` set) the folder is there, and its absence fails.
    """
    import pytest  # tests/tools is imported by tools that run without pytest too

    path = SHARED_DIR / rel
    if path.is_file():
        return path
    message = (f"{path} is absent: it is the shared sample beside the repository "
               "(set DIGEST_SHARED to its folder)")
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must have it")
    pytest.skip(message + "; a plain clone skips this test (CI runs it)")


class ToolMissing(RuntimeError):
    """A tool the tests need is not installed. Never skipped: fails the test."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not installed: {INSTALL_HINT}")


__all__ = ["HANG_GUARD", "INSTALL_HINT", "NODE_DIR", "REPO_ROOT", "SHARED_DIR", "ToolMissing", "shared_file"]
