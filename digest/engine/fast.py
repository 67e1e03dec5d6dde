"""The fast engine: the recipe's steps with the cache, workers and fingerprints.

- the persistent cache (.digest-cache/, digest.engine.cache): parsed articles, their
  local enrichment, the site-wide enrichment's snapshot, rendered bodies,
  compiled templates and what each template reads;
- forked workers (digest.engine.parallel), and the cyclic GC tuned for a build's
  many long-lived objects;
- exact incremental enrichment (digest.engine.enrichcache) and page fingerprints
  (digest.engine.fingerprint): a page whose inputs did not change is taken
  from the last build (``reuse``) instead of being rendered.

A :class:`FastEngine` may serve many builds (``digest serve``): the cache it
loaded stays in memory between them, and :meth:`FastEngine.reuse` tells it
what the last build left.  It must produce the bytes of the plain engine.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest.engine import incremental
from digest.engine.cache import BuildCache
from digest.site.build import BuildOptions, build_now, configure, output_options
from digest.site.config import SiteConfig

if TYPE_CHECKING:
    from digest.engine.fastrun import FastRun

GC_YOUNG = 20_000  # new containers between collections of the youngest generation


class FastEngine:
    """Cache, workers and fingerprints; state carried from build to build.

    ``sink``: receives rendered pages and feeds in batches while the rest
    renders (``digest build`` writes them to its staging tree meanwhile);
    pages it keeps (returns True) are left out of the result's ``rendered``.
    ``flush_early``: write the cache sections that do not describe output/
    while the pages render (a one-shot build whose caller flushes the cache
    at the end).
    ``ahead``: told of the articles whose source changed, once they have
    their URLs, when the last build's pages are there to reuse:
    ``ahead(cache, articles, edits)``, edits being (article, its last body
    HTML, its new body HTML) (``digest build`` starts the search index of
    their months meanwhile, digest.searchahead).  A few edits only: more is
    a bigger change than that is for."""

    def __init__(self, *, sink: Callable[[Mapping[str, bytes]], bool] | None = None,
                 flush_early: bool = False) -> None:
        self.sink = sink
        self.flush_early = flush_early
        # The cache of the last build, kept loaded (one namespace at a time:
        # settings or theme changed -> dropped).
        self.loaded: dict[str, BuildCache] = {}
        self.probed: Probe | None = None
        self.previous: Mapping[str, str] | None = None
        self.previous_digests: object = None
        self.reuse_from: Path | Mapping[str, bytes] | None = None
        self.ahead: Callable[[BuildCache, tuple, tuple], None] | None = None

    def reuse(self, fingerprints: Mapping[str, str] | None, digests: object,
              source: Path | Mapping[str, bytes] | None) -> None:
        """What the last build left: its pages' fingerprints (path -> hash), the
        article digests behind them (fingerprint.LastDigests.to_data), and where
        its bytes are (output/, or the last in-memory site)."""
        self.previous, self.previous_digests, self.reuse_from = fingerprints, digests, source

    def probe(self, site_root: Path, options: BuildOptions) -> Probe:
        """Settings, cache and a survey of the sources, for the no-op check
        (:meth:`Probe.input_key`); the next build of this engine reuses them."""
        from digest import theme
        from digest.site.sources.discover import survey_sources

        # What is loaded so far (digest's modules, the settings) lives as long
        # as the process: kept out of the cyclic GC's scans (a full collection
        # while surveying the sources took ~0.012 s).  A run unfreezes at its end.
        gc.freeze()
        config = configure(site_root, options)
        dirs = theme.theme_dirs(site_root, config.theme)
        ns = incremental.namespace(config, theme.template_fingerprint(dirs))
        self.probed = Probe(site_root=site_root, config=config, dirs=dirs, ns=ns,
                            cache=BuildCache(site_root, ns, enabled=options.cache),
                            survey=survey_sources(site_root, config.content_dir,
                                                  config.exclude))
        return self.probed

    def run(self, site_root: Path, options: BuildOptions, now: datetime,
            counts: Callable[[str, int, int], None] | None = None) -> FastRun:
        from digest.engine.fastrun import FastRun

        return FastRun(self, site_root, options, now, counts)


@dataclass(slots=True, kw_only=True)
class Probe:
    """What the no-op check learned about a site, handed on to the build it
    starts when something did change: the settings, the cache namespace, the
    cache (the sections read stay loaded) and the survey of the content
    folder, which the parse stage then does not redo."""

    site_root: Path
    config: SiteConfig
    dirs: list[Path]
    ns: str
    cache: BuildCache
    survey: object  # sources.discover.Survey

    def input_key(self, options: BuildOptions) -> str | None:
        """The input key of a build, from the sources' bytes and the cache alone.

        None when some source is new or changed since the last build (then only a
        real build can tell what it produces).  Cheap: it parses nothing, and reads
        only files whose size, mtime, ctime or inode changed since they were hashed.
        """
        import hashlib

        if not options.cache:
            return None
        inputs = self.cache.section("inputs")
        found = self.survey.entries  # type: ignore[attr-defined]
        if self.survey.diags or len(found) != len(inputs):  # type: ignore[attr-defined]
            return None
        for rel, path, signature in found:
            entry = inputs.get(rel)
            if not entry or signature is None:
                return None
            if entry[3] == signature:
                continue  # untouched since it was hashed: no need to read it again
            try:
                with open(path, "rb") as fh:
                    if hashlib.sha256(fh.read()).hexdigest() != entry[0]:
                        return None
            except OSError:
                return None
        # ns leaves base_url out; the output shows it, so the key must not
        return incremental.input_key(self.ns + self.config.base_url, inputs,
                                     output_options(options), build_now(options))


def gc_tuned() -> tuple[int, ...]:
    """Collect the youngest generation every GC_YOUNG new containers; returns
    the thresholds to restore.

    The cyclic GC's youngest generation is collected every 700 new containers
    by default.  In one process (--jobs 1) an article page took 0.39 ms to
    render at 20,000 articles and 0.33 ms at 10,000; collected every 20,000
    containers, 0.30 ms at both, and a cold --jobs 1 build of 10,000 took
    21.8 s instead of 26.7 s.  (With two workers the gain was within the
    machine's noise.)  The garbage waiting meanwhile is a few megabytes.
    Worker processes forked during the build inherit the setting."""
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, *thresholds[1:])
    return thresholds

