"""digest.site.slugs.slugify: the ASCII shortcut folds exactly as the general path."""

from __future__ import annotations

import unicodedata

from digest.site.slugs import slugify


def _general_fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("ё", "е").replace("Ё", "Е")
    kept = [ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)]
    return unicodedata.normalize("NFC", "".join(kept)).casefold()


def test_ascii_needs_no_normalisation() -> None:
    every = "".join(map(chr, range(128)))
    assert _general_fold(every) == every.casefold()
    for ch in every:
        assert _general_fold(ch) == ch.casefold()


def test_slugs() -> None:
    assert slugify("2024-12-20 Minsk Talks_Resume!") == "2024-12-20-minsk-talks-resume"
    assert slugify("Café Ёлка") == "cafe-елка"
