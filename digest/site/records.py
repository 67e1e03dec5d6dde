"""Frozen, typed records passed between the stages of the recipe (digest.site.build).

Parsing produces :class:`Article` records with the *source* fields filled in;
the recipe then assigns URLs and enrichment returns new records (via
``dataclasses.replace`` or digest.site.recordcopy) with the *derived* fields filled
in.  Nothing mutates a record after it is made.

Every Article field declares its *role* here, once, in its dataclass field
metadata (:func:`parsed`, :func:`assigned`, :func:`local`, :func:`site`, with
the flags ``body``, ``links`` and ``model``); everything that treats fields
differently reads the tuples derived from it below (:data:`LOCAL_FIELDS`,
:data:`SITE_FIELDS`, :data:`DERIVED`, :data:`BODY_FIELDS`,
:data:`LINK_FIELDS`, :data:`MODEL_FIELDS`): enrichment and its cache, the
page fingerprints (engine/digests.py, engine/access.py) and the preview
(serve/preview.py).  A field without a role is a TypeError at import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from pathlib import PurePosixPath
from typing import Any

EMPTY: Mapping[str, Any] = {}
# Told when an Article is turned into text whole (its repr: str(), format(),
# ~ and escape in a template all end there), in this thread's context only:
# render/watch.py sets it while a page renders (that page shows every field).
SHOWN_WHOLE: ContextVar[Callable[[], None] | None] = ContextVar("SHOWN_WHOLE", default=None)


# --------------------------------------------------------------------------- field roles
# Who fills a field (the role), and what it means for page fingerprints (the
# flags).  engine/digests.py makes four digests per article: CARD leaves out
# the ``body`` fields and the ``links`` fields, LINKS adds the links, FULL
# the rest.  List pages, and model.assemble, are fingerprinted by CARD
# digests, so a body or link field that digest/site/model reads must say
# ``model=True``: its values then enter Digests.structure, which tells the
# fingerprinter whether the site may be assembled differently
# (tests/unit/test_field_roles.py records what model.assemble reads).
ROLE_KEY = "digest.role"
ROLES = ("parsed", "assigned", "local", "site")
_HOW = ("declare its role in digest/site/records.py with parsed()/assigned()/local()/site() "
        "(flags: body=True if it is the body or derived from it, links=True if it "
        "links other articles, model=True if digest/site/model reads a body or link field)")


@dataclass(frozen=True, slots=True)
class Role:
    """A field's role: ``kind`` is who fills it (one of :data:`ROLES`)."""

    kind: str
    body: bool = False   # the body or derived from it: FULL digests and templates only
    links: bool = False  # links to other articles: LINKS digests and up
    model: bool = False  # a body or link field digest/site/model reads: in Digests.structure


def _role(role: Role, default: Any, factory: Any) -> Any:
    return field(default=default, default_factory=factory, metadata={ROLE_KEY: role})


def parsed(default: Any = MISSING, *, default_factory: Any = MISSING, body: bool = False,
           links: bool = False, model: bool = False) -> Any:
    """A field the parsers (digest.site.sources) set from the content file."""
    return _role(Role("parsed", body, links, model), default, default_factory)


def assigned(default: Any = MISSING, *, default_factory: Any = MISSING) -> Any:
    """A field the pipeline sets after parsing from the article's own source
    fields and the settings, outside enrichment (model.urls.assign_urls: ``url``;
    ``lang`` and ``translations`` also from the other articles' paths)."""
    return _role(Role("assigned"), default, default_factory)


def local(default: Any = MISSING, *, default_factory: Any = MISSING, body: bool = False,
          model: bool = False) -> Any:
    """A field the local enrichment steps derive from the article alone and the
    settings (digest.site.enrich.local_work; cached by source in enrichcache)."""
    return _role(Role("local", body=body, model=model), default, default_factory)


def site(default: Any = MISSING, *, default_factory: Any = MISSING, links: bool = False,
         model: bool = False) -> Any:
    """A field the site enrichment steps derive from every article
    (digest.site.enrich.site_values; kept by the preview, serve/preview.py)."""
    return _role(Role("site", links=links, model=model), default, default_factory)


def field_roles(cls: type) -> dict[str, Role]:
    """Each field's :class:`Role`, in field order; TypeError naming a field
    without one (or with a role that the fingerprints cannot honour)."""
    roles: dict[str, Role] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        role = f.metadata.get(ROLE_KEY)
        where = f"{cls.__name__}.{f.name}"
        if not isinstance(role, Role) or role.kind not in ROLES:
            raise TypeError(f"{where} has no role: {_HOW}")
        if role.body and role.links:
            raise TypeError(f"{where} is declared both body=True and links=True: choose one")
        if role.model and not (role.body or role.links):
            raise TypeError(f"{where}: model=True is only for body or link fields (every "
                            "other field is in the card digests model pages are checked by)")
        roles[f.name] = role
    return roles


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceDoc:
    """A content file as read from disk: path relative to the site root, raw bytes."""

    rel_path: PurePosixPath
    raw: bytes
    # (size, mtime_ns, ctime_ns, inode) when read from disk: lets the next build
    # skip re-hashing an untouched file (ctime cannot be set back by tools).
    stat: tuple[int, int, int, int] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A related headline listed by the agency under a clipping (its rubric trailer)."""

    title: str
    date: datetime | None  # aware; None when the trailer gave no dateline
    year_inferred: bool = False
    url: str | None = None  # filled by enrichment when it matches an article of the site


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Article:
    """One article, from a Markdown note or a raw clipping."""

    # Each field's role (module docstring); the field order is the order of
    # recordcopy.values, in which the build cache pickles articles.

    # --- parsed fields (set by the parsers in digest.site.sources) ---
    path: PurePosixPath = parsed()  # source file relative to the site root, e.g. content/a.md
    kind: str = parsed()  # "markdown" | "clipping" | "page" (undated: build.split_undated)
    title: str = parsed()
    date: datetime = parsed()  # aware
    slug: str = parsed()
    # Markdown source of the body (clippings: paragraphs, Markdown-escaped)
    body: str = parsed(body=True)
    updated: datetime | None = parsed(None)
    summary: str | None = parsed(None)  # explicit summary from front matter
    tags: tuple[str, ...] = parsed(())
    source: str | None = parsed(None)  # agency / publication
    source_url: str | None = parsed(None)
    author: str | None = parsed(None)  # the byline: "Ann Lee and Bo Kim"
    authors: tuple[tuple[str, str | None], ...] = parsed(())  # (name, http(s) URL or None) each
    image: str | None = parsed(None)
    photo_credit: str | None = parsed(None)
    # front matter: the original's address, when it is elsewhere
    canonical_url: str | None = parsed(None)
    aliases: tuple[str, ...] = parsed(())  # old URLs redirected here (Hugo aliases)
    section: str | None = parsed(None)  # agency rubric
    draft: bool = parsed(False)
    id: str | None = parsed(None)  # stable id for feed GUIDs (front matter `id`)
    year_inferred: bool = parsed(False)
    # the rubric trailer's headlines, as parsed; enrichment fills each one's URL
    # (enrich.mentions): so its value on a published article is site-derived
    mentions: tuple[Mention, ...] = site((), links=True)
    related_pins: tuple[str, ...] = parsed(())  # front matter `related`: slugs
    related_exclude: tuple[str, ...] = parsed(())  # front matter `related_exclude`: slugs
    terms_add: Mapping[str, tuple[str, ...]] = parsed(default_factory=dict)
    terms_remove: Mapping[str, tuple[str, ...]] = parsed(default_factory=dict)
    extra: Mapping[str, Any] = parsed(default_factory=dict)  # unknown keys, for themes
    body_line: int = parsed(1)  # line of the source file where the body starts

    # --- derived fields (set by the pipeline's URL step / enrichment) ---
    url: str = assigned("")  # site-relative URL path, e.g. /2024/12/20/slug/
    # Its language (model/languages.py: a Hugo language folder or name.<lang>.md,
    # else the default); set with the URL, from its path and every article's.
    lang: str = assigned("")
    # (language, URL) of every version of it, itself included, sorted by
    # language, then ("x-default", the default language's URL) when there is
    # one; () when it has no translation.  Set with the URLs from the other
    # articles' paths: a card field, so a translation added, removed or
    # renamed re-renders every page showing it.
    translations: tuple[tuple[str, str], ...] = assigned(())
    # taxonomy -> labels
    terms: Mapping[str, tuple[str, ...]] = local(default_factory=dict)
    summary_text: str = local("")  # explicit summary, else the lead cut at a sentence
    word_count: int = local(0, body=True)
    reading_minutes: int = local(1, body=True)
    related: tuple[str, ...] = site((), links=True)  # URLs, best first
    earlier: tuple[str, ...] = site((), links=True)  # URLs of older related articles, newest first
    later: tuple[str, ...] = site((), links=True)  # URLs of newer related articles, oldest first
    # story cluster id (editions group by it)
    story: str | None = site(None, links=True, model=True)
    # URLs of other articles in the same story (editions list the lead's)
    also_reported: tuple[str, ...] = site((), links=True, model=True)

    @property
    def key(self) -> str:
        """Stable identity within a build: the source path."""
        return str(self.path)

    def __reduce__(self) -> tuple[Any, tuple[tuple[Any, ...]]]:
        # Pickled as its field values, rebuilt without __init__ or the slotted
        # dataclass's per-field __setstate__: loading 10,000 cached articles
        # took a quarter less (the cache's unpickler allows from_values).
        from digest.site.recordcopy import from_values, values

        return from_values, (values(self),)

    def __repr__(self) -> str:
        """The dataclass repr (its fields shown by value), telling SHOWN_WHOLE."""
        shown = SHOWN_WHOLE.get()
        if shown is not None:
            shown()
        return _article_repr(self)


_REPR_FIELDS = tuple(f.name for f in fields(Article) if f.repr)
_repr_values = attrgetter(*_REPR_FIELDS)
# What dataclass(repr=True) makes of an Article (records hold no cycles).
_REPR = "Article(" + ", ".join(f"{name}=%r" for name in _REPR_FIELDS) + ")"


def _article_repr(article: Article) -> str:
    return _REPR % _repr_values(article)


ROLE_OF: Mapping[str, Role] = field_roles(Article)


def _having(test: Any) -> tuple[str, ...]:
    return tuple(name for name, role in ROLE_OF.items() if test(role))


# The Article fields of each role and flag, in field order.
PARSED_FIELDS = _having(lambda r: r.kind == "parsed")
# enrich.local_work's values, in this order (enrichcache stores them so)
LOCAL_FIELDS = _having(lambda r: r.kind == "local")
# enrich.site_values' columns, in this order
SITE_FIELDS = _having(lambda r: r.kind == "site")
# set after parsing: every other field of a published article is the parsed one's
DERIVED = _having(lambda r: r.kind != "parsed")
BODY_FIELDS = _having(lambda r: r.body)
LINK_FIELDS = _having(lambda r: r.links)
MODEL_FIELDS = _having(lambda r: r.model)  # body or link fields digest/site/model reads


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Page:
    """A page without a date (About, corrections policy, contact): a Markdown
    file whose front matter and file name give no date, as Pelican's pages and
    Hugo's undated content.  Not news: it has its own URL and a place in the
    sitemap and, when its front matter asks (``menu:``/``nav:``), in the site
    navigation; never in feeds, editions, archives, term pages, related links,
    stories or search (render/pages.py makes it, model/pages.py places it)."""

    path: PurePosixPath  # source file relative to the site root
    title: str
    url: str  # site-relative, e.g. /about/
    html: str  # the body, rendered (links to articles resolved)
    summary: str | None = None  # front matter summary/description: the meta description
    updated: datetime | None = None  # sitemap lastmod
    menu: bool = False  # listed in the site navigation
    weight: int = 0  # navigation order: weight, then title
    aliases: tuple[str, ...] = ()  # old URLs redirected here (model/redirects.py)
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown keys, for themes

    @property
    def key(self) -> str:
        return str(self.path)


@dataclass(frozen=True, slots=True, kw_only=True)
class Pager:
    """One page of a paginated list."""

    number: int  # 1-based
    count: int  # number of pages
    items: tuple[Article, ...]
    url: str
    prev_url: str | None = None
    next_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PageSpec:
    """One HTML (or text) file to render: output path, template, template context."""

    path: str  # output path relative to output/, e.g. "2024/12/20/slug/index.html"
    url: str  # URL path, e.g. "/2024/12/20/slug/"
    template: str
    source: str  # what produced it (an article path or "generated: ...") for error messages
    context: Mapping[str, Any] = field(default_factory=dict)
    sitemap: bool = True  # listed in sitemap.xml
    # What the rendered template becomes (render/mailpage.py): "" as rendered,
    # "email-html" CSS inlined and kept under Gmail's clipping size,
    # "email-text" plain text (the template is escaped like every template).
    finish: str = ""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FeedSpec:
    """One feed file: which articles, which format, where."""

    path: str  # output path, e.g. "feed.xml", "topics/energy/atom.xml"
    format: str  # "rss" | "atom" | "json"
    title: str
    page_url: str  # the HTML page the feed belongs to (site-relative)
    articles: tuple[Article, ...]  # newest first, already capped


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Site:
    """Everything to render: the assembled model of the site."""

    articles: tuple[Article, ...]  # published, newest first
    pages: tuple[PageSpec, ...]
    feeds: tuple[FeedSpec, ...]
    by_url: Mapping[str, Article] = field(default_factory=dict)
    undated: tuple[Page, ...] = ()  # pages without a date, by path
    nav: tuple[Page, ...] = ()  # those the navigation lists, in its order
