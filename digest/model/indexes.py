"""Index pages: home, taxonomy overviews, term pages (paginated) and their feeds."""

from __future__ import annotations

from collections.abc import Iterator

from digest.config import SiteConfig
from digest.model.pagination import paginate
from digest.model.urls import output_path, term_slug
from digest.records import Article, FeedSpec, PageSpec


def home_pages(articles: tuple[Article, ...], config: SiteConfig) -> Iterator[PageSpec]:
    for pager in paginate(articles, config.per_page, "/"):
        yield PageSpec(path=output_path(pager.url), url=pager.url, template="index.html",
                       source="generated: home page", context={"pager": pager})


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
        pages.append(PageSpec(path=output_path(overview), url=overview, template="taxonomy.html",
                              source=f"generated: {tax.name} overview",
                              context={"taxonomy": tax, "terms": entries}))
        for label, items in terms.items():
            base = f"/{tax.name}/{term_slug(label, config, tax.name)}/"
            term = {"label": label, "url": base, "taxonomy": tax, "count": len(items)}
            source = f"generated: {tax.name} term '{label}'"
            for pager in paginate(items, config.per_page, base):
                pages.append(PageSpec(path=output_path(pager.url), url=pager.url,
                                      template="term.html", source=source,
                                      context={"term": term, "pager": pager,
                                               "articles": items}))
            title = f"{config.title}: {label}"
            latest = items[: config.feed_size]
            feeds.append(FeedSpec(path=base.lstrip("/") + "feed.xml", format="rss",
                                  title=title, page_url=base, articles=latest))
            feeds.append(FeedSpec(path=base.lstrip("/") + "atom.xml", format="atom",
                                  title=title, page_url=base, articles=latest))
    return pages, feeds
