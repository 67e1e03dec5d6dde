"""Hugo, Jekyll and Pelican keys that mean one of digest's fields.

An imported post keeps its meaning: Jekyll's ``published: false`` is a draft,
``description`` is the summary, ``redirect_from`` its old URLs (Hugo's
``aliases``), and so on.  A digest key in the same front
matter always wins; a mapped key is consumed (it does not also reach the
theme as ``article.extra``), a key that lost to a digest key stays there.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

# digest field <- the keys that mean it, first found wins
_SAME_AS = {
    "updated": ("last_modified_at", "lastmod", "modified"),
    "summary": ("description",),
    "aliases": ("redirect_from",),  # jekyll-redirect-from
}
# Every key this module reads: never reported as a misspelling (images ~ image).
COMPAT_KEYS = frozenset({"published", "images", *(k for ks in _SAME_AS.values() for k in ks)})


@lru_cache(maxsize=8)
def _folds(known: frozenset[str]) -> dict[str, str]:
    """casefolded key -> the known key (once per site's set, not per file)."""
    return {k.casefold(): k for k in sorted(known)}


def fold_keys(data: Mapping[str, Any], key_lines: Mapping[str, int], known: frozenset[str]
              ) -> tuple[dict[str, Any], dict[str, int]]:
    """Keys written in another case (``Title:``, ``Date:``, ``publishdate:``)
    read as the field they name, as Hugo and Pelican read front matter (both
    ignore the case of keys).  Only keys digest knows are folded; a key also
    written in its own case keeps the value written that way, and any other
    key (a theme's ``extra``) keeps its case."""
    by_fold = _folds(known)
    out, lines = dict(data), dict(key_lines)
    for key in list(out):
        if not isinstance(key, str):
            continue
        field = by_fold.get(key.casefold())
        if field is None or field == key or field in out:
            continue
        out[field] = out.pop(key)
        _line(lines, field, key)
    return out, lines


def compat_fields(data: Mapping[str, Any], key_lines: Mapping[str, int]
                  ) -> tuple[dict[str, Any], dict[str, int]]:
    """``data`` and ``key_lines`` with the other generators' keys mapped to digest's."""
    out, lines = dict(data), dict(key_lines)
    published = out.get("published")
    if isinstance(published, bool):  # Jekyll; a date here is Hugo's (see dates_compat)
        del out["published"]
        if "draft" not in out:
            out["draft"] = not published
            _line(lines, "draft", "published")
    for field, keys in _SAME_AS.items():
        for key in keys:
            if out.get(field) is None and out.get(key) is not None:
                out[field] = out.pop(key)
                _line(lines, field, key)
    images = out.get("images")
    if out.get("image") is None and isinstance(images, list) and images:
        del out["images"]
        out["image"] = images[0]  # Hugo's images: [a, b] -> the first is the card image
        _line(lines, "image", "images")
    return out, lines


def _line(lines: dict[str, int], field: str, key: str) -> None:
    if key in lines:
        lines[field] = lines[key]
