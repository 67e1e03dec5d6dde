"""Frozen, typed records passed between the pipeline stages.

Parsing produces :class:`Article` records with the *source* fields filled in;
``pipeline`` then assigns URLs and enrichment returns new records (via
``dataclasses.replace``) with the *derived* fields filled in.  Nothing mutates a
record after it is made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from pathlib import PurePosixPath
from typing import Any

EMPTY: Mapping[str, Any] = {}
# Told when an Article is turned into text whole (its repr: str(), format(),
# ~ and escape in a template all end there), in this thread's context only:
# render/watch.py sets it while a page renders (that page shows every field).
SHOWN_WHOLE: ContextVar[Callable[[], None] | None] = ContextVar("SHOWN_WHOLE", default=None)


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

    # --- source fields (set by the parsers in digest.sources) ---
    path: PurePosixPath  # source file relative to the site root, e.g. content/a.md
    kind: str  # "markdown" | "clipping"
    title: str
    date: datetime  # aware
    slug: str
    body: str  # Markdown source of the body (clippings: paragraphs, Markdown-escaped)
    updated: datetime | None = None
    summary: str | None = None  # explicit summary from front matter
    tags: tuple[str, ...] = ()
    source: str | None = None  # agency / publication
    source_url: str | None = None
    author: str | None = None  # the byline: "Ann Lee and Bo Kim"
    authors: tuple[tuple[str, str | None], ...] = ()  # (name, http(s) URL or None) each
    image: str | None = None
    photo_credit: str | None = None
    canonical_url: str | None = None  # front matter: the original's address, when it is elsewhere
    section: str | None = None  # agency rubric
    draft: bool = False
    id: str | None = None  # stable id for feed GUIDs (front matter `id`)
    year_inferred: bool = False
    mentions: tuple[Mention, ...] = ()
    related_pins: tuple[str, ...] = ()  # front matter `related`: slugs
    related_exclude: tuple[str, ...] = ()  # front matter `related_exclude`: slugs
    terms_add: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    terms_remove: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # unknown keys, for themes
    body_line: int = 1  # line of the source file where the body starts

    # --- derived fields (set by pipeline / enrichment) ---
    url: str = ""  # site-relative URL path, e.g. /2024/12/20/slug/
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # taxonomy -> labels
    summary_text: str = ""  # explicit summary, else the lead cut at a sentence
    word_count: int = 0
    reading_minutes: int = 1
    related: tuple[str, ...] = ()  # URLs, best first
    earlier: tuple[str, ...] = ()  # URLs of older related articles, newest first
    later: tuple[str, ...] = ()  # URLs of newer related articles, oldest first
    story: str | None = None  # story cluster id
    also_reported: tuple[str, ...] = ()  # URLs of other articles in the same story

    @property
    def key(self) -> str:
        """Stable identity within a build: the source path."""
        return str(self.path)

    def __reduce__(self) -> tuple[Any, tuple[tuple[Any, ...]]]:
        # Pickled as its field values, rebuilt without __init__ or the slotted
        # dataclass's per-field __setstate__: loading 10,000 cached articles
        # took a quarter less (the cache's unpickler allows from_values).
        from digest.recordcopy import from_values, values

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
