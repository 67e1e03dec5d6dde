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

INSTALL_HINT = "run `bash .ci/test` (it installs the test tools) and try again"


class ToolMissing(RuntimeError):
    """A tool the tests need is not installed. Never skipped: fails the test."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not installed: {INSTALL_HINT}")


__all__ = ["INSTALL_HINT", "NODE_DIR", "REPO_ROOT", "SHARED_DIR", "ToolMissing"]
