"""Where a term is written: the lines term diagnostics point at.

The site-wide label choice (digest.site.enrich.spellings) and the term URL check
(digest.site.model.indexes.check_term_slugs) are pure and know articles, not
lines; the few files they report on are read again here for the line.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from digest.errors import Diagnostic, DigestError
from digest.site.enrich.spellings import FIELD_KEYS, Spellings, respelt


def spelling_warnings(spellings: Spellings, site_root: Path) -> list[Diagnostic]:
    """A warning for each file that spells a term otherwise than the label shown,
    at the line that writes it."""
    return [Diagnostic(severity="warning", code="term-spelling", path=found.path,
                       line=_term_line(site_root, found.path, found.taxonomy, found.spelling),
                       message=found.message(), hint=found.hint())
            for found in respelt(spellings)]


def at_term_line(diag: Diagnostic, site_root: Path) -> Diagnostic:
    """A model.indexes.check_term_slugs error ("<taxonomy>: ...") with its line."""
    if diag.code != "term-collision" or diag.path is None or diag.line is not None:
        return diag
    line = _term_line(site_root, diag.path, diag.message.partition(":")[0], None)
    return replace(diag, line=line)


def _term_line(site_root: Path, path: str, taxonomy: str, spelling: str | None) -> int | None:
    """The line of ``path`` that writes a term of ``taxonomy``: its front-matter
    key, else the first line holding ``spelling`` (a clipping's attribution or
    rubric); None when neither is found (or the file changed meanwhile)."""
    from digest.site.sources import frontmatter
    from digest.site.sources.text import decode

    try:
        text = decode((site_root / path).read_bytes(), path)
        line = frontmatter.split(text, path).key_lines.get(FIELD_KEYS.get(taxonomy, taxonomy))
    except (OSError, DigestError):
        return None
    if line is None and spelling:
        line = next((no for no, row in enumerate(text.split("\n"), 1)
                     if spelling in " ".join(row.split())), None)
    return line
