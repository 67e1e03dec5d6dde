"""Fingerprints of pages and feeds: what a page shows, reduced to one hash.

A page whose fingerprint equals the one of the last build renders to the same
bytes (templates, settings and digest's own code are part of the global
fingerprint), so incremental builds reuse the old file instead of rendering.

What counts as a page's input: every value in its template context, walked
recursively; each article in it by its digest.  An article page also depends
on the articles it links by URL (related, earlier, later, also reported,
mentions), whose titles and dates it shows.  How much of an article counts
is the page's *level* (engine/access.py): a CARD digest leaves out the
body-derived fields (body, word count, reading time) and the links to other
articles (related, stories) that list pages never show, a LINKS digest
leaves out the body-derived ones, a FULL digest covers every field, and a
SITE page also depends on every article of the site (engine/digests.py makes
the digests).  The level is the first letter of the fingerprint
(:func:`level_of`), so the next build computes it at the same level.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from digest.engine.access import CARD, FULL, SITE, linked_urls
from digest.engine.digests import (  # noqa: F401 - DERIVED, article_digests: the API
    DERIVED,
    Digests,
    LastDigests,
    article_digests,
    short_hash,
)
from digest.site.records import Article, FeedSpec, PageSpec

_SCALARS = frozenset((str, int, float, bool, type(None)))
LEVELS = "clfs"  # CARD, LINKS, FULL, SITE: the first letter of a page's fingerprint


def level_of(fingerprint: str | None) -> int:
    """The level a fingerprint was computed at (CARD for none)."""
    if not fingerprint:
        return CARD
    level = LEVELS.find(fingerprint[0])
    return SITE if level < 0 else level  # an older form: assume the most


class _Walk:
    """Fingerprints of context values with one kind of article digest."""

    def __init__(self, digests: Mapping[str, str]) -> None:
        self.digests = digests
        # id(container) -> (container, fp).  Archives, editions, weeks, term
        # dicts and the tuples in them are shared by many pages (every page of a
        # year archive holds the year's articles): each is walked once per
        # build.  Sound because all fingerprints are computed in one pass over
        # the finished Site, which nothing mutates meanwhile; the container is
        # kept so that its id cannot be reused by another object.
        self._memo: dict[int, tuple[object, str]] = {}
        self._fields: dict[type, Callable[[Any], tuple[Any, ...]] | bool] = {}
        # "A" + digest per URL, made once: lists of articles are most of the walk
        self.tags = {url: "A" + digest for url, digest in digests.items()}

    def value(self, value: Any) -> str:
        kind = type(value)
        if kind is Article:
            return self.tags.get(value.url) or "A" + value.url
        if kind in _SCALARS:
            return repr(value)
        if kind is datetime or kind is date:
            return value.isoformat()
        hit = self._memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        fp = self.container(value)
        self._memo[id(value)] = (value, fp)
        return fp

    def container(self, value: Any) -> str:
        if isinstance(value, Article):
            return "A" + self.digests.get(value.url, value.url)
        if isinstance(value, str | int | float | bool) or value is None:
            return repr(value)
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            tags = self.tags
            # inlined for the lists of articles every list page shows
            return short_hash(*((tags.get(v.url) or "A" + v.url) if type(v) is Article
                        else self.value(v) for v in value))
        if isinstance(value, Mapping):
            return short_hash(*(f"{k}={self.value(v)}" for k, v in sorted(value.items(),
                                                                  key=lambda kv: str(kv[0]))))
        fields = self._fields.get(type(value))
        if fields is None:
            fields = self._fields[type(value)] = _fields_of(value)
        if fields:  # a dataclass: its type and each field's value, in order
            return short_hash(type(value).__name__, *map(self.value, fields(value)))
        return repr(value)


def _fields_of(value: Any) -> Callable[[Any], tuple[Any, ...]] | bool:
    """A C getter of a dataclass's field values as a tuple (False: not one)."""
    if not dataclasses.is_dataclass(value):
        return False
    names = [f.name for f in dataclasses.fields(value)]
    if len(names) == 1:
        name = names[0]
        return lambda v: (getattr(v, name),)
    return operator.attrgetter(*names) if names else (lambda v: ())


class Fingerprinter:
    """Computes page and feed fingerprints for one build.

    ``now`` (its text) enters the pages whose templates name it; ``order``,
    the site's article URLs in order, the SITE level's digest of the site.

    ``last``: the digests behind the previous fingerprints.  When every
    article's card digest is what it was, and so are the body and link
    fields model.assemble reads (records.MODEL_FIELDS, declared model=True:
    story and also_reported; Digests.structure), under the same global
    fingerprint, the site is assembled from the same values (assemble reads
    no other body or link field: tests/unit/test_field_roles.py), so every
    page has the same path, template and context but for those fields of its
    articles.  Then :meth:`page` returns the previous
    fingerprint without walking the context for a page at CARD level that
    links no article by URL, and for an article page at FULL level whose
    article and linked articles have their previous full digests (the
    article's own covers its links).  Walking them was a third of a one-edit
    build's render stage at 10,000 articles.  Pages naming "now", at LINKS
    or SITE level, or of any other form are walked.
    """

    def __init__(self, digests: Digests | Mapping[str, str], global_fp: str,
                 now: str = "", order: Sequence[str] = (),
                 last: LastDigests | None = None) -> None:
        if not isinstance(digests, Digests):  # one kind for every level
            digests = Digests(full=dict(digests), links=dict(digests), card=dict(digests),
                              feed=dict(digests))
        self.digests = digests
        self.global_fp = global_fp
        self.now = now
        self.order = order
        self._walks = (_Walk(digests.card), _Walk(digests.links), _Walk(digests.full))
        self._site: str | None = None
        # dict equality ignores order; the order is compared too (it is cheap)
        self._last_full = last.full if (
            last is not None and last.key == global_fp and last.structure == digests.structure
            and last.card == digests.card and list(last.card) == list(digests.card)) else None
        # The URLs whose full digest is not the last build's (a URL only one
        # of them has counts too): an article page at FULL level is unchanged
        # when neither its article nor what it links is among them.  One pass
        # over the digests instead of a lookup in both per URL per page (a
        # fifth of the fingerprints' time in a one-edit build at 10,000 articles).
        self._changed: frozenset[str] = frozenset()
        if self._last_full is not None:
            full, last_full = digests.full, self._last_full
            self._changed = frozenset(
                [u for u, d in full.items() if last_full.get(u) != d]
                + [u for u in last_full if u not in full])

    def record(self) -> LastDigests:
        """This build's digests, for the next build's ``last``."""
        return LastDigests.of(self.global_fp, self.digests)

    def _unchanged(self, page: PageSpec, level: int, previous: str | None) -> bool:
        last_full = self._last_full
        if last_full is None or previous is None or level_of(previous) != level:
            return False
        if level == CARD:
            return not linked_urls(page.context)
        if level != FULL:
            return False
        article = _article_of(page)
        if article is None:
            return False
        # at FULL level the page also covers the full digests of what it links
        changed = self._changed
        return article.url not in changed and changed.isdisjoint(linked_urls(page.context))

    def site(self) -> str:
        """Every article of the site, in order (the Site is assembled from them
        and the settings alone)."""
        if self._site is None:
            full = self.digests.full
            self._site = short_hash("site", self.now, *(full.get(u, u) for u in self.order))
        return self._site

    def page(self, page: PageSpec, level: int = FULL, uses_now: bool = False,
             previous: str | None = None) -> str:
        """The page's fingerprint at ``level``; ``previous`` (its fingerprint in
        the last build) is returned as it is when nothing it covers changed
        (see the class docstring)."""
        if not uses_now and self._unchanged(page, level, previous):
            return previous  # type: ignore[return-value]
        walk = self._walks[min(level, FULL)]
        context = page.context
        article = _article_of(page)
        if article is not None:
            lastmod = context["lastmod"]
            # An article page as model.assemble makes it (10,000 of 14,000
            # pages): its two values without the generic walk.  The fourth
            # part ("article") is never a hash, so the forms cannot meet.
            parts = [self.global_fp, page.template, page.path, page.url, "article",
                     walk.tags.get(article.url) or "A" + article.url, lastmod.isoformat()]
        else:
            # container, not value: a page's own context is never shared, no memo
            parts = [self.global_fp, page.template, page.path, page.url,
                     walk.container(context)]
        linked = linked_urls(context)
        if linked:
            digests = walk.digests
            parts.extend([digests.get(url, url) for url in linked])
        if uses_now:
            parts.append(self.now)
        if level >= SITE:
            parts.append(self.site())
        return LEVELS[min(level, SITE)] + short_hash(*parts)

    def sitemap(self, pages: list[PageSpec], previous: str | None = None) -> str:
        """sitemap.xml as :func:`render.sitemaps.sitemap` writes it for ``pages``
        (those listed, at most MAX_URLS): each page's URL and lastmod, and an
        article page's translations, in order;
        the base URL is part of the global fingerprint.  The pages and their
        dates are the same when the site is assembled from the same values
        (see the class docstring): then ``previous``."""
        if previous is not None and self._last_full is not None:
            return previous
        value = self._walks[FULL].value
        return short_hash(self.global_fp, "sitemap.xml",
                  *(f"{page.url!r}{value(page.context.get('lastmod'))}{_versions(page)}"
                    for page in pages))

    def feed(self, feed: FeedSpec, ids: Mapping[str, str]) -> str:
        """A feed shows its articles' fields but their links (render/feeds.py)."""
        digests = self.digests.feed
        return short_hash(self.global_fp, feed.path, feed.format, feed.title, feed.page_url,
                  *(f"F{digests.get(a.url) or a.url}:{ids.get(a.key, '')}"
                    for a in feed.articles))


def _versions(page: PageSpec) -> str:
    """An article page's translations, which sitemap.xml lists (render/sitemaps.py)."""
    article = page.context.get("article")
    return repr(article.translations) if type(article) is Article and article.translations \
        else ""


def _article_of(page: PageSpec) -> Article | None:
    """The article of an article page as model.assemble makes it (its context
    is the article and its lastmod, nothing else), else None."""
    context = page.context
    if len(context) == 2:
        article = context.get("article")
        if type(article) is Article and type(context.get("lastmod")) is datetime:
            return article
    return None
