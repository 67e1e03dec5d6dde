"""Redirect pages: the old addresses of an article or of a page without a date
(front matter ``aliases``, Jekyll's ``redirect_from``) lead to its page.

Each old address gets a small HTML page (a canonical link and a meta refresh,
what Hugo writes for aliases, so it works on any static host), and the site
gets one Netlify ``_redirects`` file listing them all as permanent (301)
redirects, which Netlify answers before serving the HTML.  An old address
that is also a page of this site is a collision (model.urls.check_collisions
names both).
"""

from __future__ import annotations

from collections.abc import Iterable

from digest.site.model.urls import output_path
from digest.site.records import Article, Page, PageSpec

REDIRECTS = "_redirects"  # Netlify's file: one "from to status" line per redirect


def redirect_pages(ordered: Iterable[Article | Page]) -> list[PageSpec]:
    """One page per old address of each article or page without a date, and
    the ``_redirects`` file (only when one has an old address), in a stable order."""
    pages = [PageSpec(path=output_path(alias), url=alias, template="redirect.html",
                      source=f"{art.path} (aliases: {alias})", context={"target": art},
                      sitemap=False)
             for art in sorted(ordered, key=lambda a: str(a.path)) for alias in art.aliases]
    if not pages:
        return []
    moves = tuple((page.url, page.context["target"]) for page in pages)
    return [*pages, PageSpec(path=REDIRECTS, url="/" + REDIRECTS, template="redirects.html",
                             source="generated: Netlify redirects", sitemap=False,
                             context={"moves": moves})]
