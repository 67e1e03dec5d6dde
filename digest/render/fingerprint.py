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
import operator
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from digest.records import Article, FeedSpec, PageSpec


def _h(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


_FIELDS = tuple(f.name for f in dataclasses.fields(Article))
_values = operator.attrgetter(*_FIELDS)  # every field of an article, in one C call
_SCALARS = frozenset((str, int, float, bool, type(None)))


def article_digests(articles: tuple[Article, ...],
                    sources: Mapping[str, tuple[Article, str]] | None = None
                    ) -> dict[str, str]:
    """URL -> hash of every field of the (enriched) article.

    ``repr``, not pickle: pickle's bytes depend on which values happen to be the
    same object (memo references), which differs between a fresh parse and one
    read back from the cache; the dataclass repr depends on values alone.

    ``sources`` maps an article's key to (the article as parsed, an id of the
    bytes and "now" it was parsed from).  Parsing is a function of the path,
    those bytes, "now" (when the year was inferred) and the settings (part of
    every fingerprint), so such an article is hashed as that id plus only the
    fields whose repr differs from the parsed article's: the derived ones,
    not the body.  That is a third of the cost of the repr of every article.
    """
    sources = sources or {}
    out = {}
    for a in articles:
        hit = sources.get(a.key)
        if hit is None:
            text = repr(a)
        else:
            parsed, source_id = hit
            parts = ["S", a.key, source_id]
            for name, value, was in zip(_FIELDS, _values(a), _values(parsed)):
                if value is was:  # most fields: set by parsing, passed on by replace()
                    continue
                text = repr(value)
                if text != repr(was):
                    parts.append(f"{name}={text}")
            text = "\x1f".join(parts)
        out[a.url] = hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                     digest_size=16).hexdigest()
    return out


class Fingerprinter:
    """Computes page and feed fingerprints for one build."""

    def __init__(self, digests: Mapping[str, str], global_fp: str) -> None:
        self.digests = digests
        self.global_fp = global_fp
        # id(container) -> (container, fp).  Archives, editions, weeks, term
        # dicts and the tuples in them are shared by many pages (every page of a
        # year archive holds the year's articles): each is walked once per
        # build.  Sound because all fingerprints are computed in one pass over
        # the finished Site, which nothing mutates meanwhile; the container is
        # kept so that its id cannot be reused by another object.
        self._memo: dict[int, tuple[object, str]] = {}
        self._names: dict[type, tuple[str, ...]] = {}
        # "A" + digest per URL, made once: lists of articles are most of the walk
        self._tags = {url: "A" + digest for url, digest in digests.items()}

    def _value(self, value: Any) -> str:
        kind = type(value)
        if kind is Article:
            return self._tags.get(value.url) or "A" + value.url
        if kind in _SCALARS:
            return repr(value)
        if kind is datetime or kind is date:
            return value.isoformat()
        hit = self._memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        fp = self._container(value)
        self._memo[id(value)] = (value, fp)
        return fp

    def _container(self, value: Any) -> str:
        if isinstance(value, Article):
            return "A" + self.digests.get(value.url, value.url)
        if isinstance(value, str | int | float | bool) or value is None:
            return repr(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            tags = self._tags
            # inlined for the lists of articles every list page shows
            return _h(*((tags.get(v.url) or "A" + v.url) if type(v) is Article
                        else self._value(v) for v in value))
        if isinstance(value, Mapping):
            return _h(*(f"{k}={self._value(v)}" for k, v in sorted(value.items(),
                                                                   key=lambda kv: str(kv[0]))))
        if dataclasses.is_dataclass(value):
            kind = type(value)
            names = self._names.get(kind)
            if names is None:
                names = self._names[kind] = tuple(f.name for f in dataclasses.fields(value))
            return _h(kind.__name__, *(self._value(getattr(value, name)) for name in names))
        return repr(value)

    def page(self, page: PageSpec) -> str:
        # _container, not _value: a page's own context is never shared, no memo
        parts = [self.global_fp, page.template, page.path, page.url,
                 self._container(page.context)]
        article = page.context.get("article")
        if isinstance(article, Article):
            linked = (*article.related, *article.earlier, *article.later,
                      *article.also_reported, *(m.url for m in article.mentions if m.url))
            parts.extend(self.digests.get(url, url) for url in linked)
        return _h(*parts)

    def sitemap(self, pages: list[PageSpec]) -> str:
        """sitemap.xml as :func:`render.sitemaps.sitemap` writes it for ``pages``
        (those listed, at most MAX_URLS): each page's URL and lastmod, in order;
        the base URL is part of the global fingerprint."""
        value = self._value
        return _h(self.global_fp, "sitemap.xml",
                  *(f"{page.url!r}{value(page.context.get('lastmod'))}" for page in pages))

    def feed(self, feed: FeedSpec, ids: Mapping[str, str]) -> str:
        return _h(self.global_fp, feed.path, feed.format, feed.title, feed.page_url,
                  *(f"{self._value(a)}:{ids.get(a.key, '')}" for a in feed.articles))
