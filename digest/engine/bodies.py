"""The fast engine's Markdown bodies: the body cache, and rendering in workers.

The fast engine starts the bodies its cache lacks in workers while it
enriches (:func:`start_bodies`); an incremental render fetches the few its
pages and feeds need (:func:`needed_bodies`).  Each is
digest.site.render.bodies' rendering, keyed by :func:`~digest.site.render.bodies.body_key`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from digest.engine.digests import ParsedFrom
from digest.engine.parallel import Pending, pmap_start
from digest.engine.workers import Workers
from digest.site.config import SiteConfig
from digest.site.records import Article, FeedSpec, PageSpec
from digest.site.render.bodies import body_key, render_bodies, render_body


class PendingBodies:
    """Markdown bodies being rendered by workers (see :func:`start_bodies`)."""

    def __init__(self, keys: list[str], pending: Pending[str]) -> None:
        self.keys = keys
        self.pending = pending

    def result(self) -> dict[str, str]:
        """Body key -> HTML, for the body cache (the render stage reads it there)."""
        return dict(zip(self.keys, self.pending.result(), strict=True))

    def cancel(self) -> None:
        self.pending.cancel()


def body_keys(config: SiteConfig, sources: Mapping[str, ParsedFrom] | None = None
              ) -> Callable[[Article], str]:
    """The body cache's key of an article's Markdown: a hash of it, or, for an
    article still holding the body parsed from source bytes whose id is in
    ``sources`` (see fingerprint.article_digests) and that does not depend on
    "now", that id: the body is a function of those bytes and the settings
    (the cache's namespace), and hashing every body was a tenth of a
    one-edit build's render stage at 10,000 articles."""
    raw_html = config.raw_html
    sources = sources or {}

    def key(art: Article) -> str:
        hit = sources.get(art.key)
        if hit is not None and hit.article.body is art.body and hit.now is None:
            return "s" + hit.id
        return body_key(art.body, raw_html)

    return key


def start_bodies(articles: tuple[Article, ...], config: SiteConfig,
                 known: Mapping[str, str], jobs: int,
                 key_of: Callable[[Article], str] | None = None) -> PendingBodies:
    """Start rendering the Markdown of every body not in ``known`` (the body
    cache) in workers, so the caller can go on meanwhile (the fast engine: enrichment).
    ``key_of``: the cache key of an article's body (default: :func:`body_keys`)."""
    raw_html = config.raw_html
    key_of = key_of or body_keys(config)
    todo: dict[str, str] = {}
    for art in articles:
        key = key_of(art)
        if key not in known:
            todo.setdefault(key, art.body)
    bodies = list(todo.values())
    return PendingBodies(list(todo), pmap_start(
        lambda body: render_body(body, raw_html), bodies, jobs,
        "rendering Markdown bodies"))


def needed_bodies(pages: list[PageSpec], feeds: list[FeedSpec], config: SiteConfig,
                  jobs: int, cache: dict[str, str] | None,
                  key_of: Callable[[Article], str]) -> dict[str, str]:
    """HTML of the bodies the pages and feeds to render show: from the cache when
    the same Markdown was rendered before, else rendered (in parallel)."""
    wanted: dict[str, Article] = {}
    for page in pages:
        art = page.context.get("article")
        if isinstance(art, Article):
            wanted[art.key] = art
    for feed in feeds:
        for art in feed.articles:
            wanted[art.key] = art
    cache = {} if cache is None else cache
    bodies: dict[str, str] = {}
    missing = []
    for key, art in wanted.items():
        hit = cache.get(key_of(art))
        if hit is None:
            missing.append(art)
        else:
            bodies[key] = hit
    fresh = render_bodies(missing, config, Workers(jobs))
    for art in missing:
        bodies[art.key] = fresh[art.key]
        cache[key_of(art)] = fresh[art.key]
    return bodies
