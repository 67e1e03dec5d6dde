"""Index pages: home, taxonomy overviews, term pages (paginated) and their feeds.

Every page context carries ``lastmod``: the newest change (``updated``, else
``date``) among what the page lists, which sitemap.xml reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from digest.errors import Diagnostic, OutputCollisionError
from digest.site.config import SiteConfig
from digest.site.model.pagination import paginate
from digest.site.model.urls import collision_key, output_path, term_slug
from digest.site.records import Article, FeedSpec, PageSpec
from digest.site.slugs import slugify

if TYPE_CHECKING:
    from digest.site.model.editions import Edition


def last_modified(articles: Iterable[Article]) -> datetime | None:
    """Newest ``updated or date`` of ``articles``; None when there are none."""
    return max((a.updated or a.date for a in articles), default=None)


def split_by(articles: tuple[Article, ...], key: Callable[[date], date], config: SiteConfig
             ) -> list[tuple[date, tuple[Article, ...]]]:
    """Cut the newest-first ``articles`` into slices where ``key(local day)`` changes.

    The local day (site time zone) never increases along a newest-first list, so
    every day, month or year is one contiguous slice: one pass, no filtering.
    """
    tz = config.tz
    out: list[tuple[date, tuple[Article, ...]]] = []
    start, current = 0, None
    for i, art in enumerate(articles):
        k = key(art.date.astimezone(tz).date())
        if k != current:
            if current is not None:
                out.append((current, articles[start:i]))
            current, start = k, i
    if current is not None:
        out.append((current, articles[start:]))
    return out


def home_pages(articles: tuple[Article, ...], latest: Edition | None, config: SiteConfig
               ) -> Iterator[PageSpec]:
    """Page 1 leads with the latest edition; the paginated list holds the earlier
    articles (a slice: the latest day is a prefix of the newest-first list)."""
    earlier = articles[len(latest.articles):] if latest else articles
    for pager in paginate(earlier, config.per_page, "/"):
        shown = (latest.articles if latest and pager.number == 1 else ()) + pager.items
        yield PageSpec(path=output_path(pager.url), url=pager.url, template="index.html",
                       source="generated: home page",
                       context={"pager": pager,
                                "edition": latest if pager.number == 1 else None,
                                "lastmod": last_modified(shown)})


def group_terms(articles: tuple[Article, ...], config: SiteConfig
                ) -> dict[str, dict[str, tuple[Article, ...]]]:
    """taxonomy -> term label -> its articles (in the order of ``articles``)."""
    groups: dict[str, dict[str, list[Article]]] = {t.name: {} for t in config.taxonomies}
    for art in articles:
        for tax, labels in art.terms.items():
            bucket = groups.setdefault(tax, {})
            for label in labels:
                bucket.setdefault(label, []).append(art)
    return {tax: {label: tuple(items) for label, items in sorted(terms.items(),
                                                               key=lambda kv: kv[0].casefold())}
            for tax, terms in groups.items()}


def check_term_slugs(groups: dict[str, dict[str, tuple[Article, ...]]], config: SiteConfig
                     ) -> None:
    """Raise OutputCollisionError when different terms of a taxonomy get one URL.

    Spellings of one term are already one label (enrich/spellings.py); what is
    left are different words with one slug ("C++" and "C", "ｇａｓ" and "gas"),
    reported by the content files that use them rather than by the generated
    pages, which the curator never wrote.
    """
    diags = []
    for tax in config.taxonomies:
        by_slug: dict[str, list[str]] = {}
        explicit: dict[str, str] = {}  # as term_slug, without a scan of the vocabulary per label
        for term in tax.terms:
            explicit.setdefault(term.label, term.slug)
        for label in groups.get(tax.name, {}):
            slug = explicit.get(label) or slugify(label) or "term"
            by_slug.setdefault(collision_key(slug), []).append(label)
        for labels in by_slug.values():
            if len(labels) < 2:
                continue
            labels.sort(key=lambda lb: (lb.casefold(), lb))
            # each label's oldest article (then path): where it first appears
            users = [sorted(groups[tax.name][lb], key=lambda a: (a.date, str(a.path)))
                     for lb in labels]
            named = "; ".join(f'"{lb}" in {", ".join(str(a.path) for a in arts[:3])}'
                              + (" ..." if len(arts) > 3 else "")
                              for lb, arts in zip(labels, users, strict=True))
            url = f"/{tax.name}/{term_slug(labels[0], config, tax.name)}/"
            diags.append(Diagnostic(
                severity="error", code="term-collision", path=str(users[1][0].path),
                message=f"{tax.name}: {len(labels)} different terms would share the page "
                        f"{url}: {named}",
                hint=f"give one of them its own slug in digest.yaml (taxonomies.{tax.name}."
                     f"terms: - {{label: \"{labels[1]}\", slug: ...}}), rename one, or "
                     "write them alike if they are one term"))
    if diags:
        raise OutputCollisionError(sorted(diags, key=lambda d: (d.path or "", d.message)))


def taxonomy_pages(groups: dict[str, dict[str, tuple[Article, ...]]], config: SiteConfig
                   ) -> tuple[list[PageSpec], list[FeedSpec]]:
    """Overview page per taxonomy; paginated page, RSS and Atom feed per term."""
    pages: list[PageSpec] = []
    feeds: list[FeedSpec] = []
    for tax in config.taxonomies:
        terms = groups.get(tax.name, {})
        overview = f"/{tax.name}/"
        entries = [{"label": label, "url": f"/{tax.name}/{term_slug(label, config, tax.name)}/",
                    "count": len(items)} for label, items in terms.items()]
        newest = last_modified(a for items in terms.values() for a in items)
        pages.append(PageSpec(path=output_path(overview), url=overview, template="taxonomy.html",
                              source=f"generated: {tax.name} overview",
                              context={"taxonomy": tax, "terms": entries, "lastmod": newest}))
        for label, items in terms.items():
            base = f"/{tax.name}/{term_slug(label, config, tax.name)}/"
            term = {"label": label, "url": base, "taxonomy": tax, "count": len(items)}
            source = f"generated: {tax.name} term '{label}'"
            for pager in paginate(items, config.per_page, base):
                pages.append(PageSpec(path=output_path(pager.url), url=pager.url,
                                      template="term.html", source=source,
                                      context={"term": term, "pager": pager,
                                               "articles": items,
                                               "lastmod": last_modified(pager.items)}))
            title = f"{config.title}: {label}"
            latest = items[: config.feed_size]
            feeds.append(FeedSpec(path=base.lstrip("/") + "feed.xml", format="rss",
                                  title=title, page_url=base, articles=latest))
            feeds.append(FeedSpec(path=base.lstrip("/") + "atom.xml", format="atom",
                                  title=title, page_url=base, articles=latest))
    return pages, feeds
