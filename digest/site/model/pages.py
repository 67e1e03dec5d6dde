"""Pages without a date (records.Page): their URLs, their HTML pages, the navigation.

A page lives at its front matter's ``url:``/``permalink:`` or at ``/<slug>/``
(sources/page_fields.py).  It is listed in the sitemap and nowhere else the
articles are: no feed, edition, archive, term page, related link or story
holds it (model.assemble never hands it to them).  A page whose address is an
article's, or another page's, is a url-collision like any other.
"""

from __future__ import annotations

from collections.abc import Iterable

from digest.site.recordcopy import evolve
from digest.site.records import Article, Page, PageSpec
from digest.site.sources.page_fields import page_settings


def undated_urls(pages: Iterable[Article]) -> tuple[Article, ...]:
    """The undated pages (Articles of kind "page", as parsed) with ``url`` set."""
    return tuple(evolve(p, {"url": page_settings(p.extra, {}, p.key)[0].url or f"/{p.slug}/"})
                 for p in pages)


def page_specs(pages: tuple[Page, ...]) -> list[PageSpec]:
    """One HTML page per undated page, by source path (``doc`` in page.html)."""
    from digest.site.model.urls import output_path

    return [PageSpec(path=output_path(p.url), url=p.url, template="page.html",
                     source=str(p.path), context={"doc": p, "lastmod": p.updated})
            for p in sorted(pages, key=lambda p: str(p.path))]


def navigation(pages: tuple[Page, ...]) -> tuple[Page, ...]:
    """The pages the navigation lists: by weight, then title, then URL."""
    return tuple(sorted((p for p in pages if p.menu), key=lambda p: (p.weight, p.title, p.url)))
