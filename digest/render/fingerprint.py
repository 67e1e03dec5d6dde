"""Fingerprints of pages and feeds: what a page shows, reduced to one hash.

A page whose fingerprint equals the one of the last build renders to the same
bytes (templates, settings and digest's own code are part of the global
fingerprint), so incremental builds reuse the old file instead of rendering.

What counts as a page's input: every value in its template context, walked
recursively; each article in it by its digest (all of its fields).  An
article page also depends on the articles it links by URL (related, earlier,
later, also reported, mentions), whose titles and dates it shows.  Templates
that use ``site_model`` (the whole site) make every page depend on every
article, which stays correct and only costs speed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from digest.records import Article, FeedSpec, PageSpec


def _h(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def article_digests(articles: tuple[Article, ...]) -> dict[str, str]:
    """URL -> hash of every field of the (enriched) article.

    ``repr``, not pickle: pickle's bytes depend on which values happen to be the
    same object (memo references), which differs between a fresh parse and one
    read back from the cache; the dataclass repr depends on values alone.
    """
    return {a.url: hashlib.blake2b(repr(a).encode("utf-8", "surrogatepass"),
                                   digest_size=16).hexdigest()
            for a in articles}


class Fingerprinter:
    """Computes page and feed fingerprints for one build."""

    def __init__(self, digests: Mapping[str, str], global_fp: str) -> None:
        self.digests = digests
        self.global_fp = global_fp
        self._memo: dict[int, tuple[object, str]] = {}  # id(tuple) -> (tuple, fp)

    def _value(self, value: Any) -> str:
        if isinstance(value, Article):
            return "A" + self.digests.get(value.url, value.url)
        if isinstance(value, str | int | float | bool) or value is None:
            return repr(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            hit = self._memo.get(id(value))
            if hit is not None and hit[0] is value:
                return hit[1]
            fp = _h(*(self._value(v) for v in value))
            if isinstance(value, tuple) and len(value) > 8:
                self._memo[id(value)] = (value, fp)  # term pages share one big tuple
            return fp
        if isinstance(value, Mapping):
            return _h(*(f"{k}={self._value(v)}" for k, v in sorted(value.items(),
                                                                   key=lambda kv: str(kv[0]))))
        if dataclasses.is_dataclass(value):
            return _h(type(value).__name__,
                      *(self._value(getattr(value, f.name)) for f in dataclasses.fields(value)))
        return repr(value)

    def page(self, page: PageSpec) -> str:
        parts = [self.global_fp, page.template, page.path, page.url, self._value(page.context)]
        article = page.context.get("article")
        if isinstance(article, Article):
            linked = (*article.related, *article.earlier, *article.later,
                      *article.also_reported, *(m.url for m in article.mentions if m.url))
            parts.extend(self.digests.get(url, url) for url in linked)
        return _h(*parts)

    def feed(self, feed: FeedSpec, ids: Mapping[str, str]) -> str:
        return _h(self.global_fp, feed.path, feed.format, feed.title, feed.page_url,
                  *(f"{self._value(a)}:{ids.get(a.key, '')}" for a in feed.articles))
