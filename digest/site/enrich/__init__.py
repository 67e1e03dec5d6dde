"""Enrichment: a fixed, ordered tuple of pure steps (no plugin registry).

Two phases, so incremental builds can reuse what did not change:

- *local* steps depend on one article alone (and the settings): its terms from
  the vocabulary, its summary, word count and reading time;
- *site* steps depend on every article: story clusters (related links fold
  stories), related links, then mentions (which need every URL and title).
  :func:`site_values` computes them from scratch, and hands its intermediate
  results to the engine's ``keep`` (the fast engine keeps a snapshot that
  digest.engine.update brings up to date after edits, with exactly the same
  result).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from digest.errors import Diagnostic
from digest.site.config import SiteConfig
from digest.site.enrich.textvec import Counted
from digest.site.records import LOCAL_FIELDS, SITE_FIELDS, Article
from digest.site.work import SERIAL, Work

# LOCAL_FIELDS, SITE_FIELDS: the fields each phase fills, in the order its
# values come in; their roles are declared on Article (digest/site/records.py).


def local_work(articles: Sequence[Article], config: SiteConfig, work: Work = SERIAL, *,
               local: Sequence[bool] | None = None, count: Sequence[bool] | None = None
               ) -> list[tuple[tuple[Any, ...] | None, Counted | None]]:
    """Each article's LOCAL_FIELDS values (a tuple in that order) where
    ``local[i]``, and its term counts (textvec.count_terms) where ``count[i]``
    (both: every article when not given); None where not asked.

    One pass over the articles, shared out by ``work`` (the fast engine's
    forked workers, with the parent working too: parallel.share_map).  Workers send back only
    these values, and the counts as per chunk its distinct terms once, then
    per article the positions of its terms among them: the terms are interned
    here once per chunk instead of once per occurrence (2.5 M at 10,000
    articles), so that equal terms are one object, as compute_vectors wants.
    """
    from digest.site.enrich import textvec
    from digest.site.enrich.summary import summary_fields
    from digest.site.enrich.taxonomy import article_terms, compile_matcher

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
    for i, result in zip(todo, work.share(one, todo, "enriching articles", pack=pack,
                                          unpack=unpack), strict=True):
        out[i] = result
    return out


def enrich_local(articles: tuple[Article, ...], config: SiteConfig,
                 work: Work = SERIAL) -> tuple[Article, ...]:
    """Terms, summaries and reading time: each article on its own."""
    from digest.site.recordcopy import evolve

    done = local_work(articles, config, work, count=[False] * len(articles))
    return tuple(evolve(a, dict(zip(LOCAL_FIELDS, fields, strict=True)))  # type: ignore[arg-type]
                 for a, (fields, _) in zip(articles, done, strict=True))


def enrich_site(articles: tuple[Article, ...], config: SiteConfig,
                work: Work = SERIAL, counted: Sequence[Counted | None] | None = None,
                local: Sequence[tuple[Any, ...]] | None = None) -> tuple[Article, ...]:
    """Stories, related links and mentions: functions of the whole site.

    The same as cluster_stories, then relate, then resolve_mentions, but each
    step returns plain field values and every record is copied once at the
    end: three rounds of dataclasses.replace cost more than the mentions step.
    ``local``, when given, holds each article's LOCAL_FIELDS values (as
    :func:`local_work` returns them): they are used instead of the records'
    and set in the same copy.
    """
    if not articles:
        return articles
    terms = [f[0] for f in local] if local is not None else [a.terms for a in articles]
    values, _ = site_values(articles, config, work, counted, terms)
    return with_fields(articles, values, local)


# Each of SITE_FIELDS, in that order: its value for every article, in input order.
SiteColumns = tuple[list[Any], ...]


def site_columns(**columns: list[Any]) -> SiteColumns:
    """The :data:`SiteColumns` of the named columns (every SITE_FIELDS name,
    no other), in SITE_FIELDS order: producers name what they fill."""
    if set(columns) != set(SITE_FIELDS):
        raise TypeError(f"site columns {sorted(columns)} are not SITE_FIELDS "
                        f"{sorted(SITE_FIELDS)} (roles: digest/site/records.py)")
    return tuple(columns[name] for name in SITE_FIELDS)


class Keep(Protocol):
    """What an engine keeps of a from-scratch site enrichment (see site_values)."""

    def text(self, weighed: Any) -> Any: ...

    def capture(self, articles: tuple[Article, ...], weighed: Any, *parts: Any) -> Any: ...


def site_values(articles: tuple[Article, ...], config: SiteConfig, work: Work,
                counted: Sequence[Counted | None] | None,
                terms: Sequence[Mapping[str, tuple[str, ...]]],
                keep: Keep | None = None,
                ) -> tuple[SiteColumns, Any]:
    """Every article's SITE_FIELDS values (by field, in input order), computed from scratch;
    with ``keep`` also what it makes of the intermediate results (the fast
    engine: the snapshot a later build updates instead, digest.engine.snapshot)."""
    from digest.site.enrich.mentions import mention_pass
    from digest.site.enrich.related import link_site, prepare
    from digest.site.enrich.stories import story_pass
    from digest.site.enrich.textvec import weigh

    # Computed here and passed on, not memoised: nothing has to hash the
    # site's text, and the vectors die with this call.
    # ``counted``: each article's term counts where known (a cache), in order.
    weighed = weigh([(a.title, a.body) for a in articles], counted=counted, work=work)
    vecs = weighed.vectors
    # Stories (a serial pass) are clustered alongside (the fast engine: in a
    # forked process) while this one
    # builds the related-link tables and resolves mentions: neither needs the
    # other.  What ``keep`` makes of the text is made meanwhile too.
    def here() -> tuple[Any, Any, Any]:
        return (prepare(articles, vecs, terms), mention_pass(articles),
                keep.text(weighed) if keep is not None else None)

    clustered, (prep, (mentions, titles), text) = work.alongside(
        lambda: story_pass(articles, config, vecs, terms), here)
    stories, also = _shared_urls((clustered.stories, clustered.also), articles)
    links, found = link_site(prep, config, stories, also, work=work)
    related, earlier, later = (list(column) for column in zip(*links, strict=True))
    values = site_columns(related=related, earlier=earlier, later=later, story=stories,
                          also_reported=also, mentions=mentions)
    if keep is None:
        return values, None
    return values, keep.capture(articles, weighed, prep, clustered, found, links,
                                stories, also, titles, mentions, text)


def with_fields(articles: Sequence[Article], values: SiteColumns,
                local: Sequence[tuple[Any, ...]] | None = None) -> tuple[Article, ...]:
    """New records: ``articles`` with their site-wide (and, given, local) fields
    set (recordcopy.with_columns)."""
    from digest.site.recordcopy import with_columns

    columns = dict(zip(SITE_FIELDS, values, strict=True))
    if local is not None:
        columns.update(zip(LOCAL_FIELDS, zip(*local, strict=True) if local else
                           [()] * len(LOCAL_FIELDS), strict=True))
    return with_columns(articles, columns)


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
