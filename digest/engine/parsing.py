"""The parse stage: discover the sources, reuse cached articles, parse the rest.

Run by the fast engine (digest.engine.fastrun).  Files are read only through
sources.discover; parsing runs in forked workers (digest.engine.parallel) and its
problems come back as data, so every bad file is reported in one run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from digest.engine import incremental
from digest.engine.cache import BuildCache
from digest.engine.parallel import gc_paused, share_map
from digest.errors import Diagnostic
from digest.site.config import SiteConfig
from digest.site.records import Article, SourceDoc


def parse_all(site_root: Path, config: SiteConfig, now: datetime, diags: list[Diagnostic],
              *, jobs: int = 1, cache: BuildCache | None = None,
              keep_going: bool = False, survey: object = None,
              count: Callable[[int, int], None] | None = None) -> tuple[Article, ...]:
    """Discover and parse every source; report every bad file in one run (see _parse_all).

    ``survey``: a discover.Survey of the content folder made moments ago.
    ``count(done, total)``: told how many sources are ready, once they are
    found and (with ``jobs=1`` only) after each one parsed."""
    with gc_paused():
        return _parse_all(site_root, config, now, diags, jobs=jobs, cache=cache,
                          keep_going=keep_going, survey=survey, count=count)


def _parse_all(site_root: Path, config: SiteConfig, now: datetime, diags: list[Diagnostic],
               *, jobs: int, cache: BuildCache | None, keep_going: bool,
               survey: object = None,
               count: Callable[[int, int], None] | None = None) -> tuple[Article, ...]:
    """Discover and parse every source; report every bad file in one run.

    With a cache, a file whose stat signature (size, mtime, ctime, inode) is the
    one recorded when its cached article was parsed is not even read: reading
    and hashing 10,000 files was most of an incremental build's parse stage.
    A file whose signature changed is read and hashed, and re-parsed only when
    its bytes changed.
    """
    from digest.site.sources import parse_doc, settle
    from digest.site.sources.discover import Unchanged, discover_changed

    old = cache.section("articles") if cache else {}
    inputs = cache.section("inputs") if cache else {}
    known = _known_signatures(old, inputs, now)
    items, found = discover_changed(site_root, config.content_dir, known,
                                    survey, exclude=config.exclude)  # type: ignore[arg-type]
    # Errors wait for the end: raised together, or under --keep-going turned
    # into warnings (once each, not also here as errors).
    diags.extend(d for d in found if d.severity != "error")

    def one(doc: SourceDoc) -> tuple[Article | None, list[Diagnostic]]:
        return parse_doc(doc, config, now)

    hashes: dict[str, str] = {}
    stats: dict[str, tuple[int, int, int, int] | None] = {}
    results: dict[str, tuple[Article | None, list[Diagnostic]]] = {}
    todo: list[SourceDoc] = []
    for item in items:
        if isinstance(item, Unchanged):  # known holds only entries that are cache hits
            rel = item.rel
            hashes[rel] = inputs[rel][0]
            results[rel] = old[rel][2], old[rel][3]
        else:
            rel = str(item.rel_path)
            hashes[rel] = incremental.doc_hash(item)
            hit = incremental.cached_article(old.get(rel), hashes[rel], now)
            if hit is not None:
                results[rel] = hit
            else:
                todo.append(item)
        stats[rel] = item.stat
    if cache is not None:
        cache.replaced = {str(doc.rel_path): old[str(doc.rel_path)] for doc in todo
                          if incremental.cached_entry(old.get(str(doc.rel_path)))}
    parse = one
    if count is not None:
        done, total = len(results), len(hashes)  # cache hits are ready already
        count(done, total)
        if jobs == 1:  # forked workers would call it in the child: never

            def parse(doc: SourceDoc) -> tuple[Article | None, list[Diagnostic]]:
                nonlocal done
                result = one(doc)
                done += 1
                count(done, total)
                return result
    for doc, result in zip(todo, share_map(parse, todo, jobs, what="parsing content files"), strict=True):
        results[str(doc.rel_path)] = result
    articles = []
    errors: list[Diagnostic] = [d for d in found if d.severity == "error"]
    fresh: dict[str, object] = {}
    for rel, sha in hashes.items():  # in the sorted order of discovery
        article, problems = results[rel]
        if article is None:
            errors.extend(problems)
        else:
            articles.append(article)
            diags.extend(problems)
            fresh[rel] = (sha, incremental.now_key(article, now), article, problems)
    if cache is not None:
        if todo or set(fresh) != set(old):
            cache.save("articles", fresh)
        recorded = {path: (entry[0], entry[2].date.timestamp(),  # type: ignore[index]
                           entry[2].year_inferred, stats.get(path))  # type: ignore[index]
                    for path, entry in fresh.items()}
        if recorded != inputs:  # unchanged (a no-op build): no need to write it again
            cache.save("inputs", recorded)
        cache.hashes = hashes
    settle(errors, keep_going, diags)
    return tuple(articles)


def _known_signatures(old: Mapping[str, object], inputs: Mapping[str, object], now: datetime
                      ) -> dict[str, tuple[int, int, int, int]]:
    """Source path -> recorded stat signature, for the files whose cached article
    is valid for the recorded bytes (and "now"): those need not be read again."""
    known = {}
    for rel, entry in inputs.items():
        if not (isinstance(entry, tuple) and len(entry) == 4 and entry[3] is not None):
            continue
        if incremental.cached_article(old.get(rel), entry[0], now) is not None:
            known[rel] = entry[3]
    return known
