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


def apply_fields(article: Article, entry: object, tag: tuple) -> Article | None:
    """``article`` with its cached per-article enrichment, if ``entry`` was made
    from the same source bytes (``tag``); else None."""
    if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == tag
            and isinstance(entry[1], dict)):
        return None
    try:
        return dataclasses.replace(article, **entry[1])
    except TypeError:
        return None


def apply_enriched(published: tuple[Article, ...], fields: object) -> tuple[Article, ...] | None:
    """The published articles with cached enrichment applied, or None if it does not fit."""
    if not isinstance(fields, dict) or set(fields) != {a.key for a in published}:
        return None
    try:
        return tuple(dataclasses.replace(a, **fields[a.key]) for a in published)
    except (TypeError, KeyError):
        return None


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
    """Enrichment with reuse (see digest.incremental): per-article steps for every
    unchanged source; site-wide steps only when no published source changed."""
    from digest import enrich

    local = cache.section("local")
    fresh_local: dict[str, object] = {}
    done: dict[str, Article] = {}
    todo = []
    for art in published:
        tag = (cache.hashes.get(art.key), now_key(art, now))
        reused = apply_fields(art, local.get(art.key), tag)
        if reused is None:
            todo.append(art)
        else:
            done[art.key] = reused
            fresh_local[art.key] = local[art.key]
    for art in enrich.enrich_local(tuple(todo), config, jobs):
        done[art.key] = art
        fresh_local[art.key] = ((cache.hashes.get(art.key), now_key(art, now)),
                                {f: getattr(art, f) for f in enrich.LOCAL_FIELDS})
    if todo or len(fresh_local) != len(local):
        cache.save("local", fresh_local)
    articles = tuple(done[a.key] for a in published)

    key = enrich_key(cache.namespace, published, cache.hashes, now)
    stored = cache.section("enrich")
    if stored.get("key") == key:
        reused_all = apply_enriched(articles, stored.get("fields"))
        if reused_all is not None:
            return reused_all
    enriched = enrich.enrich_site(articles, config, jobs,
                                  counted=_term_counts(articles, cache))
    cache.save("enrich", {"key": key, "fields": enriched_fields(enriched)})
    return enriched


def _term_counts(articles: tuple[Article, ...], cache: BuildCache) -> list[Counted]:
    """Each article's term counts (textvec.count_terms), from the ``terms`` cache
    section when its title and body are the same, else counted.  Counting
    every word is most of the vector cost, and an edit changes one article's.

    Terms are interned: equal terms are one object across articles (the cache
    shards each bring their own copies), which keeps the section small in
    memory and lets the vectors share their keys.  Counting stays in this
    process for the same reason: terms sent back by workers arrive as
    millions of separate strings at once.
    """
    from digest.enrich.textvec import count_terms

    stored = cache.section("terms")
    keys = [_text_key(a) for a in articles]
    found: list[Counted] = []
    fresh = 0
    for art, key in zip(articles, keys, strict=True):
        entry = stored.get(key)
        if _is_counted(entry):
            terms, counts = entry
            if terms and terms[0] is not intern(terms[0]):  # read from disk, not this run
                entry = (tuple(map(intern, terms)), counts)
        else:
            entry = count_terms(art.title, art.body)
            fresh += 1
        found.append(entry)
    if fresh or len(stored) != len(set(keys)):
        cache.save("terms", dict(zip(keys, found, strict=True)))
    return found


def _text_key(article: Article) -> str:
    h = hashlib.blake2b(article.title.encode("utf-8", "surrogatepass"), digest_size=16)
    h.update(b"\x00")
    h.update(article.body.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _is_counted(entry: object) -> bool:
    return (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], tuple)
            and isinstance(entry[1], array) and len(entry[0]) == len(entry[1]))


def with_reused(result: Rendered, source: Path | Mapping[str, bytes] | None
                 ) -> RenderedSite | None:
    """New bytes plus the unchanged files of the previous build (linked or copied)."""
    if not result.reused or source is None:
        return RenderedSite(result.data)
    if isinstance(source, Path):
        # os.path on strings: a Path and its is_file() per reused file cost
        # more than the stat itself (14,000 files on a one-article edit).
        base = os.fspath(source)
        if not all(os.path.isfile(os.path.join(base, p)) for p in result.reused):
            return None
        return RenderedSite(result.data, {p: source / p for p in result.reused})
    return RenderedSite({**{p: source[p] for p in result.reused}, **result.data})
