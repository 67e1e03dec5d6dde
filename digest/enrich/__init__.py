"""Enrichment: a fixed, ordered tuple of pure steps (no plugin registry).

Two phases, so incremental builds can reuse what did not change:

- *local* steps depend on one article alone (and the settings): its terms from
  the vocabulary, its summary, word count and reading time;
- *site* steps depend on every article: story clusters (related links fold
  stories), related links, then mentions (which need every URL and title).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from digest.config import SiteConfig
from digest.enrich.textvec import Counted
from digest.errors import Diagnostic
from digest.records import Article

LOCAL_FIELDS = ("terms", "summary_text", "word_count", "reading_minutes")
SITE_FIELDS = ("related", "earlier", "later", "story", "also_reported", "mentions")


def local_work(articles: Sequence[Article], config: SiteConfig, jobs: int = 1, *,
               local: Sequence[bool] | None = None, count: Sequence[bool] | None = None
               ) -> list[tuple[tuple[Any, ...] | None, Counted | None]]:
    """Each article's LOCAL_FIELDS values (a tuple in that order) where
    ``local[i]``, and its term counts (textvec.count_terms) where ``count[i]``
    (both: every article when not given); None where not asked.

    One pass over the articles, spread over forked workers with ``jobs`` > 1
    (the parent works too, see parallel.share_map).  Workers send back only
    these values, and the counts as per chunk its distinct terms once, then
    per article the positions of its terms among them: the terms are interned
    here once per chunk instead of once per occurrence (2.5 M at 10,000
    articles), so that equal terms are one object, as compute_vectors wants.
    """
    from digest.enrich import textvec
    from digest.enrich.summary import summary_fields
    from digest.enrich.taxonomy import article_terms, compile_matcher
    from digest.parallel import share_map

    n = len(articles)
    local = [True] * n if local is None else local
    count = [True] * n if count is None else count
    # Compiled once, before any worker forks (and only when there is tagging to do).
    matcher = compile_matcher(config.taxonomies) if any(local) else None

    def one(i: int) -> tuple[tuple[Any, ...] | None, Counted | None]:
        art = articles[i]
        fields = None
        if local[i]:
            fields = (article_terms(art, matcher, config),  # type: ignore[arg-type]
                      *summary_fields(art, config.summary_length))
        return fields, (textvec.count_terms(art.title, art.body) if count[i] else None)

    def pack(part: list[tuple[Any, Counted | None]]) -> tuple[list[Any], Any]:
        return [f for f, _ in part], textvec.pack_counts([c for _, c in part])

    def unpack(packed: tuple[list[Any], Any]) -> list[tuple[Any, Counted | None]]:
        fields, counts = packed
        return list(zip(fields, textvec.unpack_counts(counts), strict=True))

    todo = [i for i in range(n) if local[i] or count[i]]
    out: list[tuple[tuple[Any, ...] | None, Counted | None]] = [(None, None)] * n
    for i, result in zip(todo, share_map(one, todo, jobs, pack=pack, unpack=unpack),
                         strict=True):
        out[i] = result
    return out


def enrich_local(articles: tuple[Article, ...], config: SiteConfig,
                 jobs: int = 1) -> tuple[Article, ...]:
    """Terms, summaries and reading time: each article on its own."""
    from digest.recordcopy import evolve

    done = local_work(articles, config, jobs, count=[False] * len(articles))
    return tuple(evolve(a, dict(zip(LOCAL_FIELDS, fields, strict=True)))  # type: ignore[arg-type]
                 for a, (fields, _) in zip(articles, done, strict=True))


def enrich_site(articles: tuple[Article, ...], config: SiteConfig,
                jobs: int = 1, counted: Sequence[Counted | None] | None = None,
                local: Sequence[tuple[Any, ...]] | None = None) -> tuple[Article, ...]:
    """Stories, related links and mentions: functions of the whole site.

    The same as cluster_stories, then relate, then resolve_mentions, but each
    step returns plain field values and every record is copied once at the
    end: three rounds of dataclasses.replace cost more than the mentions step.
    ``local``, when given, holds each article's LOCAL_FIELDS values (as
    :func:`local_work` returns them): they are used instead of the records'
    and set in the same copy.
    """
    from digest.enrich.mentions import mention_fields
    from digest.enrich.related import prepare, related_links
    from digest.enrich.stories import story_fields
    from digest.enrich.textvec import compute_vectors
    from digest.parallel import alongside
    from digest.recordcopy import evolve

    if not articles:
        return articles
    terms = [f[0] for f in local] if local is not None else [a.terms for a in articles]
    # Computed here and passed on, not memoised: nothing has to hash the
    # site's text, and the vectors die with this call.
    # ``counted``: each article's term counts where known (a cache), in order.
    vecs = compute_vectors([(a.title, a.body) for a in articles], counted=counted, jobs=jobs)
    # Stories (a serial pass) are clustered in a forked process while this one
    # builds the related-link tables and resolves mentions: neither needs the other.
    clustered, (tables, mentions) = alongside(
        lambda: story_fields(articles, config, vecs, terms),
        lambda: (prepare(articles, vecs, terms), mention_fields(articles)), jobs)
    del vecs
    stories, also = _shared_urls(clustered, articles)
    links = related_links(tables, config, stories, also, jobs=jobs)
    out = []
    for i, (art, story, others, (related, earlier, later), resolved) in enumerate(
            zip(articles, stories, also, links, mentions, strict=True)):
        changes = dict(zip(LOCAL_FIELDS, local[i], strict=True)) if local is not None else {}
        changes.update(story=story, also_reported=others, related=related, earlier=earlier,
                       later=later, mentions=resolved)
        out.append(evolve(art, changes))
    return tuple(out)


def _shared_urls(fields: tuple[list[str | None], list[tuple[str, ...]]],
                 articles: Sequence[Article]) -> tuple[list[str | None], list[tuple[str, ...]]]:
    """Story fields whose URLs are the articles' own strings (not copies made
    on the way back from a worker process)."""
    stories, also = fields
    same = {a.url: a.url for a in articles}.__getitem__
    return stories, [tuple(map(same, urls)) if urls else urls for urls in also]


def enrich(articles: tuple[Article, ...], config: SiteConfig,
           diags: list[Diagnostic]) -> tuple[Article, ...]:
    """Return the articles with terms, summaries, stories, related links and mentions."""
    return enrich_site(enrich_local(articles, config), config)
