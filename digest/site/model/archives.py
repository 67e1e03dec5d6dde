"""Date archives: /YYYY/ and /YYYY/MM/ (calendar of the site time zone), paginated.

With the default permalink (/YYYY/MM/DD/slug/) these URLs are free; with a
custom pattern they might not be, which ``check_collisions`` reports like any
other clash.  Years and months are contiguous slices of the newest-first list
(the same argument as for editions), cut in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from digest.site.config import SiteConfig
from digest.site.model.editions import day_url
from digest.site.model.indexes import last_modified, split_by
from digest.site.model.pagination import paginate
from digest.site.model.urls import output_path
from digest.site.records import Article, PageSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A link to a sub-period of an archive: a month of a year, a day of a month."""

    start: date
    url: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Archive:
    kind: str  # "year" | "month"
    start: date  # first day of the period
    url: str
    articles: tuple[Article, ...]  # newest first
    parts: tuple[Period, ...]  # months of a year / days (editions) of a month, newest first
    up_url: str | None = None  # the year of a month
    prev_url: str | None = None  # the older period with articles
    next_url: str | None = None  # the newer period with articles


def year_url(start: date) -> str:
    return f"/{start.year:04d}/"


def month_url(start: date) -> str:
    return f"/{start.year:04d}/{start.month:02d}/"


def _chain(items: list[Archive]) -> list[Archive]:
    """Link each archive to its neighbours (``items`` newest first)."""
    return [replace(a, next_url=items[i - 1].url if i > 0 else None,
                    prev_url=items[i + 1].url if i + 1 < len(items) else None)
            for i, a in enumerate(items)]


def build_archives(articles: tuple[Article, ...], config: SiteConfig
                   ) -> tuple[list[Archive], list[Archive]]:
    """(years, months), each newest first."""
    years, months = [], []
    for ystart, yitems in split_by(articles, lambda d: date(d.year, 1, 1), config):
        mparts = []
        for mstart, mitems in split_by(yitems, lambda d: date(d.year, d.month, 1), config):
            days = tuple(Period(start=d, url=day_url(d), count=len(items))
                         for d, items in split_by(mitems, lambda d: d, config))
            months.append(Archive(kind="month", start=mstart, url=month_url(mstart),
                                  articles=mitems, parts=days, up_url=year_url(ystart)))
            mparts.append(Period(start=mstart, url=month_url(mstart), count=len(mitems)))
        years.append(Archive(kind="year", start=ystart, url=year_url(ystart),
                             articles=yitems, parts=tuple(mparts)))
    return _chain(years), _chain(months)


def archive_pages(articles: tuple[Article, ...], config: SiteConfig) -> Iterator[PageSpec]:
    years, months = build_archives(articles, config)
    for archive in years + months:
        source = f"generated: {archive.kind} archive {archive.url}"
        for pager in paginate(archive.articles, config.per_page, archive.url):
            yield PageSpec(path=output_path(pager.url), url=pager.url, template="archive.html",
                           source=source,
                           context={"archive": archive, "pager": pager,
                                    "lastmod": last_modified(pager.items)})
