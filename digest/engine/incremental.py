"""Incremental builds: cache keys, cached parsing and enrichment, the no-op check.

Cache *namespace* = digest's own code + the validated settings + the theme's
files: a change to any of them invalidates every section (see digest.engine.cache).
Within it:

- a source file is re-parsed only when its bytes changed (clippings whose year
  was inferred from "now" also when "now" changed);
- per-article enrichment (terms, summaries) is reused for every unchanged
  source; the site-wide one (stories, related links, mentions) is updated
  from the last build's snapshot, in proportion to what changed, when the
  same articles are published (see digest.engine.enrichcache), else recomputed;
- the *input key* sums up everything the output depends on; when it equals
  the key recorded in output/'s marker, output/ is already what a build would
  write, and ``digest build`` stops there (a no-op rebuild).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from digest.engine.cache import BuildCache
from digest.site.records import Article, SourceDoc
from digest.site.rendered import RenderedSite

if TYPE_CHECKING:
    from digest.site.config import SiteConfig
    from digest.site.render import Rendered

NEWS_WINDOW = timedelta(days=2)  # as the news sitemap's window (render.sitemaps)


def _h(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"),
                           digest_size=20).hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of digest's own source: a new digest (even unreleased) means a new cache."""
    root = Path(__file__).resolve().parent.parent  # the digest package
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


def cached_entry(entry: object) -> bool:
    """Whether ``entry`` is an "articles" cache entry: (sha, now key, article, warnings)."""
    return (isinstance(entry, tuple) and len(entry) == 4 and isinstance(entry[0], str)
            and isinstance(entry[2], Article) and isinstance(entry[3], list))


def cached_article(entry: object, sha: str, now: datetime) -> tuple[Article, list] | None:
    """The cached (article, warnings) for a file with hash ``sha``, if still valid."""
    if not cached_entry(entry):
        return None
    e_sha, e_now, article, warnings = entry  # type: ignore[misc]
    if e_sha != sha:
        return None
    if e_now is not None and e_now != now.isoformat():
        return None
    return article, warnings


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
    """digest.engine.enrichcache.enrich_cached with the cyclic GC paused (see
    parallel.gc_paused)."""
    import gc

    from digest.engine.enrichcache import enrich_cached
    from digest.engine.parallel import gc_paused

    with gc_paused():
        enriched = enrich_cached(published, config, cache, now, jobs)
        # The new records live as long as the build: frozen before the GC
        # resumes, or its next collection scans them all (~0.02 s at 10,000
        # articles).  The fast engine's run unfreezes at its end.
        gc.freeze()
    return enriched


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
