"""The fast engine's render: only what changed, in forked workers.

Each page and feed gets a fingerprint of everything it shows (digest.site.render.
fingerprint, at its template's access level, digest.engine.access); a file
whose fingerprint matches the last build's is not rendered: its old bytes are
reused.  The rest render in forked workers with the plain render's own
functions (digest.site.render.page_renderer, render_feed), so the bytes are the
same.  Pages can be handed to a ``sink`` in batches while the rest renders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

import jinja2

from digest.engine import access
from digest.engine.bodies import body_keys, needed_bodies, start_bodies  # noqa: F401 - the API
from digest.engine.digests import LastDigests, ParsedFrom, article_digests
from digest.engine.early import EarlyWork, start_early  # noqa: F401 - start_early: the API
from digest.engine.fingerprint import Fingerprinter, level_of
from digest.engine.parallel import pmap_parts, pmap_start
from digest.errors import Diagnostic, TemplateError
from digest.site.config import SiteConfig
from digest.site.model import NEWS_SITEMAP, ROBOTS, SITEMAP
from digest.site.records import Article, PageSpec, Site
from digest.site.render import page_renderer
from digest.site.render.feeds import entry_ids, render_feed
from digest.site.render.sitemaps import MAX_URLS, news_sitemap, render_sitemaps, robots
from digest.site.render.watch import watching


@dataclass(slots=True)
class Rendered:
    """What render produced: new bytes, every file's fingerprint, the paths
    whose fingerprint matched ``previous`` (not rendered: reuse the old bytes),
    and the articles' card ids for the cache (fingerprint.article_digests)."""

    data: dict[str, bytes]
    fingerprints: dict[str, str]
    reused: set[str]
    cards: dict[str, tuple[str, ...]] | None = None
    digests: LastDigests | None = None  # for the next build's ``last_digests``


def render_incremental(site: Site, env: jinja2.Environment, config: SiteConfig,
                       assets: Mapping[str, bytes], *, now: datetime,
                       bodies: Mapping[str, str] | None = None, jobs: int = 1,
                       global_fp: str = "", previous: Mapping[str, str] | None = None,
                       body_cache: dict[str, str] | None = None,
                       sources: Mapping[str, ParsedFrom] | None = None,
                       cards: Mapping[str, tuple[str, ...]] | None = None,
                       templates: dict[str, tuple[int, bool]] | None = None,
                       sink: Callable[[Mapping[str, bytes]], bool] | None = None,
                       last_digests: object = None,
                       early: EarlyWork | None = None) -> Rendered:
    """Render what changed since ``previous`` (path -> fingerprint of the last build).

    ``jobs`` > 1 renders in forked worker processes (see digest.engine.parallel).
    ``body_cache`` maps a hash of (raw_html, Markdown) to HTML and is updated.
    ``sources`` (article key -> where it was parsed from, digests.ParsedFrom)
    and ``cards`` (the last build's card ids) make article digests cheaper:
    see :func:`fingerprint.article_digests`.  Each page is fingerprinted at
    its template's level (engine/access.py), or at the higher one its last
    render needed; a render that needed more than that is fingerprinted again
    at the level it needed.  ``templates`` keeps the templates' levels across
    builds (access.template_access) and is updated.
    ``sink``, when given, receives pages and feeds in batches as soon as they
    are rendered (e.g. to write them while the rest renders); pages it keeps
    (returns True) are left out of the result, feeds stay (they are checked).
    ``last_digests``: the article digests behind ``previous`` (as
    LastDigests.to_data saved them; anything else counts as none); while the
    site's links digests are the same, most pages keep their previous
    fingerprint without a walk (fingerprint.Fingerprinter).
    ``early``: the feed ids and article digests, when render.early started
    computing them in another process (made here if it did not, or worked on
    other articles).
    """
    previous = previous or {}
    has_articles = bool(site.articles)
    made = early.result(site.articles) if early is not None else None
    ids = made[0] if made is not None else entry_ids(site.articles, config)
    fps: dict[str, str] = {}
    listed = [page for page in site.pages if page.sitemap]
    late: dict[str, bytes] = {}  # files derived from the whole site (sitemaps)

    levels = {name: access.template_access(env, name, templates)
              for name in {page.template for page in site.pages}}
    digests = None
    printer: Fingerprinter | None = None

    def page_level(page: PageSpec) -> int:
        return max(levels[page.template].level, level_of(previous.get(page.path)))

    def fingerprint_all() -> None:
        nonlocal digests, printer
        digests = made[1] if made is not None else article_digests(site.articles, sources, cards)
        printer = Fingerprinter(digests, f"{global_fp}|{has_articles}", now.isoformat(),
                                tuple(site.by_url), LastDigests.from_data(last_digests))
        for page in site.pages:
            fps[page.path] = printer.page(page, page_level(page),
                                          levels[page.template].uses_now,
                                          previous.get(page.path))
        for feed in site.feeds:
            fps[feed.path] = printer.feed(feed, ids)
        # sitemap.xml lists every page: rebuilding it (lxml, 14,000 URLs) costs
        # more than fingerprinting what it shows.  Only the one-file form is reused.
        if len(listed) <= MAX_URLS:
            fps[SITEMAP] = printer.sitemap(listed, previous.get(SITEMAP))

    if previous:
        fingerprint_all()
        todo_pages = [page for page in site.pages if previous.get(page.path) != fps[page.path]]
        todo_feeds = [feed for feed in site.feeds if previous.get(feed.path) != fps[feed.path]]
        meanwhile = None
    else:
        # Nothing to reuse: every file renders, so the fingerprints (kept for
        # the next build) and the sitemaps are made while the workers render.
        todo_pages, todo_feeds = list(site.pages), list(site.feeds)

        def meanwhile() -> None:
            fingerprint_all()
            late.update(render_sitemaps(site.pages, site.articles, config, now))

    if bodies is None:
        bodies = needed_bodies(todo_pages, todo_feeds, config, jobs, body_cache,
                                body_keys(config, sources))

    def html_of(article: Article) -> str:
        return bodies[article.key]

    out: dict[str, bytes] = dict(assets)
    needs: dict[str, int] = {}
    # Feeds are independent of each other (a site-wide one and two per term):
    # workers render them from the inherited site, as they do pages, and at the
    # same time, so that no core idles while the last pages or feeds finish.
    feeds = pmap_start(lambda feed: render_feed(feed, config, html_of, ids), todo_feeds, jobs,
                       "rendering feeds")
    try:
        out.update(render_pages(site, env, todo_pages, html_of, now=now, jobs=jobs, sink=sink,
                                meanwhile=meanwhile, needs=needs))
        feed_bytes = feeds.result()
    finally:
        feeds.cancel()  # only does something when rendering the pages failed
    feed_files = {feed.path: data for feed, data in zip(todo_feeds, feed_bytes, strict=True)}
    if sink:
        sink(feed_files)
    out.update(feed_files)
    reused = {p for p, fp in fps.items() if previous.get(p) == fp}
    if needs:
        _refingerprint(printer, site.pages, fps, needs, levels, page_level)  # type: ignore[arg-type]
    if late:
        out.update(late)
    elif SITEMAP in reused:
        out[NEWS_SITEMAP] = news_sitemap(site.articles, config, now)  # depends on "now"
        out[ROBOTS] = robots(config)
    else:
        out.update(render_sitemaps(site.pages, site.articles, config, now))
    return Rendered(data=out, fingerprints=fps, reused=reused,
                    cards=digests.cards if digests is not None else None,
                    digests=printer.record() if printer is not None else None)


def _refingerprint(printer: Fingerprinter, pages: tuple[PageSpec, ...], fps: dict[str, str],
                   needs: Mapping[str, int], levels: Mapping[str, access.Access],
                   page_level: Callable[[PageSpec], int]) -> None:
    """Fingerprint again, at the level they needed, the pages whose render
    read more than their level covers; a tainted build (access.TAINT) makes
    every page SITE, reused ones too (their bytes are still right: their
    inputs at their old level did not change)."""
    tainted = any(need >= access.TAINT for need in needs.values())
    for page in pages:
        need = access.SITE if tainted else needs.get(page.path, access.CARD)
        if need > page_level(page):
            fps[page.path] = printer.page(page, need, levels[page.template].uses_now)


def render_pages(site: Site, env: jinja2.Environment, pages: tuple[PageSpec, ...] | list,
                 html_of: Callable[[Article], str], *, now: datetime, jobs: int = 1,
                 sink: Callable[[Mapping[str, bytes]], bool] | None = None,
                 meanwhile: Callable[[], None] | None = None,
                 needs: dict[str, int] | None = None) -> dict[str, bytes]:
    """Render ``pages`` with their templates; output path -> bytes.

    ``sink`` receives each batch of pages as the workers finish it, in order,
    while the later batches are still rendering; when it returns True it has
    kept them (written them to disk), and they are left out of the result.  ``meanwhile`` runs in this
    process while the workers render (see parallel.pmap_parts).  ``needs``
    receives, for each page whose render read beyond the CARD level, the level
    it needed (render/watch.py)."""
    render_one = page_renderer(site, env, pages, html_of, now)

    def one(page: PageSpec) -> bytes | tuple[bytes, int] | list[Diagnostic]:
        try:
            with watching(access.linked_urls(page.context)) as watch:
                data = render_one(page)
        except TemplateError as exc:  # returned as data, not raised: see parallel.pmap
            return exc.diagnostics
        return (data, watch.need) if watch.need else data

    out: dict[str, bytes] = {}
    done = 0
    # Closed on the way out, not when it is collected: a template error or
    # Ctrl-C here must end the workers now (the traceback keeps this frame,
    # and with it the iterator, alive until the error is reported).
    with closing(pmap_parts(one, pages, jobs, meanwhile, "rendering pages")) as parts:
        for part in parts:
            batch = {}
            for page, result in zip(pages[done:done + len(part)], part, strict=True):
                if isinstance(result, list):
                    raise TemplateError(result)
                if type(result) is tuple:
                    result, need = result
                    if needs is not None:
                        needs[page.path] = need
                batch[page.path] = result
            done += len(part)
            if sink and sink(batch):
                continue  # on disk now: the pages are most of a build's memory
            out.update(batch)
    return out
