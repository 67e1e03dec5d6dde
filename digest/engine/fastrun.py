"""One build as the fast engine (digest.engine.fast) runs it.

Each method is a step of the recipe (digest.site.build) with its speed-ups:
the cache, forked workers, work overlapped with other steps (Markdown bodies
render in workers while this process enriches; feed ids and article digests
are made in another process while it assembles), and the cyclic GC kept off
the build's long-lived records.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digest.engine import incremental
from digest.engine.cache import BuildCache
from digest.engine.enrichcache import SITE_SECTION
from digest.engine.parallel import default_jobs, gc_paused
from digest.errors import Diagnostic
from digest.site.build import BuildOptions, BuildResult, assemble, configure, output_options
from digest.site.records import Article, Page, Site
from digest.site.rendered import RenderedSite

if TYPE_CHECKING:
    from digest.engine.fast import FastEngine
    from digest.site.enrich.spellings import Spellings


AHEAD_EDITS = 8  # edited articles the engine's ``ahead`` is told of, at most


class FastRun:
    def __init__(self, engine: FastEngine, site_root: Path, options: BuildOptions,
                 now: datetime, counts: Callable[[str, int, int], None] | None) -> None:
        from digest import theme

        self.engine, self.site_root, self.options, self.now = engine, site_root, options, now
        self.counts = counts
        self.jobs = options.jobs or default_jobs()
        probed = engine.probed if engine.probed is not None \
            and engine.probed.site_root == site_root else None
        engine.probed = None  # made for this build only
        if probed is not None:  # the caller's no-op check already read these
            self.config, self.dirs, self.ns = probed.config, probed.dirs, probed.ns
        else:
            self.config = configure(site_root, options)
            self.dirs = theme.theme_dirs(site_root, self.config.theme)
            self.ns = incremental.namespace(self.config, theme.template_fingerprint(self.dirs))
        self.cache = engine.loaded.get(self.ns) or (probed.cache if probed is not None else None) \
            or BuildCache(site_root, self.ns, enabled=options.cache)
        engine.loaded.clear()  # one namespace at a time: settings or theme changed -> drop
        engine.loaded[self.ns] = self.cache
        self.survey = probed.survey if probed is not None else None
        self.reusing = engine.reuse_from is not None and engine.previous is not None
        self.early = None
        self.bodies = None
        self.collided = None

    def __enter__(self) -> FastRun:
        from digest.engine.fast import gc_tuned

        self.thresholds = gc_tuned()
        return self

    def __exit__(self, *exc: object) -> None:
        # Only does something when the build failed before using them.
        if self.bodies is not None:
            self.bodies.cancel()
        if self.early is not None:
            self.early.cancel()
        gc.set_threshold(*self.thresholds)
        gc.unfreeze()  # `digest serve` builds all day: let old sites be collected

    def parse(self, diags: list[Diagnostic]) -> tuple[Article, ...]:
        from digest.engine.parsing import parse_all

        # Unpickling the cache makes millions of objects, and the cyclic GC would
        # rescan those already loaded again and again (~0.1 s of ~0.4 s at 10,000
        # articles).  They live as long as the build (see gc.freeze below), so the
        # GC is paused while the sections every build reads are loaded, and they
        # are frozen at once instead of being scanned when it resumes.
        with gc_paused():
            for name in ("articles", "inputs", "local", SITE_SECTION, "bodies", "cards",
                         "templates"):
                self.cache.section(name)
            gc.freeze()
        counts = self.counts
        self.parsed = parse_all(self.site_root, self.config, self.now, diags, jobs=self.jobs,
                                cache=self.cache, keep_going=self.options.keep_going,
                                survey=self.survey,
                                count=(lambda done, total: counts("parse", done, total))
                                if counts is not None else None)
        # The parsed site lives until the end of the build: take it out of the
        # cyclic GC's generations, which otherwise rescans it on every collection
        # (a third of the render time at 10,000 articles).
        gc.freeze()
        return self.parsed

    def enrich(self, published: tuple[Article, ...]) -> tuple[Article, ...]:
        from digest.engine.bodies import body_keys, start_bodies
        from digest.engine.digests import ParsedFrom
        from digest.engine.early import start_early

        config, cache, jobs = self.config, self.cache, self.jobs
        # The articles with their URLs, made since parsing, live as long as the
        # build: out of the cyclic GC's scans (its next collection took ~0.015 s).
        gc.freeze()
        self.body_cache = cache.section("bodies")
        self.known_bodies = len(self.body_cache)
        # Markdown depends on the body alone: workers render the bodies the cache
        # lacks while this process enriches and assembles (mostly serial work that
        # would leave a core idle), instead of in a step of their own afterwards.
        # An article's digest for page fingerprints starts from the bytes it was
        # parsed from (parsing is a function of them, "now" and the settings in ns),
        # and so does the key of its body in the body cache.
        hashes, now = cache.hashes, self.now
        self.sources = {}
        for a in self.parsed:
            key = a.key
            sha = hashes.get(key)
            if sha is not None:
                self.sources[key] = ParsedFrom(a, sha, incremental.now_key(a, now))
        self.body_key_of = body_keys(config, self.sources)
        if self.engine.ahead is not None and self.reusing \
                and 0 < len(cache.replaced) <= AHEAD_EDITS:
            self._tell_ahead(published)
        # An incremental build's render stage starts with feed ids and article
        # digests: other processes make them while this one enriches and
        # assembles (render/early.py).  (A cold build makes them while the
        # workers render every page.)
        if self.reusing:
            self.early = start_early(published, config, jobs)
        self.bodies = start_bodies(published, config, self.body_cache, jobs, self.body_key_of)
        return incremental.enrich_with_cache(published, config, cache, self.now, jobs)

    def _tell_ahead(self, published: tuple[Article, ...]) -> None:
        """Hand the edited articles with their last and new body HTML to the
        engine's ``ahead``.  The new bodies go into the body cache, so the
        workers do not render them again."""
        from digest.engine.bodies import body_keys
        from digest.engine.digests import ParsedFrom
        from digest.site.render.bodies import render_body

        edits = []
        for art in published:
            entry = self.cache.replaced.get(art.key)
            if entry is None:
                continue
            sha, now, old = entry[0], entry[1], entry[2]
            old_html = self.body_cache.get(
                body_keys(self.config, {old.key: ParsedFrom(old, sha, now)})(old))
            if old_html is None:
                continue
            key = self.body_key_of(art)
            new_html = self.body_cache.get(key)
            if new_html is None:
                new_html = self.body_cache[key] = render_body(art.body, self.config.raw_html)
            edits.append((art, old_html, new_html))
        if edits:
            self.engine.ahead(self.cache, published, tuple(edits))  # type: ignore[misc]

    def assemble(self, published: tuple[Article, ...], undated: tuple[Page, ...] = ()) -> Site:
        gc.freeze()  # as after parsing: the enriched records live as long as the build
        if self.early is not None:
            self.early.start_digests(published, self.sources, self.cache.section("cards"))
        with gc_paused():  # ~14,000 pages of new containers, few cycles (see gc_paused)
            site = assemble(published, self.config, self.site_root, undated)
            # Frozen before the GC resumes, as after parsing: else its next
            # collection scans every page just made (~0.01-0.02 s at 10,000
            # articles), which lives as long as the build.
            gc.freeze()
        return site

    def render(self, site: Site, spellings: Spellings) -> RenderedSite:
        from digest import theme
        from digest.engine.render import render_incremental
        from digest.site.render.templates import SectionBytecode, make_environment

        config, cache, engine = self.config, self.cache, self.engine
        bytecode = SectionBytecode(dict(cache.section("jinja")))
        env = make_environment(theme.make_loader(self.dirs), config, bytecode)
        body_cache = self.body_cache
        body_cache.update(self.bodies.result())  # type: ignore[union-attr]
        self.bodies = None
        gc.freeze()
        if engine.flush_early:
            cache.flush_early(self.jobs)  # written while the pages render (see flush_early)
        levels = dict(cache.section("templates"))  # what each template reads (engine/access.py)
        early, self.early = self.early, None
        try:
            # ns leaves base_url out (serve and build share parsing and enrichment),
            # but every page shows it: page fingerprints must include it.
            result = render_incremental(
                site, env, config, theme.read_static(self.dirs), now=self.now, jobs=self.jobs,
                # An article's shown terms then depend on the other articles too.
                # The pages without a date are in every page's navigation (and
                # are few): any change to one renders every page again.
                global_fp=self.ns + config.base_url + spellings.signature
                + undated_signature(site),
                previous=engine.previous if self.reusing else None,
                body_cache=body_cache, sources=self.sources, cards=cache.section("cards"),
                templates=levels, sink=engine.sink,
                last_digests=engine.previous_digests if self.reusing else None,
                early=early)
        finally:
            if early is not None:
                early.cancel()  # only does something when the build failed before using it
        # The feed ids used twice, if the early work found them (check_feeds' job else).
        self.collided = early.collisions_of(site.articles) if early is not None else None
        if levels != cache.section("templates"):
            cache.save("templates", levels)
        if bytecode.changed:
            cache.save("jinja", bytecode.store)
        if result.cards is not None and result.cards != cache.section("cards"):
            cache.save("cards", result.cards)
        if len(body_cache) != self.known_bodies:
            # Bodies of edited or deleted articles are dropped only once they are a
            # good share of the cache: finding them hashes every article's body.
            if len(body_cache) > len(site.articles) + max(64, len(site.articles) // 8):
                live = {self.body_key_of(a) for a in site.articles}
                body_cache = {k: v for k, v in body_cache.items() if k in live}
            cache.save("bodies", body_cache)
        self.result = result
        return incremental.with_reused(result, engine.reuse_from if self.reusing else None)

    def collisions(self, site: Site) -> object:
        """The feed ids used twice, when the early work found them already."""
        return self.collided

    def finish(self, result: BuildResult) -> BuildResult:
        self.cache.report_to(result.diagnostics)  # what it could not read, nor write
        result.fingerprints = self.result.fingerprints
        result.digests = self.result.digests
        result.cache = self.cache
        result.input_key = incremental.input_key(
            self.ns + self.config.base_url, self.cache.section("inputs"),
            output_options(self.options), self.now)
        return result


def undated_signature(site: Site) -> str:
    """Every page without a date, each field by value (its HTML included)."""
    if not site.undated:
        return ""
    from digest.engine.digests import short_hash

    return "|u" + short_hash(*map(repr, site.undated))
