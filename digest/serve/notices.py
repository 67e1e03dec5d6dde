"""What `digest serve` prints about a build's warnings: what changed since the last one.

Cached articles carry their warnings, so every rebuild reports every warning
of the site again; a site with a few known warnings printed all of them on
each save, and the one a save had just caused was lost among them.  After
the first build, a rebuild prints one short line (how many are as before, how
many were resolved) and only the new warnings in full.

A warning is the same when its whole text is (``Diagnostic.format()``): one
that moves to another line is reported as resolved and new, which is where it
now is.  The order is fixed by file, line, column and text, not by the order
the build happened to find them in.
"""

from __future__ import annotations

from collections.abc import Iterable

from digest.errors import Diagnostic


def _order(diag: Diagnostic) -> tuple[str, int, int, str]:
    return diag.path or "", diag.line or 0, diag.column or 0, diag.format()


def _counted(count: int, text: str, noun: bool) -> str:
    """``3 warnings as before`` the first time the noun is needed, ``3 as before`` after."""
    if not noun:
        return f"{count} {text}"
    word = "warning" if count == 1 else "warnings"
    return f"{count} new {word}" if text == "new" else f"{count} {word} {text}"


class WarningLog:
    """The warnings of the last good build; :meth:`report` says what changed."""

    def __init__(self) -> None:
        self._last: list[str] | None = None

    def report(self, diagnostics: Iterable[Diagnostic]) -> list[str]:
        """The lines to print for a good build's diagnostics (each line may hold a hint)."""
        current = list(dict.fromkeys(d.format() for d in sorted(diagnostics, key=_order)))
        previous, self._last = self._last, current
        if previous is None:
            return current  # the first build: every warning in full
        before = set(previous)
        new = [text for text in current if text not in before]
        same = len(current) - len(new)
        resolved = len(before - set(current))
        parts = []
        for count, text in ((same, "as before"), (resolved, "resolved"), (len(new), "new")):
            if count:
                parts.append(_counted(count, text, noun=not parts))
        if not parts:
            return []
        summary = "; ".join(parts) + (":" if new else "")
        return [summary, *new]
