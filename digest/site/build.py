"""The recipe: discover -> parse -> select -> urls -> enrich -> assemble -> render -> check.

:func:`build` is the whole build in one short function.  It takes an *engine*
(digest.engine) that decides how each heavy step runs: the plain engine runs
them one after another in this process (the reference); the fast engine adds
the persistent cache, forked workers, exact incremental enrichment and page
fingerprints, and must produce the same bytes (tests/integration/
test_engine_differential.py).  Writing output/ is left to the caller
(digest.output), so a build is a function of the site folder and "now".
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from digest.errors import Diagnostic, DigestError, OutputCollisionError
from digest.site.config import SiteConfig, load_config
from digest.site.records import Article, Page, Site
from digest.site.rendered import RenderedSite

if TYPE_CHECKING:
    from digest.site.enrich.spellings import Spellings


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """What the user chose for this build (flags of ``digest build``/``serve``).

    What an engine carries from one build to the next (the loaded cache, the
    last build's fingerprints, where its pages can be reused from) lives in
    the engine, not here."""

    drafts: bool = False  # include `draft: true` articles
    future: bool = False  # include articles dated after "now"
    strict: bool = False  # warnings fail the build
    keep_going: bool = False  # skip unreadable sources with a warning instead of failing
    now: datetime | None = None  # reference instant; default SOURCE_DATE_EPOCH or the clock
    base_url: str | None = None  # override (digest serve uses its own address)
    content_dir: str | None = None  # override config.content_dir
    search: bool | None = None  # override config.search
    jobs: int | None = None  # worker processes (fast engine); default: one per core
    cache: bool = True  # use and update <site>/.digest-cache/ (fast engine)


@dataclass(slots=True, kw_only=True)
class BuildResult:
    config: SiteConfig
    site: Site
    rendered: RenderedSite
    diagnostics: list[Diagnostic] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    scheduled: tuple[Article, ...] = ()  # future articles left out, soonest first
    all_articles: tuple[Article, ...] = ()  # every parsed article incl. drafts/future
    # Filled by the fast engine (digest.engine.fast) for the next build and output/:
    fingerprints: dict[str, str] = field(default_factory=dict)  # path -> page/feed hash
    input_key: str = ""  # everything the output depends on (see digest.engine.incremental)
    digests: object = None  # article digests behind ``fingerprints`` (fingerprint.LastDigests)
    cache: object = None  # the engine's BuildCache, flushed by the caller


class Run(Protocol):
    """One build as an engine runs it (see digest.engine.plain for the reference)."""

    config: SiteConfig
    now: datetime

    def parse(self, diags: list[Diagnostic]) -> tuple[Article, ...]: ...
    def enrich(self, published: tuple[Article, ...]) -> tuple[Article, ...]: ...
    def assemble(self, published: tuple[Article, ...],
                 undated: tuple[Page, ...] = ()) -> Site: ...
    def render(self, site: Site, spellings: Spellings) -> RenderedSite: ...
    def collisions(self, site: Site) -> object: ...  # feed ids used twice, if known
    def finish(self, result: BuildResult) -> BuildResult: ...
    def __enter__(self) -> Run: ...
    def __exit__(self, *exc: object) -> None: ...


class Engine(Protocol):
    def run(self, site_root: Path, options: BuildOptions, now: datetime,
            counts: Callable[[str, int, int], None] | None = None) -> Run: ...


def build(site_root: Path, options: BuildOptions, engine: Engine,
          progress: Callable[[str], None] | None = None,
          counts: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Build the site in memory.  Raises DigestError subclasses with diagnostics.

    ``progress(stage)`` is called as each stage ends; ``counts(stage, done,
    total)`` within a stage, where the engine can count (parsing)."""
    from digest.site.enrich.spellings import choose, relabel
    from digest.site.model.languages import language_notes, own_language
    from digest.site.model.pages import undated_urls
    from digest.site.model.urls import assign_urls
    from digest.site.render.validate import check_feeds
    from digest.site.termlines import spelling_warnings

    stages = _Stages(progress)
    with engine.run(site_root, options, build_now(options), counts) as run:
        config, now = run.config, run.now
        diags = base_url_notes(config, options)
        stages.done("config")
        parsed, undated = split_undated(run.parse(diags))
        stages.done("parse")
        published, scheduled = select(parsed, options, now)
        published = assign_urls(published, config)
        diags.extend(language_notes(published, config))
        undated = undated_urls(p for p in undated if options.drafts or not p.draft)
        if options.keep_going:  # colliding sources are skipped like unreadable ones
            published, undated = skip_colliding(published, undated, diags)
        published = run.enrich(published)
        spellings = choose(published, config)  # one label per term (enrich/spellings.py)
        published = relabel(published, spellings)
        published = own_language(published, config)  # links within a language
        diags.extend(spelling_warnings(spellings, site_root))
        stages.done("enrich")
        published, pages = resolve_templates(published, undated, parsed, config, options,
                                             diags)
        site = run.assemble(published, pages)
        stages.done("assemble")
        rendered = run.render(site, spellings)
        stages.done("render")
        diags.extend(check_feeds(rendered, site, config, run.collisions(site)))
        stages.done("check")
        fail_on_warnings(diags, options)
        return run.finish(BuildResult(config=config, site=site, rendered=rendered,
                                      diagnostics=diags, timings=stages.timings,
                                      scheduled=scheduled, all_articles=parsed))


def skip_colliding(published: tuple[Article, ...], undated: tuple[Article, ...],
                   diags: list[Diagnostic]) -> tuple[tuple[Article, ...], tuple[Article, ...]]:
    """--keep-going: (articles, undated pages) without those whose URLs collide."""
    from digest.site.model.urls import drop_colliding

    kept, skipped = drop_colliding(published + undated)
    diags.extend(skipped)
    return (tuple(a for a in kept if a.kind != "page"),
            tuple(a for a in kept if a.kind == "page"))


def resolve_templates(  # noqa: PLR0913 - the build's values, passed on
        published: tuple[Article, ...], undated: tuple[Article, ...],
        parsed: tuple[Article, ...], config: SiteConfig, options: BuildOptions,
        diags: list[Diagnostic]) -> tuple[tuple[Article, ...], tuple[Page, ...]]:
    """Jekyll's and Hugo's static constructs ({% post_url %}, {{< ref >}}...)
    resolved once every URL is final, after enrichment (which reads the source
    as written; render/templating.py says why); the undated pages made.  The
    constructs left as text are warnings; links to nothing errors, raised
    together unless --keep-going (then warnings: left as text).  A link to a
    draft or a scheduled article gets the URL it will have (not an error: the
    build would fail until the day it is published; digest check warns)."""
    from digest.site.model.urls import assign_urls
    from digest.site.render.pages import make_pages
    from digest.site.render.templating import Resolver
    from digest.site.sources import settle

    shown = {a.key for a in published}
    later = assign_urls((a for a in parsed if a.key not in shown), config)
    resolver = Resolver(published + undated + later, config)
    published = resolver.articles(published)
    pages = make_pages(undated, config, resolver.body)
    warnings, errors = resolver.report()
    settle(errors, options.keep_going, warnings)
    diags.extend(warnings)
    return published, pages


def split_undated(parsed: tuple[Article, ...]
                  ) -> tuple[tuple[Article, ...], tuple[Article, ...]]:
    """(articles, pages without a date): the pages (sources/page_fields.py)
    leave the stream here, before anything reads their placeholder date."""
    if not any(a.kind == "page" for a in parsed):
        return parsed, ()
    return (tuple(a for a in parsed if a.kind != "page"),
            tuple(a for a in parsed if a.kind == "page"))


def assemble(published: tuple[Article, ...], config: SiteConfig, site_root: Path,
             undated: tuple[Page, ...] = ()) -> Site:
    """model.assemble, with a collision of term pages named at the lines that write the terms."""
    from digest.site import model
    from digest.site.termlines import at_term_line

    try:
        return model.assemble(published, config, undated)
    except OutputCollisionError as exc:
        raise OutputCollisionError([at_term_line(d, site_root)
                                    for d in exc.diagnostics]) from None


class _Stages:
    """Seconds per stage (``digest build -v``) and the progress callback."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress
        self.clock = time.perf_counter()

    def done(self, name: str) -> None:
        current = time.perf_counter()
        self.timings[name] = current - self.clock
        self.clock = current
        if self.progress:
            self.progress(name)


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
    """digest.yaml with the command line's overrides."""
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


def base_url_notes(config: SiteConfig, options: BuildOptions) -> list[Diagnostic]:
    """Feeds, sitemaps and canonical links need the real address: say so while the
    site still uses the placeholder (``digest serve`` passes its own address)."""
    if options.base_url is not None or config.base_url != SiteConfig().base_url:
        return []
    # A note, not a warning: a site previewed locally is fine as it is, so
    # --strict does not fail on it.
    return [Diagnostic(
        severity="note", code="base-url", path="digest.yaml",
        message=f"base_url is not set: feeds, sitemaps and canonical links point at "
                f"{config.base_url}",
        hint="add the published address to digest.yaml, e.g. "
             "base_url: https://news.example.org/")]


def fail_on_warnings(diags: list[Diagnostic], options: BuildOptions) -> None:
    """--strict: every warning becomes an error."""
    if options.strict and any(d.severity == "warning" for d in diags):
        raise DigestError([Diagnostic(severity="error", code=d.code, message=d.message,
                                      path=d.path, line=d.line, hint=d.hint)
                           for d in diags if d.severity == "warning"])


def output_options(options: BuildOptions) -> tuple:
    """The options that change what a build writes (part of the input key)."""
    return (options.drafts, options.future, options.keep_going, options.base_url,
            options.content_dir, options.search)
