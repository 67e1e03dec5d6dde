"""Slugs: the one place that turns labels and titles into URL segments."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+")
# Device names Windows reserves in every folder, with any extension ("con.html"
# too), in any case; the superscript digits count as well.  A site holding
# one cannot be checked out or unzipped there.
_RESERVED = {"con", "prn", "aux", "nul", "conin$", "conout$",
             *(f"{d}{i}" for d in ("com", "lpt") for i in "0123456789\u00b9\u00b2\u00b3")}
# Characters Windows refuses in a file name.
_WINDOWS_BAD = re.compile(r'[<>:"|?*\x00-\x1f]')
MAX_SLUG = 80


def slugify(text: str) -> str:
    """Lower-case, ASCII-folded where possible, words joined by ``-``.

    Letters without an ASCII form (Cyrillic...) are kept, so a Russian
    headline still gets a readable slug.  May return ``""``: callers decide
    what an empty slug means.  Never a name Windows reserves: "aux" as a tag
    or "NUL" as an agency becomes ``aux_``, ``nul_`` (slug_words keeps them,
    for callers that fall back to something else instead).
    """
    slug = slug_words(text)
    if is_reserved(slug):
        # Slugs never hold "_" (slug_words makes it "-"), so "aux_" cannot be
        # another label's slug, and slugify("aux_") is "aux_" again.
        slug += "_"
    return slug


def slug_words(text: str) -> str:
    """slugify without the guard against Windows' reserved names."""
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


def is_reserved(name: str) -> bool:
    """True when Windows reserves ``name`` as a device (``con``, ``LPT1.txt``...)."""
    return name.split(".", 1)[0].rstrip(" ").casefold() in _RESERVED


def invisible(text: str) -> str | None:
    """The first character of ``text`` that shows as nothing or reorders the
    text around it (zero-width and bidirectional controls, other format and
    control characters, non-ASCII spaces), as ``U+202E RIGHT-TO-LEFT
    OVERRIDE``; None when there is none.

    "report\u202egpj.exe" displays as "reportexe.jpg", and "news\u200b" as
    "news": in a URL or a folder name such a character only deceives.
    """
    for ch in text:
        if ch.isascii():
            continue
        if unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp", "Co", "Cs"):
            name = unicodedata.name(ch, "unnamed character")
            return f"U+{ord(ch):04X} {name}"
    return None


def check_slug(slug: str) -> str | None:
    """Return why ``slug`` is not a safe single URL segment, or None when it is."""
    if not slug:
        return "the slug is empty"
    if slug in {".", ".."} or "/" in slug or "\\" in slug or "\x00" in slug:
        return "a slug must be one path segment without '/', '\\', '..' or NUL"
    if is_reserved(slug):
        return (f"'{slug}' is a reserved file name on Windows "
                f"({slug.split('.', 1)[0].upper()}, with any extension)")
    if slug.startswith("."):
        return "a slug must not start with '.'"
    if slug.endswith((".", " ")):
        return "a slug must not end with '.' or a space (Windows drops them)"
    hidden = invisible(slug)
    if hidden:
        return (f"it contains the invisible or direction-changing character {hidden}, "
                "which makes the slug look like another")
    bad = _WINDOWS_BAD.search(slug)
    if bad:
        return f"it contains {bad.group()!r}, which Windows does not allow in a file name"
    return None
