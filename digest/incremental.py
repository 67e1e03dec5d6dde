"""Incremental builds: cache keys, cached parsing and enrichment, the no-op check.

Cache *namespace* = digest's own code + the validated settings + the theme's
files: a change to any of them invalidates every section (see digest.cache).
Within it:

- a source file is re-parsed only when its bytes changed (clippings whose year
  was inferred from "now" also when "now" changed);
- enrichment (terms, summaries, stories, related links, mentions) is reused
  only when *every* published source is unchanged, since related links and
  stories depend on the whole site;
- the *input key* sums up everything the output depends on; when it equals
  the key recorded in output/'s marker, output/ is already what a build would
  write, and ``digest build`` stops there (a no-op rebuild).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from array import array
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING

from digest.cache import BuildCache
from digest.records import Article, SourceDoc
from digest.rendered import RenderedSite

if TYPE_CHECKING:
    from digest.config import SiteConfig
    from digest.enrich.textvec import Counted
    from digest.render import Rendered

# Fields the site-wide enrichment steps set (see digest.enrich); cached per site.
ENRICHED = ("related", "earlier", "later", "story", "also_reported", "mentions")
_FIELD_NAMES = frozenset(f.name for f in dataclasses.fields(Article))
NEWS_WINDOW = timedelta(days=2)  # as the news sitemap's window (render.sitemaps)


def _h(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"),
                           digest_size=20).hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of digest's own source: a new digest (even unreleased) means a new cache."""
    root = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=20)
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".js") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def namespace(config: object, theme_fp: str) -> str:
    """Cache namespace.  ``base_url`` is left out: parsing and enrichment use
    site-relative URLs, so `digest serve` (its own address) and `digest build`
    share the cache; page fingerprints add the base URL back."""
    if dataclasses.is_dataclass(config) and hasattr(config, "base_url"):
        config = dataclasses.replace(config, base_url="")  # type: ignore[type-var]
    return _h(code_fingerprint(), repr(config), theme_fp)


def doc_hash(doc: SourceDoc) -> str:
    return hashlib.sha256(doc.raw).hexdigest()


def now_key(article: Article, now: datetime) -> str | None:
    """A parsed article depends on "now" only when its year was inferred from it."""
    return now.isoformat() if article.year_inferred else None


def cached_article(entry: object, sha: str, now: datetime) -> tuple[Article, list] | None:
    """The cached (article, warnings) for a file with hash ``sha``, if still valid."""
    if not (isinstance(entry, tuple) and len(entry) == 4):
        return None
    e_sha, e_now, article, warnings = entry
    if e_sha != sha or not isinstance(article, Article) or not isinstance(warnings, list):
        return None
    if e_now is not None and e_now != now.isoformat():
        return None
    return article, warnings


def enrich_key(ns: str, published: Iterable[Article], hashes: dict[str, str],
               now: datetime) -> str:
    return _h(ns, sorted((a.key, hashes.get(a.key, ""), now_key(a, now)) for a in published))


def enriched_fields(articles: Iterable[Article]) -> dict[str, dict[str, object]]:
    return {a.key: {name: getattr(a, name) for name in ENRICHED} for a in articles}


def _site_entries(published: tuple[Article, ...], fields: object) -> list[dict] | None:
    """The cached site-wide fields of each published article, if they fit."""
    if not isinstance(fields, dict) or set(fields) != {a.key for a in published}:
        return None
    entries = [fields[a.key] for a in published]
    if not all(isinstance(e, dict) and e.keys() <= _FIELD_NAMES for e in entries):
        return None
    return entries


def input_key(ns: str, inputs: dict[str, tuple], options: tuple,
              now: datetime) -> str:
    """Everything the output depends on, in one hash.

    ``inputs`` maps each source to (hash, publication timestamp, year inferred
    from "now", file signature); the signature only saves re-reading files and
    is not part of the key.  "now" enters only through what it decides: which articles
    are published (not future), which are in the news sitemap's two-day
    window, and the year of clippings that gave none.
    """
    ts = now.timestamp()
    window = ts - NEWS_WINDOW.total_seconds()
    sources = sorted((path, entry[:3]) for path, entry in inputs.items())
    published = [p for p, (_, when, _) in sources if when <= ts]
    recent = [p for p, (_, when, _) in sources if window <= when <= ts]
    inferred = now.isoformat() if any(flag for _, (_, _, flag) in sources) else None
    return _h(ns, sources, options, published, recent, inferred)


def enrich_with_cache(published: tuple[Article, ...], config: SiteConfig, cache: BuildCache,
                      now: datetime, jobs: int = 1) -> tuple[Article, ...]:
    """:func:`_enrich_with_cache` with the cyclic GC paused (see parallel.gc_paused)."""
    from digest.parallel import gc_paused

    with gc_paused():
        return _enrich_with_cache(published, config, cache, now, jobs)


def _enrich_with_cache(published: tuple[Article, ...], config: SiteConfig, cache: BuildCache,
                       now: datetime, jobs: int = 1) -> tuple[Article, ...]:
    """Enrichment with reuse (see digest.incremental): per-article steps for every
    unchanged source; site-wide steps only when no published source changed.

    One pass (enrich.local_work) computes what the cache lacks of both the
    per-article fields and the term counts the site-wide steps need; every
    record is copied once, with all its new fields.
    """
    from digest import enrich
    from digest.recordcopy import evolve

    local = cache.section("local")
    tags = [(cache.hashes.get(a.key), now_key(a, now)) for a in published]
    local_vals = [_local_entry(local.get(a.key), tag) for a, tag in zip(published, tags)]
    key = enrich_key(cache.namespace, published, cache.hashes, now)
    stored = cache.section("enrich")
    reused = _site_entries(published, stored.get("fields")) if stored.get("key") == key \
        else None
    counted: list[Counted | None] = [None] * len(published)
    text_keys: list[str] = []
    if reused is None:  # the site-wide steps run: they need every article's term counts
        counted, text_keys = _cached_counts(published, cache)
    done = enrich.local_work(published, config, jobs, local=[v is None for v in local_vals],
                             count=[c is None for c in counted] if reused is None
                             else [False] * len(published))
    fresh_local: dict[str, object] = {}
    fresh_counts = 0
    for i, (art, tag, (fields, count)) in enumerate(zip(published, tags, done, strict=True)):
        if fields is not None:
            local_vals[i] = fields
        if count is not None:
            counted[i] = count
            fresh_counts += 1
        fresh_local[art.key] = (tag, dict(zip(enrich.LOCAL_FIELDS, local_vals[i])))
    if any(f is not None for f, _ in done) or len(fresh_local) != len(local):
        cache.save("local", fresh_local)
    if reused is not None:
        return tuple(evolve(art, {**fresh_local[art.key][1], **site})  # type: ignore[index]
                     for art, site in zip(published, reused, strict=True))
    stored_terms = cache.section("terms")
    if fresh_counts or len(stored_terms) != len(set(text_keys)):
        cache.save("terms", dict(zip(text_keys, counted, strict=True)))
    enriched = enrich.enrich_site(published, config, jobs, counted=counted,
                                  local=local_vals)  # type: ignore[arg-type]
    cache.save("enrich", {"key": key, "fields": enriched_fields(enriched)})
    return enriched


def _local_entry(entry: object, tag: tuple) -> tuple | None:
    """The cached LOCAL_FIELDS values (in order) of an article whose source
    bytes gave ``tag``, or None."""
    from digest.enrich import LOCAL_FIELDS

    if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == tag
            and isinstance(entry[1], dict) and entry[1].keys() == set(LOCAL_FIELDS)):
        return None
    return tuple(entry[1][name] for name in LOCAL_FIELDS)


def _cached_counts(articles: tuple[Article, ...], cache: BuildCache
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


def _term_counts(articles: tuple[Article, ...], cache: BuildCache, jobs: int = 1
                 ) -> list[Counted]:
    """Each article's term counts (textvec.count_terms), from the ``terms`` cache
    section when its title and body are the same, else counted (and saved).
    Counting every word is most of the vector cost, and an edit changes one
    article's."""
    from digest.enrich import local_work

    found, keys = _cached_counts(articles, cache)
    need = [c is None for c in found]
    for i, (_, count) in enumerate(local_work(articles, None, jobs,  # type: ignore[arg-type]
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


def with_reused(result: Rendered, source: Path | Mapping[str, bytes] | None
                 ) -> RenderedSite:
    """New bytes plus the unchanged files of the previous build (linked or copied).

    With ``source`` a folder (output/), the reused paths are files the caller
    found there as the last build wrote them: its ``previous`` fingerprints
    come from that scan (cli.LastBuild), so they are not looked up again.
    """
    if not result.reused or source is None:
        return RenderedSite(result.data)
    if isinstance(source, Path):
        return RenderedSite(result.data, result.reused, root=source)
    return RenderedSite({**{p: source[p] for p in result.reused}, **result.data})
