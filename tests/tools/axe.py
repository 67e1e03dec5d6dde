"""axe-core accessibility checks in a Playwright page.

axe-core comes from npm, installed by ``.ci/install-system-deps`` into
``.ci/.node/node_modules/axe-core``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.tools import NODE_DIR, ToolMissing

if TYPE_CHECKING:
    from playwright.sync_api import Page

SEVERE_IMPACTS = frozenset({"serious", "critical"})


def axe_script() -> Path:
    script = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        raise ToolMissing(f"axe-core (npm, expected at {script})")
    return script


def run_axe(page: Page, options: dict[str, Any] | None = None,
            context: str | None = None) -> list[dict[str, Any]]:
    """Run axe on the page's current document (or the part a ``context`` selector
    picks); returns serious/critical violations.

    Each item is axe's violation dict (``id``, ``impact``, ``help``, ``nodes``...).
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        "async ([ctx, opts]) => await axe.run(ctx || document, opts || {})",
        [context, options],
    )
    return [v for v in result["violations"] if v.get("impact") in SEVERE_IMPACTS]


def format_violations(violations: list[dict[str, Any]]) -> str:
    """Readable summary for assertion messages."""
    lines = []
    for v in violations:
        targets = ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
        lines.append(f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} ({targets})")
    return "\n".join(lines)
