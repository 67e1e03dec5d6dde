"""Render: Site -> output path -> bytes.  Never touches the disk.

Steps: HTML pages (Jinja), feeds (one feed id per article, computed once over
the whole site so site and term feeds agree), then the files derived from the
finished Site: sitemap.xml, news-sitemap.xml, robots.txt.  Characters XML 1.0
forbids never reach a page: ``sources.clean_article`` strips them from every
article field at parse time (with a warning), so pages and feeds agree.

This is the plain render, in this process.  The fast engine renders the same
pages with the same functions (:func:`page_renderer`, render_feed) in forked
workers, and only those whose inputs changed (digest.engine.render).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import jinja2
from markupsafe import Markup

from digest.site.config import SiteConfig
from digest.site.records import Article, PageSpec, Site
from digest.site.render import mailpage
from digest.site.render.bodies import body_key, render_bodies  # noqa: F401 - body_key: the API
from digest.site.render.feeds import entry_ids, render_feed
from digest.site.render.sitemaps import render_sitemaps
from digest.site.render.template_errors import missing_template, render_error, template_error
from digest.site.render.watch import WatchedIndex


def render(site: Site, env: jinja2.Environment, config: SiteConfig,
           assets: Mapping[str, bytes], *, now: datetime,
           bodies: Mapping[str, str] | None = None) -> dict[str, bytes]:
    """Render every page, feed and sitemap.  Raises TemplateError naming
    template and line, DigestError for a feed id used twice.  ``bodies``:
    article key -> HTML of its Markdown, where known."""
    html = dict(bodies or {})
    html.update(render_bodies([a for a in site.articles if a.key not in html], config))
    ids = entry_ids(site.articles, config)
    out: dict[str, bytes] = dict(assets)
    html_of = _html_of(html)
    out.update(render_pages(site, env, site.pages, html_of, now=now))
    for feed in site.feeds:
        out[feed.path] = render_feed(feed, config, html_of, ids)
    out.update(render_sitemaps(site.pages, site.articles, config, now))
    return out


def _html_of(html: Mapping[str, str]) -> Callable[[Article], str]:
    return lambda article: html[article.key]


def render_pages(site: Site, env: jinja2.Environment, pages: tuple[PageSpec, ...] | list,
                 html_of: Callable[[Article], str], *, now: datetime) -> dict[str, bytes]:
    """Render ``pages`` with their templates; output path -> bytes."""
    one = page_renderer(site, env, pages, html_of, now)
    return {page.path: one(page) for page in pages}


def page_renderer(site: Site, env: jinja2.Environment, pages: tuple[PageSpec, ...] | list,
                  html_of: Callable[[Article], str], now: datetime
                  ) -> Callable[[PageSpec], bytes]:
    """A function rendering any of ``pages`` to bytes (raising TemplateError).

    Every template the pages use is compiled here, once, first (a worker
    process forked afterwards inherits them compiled, and a syntax error is
    reported once)."""
    common = {"now": now, "site_model": site, "by_url": WatchedIndex(site.by_url),
              "has_articles": bool(site.articles), "nav": site.nav,
              "content_of": lambda a: Markup(html_of(a))}
    templates = {}
    for page in pages:
        if page.template not in templates:
            templates[page.template] = _load(env, page)

    def one(page: PageSpec) -> bytes:
        template = templates[page.template]
        if page.finish:  # mail (render/mailpage.py): the template may be rendered more than once
            return mailpage.finish(page.finish, page.context, lambda extra: _render_page(
                template, page, {**common, **extra})).encode("utf-8")
        return _render_page(template, page, common).encode("utf-8")

    return one


def _load(env: jinja2.Environment, page: PageSpec) -> jinja2.Template:
    try:
        return env.get_template(page.template)
    except jinja2.TemplateSyntaxError as exc:
        raise template_error(exc, page, exc.filename or exc.name, exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise missing_template(exc, page, env, None, None) from None


def _render_page(template: jinja2.Template, page: PageSpec, common: dict[str, object]) -> str:
    try:
        return template.render(page=page, **common, **page.context)
    except Exception as exc:  # Jinja's errors, or a filter or attribute access that failed
        names = {**template.environment.globals, **common, **page.context, "page": page}
        raise render_error(exc, page, template.environment, names) from None
