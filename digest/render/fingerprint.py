"""Fingerprints of pages and feeds: what a page shows, reduced to one hash.

A page whose fingerprint equals the one of the last build renders to the same
bytes (templates, settings and digest's own code are part of the global
fingerprint), so incremental builds reuse the old file instead of rendering.

What counts as a page's input: every value in its template context, walked
recursively; each article in it by its digest.  An article page also depends
on the articles it links by URL (related, earlier, later, also reported,
mentions), whose titles and dates it shows.  How much of an article counts
is the page's *level* (render/access.py): a CARD digest leaves out the
body-derived fields (body, word count, reading time) and the links to other
articles (related, stories) that list pages never show, a LINKS digest
leaves out the body-derived ones, a FULL digest covers every field, and a
SITE page also depends on every article of the site.  The level is the first letter of the fingerprint
(:func:`level_of`), so the next build computes it at the same level.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from digest.enrich import LOCAL_FIELDS, SITE_FIELDS
from digest.records import Article, FeedSpec, PageSpec
from digest.render.access import BODY_FIELDS, CARD, FULL, LINK_FIELDS, SITE, linked_urls


def _h(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


_FIELDS = tuple(f.name for f in dataclasses.fields(Article))
_SCALARS = frozenset((str, int, float, bool, type(None)))
# The fields the pipeline sets after parsing (model.urls.assign_urls: url;
# enrich.with_fields: the rest); every other field of a published article is
# the parsed article's own (tests/unit/render/test_fingerprint.py checks it on
# a built site, and article_digests checks it for each article: one C-level
# comparison of the same objects).
DERIVED = ("url", *LOCAL_FIELDS, *SITE_FIELDS)
_source = operator.attrgetter(*(n for n in _FIELDS if n not in DERIVED))
_NOT_CARD = frozenset((*BODY_FIELDS, *LINK_FIELDS))
_links = operator.attrgetter(*LINK_FIELDS)
# LOCAL_FIELDS are a function of the source bytes, "now" and the settings, as
# parsing is (enrichcache keeps them by the same tag): for an article with a
# source id they are digested once per source, the card ones kept in ``cards``.
_card_local = operator.attrgetter(*(n for n in LOCAL_FIELDS if n not in _NOT_CARD))
_CARD_SITE = tuple(n for n in DERIVED if n not in _NOT_CARD and n not in LOCAL_FIELDS)
assert _CARD_SITE == ("url",), _CARD_SITE  # else add them to the card text below
assert {n for n in DERIVED if n in BODY_FIELDS} <= set(LOCAL_FIELDS)  # in the source id
_card_source = operator.attrgetter(*(n for n in _FIELDS
                                     if n not in DERIVED and n not in _NOT_CARD))
_card_whole = operator.attrgetter(*(n for n in _FIELDS if n not in _NOT_CARD))
LEVELS = "clfs"  # CARD, LINKS, FULL, SITE: the first letter of a page's fingerprint


def level_of(fingerprint: str | None) -> int:
    """The level a fingerprint was computed at (CARD for none)."""
    if not fingerprint:
        return CARD
    level = LEVELS.find(fingerprint[0])
    return SITE if level < 0 else level  # an older form: assume the most


@dataclass(slots=True)
class Digests:
    """URL -> digest of each article: ``full`` (every field), ``links``
    (every field but the body-derived ones), ``card`` (nor the links) and
    ``feed`` (every field but the links: feeds show no related articles)."""

    full: dict[str, str]
    links: dict[str, str]
    card: dict[str, str]
    feed: dict[str, str] = dataclasses.field(default_factory=dict)  # all but the links
    cards: dict[str, tuple[str, str, str]] = dataclasses.field(default_factory=dict)


def article_digests(articles: Sequence[Article],
                    sources: Mapping[str, tuple[Article, str]] | None = None,
                    cards: Mapping[str, tuple[str, ...]] | None = None) -> Digests:
    """Both digests of every (enriched) article.

    ``repr``, not pickle: pickle's bytes depend on which values happen to be the
    same object (memo references), which differs between a fresh parse and one
    read back from the cache; the dataclass repr depends on values alone.

    ``sources`` maps an article's key to (the article as parsed, an id of the
    bytes and "now" it was parsed from).  Parsing is a function of the path,
    those bytes, "now" (when the year was inferred) and the settings (part of
    every fingerprint), and so is the local enrichment (LOCAL_FIELDS: terms,
    summary, word count, reading time).  So, when its parsed fields are still
    the parsed ones, such an article's full digest is that id plus its URL and
    links, and its card digest covers an id of its parsed fields but the body,
    an id of its local fields but the body-derived ones, and its URL.  Both ids
    are made once per source: ``cards`` (key -> (source id, parsed card id,
    local card id)) are the last build's, the result's ``cards`` this build's,
    for the cache.  An article per build then costs the repr of its links
    instead of every value it has.
    """
    sources = sources or {}
    cards = cards or {}
    new_cards: dict[str, tuple[str, str, str]] = {}
    full: dict[str, str] = {}
    links: dict[str, str] = {}
    card: dict[str, str] = {}
    feed: dict[str, str] = {}
    blake = hashlib.blake2b
    for a in articles:
        hit = sources.get(a.key)
        if hit is not None and _source(a) != _source(hit[0]):
            hit = None  # a parsed field changed after parsing: digest it whole
        if hit is None:
            card_text = "W" + repr(_card_whole(a))
            full_tail = "W" + repr(a)
        else:
            parsed, source_id = hit
            key = a.key
            entry = cards.get(key)
            if entry is None or entry[0] != source_id or len(entry) != 3:
                entry = (source_id, _h(repr(_card_source(parsed))), _h(repr(_card_local(a))))
            new_cards[key] = entry
            card_text = f"S\x1f{key}\x1f{entry[1]}\x1f{entry[2]}\x1f{a.url!r}"
            full_tail = f"S\x1f{source_id}"
        # each digest extends the one before: CARD, + links, + the rest
        card_digest = blake(card_text.encode("utf-8", "surrogatepass"),
                            digest_size=16).hexdigest()
        links_digest = blake(f"{card_digest}\x1f{_links(a)!r}".encode("utf-8", "surrogatepass"),
                             digest_size=16).hexdigest()
        card[a.url] = card_digest
        links[a.url] = links_digest
        tail = f"\x1f{full_tail}".encode("utf-8", "surrogatepass")
        full[a.url] = blake(links_digest.encode() + tail, digest_size=16).hexdigest()
        feed[a.url] = blake(card_digest.encode() + tail, digest_size=16).hexdigest()
    return Digests(full=full, links=links, card=card, feed=feed, cards=new_cards)


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
            return _h(*((tags.get(v.url) or "A" + v.url) if type(v) is Article
                        else self.value(v) for v in value))
        if isinstance(value, Mapping):
            return _h(*(f"{k}={self.value(v)}" for k, v in sorted(value.items(),
                                                                  key=lambda kv: str(kv[0]))))
        fields = self._fields.get(type(value))
        if fields is None:
            fields = self._fields[type(value)] = _fields_of(value)
        if fields:  # a dataclass: its type and each field's value, in order
            return _h(type(value).__name__, *map(self.value, fields(value)))
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
    """

    def __init__(self, digests: Digests | Mapping[str, str], global_fp: str,
                 now: str = "", order: Sequence[str] = ()) -> None:
        if not isinstance(digests, Digests):  # one kind for every level
            digests = Digests(full=dict(digests), links=dict(digests), card=dict(digests),
                              feed=dict(digests))
        self.digests = digests
        self.global_fp = global_fp
        self.now = now
        self.order = order
        self._walks = (_Walk(digests.card), _Walk(digests.links), _Walk(digests.full))
        self._site: str | None = None

    def site(self) -> str:
        """Every article of the site, in order (the Site is assembled from them
        and the settings alone)."""
        if self._site is None:
            full = self.digests.full
            self._site = _h("site", self.now, *(full.get(u, u) for u in self.order))
        return self._site

    def page(self, page: PageSpec, level: int = FULL, uses_now: bool = False) -> str:
        walk = self._walks[min(level, FULL)]
        context = page.context
        article = context.get("article")
        lastmod = context.get("lastmod")
        if len(context) == 2 and type(article) is Article and type(lastmod) is datetime:
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
        return LEVELS[min(level, SITE)] + _h(*parts)

    def sitemap(self, pages: list[PageSpec]) -> str:
        """sitemap.xml as :func:`render.sitemaps.sitemap` writes it for ``pages``
        (those listed, at most MAX_URLS): each page's URL and lastmod, in order;
        the base URL is part of the global fingerprint."""
        value = self._walks[FULL].value
        return _h(self.global_fp, "sitemap.xml",
                  *(f"{page.url!r}{value(page.context.get('lastmod'))}" for page in pages))

    def feed(self, feed: FeedSpec, ids: Mapping[str, str]) -> str:
        """A feed shows its articles' fields but their links (render/feeds.py)."""
        digests = self.digests.feed
        return _h(self.global_fp, feed.path, feed.format, feed.title, feed.page_url,
                  *(f"F{digests.get(a.url) or a.url}:{ids.get(a.key, '')}"
                    for a in feed.articles))
