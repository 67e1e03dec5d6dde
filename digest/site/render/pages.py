"""Pages without a date, made: parsed page -> records.Page with its HTML.

The body is rendered here, before the site is assembled, so a Page carries
its HTML and the fast engine's page fingerprints (which walk a Page's fields)
cover what it shows, links to articles included.  Pages are few (About,
contact), so they are not worth the body cache.
"""

from __future__ import annotations

from digest.errors import Diagnostic
from digest.site.config import SiteConfig
from digest.site.records import Article, Page
from digest.site.render.bodies import render_body
from digest.site.sources.page_fields import PAGE_KEYS, page_settings


def make_pages(parsed: tuple[Article, ...], config: SiteConfig,
               resolve: object = None) -> tuple[tuple[Page, ...], list[Diagnostic]]:
    """The Page of each parsed undated page (``url`` already assigned), by path,
    and the problems its body's template syntax raised.  ``resolve(article)``
    -> (Markdown, diagnostics) rewrites the body's template syntax
    (render/liquid.py); None leaves it as written."""
    pages, diags = [], []
    for art in sorted(parsed, key=lambda a: a.key):
        body = art.body
        if resolve is not None:
            body, found = resolve(art)  # type: ignore[operator]
            diags += found
        settings = page_settings(art.extra, {}, art.key)[0]
        pages.append(Page(
            path=art.path, title=art.title, url=art.url,
            html=render_body(body, config.raw_html), summary=art.summary,
            updated=art.updated, menu=settings.menu, weight=settings.weight,
            extra={k: v for k, v in art.extra.items() if k not in PAGE_KEYS}))
    return tuple(pages), diags
