"""Assemble: published articles -> Site (which pages and feeds exist, with what context).

Every list is built once from one sorted sequence (newest first, ties broken by
URL) and sliced; nothing is re-filtered per page.
"""

from __future__ import annotations

from digest.config import SiteConfig
from digest.model.indexes import group_terms, home_pages, taxonomy_pages
from digest.model.urls import check_collisions, output_path
from digest.records import Article, FeedSpec, PageSpec, Site


def sort_newest_first(articles: tuple[Article, ...]) -> tuple[Article, ...]:
    """Newest first; same instant -> URL ascending, so the order never depends on input order."""
    return tuple(sorted(articles, key=lambda a: (-a.date.timestamp(), a.url)))


def assemble(articles: tuple[Article, ...], config: SiteConfig) -> Site:
    """Decide every page and feed of the site.  Raises OutputCollisionError."""
    ordered = sort_newest_first(articles)
    by_url = {a.url: a for a in ordered}
    pages: list[PageSpec] = []
    for art in ordered:
        pages.append(PageSpec(path=output_path(art.url), url=art.url, template="article.html",
                              source=str(art.path), context={"article": art}))
    pages.extend(home_pages(ordered, config))
    groups = group_terms(ordered, config)
    tax_pages, feeds = taxonomy_pages(groups, config)
    pages.extend(tax_pages)
    latest = ordered[: config.feed_size]
    feeds = [
        FeedSpec(path="feed.xml", format="rss", title=config.title, page_url="/",
                 articles=latest),
        FeedSpec(path="atom.xml", format="atom", title=config.title, page_url="/",
                 articles=latest),
        *feeds,
    ]
    pages.append(PageSpec(path="404.html", url="/404.html", template="404.html",
                          source="generated: 404 page", sitemap=False))
    check_collisions([(p.path, p.source) for p in pages]
                     + [(f.path, f"generated: feed {f.path}") for f in feeds])
    return Site(articles=ordered, pages=tuple(pages), feeds=tuple(feeds), by_url=by_url)
