"""The enrich stage with the build cache (see digest.engine.incremental).

- ``local``: each article's LOCAL_FIELDS (terms, summary, reading time),
  reused while its source bytes (and "now", for an inferred year) are the same;
- ``sitewide``: the snapshot of the site-wide enrichment (digest.engine.snapshot).
  When the published articles are the same ones, in the same order, and the
  edited ones kept their dates, URLs and slugs, the site-wide fields are
  updated from it (digest.engine.update: exactly what a full pass gives,
  proportional to the change); otherwise, or when it is missing, damaged or
  from another namespace, they are recomputed from scratch (and a new
  snapshot is kept);
- ``terms``: each text's term counts by a hash of its title and body, which
  a full recomputation needs for every article (an edit changes one).

An article's *tag* is (hash of its source bytes, now_key): parsing is a
function of those and the settings (in the namespace), so an equal tag means
an equal record, and the snapshot and ``local`` entries keyed by it hold.
"""

from __future__ import annotations

import hashlib
from array import array
from datetime import datetime
from sys import intern
from typing import TYPE_CHECKING, Any

from digest.engine.cache import BuildCache
from digest.site.enrich import LOCAL_FIELDS
from digest.site.records import Article

if TYPE_CHECKING:
    from digest.engine.snapshot import Snapshot
    from digest.site.config import SiteConfig
    from digest.site.enrich.textvec import Counted

SITE_SECTION = "sitewide"
# What a snapshot that passed its checks may still raise if it was damaged in
# a way they cannot see (an id out of range, say): recompute rather than fail.
_DAMAGE = (IndexError, KeyError, ValueError, TypeError, OverflowError)


def enrich_cached(published: tuple[Article, ...], config: SiteConfig, cache: BuildCache,
                  now: datetime, jobs: int = 1) -> tuple[Article, ...]:
    """Every article enriched, reusing what the cache holds (module docstring).

    One pass (enrich.local_work) computes what the cache lacks of both the
    per-article fields and the term counts the site-wide steps need.
    """
    from digest.engine.snapshot import Keeper
    from digest.engine.workers import Workers
    from digest.site import enrich

    work = Workers(jobs)
    n = len(published)
    local = cache.section("local")
    keys = [a.key for a in published]
    now_iso = now.isoformat()
    hashes = cache.hashes
    tags = [(hashes.get(key), now_iso if a.year_inferred else None)  # as incremental.now_key
            for key, a in zip(keys, published, strict=True)]
    local_vals = [_local_entry(local.get(key), tag) for key, tag in zip(keys, tags, strict=True)]
    snap, edited = _snapshot(published, keys, cache, tags)
    counted: list[Counted | None] = [None] * n
    text_keys: list[str] = []
    if edited is None:  # recomputed: the site-wide steps need every article's term counts
        counted, text_keys = cached_counts(published, cache)
        need = [c is None for c in counted]
    else:  # updated: only the edited articles' counts
        need = [False] * n
        for i in edited:
            need[i] = True
    done = enrich.local_work(published, config, work, local=[v is None for v in local_vals],
                             count=need)
    fresh: dict[str, tuple[Any, tuple[Any, ...]]] = {}
    fresh_counts = 0
    for i, (fields, count) in enumerate(done):
        if fields is not None:
            local_vals[i] = fields
            fresh[keys[i]] = (tags[i], tuple(fields))
        if count is not None:
            counted[i] = count
            fresh_counts += 1
    if fresh or len(local) != n:
        cache.save("local", {key: fresh[key] if key in fresh else local[key] for key in keys})
    terms = [v[0] for v in local_vals]  # type: ignore[index]
    if snap is not None and edited is not None:
        updated = _updated(snap, published, config, tags, edited, counted, terms, cache)
        if updated is not None:
            return enrich.with_fields(published, updated, local_vals)  # type: ignore[arg-type]
        counted, text_keys = cached_counts(published, cache)  # as if there were no snapshot
        done = enrich.local_work(published, config, work, local=[False] * n,
                                 count=[c is None for c in counted])
        for i, (_, count) in enumerate(done):
            if count is not None:
                counted[i] = count
                fresh_counts += 1
    if fresh_counts or len(cache.section("terms")) != len(set(text_keys)):
        cache.save("terms", dict(zip(text_keys, counted, strict=True)))
    if not published:
        cache.save(SITE_SECTION, {})
        return published
    values, state = enrich.site_values(published, config, work, counted, terms, Keeper(tags))
    cache.save(SITE_SECTION, state.to_data())  # type: ignore[union-attr]
    return enrich.with_fields(published, values, local_vals)  # type: ignore[arg-type]


def _snapshot(published: tuple[Article, ...], keys: list[str], cache: BuildCache,
              tags: list[tuple]) -> tuple[Snapshot | None, list[int] | None]:
    """The last build's snapshot and the articles edited since, if it can be updated."""
    from digest.engine.snapshot import Snapshot
    from digest.engine.update import Stale, edited_since

    snap = Snapshot.from_data(cache.section(SITE_SECTION)) if published else None
    if snap is None:
        return None, None
    try:
        return snap, edited_since(snap, published, keys, tags)
    except Stale:
        return None, None


def _updated(snap: Snapshot, published: tuple[Article, ...], config: SiteConfig,
             tags: list[tuple], edited: list[int], counted: list[Counted | None], terms: list,
             cache: BuildCache) -> list[tuple] | None:
    """The site-wide values updated from ``snap`` (saving the new snapshot), or
    None when it cannot be updated exactly."""
    from digest.engine.update import Stale, update_site

    edits: dict[int, Counted] = {i: counted[i] for i in edited}  # type: ignore[misc]
    try:
        values, new = update_site(snap, published, config, tags, edited, edits, terms)
    except Stale:
        return None
    except _DAMAGE as exc:
        cache.problem(SITE_SECTION, exc)
        return None
    if new is not snap:
        cache.save(SITE_SECTION, new.to_data())
    return values


def _local_entry(entry: object, tag: tuple) -> tuple | None:
    """The cached LOCAL_FIELDS values (a tuple in that order: the order is
    digest's code, in the namespace) of an article whose source bytes gave
    ``tag``, or None."""
    if (type(entry) is tuple and len(entry) == 2 and entry[0] == tag
            and type(entry[1]) is tuple and len(entry[1]) == len(LOCAL_FIELDS)):
        return entry[1]
    return None


def cached_counts(articles: tuple[Article, ...], cache: BuildCache
                  ) -> tuple[list[Counted | None], list[str]]:
    """Each article's term counts from the ``terms`` cache section (None where
    its title and body are new), and the keys of their texts.

    Terms are interned: equal terms are one object across articles (the cache
    shards each bring their own copies), which keeps the section small in
    memory and lets the vectors share their keys.
    """
    stored = cache.section("terms")
    keys = [_text_key(a) for a in articles]
    found: list[Counted | None] = []
    for key in keys:
        entry = stored.get(key)
        if _is_counted(entry):
            terms, counts = entry
            if terms and terms[0] is not intern(terms[0]):  # read from disk, not this run
                entry = (tuple(map(intern, terms)), counts)
            found.append(entry)
        else:
            found.append(None)
    return found, keys


def term_counts(articles: tuple[Article, ...], cache: BuildCache, jobs: int = 1
                ) -> list[Counted]:
    """Each article's term counts (textvec.count_terms), from the ``terms`` cache
    section when its title and body are the same, else counted (and saved).
    Counting every word is most of the vector cost, and an edit changes one
    article's."""
    from digest.engine.workers import Workers
    from digest.site.enrich import local_work

    found, keys = cached_counts(articles, cache)
    need = [c is None for c in found]
    for i, (_, count) in enumerate(local_work(articles, None, Workers(jobs),  # type: ignore[arg-type]
                                              local=[False] * len(articles), count=need)):
        if count is not None:
            found[i] = count
    if any(need) or len(cache.section("terms")) != len(set(keys)):
        cache.save("terms", dict(zip(keys, found, strict=True)))
    return found  # type: ignore[return-value]


def _text_key(article: Article) -> str:
    h = hashlib.blake2b(article.title.encode("utf-8", "surrogatepass"), digest_size=16)
    h.update(b"\x00")
    h.update(article.body.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _is_counted(entry: object) -> bool:
    return (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], tuple)
            and isinstance(entry[1], array) and len(entry[0]) == len(entry[1]))
