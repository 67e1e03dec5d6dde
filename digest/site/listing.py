"""The site model as JSON (`digest list --json`): one object per article.

This is a documented, stable interface for scripts and tests (README, "digest
list").  Dates are ISO 8601 with offsets; URLs are site-relative paths.
"""

from __future__ import annotations

from typing import Any

from digest.site.records import Article


def article_json(art: Article) -> dict[str, Any]:
    return {
        "path": str(art.path),
        "url": art.url,
        "title": art.title,
        "date": art.date.isoformat(),
        "updated": art.updated.isoformat() if art.updated else None,
        "kind": art.kind,
        "draft": art.draft,
        "terms": {tax: list(labels) for tax, labels in art.terms.items()},
        "summary": art.summary_text,
        "source": art.source,
        "source_url": art.source_url,
        "author": art.author,
        "section": art.section,
        "photo_credit": art.photo_credit,
        "year_inferred": art.year_inferred,
        "mentions": [
            {"title": m.title, "date": m.date.isoformat() if m.date else None,
             "year_inferred": m.year_inferred, "url": m.url}
            for m in art.mentions
        ],
        "related": list(art.related),
        "earlier": list(art.earlier),
        "later": list(art.later),
        "story": art.story,
        "also_reported": list(art.also_reported),
        "word_count": art.word_count,
        "reading_minutes": art.reading_minutes,
    }
