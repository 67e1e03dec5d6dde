"""Render: Site -> RenderedSite (output path -> bytes).  Never touches the disk.

Steps: HTML pages (Jinja), feeds (one feed id per article, computed once over
the whole site so site and term feeds agree), then the files derived from the
finished Site: sitemap.xml, news-sitemap.xml, robots.txt.  Every page has the
characters XML 1.0 forbids stripped: they are invalid in HTML too, and a title
carrying one must not make a page differ from its feed entry.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Mapping
from datetime import datetime

import jinja2
from markupsafe import Markup

from digest.config import SiteConfig
from digest.errors import Diagnostic, TemplateError
from digest.records import Article, PageSpec, Site
from digest.render.feeds import entry_ids, render_feed
from digest.render.markdown import render_markdown
from digest.render.sitemaps import render_sitemaps
from digest.sources.text import strip_xml_illegal

RenderedSite = dict[str, bytes]


def render_bodies(articles: tuple[Article, ...], config: SiteConfig) -> dict[str, str]:
    """Markdown -> HTML once per article (article page and every feed share it)."""
    return {a.key: render_markdown(a.body, raw_html=config.raw_html) for a in articles}


def render(site: Site, env: jinja2.Environment, config: SiteConfig,
           assets: Mapping[str, bytes], *, now: datetime,
           bodies: Mapping[str, str] | None = None) -> RenderedSite:
    """Render every page, feed and sitemap.  Raises TemplateError naming template and
    line, DigestError for a feed id used twice."""
    if bodies is None:
        bodies = render_bodies(site.articles, config)

    def html_of(article: Article) -> str:
        return bodies[article.key]

    common = {"now": now, "site_model": site, "by_url": site.by_url,
              "content_of": lambda a: Markup(html_of(a))}
    out: RenderedSite = dict(assets)
    templates: dict[str, jinja2.Template] = {}
    for page in site.pages:
        template = templates.get(page.template)
        if template is None:
            template = templates[page.template] = _load(env, page)
        text = strip_xml_illegal(_render_page(template, page, common))[0]
        out[page.path] = text.encode("utf-8")
    ids = entry_ids(site.articles, config)
    for feed in site.feeds:
        out[feed.path] = render_feed(feed, config, html_of, ids)
    out.update(render_sitemaps(site.pages, site.articles, config, now))
    return out


def _load(env: jinja2.Environment, page: PageSpec) -> jinja2.Template:
    try:
        return env.get_template(page.template)
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(exc, page, exc.filename or exc.name, exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(Diagnostic(
            severity="error", code="template-missing", path=page.source,
            message=f"template '{exc.name}' not found",
            hint="add it to themes/<theme>/templates/ or fix the name")) from None


def _render_page(template: jinja2.Template, page: PageSpec, common: dict[str, object]) -> str:
    try:
        return template.render(page=page, **common, **page.context)
    except jinja2.TemplateError as exc:
        filename, line = _template_frame(exc)
        raise _template_error(exc, page, filename, line) from None
    except Exception as exc:  # a filter or attribute access failed inside the template
        filename, line = _template_frame(exc)
        raise _template_error(exc, page, filename, line) from None


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template frame of a render error (Jinja rewrites tracebacks so
    template frames carry the template's file name and line)."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__ or sys.exc_info()[2]):
        if frame.filename.endswith((".html", ".xml", ".txt", ".json")):
            found = (frame.filename, frame.lineno)
    return found


def _template_error(exc: BaseException, page: PageSpec, filename: str | None,
                    line: int | None) -> TemplateError:
    where = filename or page.template
    if isinstance(exc, jinja2.TemplateSyntaxError):
        hint = ("fix the template syntax: every {% block %}/{% if %}/{% for %} needs its "
                "{% end... %} and every {{ must be closed by }}")
    else:
        hint = "fix the template; a misspelt variable is reported as undefined"
    return TemplateError(Diagnostic(
        severity="error", code="template", path=where, line=line,
        message=f"{type(exc).__name__}: {exc} (while rendering {page.url} from {page.source})",
        hint=hint))
