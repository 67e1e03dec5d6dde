"""Enrichment: a fixed, ordered tuple of pure steps (no plugin registry).

Order matters: terms first (related links and stories use them), summaries,
story clusters (related links fold stories), related links, then mentions
(which need every article's URL and title).
"""

from __future__ import annotations

from digest.config import SiteConfig
from digest.errors import Diagnostic
from digest.records import Article


def enrich(articles: tuple[Article, ...], config: SiteConfig,
           diags: list[Diagnostic]) -> tuple[Article, ...]:
    """Return the articles with terms, summaries, stories, related links and mentions."""
    from digest.enrich.mentions import resolve_mentions
    from digest.enrich.related import relate
    from digest.enrich.stories import cluster_stories
    from digest.enrich.summary import summarize
    from digest.enrich.taxonomy import tag_articles

    articles = tag_articles(articles, config)
    articles = tuple(summarize(a, config.summary_length) for a in articles)
    articles = cluster_stories(articles, config)
    articles = relate(articles, config)
    return resolve_mentions(articles)
