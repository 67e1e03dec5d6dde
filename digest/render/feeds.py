"""Feeds: RSS 2.0 and Atom with feedgen, JSON Feed 1.1 with json.

feedgen pitfalls handled here (see news-formats.md §7): entries added with
``order='append'``; every date set explicitly (feedgen stamps the wall clock
otherwise); URL guids marked as permalinks; generator overridden so the bytes do
not change with the feedgen version.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from digest.config import SiteConfig
from digest.records import Article, FeedSpec
from digest.render.markdown import absolutize

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def entry_id(article: Article, config: SiteConfig) -> str:
    """Stable feed id: front-matter ``id``, else a tag: URI of the first publication.

    The tag URI uses the publication date and the slug; a later title change
    does not change the slug unless the curator sets one, and ``id:`` pins it.
    """
    if article.id:
        return article.id
    host = urlsplit(config.base_url).hostname or "localhost"
    return f"tag:{host},{article.date.astimezone(config.tz):%Y-%m-%d}:{article.url}"


def _updated(article: Article) -> datetime:
    return article.updated or article.date


def feed_updated(articles: tuple[Article, ...]) -> datetime:
    """Newest entry's update time; never the build clock."""
    return max((_updated(a) for a in articles), default=EPOCH)


def render_feed(spec: FeedSpec, config: SiteConfig, html_of: Callable[[Article], str]) -> bytes:
    if spec.format == "json":
        return _json_feed(spec, config, html_of)
    base = config.base_url.rstrip("/")
    fg = FeedGenerator()
    fg.id(base + spec.page_url)
    fg.title(spec.title)
    fg.link(href=base + "/" + spec.path, rel="self")
    fg.link(href=base + spec.page_url, rel="alternate")
    fg.description(config.description)
    fg.language(config.language)
    fg.generator("digest", uri="https://pypi.org/project/digest/")
    fg.author({"name": config.title})
    updated = feed_updated(spec.articles)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for art in spec.articles:
        fe = fg.add_entry(order="append")
        url = base + art.url
        fe.id(entry_id(art, config))
        fe.guid(entry_id(art, config), permalink=entry_id(art, config) == url)
        fe.title(art.title)
        fe.link(href=url, rel="alternate")
        fe.published(art.date)
        fe.updated(_updated(art))
        if art.summary_text:
            fe.summary(art.summary_text)
        # Escaped text, not CDATA: a body containing "]]>" cannot break the feed.
        fe.content(absolutize(html_of(art), base + "/"), type="html")
        if art.source:
            fe.author({"name": art.source})
            if spec.format == "rss":
                fe.source(title=art.source, url=art.source_url or base + art.url)
        for tax, labels in art.terms.items():
            for label in labels:
                fe.category(term=label, label=label, scheme=f"{base}/{tax}/")
    if spec.format == "rss":
        return fg.rss_str(pretty=True)
    return fg.atom_str(pretty=True)


def _json_feed(spec: FeedSpec, config: SiteConfig, html_of: Callable[[Article], str]) -> bytes:
    base = config.base_url.rstrip("/")
    items = []
    for art in spec.articles:
        item: dict[str, object] = {
            "id": entry_id(art, config),
            "url": base + art.url,
            "title": art.title,
            "content_html": absolutize(html_of(art), base + "/"),
            "date_published": art.date.isoformat(),
            "date_modified": _updated(art).isoformat(),
        }
        if art.summary_text:
            item["summary"] = art.summary_text
        if art.source:
            item["authors"] = [{"name": art.source}]
        tags = [label for labels in art.terms.values() for label in labels]
        if tags:
            item["tags"] = tags
        if art.source_url:
            item["external_url"] = art.source_url
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": base + spec.page_url,
        "feed_url": base + "/" + spec.path,
        "description": config.description,
        "language": config.language,
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
