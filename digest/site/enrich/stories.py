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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from itertools import islice
from typing import NamedTuple

from digest.site.config import SiteConfig
from digest.site.enrich.textvec import cosine, vectorize
from digest.site.records import Article

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
    found = story_pass(articles, config, vecs, article_terms)
    return found.stories, found.also


Pairs = list[tuple[int, float]]  # (partner index, similarity), in the order met


class StoryPass(NamedTuple):
    stories: list[str | None]  # by index
    also: list[tuple[str, ...]]
    pairs: list[Pairs]  # by index: partners()
    members: list[list[int]]  # by story, in the order formed: join()
    sources: list[str]  # by index: source_key()


def story_pass(articles: Sequence[Article], config: SiteConfig,
               vecs: Sequence[Mapping[str, int]],
               article_terms: Sequence[Mapping[str, tuple[str, ...]]] | None = None,
               ) -> StoryPass:
    """:func:`story_fields`, and each article's :func:`partners` (kept by
    digest.engine.snapshot: a later build recomputes only the ones an edit
    can change, then replays the pass, see digest.engine.restory).

    Two steps: every article's partners (from an index of the earlier
    articles' strongest words), then :func:`join` in time order, which alone
    depends on the stories formed so far (STORY_SPAN).
    """
    n = len(articles)
    stamps = [a.date.timestamp() for a in articles]
    urls = [a.url for a in articles]
    order = time_order(stamps, urls)
    sources = [source_key(a) for a in articles]
    if article_terms is None:
        article_terms = [a.terms for a in articles]
    terms = [story_terms(mapping) for mapping in article_terms]
    threshold = config.story_threshold
    recent: dict[str, list[int]] = {}  # token -> article indexes, in time order
    pairs: list[Pairs] = [[] for _ in range(n)]
    for i in order:
        now = stamps[i]
        runs = []
        for token in islice(vecs[i], LOOKUP_TOKENS):  # keys come strongest first
            posting = recent.setdefault(token, [])
            run = []
            for j in reversed(posting):
                if now - stamps[j] > PAIR_WINDOW:
                    break
                run.append(j)
            runs.append(run)
            posting.append(i)  # after the scan: i is not its own partner
        pairs[i] = partners(i, runs, sources, vecs, terms, threshold)
    members = join(order, pairs, stamps)
    stories, also = story_ids(members, [a.slug for a in articles], urls, sources)
    return StoryPass(stories, also, pairs, members, sources)


def time_order(stamps: Sequence[float], urls: Sequence[str]) -> list[int]:
    """Article indexes in publication order (ties: URL)."""
    return sorted(range(len(stamps)), key=lambda i: (stamps[i], urls[i]))


def source_key(art: Article) -> str:
    """Who published an article, as compared (case and spacing folded)."""
    return " ".join((art.source or "").casefold().split())


def story_terms(mapping: Mapping[str, tuple[str, ...]]) -> frozenset[tuple[str, str]]:
    """An article's terms as the Jaccard part of :func:`similarity` sees them."""
    return frozenset((tax, label.casefold()) for tax, labels in mapping.items()
                     if tax not in AGENCY_TAXONOMIES for label in labels)


def partners(i: int, runs: Iterable[Sequence[int]], sources: Sequence[str],
             vecs: Sequence[Mapping[str, int]], terms: Sequence[frozenset[tuple[str, str]]],
             threshold: float, known: Callable[[int], float | None] | None = None) -> Pairs:
    """The earlier articles ``i`` may join, with their similarity, in the order met.

    ``runs``: per lookup token of ``i`` (strongest first), the earlier articles
    of that token within PAIR_WINDOW, newest first.  Each article counts where
    it is met first; other sources only; similarity at least ``threshold``.
    Whether a partner's story is still open (STORY_SPAN) is left to
    :func:`join`: it depends on the stories formed before ``i``.
    ``known(j)``, when given, stands for the similarity with ``j`` (None: less
    than the threshold), for a caller that knows most of them (restory).
    """
    seen: set[int] = set()
    found: Pairs = []
    source = sources[i]
    for run in runs:
        for j in run:
            if j in seen:
                continue
            seen.add(j)
            if sources[j] == source:
                continue  # one source's follow-ups are not "also reported"
            if known is None:
                sim = similarity(vecs[i], vecs[j], terms[i], terms[j])  # type: ignore[arg-type]
            else:
                found_sim = known(j)
                if found_sim is None:
                    continue
                sim = found_sim
            if sim >= threshold:
                found.append((j, sim))
    return found


def join(order: Iterable[int], pairs: Sequence[Sequence[tuple[int, float]]],
         stamps: Sequence[float], members: list[list[int]] | None = None) -> list[list[int]]:
    """Single link in time order: each article joins the story of its most
    similar partner (ties: the partner met first) whose story is still open.
    Returns the stories' members, each in time order, stories in the order formed.
    ``members``: the stories formed by the articles before ``order``, to go on from."""
    members = [] if members is None else members  # story number -> indexes, in time order
    story_of = {i: k for k, group in enumerate(members) for i in group}  # index -> story
    for i in order:
        found = pairs[i]
        if not found:
            continue
        now = stamps[i]
        best, best_sim = -1, -1.0
        for j, sim in found:
            story = story_of.get(j)
            if story is not None and now - stamps[members[story][0]] > STORY_SPAN:
                continue
            if sim > best_sim:
                best, best_sim = j, sim
        if best < 0:
            continue
        story = story_of.get(best)
        if story is None:
            story = len(members)
            members.append([best])
            story_of[best] = story
        members[story].append(i)
        story_of[i] = story
    return members


def story_ids(members: Sequence[Sequence[int]], slugs: Sequence[str], urls: Sequence[str],
              sources: Sequence[str]) -> tuple[list[str | None], list[tuple[str, ...]]]:
    """``story`` and ``also_reported`` of each article from the stories' members."""
    n = len(slugs)
    stories: list[str | None] = [None] * n
    also: list[tuple[str, ...]] = [()] * n
    used_ids: set[str] = set()
    for group in members:
        story_id = next_story_id(slugs[group[0]], used_ids)
        for i in group:
            stories[i] = story_id
            also[i] = tuple([urls[j] for j in group if j != i and sources[j] != sources[i]])
    return stories, also


def next_story_id(slug: str, used: set[str]) -> str:
    """``story-<slug of the earliest article>``, suffixed if that slug recurs."""
    base = f"story-{slug}"
    story_id, k = base, 2
    while story_id in used:
        story_id, k = f"{base}-{k}", k + 1
    used.add(story_id)
    return story_id

