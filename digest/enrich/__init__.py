"""Enrichment: a fixed, ordered tuple of pure steps (no plugin registry).

Two phases, so incremental builds can reuse what did not change:

- *local* steps depend on one article alone (and the settings): its terms from
  the vocabulary, its summary, word count and reading time;
- *site* steps depend on every article: story clusters (related links fold
  stories), related links, then mentions (which need every URL and title).
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.config import SiteConfig
from digest.enrich.textvec import Counted
from digest.errors import Diagnostic
from digest.records import Article

LOCAL_FIELDS = ("terms", "summary_text", "word_count", "reading_minutes")
SITE_FIELDS = ("related", "earlier", "later", "story", "also_reported", "mentions")


def enrich_local(articles: tuple[Article, ...], config: SiteConfig,
                 jobs: int = 1) -> tuple[Article, ...]:
    """Terms, summaries and reading time: each article on its own.

    With ``jobs`` > 1 the work is spread over forked workers, which send back
    only the few derived fields, not whole articles.
    """
    import dataclasses

    from digest.enrich.summary import summarize
    from digest.enrich.taxonomy import compile_matcher, tag_article
    from digest.parallel import share_map

    matcher = compile_matcher(config.taxonomies)  # once, before any worker forks

    def local_fields(article: Article) -> dict[str, object]:
        done = summarize(tag_article(article, matcher, config), config.summary_length)
        return {name: getattr(done, name) for name in LOCAL_FIELDS}

    fields = share_map(local_fields, articles, jobs)
    return tuple(dataclasses.replace(a, **f) for a, f in zip(articles, fields, strict=True))


def enrich_site(articles: tuple[Article, ...], config: SiteConfig,
                jobs: int = 1, counted: Sequence[Counted | None] | None = None
                ) -> tuple[Article, ...]:
    """Stories, related links and mentions: functions of the whole site.

    The same as cluster_stories, then relate, then resolve_mentions, but each
    step returns plain field values and every record is copied once at the
    end: three rounds of dataclasses.replace cost more than the mentions step.
    """
    from dataclasses import replace

    from digest.enrich.mentions import mention_fields
    from digest.enrich.related import related_fields
    from digest.enrich.stories import story_fields
    from digest.enrich.textvec import compute_vectors

    if not articles:
        return articles
    # Computed here and passed on, not memoised: nothing has to hash the
    # site's text, and the vectors die with this call.
    # ``counted``: each article's term counts where known (a cache), in order.
    vecs = compute_vectors([(a.title, a.body) for a in articles], counted=counted)
    stories, also = story_fields(articles, config, vecs)
    links = related_fields(articles, config, vecs, stories, also, jobs=jobs)
    del vecs
    mentions = mention_fields(articles)
    return tuple(
        replace(art, story=story, also_reported=others, related=related, earlier=earlier,
                later=later, mentions=resolved)
        for art, story, others, (related, earlier, later), resolved
        in zip(articles, stories, also, links, mentions, strict=True)
    )


def enrich(articles: tuple[Article, ...], config: SiteConfig,
           diags: list[Diagnostic]) -> tuple[Article, ...]:
    """Return the articles with terms, summaries, stories, related links and mentions."""
    return enrich_site(enrich_local(articles, config), config)
