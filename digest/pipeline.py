"""The orchestrator: the only module that knows the order of the stages.

load config -> discover -> parse -> select (drafts, future) -> URLs -> enrich ->
assemble -> render -> check feeds.  Writing is left to the caller (``cli`` writes
to output/, ``serve`` keeps the result in memory), so a build is a pure function
of the site folder and ``now``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from digest.config import SiteConfig, load_config
from digest.errors import Diagnostic, DigestError, SourceError
from digest.records import Article, Site


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


@dataclass(slots=True, kw_only=True)
class BuildResult:
    config: SiteConfig
    site: Site
    rendered: dict[str, bytes]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    scheduled: tuple[Article, ...] = ()  # future articles left out, soonest first
    all_articles: tuple[Article, ...] = ()  # every parsed article incl. drafts/future


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


def parse_all(site_root: Path, config: SiteConfig, options: BuildOptions, now: datetime,
              diags: list[Diagnostic]) -> tuple[Article, ...]:
    """Discover and parse every source; report every bad file in one run."""
    from digest.sources import parse_source
    from digest.sources.discover import discover

    docs, found = discover(site_root, config.content_dir)
    diags.extend(found)
    articles = []
    errors: list[Diagnostic] = [d for d in found if d.severity == "error"]
    for doc in docs:
        try:
            articles.append(parse_source(doc, config, now=now))
        except SourceError as exc:
            errors.extend(exc.diagnostics)
    if errors and not options.keep_going:
        raise SourceError(errors)
    for err in errors:  # --keep-going: the bad files are skipped, with a warning each
        diags.append(Diagnostic(severity="warning", code=err.code, message=err.message
                                + " (skipped: --keep-going)", path=err.path, line=err.line,
                                hint=err.hint))
    return tuple(articles)


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
          progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build the site in memory.  Raises DigestError subclasses with diagnostics."""
    from digest import enrich, model, render, theme
    from digest.model.urls import assign_urls
    from digest.render.templates import make_environment
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
    config = configure(site_root, options)
    dirs = theme.theme_dirs(site_root, config.theme)
    stage("config")
    parsed = parse_all(site_root, config, options, now, diags)
    stage("parse")
    published, scheduled = select(parsed, options, now)
    published = assign_urls(published, config)
    published = enrich.enrich(published, config, diags)
    stage("enrich")
    site = model.assemble(published, config)
    stage("assemble")
    env = make_environment(theme.make_loader(dirs), config)
    rendered = render.render(site, env, config, theme.read_static(dirs), now=now)
    stage("render")
    diags.extend(check_feeds(rendered, site))
    stage("check")
    if options.strict and any(d.severity == "warning" for d in diags):
        raise DigestError([Diagnostic(severity="error", code=d.code, message=d.message,
                                      path=d.path, line=d.line, hint=d.hint)
                           for d in diags if d.severity == "warning"])
    return BuildResult(config=config, site=site, rendered=rendered, diagnostics=diags,
                       timings=timings, scheduled=scheduled, all_articles=parsed)
