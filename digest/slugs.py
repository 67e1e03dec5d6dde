"""Slugs: the one place that turns labels and titles into URL segments."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
MAX_SLUG = 80


def slugify(text: str) -> str:
    """Lower-case, ASCII-folded where possible, words joined by ``-``.

    Letters without an ASCII form (Cyrillic...) are kept, so a Russian
    headline still gets a readable slug.  May return ``""``: callers decide
    what an empty slug means.
    """
    if text.isascii():
        # Every normalisation form leaves ASCII as it is and it has no
        # combining marks: skip the per-character loop (most file names).
        text = text.casefold()
    else:
        text = unicodedata.normalize("NFKC", text).replace("ё", "е").replace("Ё", "Е")
        folded = []
        for ch in unicodedata.normalize("NFKD", text):
            if unicodedata.combining(ch):
                continue
            folded.append(ch)
        text = unicodedata.normalize("NFC", "".join(folded)).casefold()
    text = text.replace("'", "").replace("\u2019", "")
    slug = _NON_WORD.sub("-", text).replace("_", "-").strip("-")
    slug = re.sub(r"-{2,}", "-", slug)
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug


def check_slug(slug: str) -> str | None:
    """Return why ``slug`` is not a safe single URL segment, or None when it is."""
    if not slug:
        return "the slug is empty"
    if slug in {".", ".."} or "/" in slug or "\\" in slug or "\x00" in slug:
        return "a slug must be one path segment without '/', '\\', '..' or NUL"
    if slug.casefold() in _RESERVED:
        return f"'{slug}' is a reserved file name on Windows"
    if slug.startswith("."):
        return "a slug must not start with '.'"
    return None
