"""Story clusters: reports of one event by different sources, grouped.

One pass over the articles in publication order.  Each article is compared
with the articles of *other* sources published up to ``PAIR_WINDOW`` before it
that share one of its strongest words (an inverted index, so the pass stays
linear), using::

    sim = 0.5 · cosine(pruned TF-IDF) + 0.5 · Jaccard(taxonomy terms)
    (0 unless cosine ≥ MIN_TEXT_COSINE)

It joins the story of its most similar partner when ``sim`` reaches
``config.story_threshold`` (single link).  A story stops taking members
``STORY_SPAN`` after its first article: chaining daily follow-ups would
otherwise merge a whole topic into one "story".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from collections.abc import Mapping, Sequence
from itertools import islice

from digest.config import SiteConfig
from digest.enrich.textvec import cosine, vectorize
from digest.records import Article

PAIR_WINDOW = timedelta(hours=72).total_seconds()
STORY_SPAN = timedelta(days=7).total_seconds()
# Jaccard over terms alone reaches 1 for any two articles with the same tags
# ("Belarus", "energy"), which would merge different events on one topic at
# the default threshold: the text itself must also say "same event".
MIN_TEXT_COSINE = 0.2
LOOKUP_TOKENS = 8  # rewrites of one event share their most distinctive words
# Who published an article, and under which rubric, differ between two
# agencies' reports of the same event: they must not lower the overlap.
AGENCY_TAXONOMIES = frozenset({"sources", "sections"})


def _source(art: Article) -> str:
    return " ".join((art.source or "").casefold().split())


def similarity(text_a: dict[str, float], text_b: dict[str, float],
               terms_a: frozenset[tuple[str, str]], terms_b: frozenset[tuple[str, str]]) -> float:
    """0.5·cosine + 0.5·Jaccard; text alone when neither article has terms.

    0 when the texts share too little (MIN_TEXT_COSINE), whatever the terms.
    """
    cos = cosine(text_a, text_b)
    if cos < MIN_TEXT_COSINE:
        return 0.0
    if not terms_a and not terms_b:
        return cos
    jaccard = len(terms_a & terms_b) / len(terms_a | terms_b)
    return 0.5 * cos + 0.5 * jaccard


def cluster_stories(articles: tuple[Article, ...], config: SiteConfig) -> tuple[Article, ...]:
    """Fill ``story`` and ``also_reported``; returns records in input order."""
    if not articles:
        return articles
    # Vectors in input order, the same call as relate() makes: the memoised
    # vectors are shared between the two stages.
    vecs = vectorize([(a.title, a.body) for a in articles])
    stories, also = story_fields(articles, config, vecs)
    out = list(articles)
    for i, art in enumerate(articles):
        if stories[i] is not None or art.story or art.also_reported:
            out[i] = replace(art, story=stories[i], also_reported=also[i])
    return tuple(out)


def story_fields(articles: Sequence[Article], config: SiteConfig,
                 vecs: Sequence[Mapping[str, int]],
                 article_terms: Sequence[Mapping[str, tuple[str, ...]]] | None = None,
                 ) -> tuple[list[str | None], list[tuple[str, ...]]]:
    """``story`` and ``also_reported`` of each article, in input order.

    ``vecs`` are the articles' :func:`vectorize` vectors, in the same order;
    ``article_terms`` their ``terms`` when not yet set on the records.
    Returns plain values so that ``enrich_site`` copies each record once for
    all its site fields.
    """
    n = len(articles)
    stamps = [a.date.timestamp() for a in articles]
    urls = [a.url for a in articles]
    order = sorted(range(n), key=lambda i: (stamps[i], urls[i]))
    sources = [_source(a) for a in articles]
    if article_terms is None:
        article_terms = [a.terms for a in articles]
    terms = [
        frozenset((tax, label.casefold()) for tax, labels in mapping.items()
                  if tax not in AGENCY_TAXONOMIES for label in labels)
        for mapping in article_terms
    ]

    story_of: dict[int, int] = {}  # article index -> story number
    members: list[list[int]] = []  # story number -> article indexes, in time order
    recent: dict[str, list[int]] = {}  # token -> article indexes, in time order
    threshold = config.story_threshold
    for i in order:
        now = stamps[i]
        source = sources[i]
        lookup = list(islice(vecs[i], LOOKUP_TOKENS))  # keys come strongest first
        seen: set[int] = set()
        best, best_sim = -1, -1.0
        for token in lookup:
            posting = recent.get(token)
            if posting is None:
                recent[token] = [i]
                continue
            for j in reversed(posting):
                if now - stamps[j] > PAIR_WINDOW:
                    break
                if j in seen:
                    continue
                seen.add(j)
                if sources[j] == source:
                    continue  # one source's follow-ups are not "also reported"
                story = story_of.get(j)
                if story is not None and now - stamps[members[story][0]] > STORY_SPAN:
                    continue
                sim = similarity(vecs[i], vecs[j], terms[i], terms[j])
                # Ties: the partner met first (strongest word, newest) wins.
                if sim >= threshold and sim > best_sim:
                    best, best_sim = j, sim
            posting.append(i)  # after the scan: i is not its own partner
        if best < 0:
            continue
        story = story_of.get(best)
        if story is None:
            story = len(members)
            members.append([best])
            story_of[best] = story
        members[story].append(i)
        story_of[i] = story

    stories: list[str | None] = [None] * n
    also: list[tuple[str, ...]] = [()] * n
    used_ids: set[str] = set()
    for group in members:
        story_id = _story_id(articles[group[0]].slug, used_ids)
        for i in group:
            stories[i] = story_id
            also[i] = tuple([urls[j] for j in group if j != i and sources[j] != sources[i]])
    return stories, also


def _story_id(slug: str, used: set[str]) -> str:
    """``story-<slug of the earliest article>``, suffixed if that slug recurs."""
    base = f"story-{slug}"
    story_id, k = base, 2
    while story_id in used:
        story_id, k = f"{base}-{k}", k + 1
    used.add(story_id)
    return story_id

