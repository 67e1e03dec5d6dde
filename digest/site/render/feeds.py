"""Feeds: RSS 2.0 and Atom with feedgen, JSON Feed 1.1 with json.

Entry ids (GUIDs)
-----------------
A feed reader shows an entry as *new* whenever its id changes, so the id must
survive the edits curators make all the time: fixing a headline (which changes
the slug and URL) and renaming the file.  digest never writes outside output/
and a Netlify build starts from a fresh clone, so "remember the first
permalink" is impossible: the id must be derivable from the source alone.

1. Front-matter ``id:`` wins, verbatim (what ``digest new`` should write).
2. Otherwise a tag URI (RFC 4151) from facts that title and file-name edits do
   not touch::

       tag:<host>,<YYYY-MM-DD>:<source-slug>/<HHMM>[/<h>][/<lang>][-<n>]

   the publication instant in UTC (date, then time to the minute: clippings
   carry minute precision, and UTC keeps the id when the site time zone
   changes), the agency (``digest`` for own notes), and ``<h>`` = 10 hex digits
   of SHA-256 of ``source_url`` when one is known (it tells apart two stories
   the same agency filed in the same minute, and is a stable fact of the
   original).
3. Two derived ids that still coincide get ``-2``, ``-3``... in order of the
   exact instant, then the source path.  That order is *not* rename-proof, so
   :func:`id_collisions` reports them and ``render.validate`` turns each into
   a warning asking for an ``id:``.  Two *explicit* ids that coincide (a copied
   front matter) are an error naming both files.

Changing ``date``, ``source`` or ``source_url`` changes a derived id: those
are corrections of the facts the id stands for.

feedgen pitfalls handled here (news-formats.md §7): entries added with
``order='append'``; every date set explicitly (feedgen stamps the wall clock
otherwise); URL guids marked as permalinks; generator overridden so the bytes do
not change with the feedgen version; XML-illegal characters stripped from every
string first (lxml raises on them).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit

from digest.errors import Diagnostic, DigestError
from digest.site.config import SiteConfig
from digest.site.model.urls import term_slug
from digest.site.records import Article, FeedSpec
from digest.site.render.structured import keywords
from digest.site.slugs import slugify
from digest.site.sources.text import strip_xml_illegal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_LINK_ATTR = re.compile(r'(\s(?:href|src))="([^"]*)"')


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return strip_xml_illegal(text)[0]


# --------------------------------------------------------------------------- ids

def _identity(article: Article) -> str:
    """The host-independent part of a derived id (see the module docstring).

    A translation (model/languages.py) but the default language's version
    adds ``/<lang>``: translations share their date and source, and a term
    feed lists every language."""
    tag = _identity_of(article.date, article.source, article.source_url)
    versions = article.translations
    if versions and (versions[-1][0] != "x-default" or versions[-1][1] != article.url):
        tag += f"/{quote(article.lang, safe='-')}"
    return tag


# Memoised: every build computes the id of every article twice (entry_ids for
# the feeds, id_collisions for the warnings), and `digest serve` every rebuild.
# The result depends only on the instant (equal datetimes are the same instant,
# whatever their zone), the agency and the source URL, which are the keys.
@lru_cache(maxsize=1 << 16)
def _identity_of(when: datetime, source: str | None, source_url: str | None) -> str:
    utc = when.astimezone(UTC)
    tag = f"{utc:%Y-%m-%d}:{_agency(source)}/{utc:%H%M}"
    if source_url:
        tag += "/" + hashlib.sha256(source_url.encode("utf-8")).hexdigest()[:10]
    return tag


@lru_cache(maxsize=1024)
def _agency(source: str | None) -> str:
    # Percent-encoded: a tag URI is ASCII, and an agency may be named in Cyrillic.
    return quote(slugify(source or "") or "digest", safe="-")


def _host(config: SiteConfig) -> str:
    return urlsplit(config.base_url).hostname or "localhost"


def derived_id(article: Article, config: SiteConfig) -> str:
    """The tag URI of rule 2 (without a collision suffix)."""
    return f"tag:{_host(config)},{_identity(article)}"


_last_groups: list[tuple[tuple[Article, ...], dict[str, list[Article]]]] = []


def _derived_groups(articles: tuple[Article, ...]) -> dict[str, list[Article]]:
    # A build asks twice for the same tuple of articles (entry_ids, then
    # id_collisions in render.validate): the groups are made once.  The tuple
    # is kept so that the identity test cannot match another one.
    if _last_groups and _last_groups[0][0] is articles:
        return _last_groups[0][1]
    groups = _groups_of(articles)
    _last_groups[:] = [(articles, groups)]
    return groups


def _groups_of(articles: tuple[Article, ...]) -> dict[str, list[Article]]:
    groups: dict[str, list[Article]] = {}
    for art in articles:
        if not art.id:
            groups.setdefault(_identity(art), []).append(art)
    for members in groups.values():
        members.sort(key=lambda a: (a.date.timestamp(), str(a.path)))
    return groups


def entry_ids(articles: tuple[Article, ...], config: SiteConfig) -> dict[str, str]:
    """Article key -> feed id for every article (site feeds and term feeds share it).

    Raises DigestError when an explicit ``id:`` is used twice or equals a
    derived id, naming both files.
    """
    ids: dict[str, str] = {}
    host = _host(config)
    for identity, members in _derived_groups(articles).items():
        tag = f"tag:{host},{identity}"  # = derived_id(members[0], config)
        for n, art in enumerate(members, start=1):
            ids[art.key] = tag if n == 1 else f"{tag}-{n}"
    owner: dict[str, str] = {v: k for k, v in ids.items()}
    errors = []
    for art in sorted((a for a in articles if a.id), key=lambda a: a.key):
        first = owner.setdefault(art.id, art.key)  # type: ignore[arg-type]
        if first != art.key:
            errors.append(Diagnostic(
                severity="error", code="duplicate-id", path=art.key,
                message=f"feed id {art.id!r} is also the id of {first}",
                hint="every article needs its own `id:`; change or remove this one"))
        ids[art.key] = art.id  # type: ignore[assignment]
    if errors:
        raise DigestError(errors)
    return ids


def id_collisions(articles: tuple[Article, ...]) -> list[tuple[str, ...]]:
    """Groups of source paths whose derived ids needed a ``-n`` suffix (first keeps it).

    render.early computes them in another process while the build goes on
    (EarlyWork.collisions_of), and validate.check_feeds takes them from there."""
    return [tuple(a.key for a in members)
            for members in _derived_groups(articles).values() if len(members) > 1]


# --------------------------------------------------------------------------- helpers

def _updated(article: Article) -> datetime:
    return article.updated or article.date


def feed_updated(articles: tuple[Article, ...]) -> datetime:
    """Newest entry's update time; never the build clock."""
    return max((_updated(a) for a in articles), default=EPOCH)


def absolute_links(html: str, page_url: str) -> str:
    """Resolve every href/src against the article's absolute URL.

    Feed readers ignore xml:base and show content away from the page, so
    ``/x/``, ``img.jpg`` and ``#note`` must all become absolute; absolute and
    ``mailto:`` links pass through urljoin unchanged.
    """
    return _LINK_ATTR.sub(lambda m: f'{m.group(1)}="{urljoin(page_url, m.group(2))}"', html)


def _agency_url(article: Article, config: SiteConfig) -> str | None:
    if article.source:
        folded = article.source.casefold()
        for agency in config.agencies:
            if agency.url and any(n.casefold() == folded for n in (agency.name, *agency.aliases)):
                return agency.url
    return None


def _categories(article: Article, config: SiteConfig, base: str
                ) -> list[tuple[str, str, str]]:
    """(term slug, label, scheme = the taxonomy's overview URL) per term of the article."""
    return [(term_slug(label, config, tax), label, f"{base}/{tax}/")
            for tax, labels in article.terms.items() for label in labels]


# --------------------------------------------------------------------------- formats

def render_feed(spec: FeedSpec, config: SiteConfig, html_of: Callable[[Article], str],
                ids: Mapping[str, str]) -> bytes:
    """One feed file.  ``ids`` comes from :func:`entry_ids` over the whole site."""
    if spec.format == "json":
        return _json_feed(spec, config, html_of, ids)
    base = config.base_url.rstrip("/")
    # Imported here: feeds render in worker processes, and a build that
    # reuses every feed never needs feedgen (nor dateutil, which it imports).
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(base + spec.page_url)
    fg.title(clean(spec.title))
    fg.link(href=base + "/" + spec.path, rel="self")
    fg.link(href=base + spec.page_url, rel="alternate")
    fg.description(clean(config.description))
    fg.language(feed_language(spec, config))
    fg.generator("digest", uri="https://pypi.org/project/digest/")
    # Atom requires an author on the feed unless every entry has one.
    fg.author({"name": clean(config.title)})
    updated = feed_updated(spec.articles)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for art in spec.articles:
        fe = fg.add_entry(order="append")
        url = base + art.url
        guid = clean(ids[art.key])
        fe.id(guid)
        fe.guid(guid, permalink=guid == url)
        fe.title(clean(art.title))
        fe.link(href=url, rel="alternate")
        fe.published(art.date)
        fe.updated(_updated(art))
        if art.summary_text:
            fe.summary(clean(art.summary_text))
        # Escaped text, not CDATA: a body containing "]]>" cannot break the feed.
        fe.content(clean(absolute_links(html_of(art), url)), type="html")
        if art.source:
            fe.author({"name": clean(art.source)})
            if spec.format == "rss":
                fe.source(title=clean(art.source),
                          url=_agency_url(art, config) or art.source_url or url)
        for term, label, scheme in _categories(art, config, base):
            fe.category(term=clean(term), label=clean(label), scheme=scheme)
    if spec.format == "rss":
        return fg.rss_str(pretty=True)
    return fg.atom_str(pretty=True)


def _json_feed(spec: FeedSpec, config: SiteConfig, html_of: Callable[[Article], str],
               ids: Mapping[str, str]) -> bytes:
    base = config.base_url.rstrip("/")
    items = []
    for art in spec.articles:
        url = base + art.url
        item: dict[str, object] = {
            "id": clean(ids[art.key]),
            "url": url,
            "title": clean(art.title),
            "content_html": clean(absolute_links(html_of(art), url)),
            "date_published": art.date.isoformat(),
            "date_modified": _updated(art).isoformat(),
        }
        if art.summary_text:
            item["summary"] = clean(art.summary_text)
        if art.image:
            item["image"] = urljoin(url, art.image)
        if art.source:
            author: dict[str, str] = {"name": clean(art.source)}
            if agency_url := _agency_url(art, config):
                author["url"] = agency_url
            item["authors"] = [author]
        tags = [clean(label) for label in keywords(art)]
        if tags:
            item["tags"] = tags
        if art.source_url:
            item["external_url"] = art.source_url
        items.append(item)
    feed = {
        "version": JSON_FEED_VERSION,
        "title": clean(spec.title),
        "home_page_url": base + spec.page_url,
        "feed_url": base + "/" + spec.path,
        "description": clean(config.description),
        "language": feed_language(spec, config),
        "authors": [{"name": clean(config.title), "url": base + "/"}],
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def feed_language(spec: FeedSpec, config: SiteConfig) -> str:
    """The language of a feed's entries when they share one (a site's feed
    per language), else the site's."""
    langs = {a.lang for a in spec.articles}
    return langs.pop() if len(langs) == 1 and "" not in langs else config.language
