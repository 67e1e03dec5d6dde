"""Issue 8 (hardening) helpers.  Sites are written by the tests themselves.

The integration helpers (make_site, note, cli, run_digest, tree_hash...) are
reused; ``site``/``built_site`` are the same small three-note site.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.integration.conftest import (  # noqa: F401 - fixtures re-exported
    Run,
    built_site,
    leftovers,
    site,
    tree_hash,
)


def assert_failed_cleanly(run: Run, site_root: Path, before: dict[str, str],
                          code: int = 1) -> None:
    """Promise 1 + 3: non-zero exit, no traceback, a hint, output/ exactly as before."""
    assert run.code == code, run
    assert "Traceback" not in run.err, run
    assert "hint:" in run.err, run
    assert run.out == "", run
    assert tree_hash(site_root / "output") == before, run
    assert leftovers(site_root) == []


def error_lines(run: Run) -> list[str]:
    return [line for line in run.err.splitlines() if re.search(r": error: ", line)]
