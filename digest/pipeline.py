"""The orchestrator: the only module that knows the order of the stages.

load config -> discover -> parse -> select (drafts, future) -> URLs -> enrich ->
assemble -> render -> check feeds.  Writing is left to the caller (``cli`` writes
to output/, ``serve`` keeps the result in memory), so a build is a pure function
of the site folder and ``now``.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from digest import incremental
from digest.cache import BuildCache
from digest.enrichcache import SITE_SECTION
from digest.config import SiteConfig, load_config
from digest.enrich.spellings import choose as choose_spellings
from digest.enrich.spellings import relabel
from digest.errors import Diagnostic, DigestError, OutputCollisionError
from digest.parallel import default_jobs, gc_paused
from digest.parsing import parse_all
from digest.records import Article, Site
from digest.termlines import at_term_line, spelling_warnings
from digest.rendered import RenderedSite


GC_YOUNG = 20_000  # new containers between collections of the youngest generation


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    drafts: bool = False  # include `draft: true` articles
    future: bool = False  # include articles dated after "now"
    strict: bool = False  # warnings fail the build
    keep_going: bool = False  # skip unreadable sources with a warning instead of failing
    now: datetime | None = None  # reference instant; default SOURCE_DATE_EPOCH or the clock
    base_url: str | None = None  # override (digest serve uses its own address)
    content_dir: str | None = None  # override config.content_dir
    search: bool | None = None  # override config.search
    jobs: int | None = None  # worker processes; default: one per core
    cache: bool = True  # use and update <site>/.digest-cache/
    previous: Mapping[str, str] | None = None  # path -> fingerprint of the build in reuse_from
    # The article digests behind ``previous``, as saved (fingerprint.LastDigests.to_data)
    previous_digests: object = None
    reuse_from: Path | Mapping[str, bytes] | None = None  # output/ or the last in-memory site
    # A long-running caller (`digest serve`) passes the same dict to every build
    # so the cache stays loaded in memory between builds instead of being re-read.
    keep: dict[str, BuildCache] | None = None
    # Receives rendered pages and feeds in batches while the rest renders (the
    # CLI writes them to its staging tree meanwhile).  Pages it keeps (returns
    # True) are left out of the result's ``rendered``: they live on disk.
    sink: Callable[[Mapping[str, bytes]], bool] | None = None
    # What the no-op check (``probe``) learned, made with these same options.
    probe: Probe | None = None
    # Write the cache sections that do not describe output/ while the pages
    # render (a one-shot build whose caller flushes the cache at the end).
    flush_early: bool = False


@dataclass(slots=True, kw_only=True)
class BuildResult:
    config: SiteConfig
    site: Site
    rendered: RenderedSite
    diagnostics: list[Diagnostic] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    scheduled: tuple[Article, ...] = ()  # future articles left out, soonest first
    all_articles: tuple[Article, ...] = ()  # every parsed article incl. drafts/future
    fingerprints: dict[str, str] = field(default_factory=dict)  # path -> page/feed hash
    input_key: str = ""  # everything the output depends on (see digest.incremental)
    digests: object = None  # article digests behind ``fingerprints`` (fingerprint.LastDigests)
    cache: BuildCache | None = None


def build_now(options: BuildOptions | None = None) -> datetime:
    """"now" for this build: explicit option, else SOURCE_DATE_EPOCH, else the clock."""
    if options and options.now:
        return options.now
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise DigestError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None
    return datetime.now(tz=UTC)


def configure(site_root: Path, options: BuildOptions) -> SiteConfig:
    from dataclasses import replace

    config = load_config(site_root)
    overrides: dict[str, object] = {}
    if options.base_url:
        overrides["base_url"] = options.base_url
    if options.content_dir:
        overrides["content_dir"] = options.content_dir
    if options.search is not None:
        overrides["search"] = options.search
    return replace(config, **overrides) if overrides else config


def select(articles: tuple[Article, ...], options: BuildOptions, now: datetime
           ) -> tuple[tuple[Article, ...], tuple[Article, ...]]:
    """(published, scheduled): drafts only with --drafts, future only with --future."""
    keep, scheduled = [], []
    for art in articles:
        if art.draft and not options.drafts:
            continue
        if art.date > now and not options.future:
            scheduled.append(art)
            continue
        keep.append(art)
    scheduled.sort(key=lambda a: (a.date, str(a.path)))
    return tuple(keep), tuple(scheduled)


def build(site_root: Path, options: BuildOptions | None = None,
          progress: Callable[[str], None] | None = None,
          counts: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Build the site in memory.  Raises DigestError subclasses with diagnostics.

    ``progress(stage)`` is called as each stage ends; ``counts(stage, done,
    total)`` within a stage, where it can count (parsing, in one process)."""
    # The cyclic GC's youngest generation is collected every 700 new containers
    # by default.  In one process (--jobs 1) an article page took 0.39 ms to
    # render at 20,000 articles and 0.33 ms at 10,000; collected every 20,000
    # containers, 0.30 ms at both, and a cold --jobs 1 build of 10,000 took
    # 21.8 s instead of 26.7 s.  (With two workers the gain was within the
    # machine's noise.)  The garbage waiting meanwhile is a few megabytes.
    # Worker processes forked during the build inherit the setting.
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, *thresholds[1:])
    try:
        return _build(site_root, options, progress, counts)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()  # `digest serve` builds all day: let old sites be collected


def _build(site_root: Path, options: BuildOptions | None,
           progress: Callable[[str], None] | None,
           counts: Callable[[str, int, int], None] | None = None) -> BuildResult:
    from digest import model, render, theme
    from digest.model.urls import assign_urls, drop_colliding
    from digest.render.templates import SectionBytecode, make_environment
    from digest.render.validate import check_feeds

    options = options or BuildOptions()
    timings: dict[str, float] = {}
    diags: list[Diagnostic] = []
    clock = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal clock
        current = time.perf_counter()
        timings[name] = current - clock
        clock = current
        if progress:
            progress(name)

    now = build_now(options)
    jobs = options.jobs or default_jobs()
    known = options.probe if options.probe is not None and options.probe.site_root == site_root \
        else None
    if known is not None:  # the caller's no-op check already read these
        config, dirs, ns = known.config, known.dirs, known.ns
    else:
        config = configure(site_root, options)
        dirs = theme.theme_dirs(site_root, config.theme)
        ns = incremental.namespace(config, theme.template_fingerprint(dirs))
    cache = (options.keep or {}).get(ns) or (known.cache if known is not None else None) \
        or BuildCache(site_root, ns, enabled=options.cache)
    if options.keep is not None:
        options.keep.clear()  # one namespace at a time: settings or theme changed -> drop
        options.keep[ns] = cache
    _warn_default_base_url(config, options, diags)
    stage("config")
    # Unpickling the cache makes millions of objects, and the cyclic GC would
    # rescan those already loaded again and again (~0.1 s of ~0.4 s at 10,000
    # articles).  They live as long as the build (see gc.freeze below), so the
    # GC is paused while the sections every build reads are loaded, and they
    # are frozen at once instead of being scanned when it resumes.
    with gc_paused():
        for name in ("articles", "inputs", "local", SITE_SECTION, "bodies", "cards",
                     "templates"):
            cache.section(name)
        gc.freeze()
    parsed = parse_all(site_root, config, now, diags, jobs=jobs, cache=cache,
                       keep_going=options.keep_going,
                       survey=known.survey if known is not None else None,
                       count=(lambda done, total: counts("parse", done, total))
                       if counts is not None else None)
    # The parsed site lives until the end of the build: take it out of the
    # cyclic GC's generations, which otherwise rescans it on every collection
    # (a third of the render time at 10,000 articles).
    gc.freeze()
    stage("parse")
    published, scheduled = select(parsed, options, now)
    published = assign_urls(published, config)
    if options.keep_going:  # colliding sources are skipped like unreadable ones
        published, skipped = drop_colliding(published)
        diags.extend(skipped)
    body_cache = cache.section("bodies")
    known_bodies = len(body_cache)
    # Markdown depends on the body alone: workers render the bodies the cache
    # lacks while this process enriches and assembles (mostly serial work that
    # would leave a core idle), instead of in a step of their own afterwards.
    # An article's digest for page fingerprints starts from the bytes it was
    # parsed from (parsing is a function of them, "now" and the settings in ns),
    # and so does the key of its body in the body cache.
    sources = {a.key: (a, f"{cache.hashes[a.key]}|{incremental.now_key(a, now)}")
               for a in parsed if a.key in cache.hashes}
    body_key_of = render.body_keys(config, sources)
    # An incremental build's render stage starts with feed ids and article
    # digests: other processes make them while this one enriches and
    # assembles (render/early.py).  (A cold build makes them while the
    # workers render every page.)
    early = render.start_early(published, config, jobs) \
        if options.reuse_from is not None and options.previous is not None else None
    try:
        bodies = render.start_bodies(published, config, body_cache, jobs, body_key_of)
        try:
            published = incremental.enrich_with_cache(published, config, cache, now, jobs)
            # One label per term, chosen from every article (enrich/spellings.py).
            spellings = choose_spellings(published, config)
            published = relabel(published, spellings)
            diags.extend(spelling_warnings(spellings, site_root))
            gc.freeze()  # as after parsing: the enriched records live as long as the build
            stage("enrich")
            if early is not None:
                early.start_digests(published, sources, cache.section("cards"))
            with gc_paused():  # ~14,000 pages of new containers, few cycles (see gc_paused)
                try:
                    site = model.assemble(published, config)
                except OutputCollisionError as exc:  # name the lines that write the terms
                    raise OutputCollisionError([at_term_line(d, site_root)
                                                for d in exc.diagnostics]) from None
            stage("assemble")
            bytecode = SectionBytecode(dict(cache.section("jinja")))
            env = make_environment(theme.make_loader(dirs), config, bytecode)
            body_cache.update(bodies.result())
        finally:
            bodies.cancel()  # only does something when the lines above failed
        gc.freeze()
        if options.flush_early:
            cache.flush_early(jobs)  # written while the pages render (see BuildCache.flush_early)
        levels = dict(cache.section("templates"))  # what each template reads (render.access)
        # ns leaves base_url out (serve and build share parsing and enrichment),
        # but every page shows it: page fingerprints must include it.
        result = render.render_incremental(
            site, env, config, theme.read_static(dirs), now=now, jobs=jobs,
            # An article's shown terms then depend on the other articles too.
            global_fp=ns + config.base_url + spellings.signature,
            previous=options.previous if options.reuse_from is not None else None,
            body_cache=body_cache, sources=sources, cards=cache.section("cards"),
            templates=levels, sink=options.sink,
            last_digests=options.previous_digests if options.reuse_from is not None else None,
            early=early)
    finally:
        if early is not None:
            early.cancel()  # only does something when the build failed before using it
    if levels != cache.section("templates"):
        cache.save("templates", levels)
    if bytecode.changed:
        cache.save("jinja", bytecode.store)
    if result.cards is not None and result.cards != cache.section("cards"):
        cache.save("cards", result.cards)
    if len(body_cache) != known_bodies:
        # Bodies of edited or deleted articles are dropped only once they are a
        # good share of the cache: finding them hashes every article's body.
        if len(body_cache) > len(site.articles) + max(64, len(site.articles) // 8):
            live = {body_key_of(a) for a in site.articles}
            body_cache = {k: v for k, v in body_cache.items() if k in live}
        cache.save("bodies", body_cache)
    rendered = incremental.with_reused(result, options.reuse_from)
    stage("render")
    diags.extend(check_feeds(rendered, site, config, early.collisions_of(site.articles)
                             if early is not None else None))
    stage("check")
    if options.strict and any(d.severity == "warning" for d in diags):
        raise DigestError([Diagnostic(severity="error", code=d.code, message=d.message,
                                      path=d.path, line=d.line, hint=d.hint)
                           for d in diags if d.severity == "warning"])
    key = incremental.input_key(ns + config.base_url, cache.section("inputs"),
                                _output_options(options), now)
    cache.report_to(diags)  # what it could not read, and will not write (not for --strict)
    return BuildResult(config=config, site=site, rendered=rendered, diagnostics=diags,
                       timings=timings, scheduled=scheduled, all_articles=parsed,
                       fingerprints=result.fingerprints, input_key=key, cache=cache,
                       digests=result.digests)


def _warn_default_base_url(config: SiteConfig, options: BuildOptions,
                           diags: list[Diagnostic]) -> None:
    """Feeds, sitemaps and canonical links need the real address: say so while the
    site still uses the placeholder (``digest serve`` passes its own address)."""
    if options.base_url is None and config.base_url == SiteConfig().base_url:
        # A note, not a warning: a site previewed locally is fine as it is, so
        # --strict does not fail on it.
        diags.append(Diagnostic(
            severity="note", code="base-url", path="digest.yaml",
            message=f"base_url is not set: feeds, sitemaps and canonical links point at "
                    f"{config.base_url}",
            hint="add the published address to digest.yaml, e.g. "
                 "base_url: https://news.example.org/"))


def _output_options(options: BuildOptions) -> tuple:
    """The options that change what a build writes (part of the input key)."""
    return (options.drafts, options.future, options.keep_going, options.base_url,
            options.content_dir, options.search)


@dataclass(slots=True, kw_only=True)
class Probe:
    """What the no-op check learned about a site, handed on to the build it
    starts when something did change (``BuildOptions.probe``): the settings,
    the cache namespace, the cache (the sections read stay loaded) and the
    survey of the content folder, which the parse stage then does not redo."""

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
                                     _output_options(options), build_now(options))


def probe(site_root: Path, options: BuildOptions) -> Probe:
    """Settings, cache and a survey of the sources, for :meth:`Probe.input_key`
    and then (through ``BuildOptions.probe``) for the build itself."""
    from digest import theme
    from digest.sources.discover import survey_sources

    config = configure(site_root, options)
    dirs = theme.theme_dirs(site_root, config.theme)
    ns = incremental.namespace(config, theme.template_fingerprint(dirs))
    return Probe(site_root=site_root, config=config, dirs=dirs, ns=ns,
                 cache=BuildCache(site_root, ns, enabled=options.cache),
                 survey=survey_sources(site_root, config.content_dir))


def quick_input_key(site_root: Path, options: BuildOptions) -> str | None:
    """:meth:`Probe.input_key` of a fresh :func:`probe`."""
    if not options.cache:
        return None
    return probe(site_root, options).input_key(options)
