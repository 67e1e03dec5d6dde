"""Pages without a date, made: parsed page -> records.Page with its HTML.

The body is rendered here, before the site is assembled, so a Page carries
its HTML and the fast engine's page fingerprints (which walk a Page's fields)
cover what it shows, links to articles included.  Pages are few (About,
contact), so they are not worth the body cache.
"""

from __future__ import annotations

from collections.abc import Callable

from digest.site.config import SiteConfig
from digest.site.records import Article, Page
from digest.site.render.bodies import render_body
from digest.site.sources.page_fields import PAGE_KEYS, page_settings


def make_pages(parsed: tuple[Article, ...], config: SiteConfig,
               resolve: Callable[[Article], str] | None = None) -> tuple[Page, ...]:
    """The Page of each parsed undated page (``url`` already assigned), by path.
    ``resolve(article)`` -> its Markdown with the template syntax resolved
    (render/templating.py); None leaves it as written."""
    pages = []
    for art in sorted(parsed, key=lambda a: a.key):
        body = art.body if resolve is None else resolve(art)
        settings = page_settings(art.extra, {}, art.key)[0]
        pages.append(Page(
            path=art.path, title=art.title, url=art.url,
            html=render_body(body, config.raw_html), summary=art.summary,
            updated=art.updated, menu=settings.menu, weight=settings.weight,
            aliases=art.aliases,
            extra={k: v for k, v in art.extra.items() if k not in PAGE_KEYS}))
    return tuple(pages)
