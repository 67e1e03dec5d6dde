"""The site-wide enrichment updated from the last build's snapshot, exactly.

digest.site.enrich.site_values recomputes every site-wide field from scratch; this
module gets the same values (bit for bit, tested against it) from the
snapshot that computation left (digest.engine.snapshot) and the articles
edited since, in the same order of steps:

1. vectors (digest.engine.revector): the edited articles' and those an idf
   change can reach;
2. posting lists: the articles whose lookup keys changed move;
3. stories (digest.engine.restory): partners recomputed where they can
   change, then the single-link pass replayed;
4. related links (digest.engine.relink), with the new stories: the articles
   whose inputs changed;
5. mentions: the edited articles' and those that mention an edited headline.

It applies when the published articles are the same keys in the same order,
and each edited article kept its date, URL and slug (so positions, time order
and story ids' slugs hold); otherwise :class:`Stale` is raised and the caller
recomputes everything.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Mapping, Sequence
from itertools import islice
from typing import Any

from digest.engine.relink import Changes, Tables, relink
from digest.engine.restory import SHARED_TOKENS, Lazy, Site, restory
from digest.engine.revector import revector, term_vector_of, vector_of
from digest.engine.rows import Rows, packed
from digest.engine.snapshot import Snapshot, Vocabulary
from digest.site.config import SiteConfig
from digest.site.enrich.mentions import normalize_title, resolve_article, title_index
from digest.site.enrich.ranking import split_links
from digest.site.enrich.related import CANDIDATE_TOKENS, SECONDS_PER_DAY, combined, term_keys
from digest.site.enrich.stories import source_key, story_terms
from digest.site.enrich.textvec import Counted
from digest.site.records import Article

SiteColumns = tuple[list[Any], ...]  # as digest.site.enrich.SiteColumns


class Stale(Exception):
    """The snapshot does not describe this site closely enough to be updated."""


def edited_since(snap: Snapshot, articles: Sequence[Article], keys: Sequence[str],
                 tags: Sequence[Hashable]) -> list[int]:
    """Indexes of the articles edited since ``snap`` (raises :class:`Stale`
    when it cannot be updated to ``articles``, see the module docstring).
    ``keys``: the articles' keys; ``tags``: theirs as in Snapshot.tags."""
    if not SHARED_TOKENS or list(keys) != snap.keys or len(tags) != len(snap.keys):
        raise Stale("other articles")
    if len(set(snap.urls)) != len(snap.urls):
        # Time order and positions break ties by URL: without it they fall
        # back on input order (and the build fails on the collision anyway).
        raise Stale("two articles share a URL")
    edited = [i for i, (tag, old) in enumerate(zip(tags, snap.tags, strict=True)) if tag != old]
    for i in edited:
        art = articles[i]
        if (art.url != snap.urls[i] or art.slug != snap.slugs[i]
                or art.date.timestamp() != snap.stamps[i]):
            raise Stale("an article moved")
    return edited


def update_site(snap: Snapshot, articles: Sequence[Article], config: SiteConfig,
                tags: Sequence[Hashable], edited: Sequence[int],
                counted: Mapping[int, Counted], terms: Sequence[Mapping[str, tuple[str, ...]]],
                ) -> tuple[SiteColumns, Snapshot]:
    """Every article's SITE_FIELDS values (by field, as enrich.site_values) and
    the new snapshot.

    ``edited``: :func:`edited_since`; ``counted``: the term counts of every
    edited article (textvec.count_terms); ``terms``: every article's
    ``terms`` (the local enrichment)."""
    if not edited:
        return _values(snap, articles), snap
    n = len(articles)
    vocab = Vocabulary(list(snap.vocab))
    rv = revector(snap, vocab, {e: counted[e] for e in edited},
                  {e: term_keys(terms[e]) for e in edited})
    words = vocab.words
    order = snap.order
    pos_of = [0] * n
    for pos, i in enumerate(order):
        pos_of[i] = pos
    text = Lazy(lambda i: rv.text[i] if i in rv.text else vector_of(snap, words, i))
    term_vec = Lazy(lambda i: rv.terms[i] if i in rv.terms else term_vector_of(snap, words, i))

    # 2. lookup keys and combined vectors; posting lists
    keys_changed: set[int] = set()
    vec_changed: set[int] = set()
    moves: dict[str, tuple[set[int], set[int]]] = {}  # key -> (positions out, positions in)
    for i in sorted(rv.changed):
        old_text, old_terms = vector_of(snap, words, i), term_vector_of(snap, words, i)
        old_keys = [*islice(old_text, CANDIDATE_TOKENS), *old_terms]
        new_keys = [*islice(text[i], CANDIDATE_TOKENS), *term_vec[i]]
        pos = pos_of[i]
        if old_keys != new_keys:
            keys_changed.add(pos)
            for key in set(old_keys).difference(new_keys):
                moves.setdefault(key, (set(), set()))[0].add(pos)
            for key in set(new_keys).difference(old_keys):
                moves.setdefault(key, (set(), set()))[1].add(pos)
        if combined(old_text, old_terms) != combined(text[i], term_vec[i]):
            vec_changed.add(pos)
    lists: dict[str, tuple[Sequence[int], Sequence[int]]] = {}
    new_rows: dict[int, list[int]] = {}
    for key, (out, into) in moves.items():
        kid = vocab.id(key)
        old = snap.postings[kid] if kid < len(snap.postings) else array("I")
        new = sorted(set(old).difference(out).union(into))
        lists[key] = (old, new)
        new_rows[kid] = new
    postings = snap.postings.grown(len(words)).replaced(new_rows)

    def plist(key: str) -> Sequence[int]:
        kid = vocab.get(key)
        if kid is None:
            raise Stale(f"no posting list for {key!r}")
        return new_rows[kid] if kid in new_rows else postings[kid]

    # 3. stories
    negated_stamps = [-snap.stamps[i] for i in order]
    sources = list(snap.sources)
    for e in edited:
        sources[e] = source_key(articles[e])
    site = Site(snap, config.story_threshold, text, lambda i: vector_of(snap, words, i),
                Lazy(lambda i: story_terms(terms[i])), sources, plist, pos_of, negated_stamps)
    rs = restory(site, rv.text_changed.union(edited), set(edited))

    # 4. related links.  By position: what every article's pick and choice
    # may read is a plain list (cheaper than made on demand); vectors and
    # keys are made for the articles read only.
    tables = Tables(
        arts=[articles[i] for i in order],
        stamps=[snap.stamps[i] / SECONDS_PER_DAY for i in order],
        vectors=Lazy(lambda p: combined(text[order[p]], term_vec[order[p]])),
        dims=Lazy(lambda p: _dims(tables.vectors[p])),
        keys=Lazy(lambda p: [*islice(text[order[p]], CANDIDATE_TOKENS), *term_vec[order[p]]]),
        postings=Lazy(plist), by_slug=_BySlug(snap))
    changes = Changes(keys_changed, vec_changed, lists, {pos_of[i] for i in rs.changed},
                      {pos_of[e] for e in edited},
                      lambda: [pos for pos, art in enumerate(tables.arts) if art.related_pins])
    story_at = [rs.stories[i] for i in order]
    links = relink(snap, tables, story_at, lambda p: rs.also[order[p]], config.related_count,
                   changes)
    related, earlier, later = list(snap.related), list(snap.earlier), list(snap.later)
    url_of = [snap.urls[i] for i in order].__getitem__
    for pos, (chosen, _) in links.items():
        i = order[pos]
        related[i], earlier[i], later[i] = split_links(pos, chosen, url_of)

    # 5. mentions
    titles, mention_titles, mentions = _mentions(snap, articles, edited)
    pick_size, pick_done = array(snap.pick_size.typecode, snap.pick_size), array(
        snap.pick_done.typecode, snap.pick_done)
    for pos, (_, picked) in links.items():
        pick_size[pos], pick_done[pos] = picked.size, int(picked.complete)
    new = Snapshot(
        keys=snap.keys, tags=list(tags), urls=snap.urls, slugs=snap.slugs, stamps=snap.stamps,
        order=order, time_order=snap.time_order, vocab=words,
        counts_ids=rv.rows["counts_ids"], counts_tf=rv.rows["counts_tf"],
        df=_padded(rv.tables["df"], len(words)), vec_ids=rv.rows["vec_ids"],
        vec_w=rv.rows["vec_w"], floors=rv.tables["floors"], tax_ids=rv.rows["tax_ids"],
        tdf=_padded(rv.tables["tdf"], len(words)), tv_ids=rv.rows["tv_ids"],
        tv_w=rv.rows["tv_w"], postings=postings,
        picks=snap.picks.replaced({p: list(pk.positions) for p, (_, pk) in links.items()}),
        pick_dots=snap.pick_dots.replaced({p: list(pk.dots) for p, (_, pk) in links.items()}),
        pick_size=packed(pick_size), pick_done=packed(pick_done),
        pair_j=snap.pair_j.replaced({i: [j for j, _ in p] for i, p in rs.pairs.items()}),
        pair_sim=snap.pair_sim.replaced({i: [s for _, s in p] for i, p in rs.pairs.items()}),
        members=Rows.build(rs.members), sources=sources,
        related=related, earlier=earlier, later=later, story=rs.stories, also=rs.also,
        titles=titles, mention_titles=mention_titles, mentions=mentions)
    return _values(new, articles), new


def _values(snap: Snapshot, articles: Sequence[Article]) -> SiteColumns:
    from digest.site.enrich import site_columns

    mentions = snap.mentions
    return site_columns(related=snap.related, earlier=snap.earlier, later=snap.later,
                        story=snap.story, also_reported=snap.also,
                        mentions=[mentions.get(i, art.mentions) for i, art in enumerate(articles)])


def _dims(vector: Mapping[str, int]) -> tuple[tuple[str, ...], array[int]]:
    return tuple(vector), array("q", vector.values())


def _padded(values: array[int], size: int) -> array[int]:
    return packed([*values, *[0] * (size - len(values))])


class _BySlug:
    """Slug -> positions (ranking.choose reads it for pins only): built on first use."""

    __slots__ = ("_snap", "_map")

    def __init__(self, snap: Snapshot) -> None:
        self._snap = snap
        self._map: dict[str, list[int]] | None = None

    def _built(self) -> dict[str, list[int]]:
        if self._map is None:
            self._map = {}
            slugs = self._snap.slugs
            for pos, i in enumerate(self._snap.order):
                self._map.setdefault(slugs[i], []).append(pos)
        return self._map

    def __contains__(self, slug: object) -> bool:
        return slug in self._built()

    def __getitem__(self, slug: str) -> list[int]:
        return self._built()[slug]


def _mentions(snap: Snapshot, articles: Sequence[Article], edited: Sequence[int]
              ) -> tuple[list[str], dict[int, tuple[str, ...]], dict[int, tuple[Any, ...]]]:
    """Normalised headlines, mention headlines and resolved mentions after the edit.

    A mention resolves against every headline: it can change only for an
    edited article or when a headline it names was edited (dates and URLs
    did not move)."""
    titles = list(snap.titles)
    mention_titles = dict(snap.mention_titles)
    mentions = dict(snap.mentions)
    renamed: set[str] = set()
    redo = set()
    for e in edited:
        art = articles[e]
        title = normalize_title(art.title)
        if title != titles[e]:
            renamed.update((title, titles[e]))
            titles[e] = title
        if art.mentions:
            mention_titles[e] = tuple(normalize_title(m.title) for m in art.mentions)
            redo.add(e)
        else:
            mention_titles.pop(e, None)
            mentions.pop(e, None)
    renamed.discard("")
    if renamed:
        redo.update(i for i, named in mention_titles.items() if renamed.intersection(named))
    if redo:
        by_title = title_index(titles)
        for i in sorted(redo):
            mentions[i] = resolve_article(i, articles, by_title)
    return titles, mention_titles, mentions
