"""Assemble: published articles -> Site (which pages and feeds exist, with what context).

Every list is built once from one sorted sequence (newest first, ties broken by
URL) and sliced; nothing is re-filtered per page.  Each page context carries
``lastmod`` for sitemap.xml.

Files that are not pages or feeds (sitemaps, robots.txt) are produced by
render steps from the finished Site; their fixed names are reserved here so
the collision check covers them too.
"""

from __future__ import annotations

from digest.site.config import SiteConfig
from digest.site.model.archives import archive_pages
from digest.site.model.editions import build_editions, edition_pages
from digest.site.model.indexes import check_term_slugs, group_terms, home_pages, taxonomy_pages
from digest.site.model.languages import default_language
from digest.site.model.pages import navigation, page_specs
from digest.site.model.redirects import redirect_pages
from digest.site.model.urls import check_collisions, output_path
from digest.site.records import Article, FeedSpec, Page, PageSpec, Site

SITEMAP = "sitemap.xml"
NEWS_SITEMAP = "news-sitemap.xml"
ROBOTS = "robots.txt"
GENERATED_FILES = (SITEMAP, NEWS_SITEMAP, ROBOTS)


def sort_newest_first(articles: tuple[Article, ...]) -> tuple[Article, ...]:
    """Newest first; same instant -> URL ascending, so the order never depends on input order."""
    return tuple(sorted(articles, key=lambda a: (-a.date.timestamp(), a.url)))


def site_feeds(latest: tuple[Article, ...], config: SiteConfig, folder: str = "",
               title: str | None = None) -> list[FeedSpec]:
    """The site-wide feeds in the three formats (``latest`` already capped)."""
    return [FeedSpec(path=folder + path, format=fmt, title=title or config.title, page_url="/",
                     articles=latest)
            for path, fmt in (("feed.xml", "rss"), ("atom.xml", "atom"), ("feed.json", "json"))]


def language_feeds(ordered: tuple[Article, ...], config: SiteConfig) -> list[FeedSpec]:
    """The site feeds: of the default language at /feed.xml, of each other
    language at /<lang>/feed.xml (Hugo's per-language output); a site in one
    language has the first only."""
    default = default_language(ordered, config)
    if default is None:
        return site_feeds(ordered[: config.feed_size], config)
    feeds = []
    langs = sorted({default, *(a.lang for a in ordered)}, key=lambda c: (c != default, c))
    for lang in langs:
        mine = tuple(a for a in ordered if a.lang == lang)[: config.feed_size]
        feeds += site_feeds(mine, config) if lang == default else site_feeds(
            mine, config, f"{lang}/", f"{config.title} ({lang})")
    return feeds


def assemble(articles: tuple[Article, ...], config: SiteConfig,
             undated: tuple[Page, ...] = ()) -> Site:
    """Decide every page and feed of the site.  Raises OutputCollisionError.

    ``undated``: the pages without a date (model/pages.py), placed apart from
    the articles: only their own pages, the sitemap and the navigation."""
    ordered = sort_newest_first(articles)
    by_url = {a.url: a for a in ordered}
    pages: list[PageSpec] = []
    for art in ordered:
        pages.append(PageSpec(path=output_path(art.url), url=art.url, template="article.html",
                              source=str(art.path),
                              context={"article": art, "lastmod": art.updated or art.date}))
    editions, weeks = build_editions(ordered, by_url, config)
    pages.extend(home_pages(ordered, editions[0] if editions else None, config))
    pages.extend(edition_pages(editions, weeks))
    pages.extend(archive_pages(ordered, config))
    groups = group_terms(ordered, config)
    check_term_slugs(groups, config)  # before the generic check: it names content files
    tax_pages, term_feeds = taxonomy_pages(groups, config)
    pages.extend(tax_pages)
    feeds = language_feeds(ordered, config) + term_feeds
    if config.search:  # the page the Pagefind index is searched from (theme: search.html)
        pages.append(PageSpec(path="search/index.html", url="/search/", template="search.html",
                              source="generated: search page", sitemap=False))
    pages.append(PageSpec(path="404.html", url="/404.html", template="404.html",
                          source="generated: 404 page", sitemap=False))
    undated = tuple(sorted(undated, key=lambda p: str(p.path)))
    pages.extend(redirect_pages((*ordered, *undated)))  # old addresses (front matter aliases)
    pages.extend(page_specs(undated))
    check_collisions([(p.path, p.source) for p in pages]
                     + [(f.path, f"generated: feed {f.path}") for f in feeds]
                     + [(name, f"generated: {name}") for name in GENERATED_FILES])
    return Site(articles=ordered, pages=tuple(pages), feeds=tuple(feeds), by_url=by_url,
                undated=undated, nav=navigation(undated))
