"""Markdown bodies: rendered once per article; an article page and every feed
holding the article share one rendering.  (The fast engine keeps them in its
body cache by :func:`body_key` and renders the missing ones in workers:
digest.engine.bodies.)
"""

from __future__ import annotations

import hashlib

from digest.site.config import SiteConfig
from digest.site.records import Article
from digest.site.render.markdown import RENDERER_VERSION, render_markdown
from digest.site.work import SERIAL, Work


def render_bodies(articles: tuple[Article, ...] | list[Article], config: SiteConfig,
                  work: Work = SERIAL) -> dict[str, str]:
    """Markdown -> HTML once per article (article page and every feed share it)."""
    raw_html = config.raw_html
    html = work.map(lambda a: render_body(a.body, raw_html), articles,
                    "rendering Markdown bodies")
    return {a.key: h for a, h in zip(articles, html, strict=True)}


def render_body(body: str, raw_html: bool) -> str:
    """One body's HTML: every rendering of a body, plain or fast, comes here."""
    return render_markdown(body, raw_html=raw_html)


def body_key(body: str, raw_html: bool) -> str:
    return hashlib.blake2b(f"{RENDERER_VERSION}\x00{raw_html}\x00{body}".encode(
        "utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()
