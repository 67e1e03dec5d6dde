"""The plain engine: each step of the recipe in order, in this process, from scratch.

No cache, no workers, no fingerprints: the reference the fast engine
(digest.engine.fast) is tested against, byte for byte.  Slow on a large site,
and meant to be easy to read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from digest.errors import Diagnostic
from digest.site.build import BuildOptions, BuildResult, assemble, configure
from digest.site.records import Article, Page, Site
from digest.site.rendered import RenderedSite


class PlainEngine:
    """Runs builds plainly; holds nothing between them."""

    def run(self, site_root: Path, options: BuildOptions, now: datetime,
            counts: Callable[[str, int, int], None] | None = None) -> PlainRun:
        return PlainRun(site_root, options, now)


class PlainRun:
    def __init__(self, site_root: Path, options: BuildOptions, now: datetime) -> None:
        from digest import theme

        self.site_root, self.options, self.now = site_root, options, now
        self.config = configure(site_root, options)
        self.dirs = theme.theme_dirs(site_root, self.config.theme)

    def __enter__(self) -> PlainRun:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def parse(self, diags: list[Diagnostic]) -> tuple[Article, ...]:
        from digest.site.sources import parse_doc, settle
        from digest.site.sources.discover import discover

        docs, found = discover(self.site_root, self.config.content_dir, self.config.exclude)
        diags.extend(d for d in found if d.severity != "error")
        errors = [d for d in found if d.severity == "error"]
        articles = []
        for doc in docs:
            article, problems = parse_doc(doc, self.config, self.now)
            if article is None:
                errors.extend(problems)
            else:
                articles.append(article)
                diags.extend(problems)
        settle(errors, self.options.keep_going, diags)
        return tuple(articles)

    def enrich(self, published: tuple[Article, ...]) -> tuple[Article, ...]:
        from digest.site.enrich import enrich_local, enrich_site

        return enrich_site(enrich_local(published, self.config), self.config)

    def assemble(self, published: tuple[Article, ...], undated: tuple[Page, ...] = ()) -> Site:
        return assemble(published, self.config, self.site_root, undated)

    def render(self, site: Site, spellings: object) -> RenderedSite:
        from digest import theme
        from digest.site.render import render
        from digest.site.render.templates import make_environment

        env = make_environment(theme.make_loader(self.dirs), self.config)
        return RenderedSite(render(site, env, self.config, theme.read_static(self.dirs),
                                   now=self.now))

    def collisions(self, site: Site) -> None:
        return None  # check_feeds finds them

    def finish(self, result: BuildResult) -> BuildResult:
        return result
