"""Fast preview: show an edited article at once, before the exact rebuild.

A save in ``digest serve`` starts a full build, which on a big site takes
seconds: related links, story clusters and every list depend on all articles
and are recomputed exactly.  The curator, though, is looking at the article
they just edited.  So, like Hugo's fast render mode, the server first
re-renders only the pages of the edited articles against the last good build
(their related links, stories and mentions are that build's) and serves
them; the exact build follows at once and replaces the preview.  Tabs whose
page the exact build does not change are not reloaded again (SiteState).

Only the common case qualifies: existing, published articles whose file was
edited in place and which keep their URL.  Anything else (a new, deleted or
renamed file, a draft, a date or slug change, settings, theme, a parse error)
returns None and waits for the full build, which reports errors as usual.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path, PurePosixPath

import jinja2

from digest.errors import DigestError
from digest.pipeline import BuildResult
from digest.site.config import SiteConfig
from digest.site.enrich import enrich_local
from digest.site.model.urls import assign_urls, output_path, term_url
from digest.site.records import SITE_FIELDS, Article, PageSpec, SourceDoc
from digest.site.render import render_pages
from digest.site.render.markdown import render_markdown
from digest.site.render.templating import Resolver
from digest.site.sources import clean_article, parse_source
from digest.site.sources.discover import MAX_BYTES, is_ignored_name

# Fields the full build derives from the whole site (records.site()): kept
# from the last build.
SITE_WIDE = SITE_FIELDS


def preview_pages(last: BuildResult, env: jinja2.Environment, site_root: Path,
                  changed: Iterable[str], now: datetime) -> dict[str, bytes] | None:
    """The re-rendered pages of the edited articles (output path -> bytes), or
    None when this change needs the full build.  ``changed`` are absolute paths."""
    config = last.config
    known = {a.key: a for a in last.site.articles}
    pages = {p.path: p for p in last.site.pages}
    content = (site_root / config.content_dir).resolve()
    todo: list[tuple[PageSpec, Article]] = []
    for raw in sorted(set(changed)):
        path = Path(raw)
        if not path.resolve().is_relative_to(content) or is_ignored_name(path.name):
            return None
        rel = PurePosixPath(os.path.relpath(path, site_root)).as_posix()
        old = known.get(rel)
        if old is None:
            return None  # new, unpublished or renamed: lists change, not only a page
        fresh = _reparse(path, rel, last, now)
        if fresh is None or fresh.url != old.url or fresh.draft != old.draft \
                or fresh.extra.get("translationKey") != old.extra.get("translationKey") \
                or [m.title for m in fresh.mentions] != [m.title for m in old.mentions]:
            return None
        fresh = dataclasses.replace(fresh, **{f: getattr(old, f) for f in SITE_WIDE},
                                    translations=old.translations,
                                    terms=_shown_terms(fresh, pages, config))
        spec = pages.get(output_path(old.url))
        if spec is None or spec.context.get("article") is not old:
            return None
        todo.append((spec, fresh))
    if not todo:
        return None
    # {% post_url %}, {{< ref >}}...: against the last build's URLs, as the
    # full build resolves them (a link to nothing stays text: it reports it)
    resolver = Resolver((*last.site.articles, *last.site.undated), config)
    bodies = {art.key: render_markdown(resolver.body(art), raw_html=config.raw_html)
              for _, art in todo}
    specs = [dataclasses.replace(spec, context={**spec.context, "article": art,
                                                "lastmod": art.updated or art.date})
             for spec, art in todo]
    return render_pages(last.site, env, specs, lambda a: bodies[a.key], now=now)


def _shown_terms(article: Article, pages: dict[str, PageSpec], config: SiteConfig
                 ) -> dict[str, tuple[str, ...]]:
    """The article's terms as the last build showed them: a term spelt in
    another case keeps the label of its page (enrich/spellings.py chooses it
    from every article, which the exact build does)."""
    terms = {}
    for tax, labels in article.terms.items():
        shown = []
        for label in labels:
            page = pages.get(output_path(term_url(tax, label, config)))
            term = page.context.get("term") if page is not None else None
            known = term.get("label") if isinstance(term, dict) else None
            same = isinstance(known, str) and known.casefold() == label.casefold()
            shown.append(known if same else label)
        terms[tax] = tuple(shown)
    return terms


def _reparse(path: Path, rel: str, last: BuildResult, now: datetime) -> Article | None:
    """The article as the full build would parse and tag it, or None on any problem."""
    try:
        if os.stat(path).st_size > MAX_BYTES:
            return None
        raw = path.read_bytes()
        doc = SourceDoc(rel_path=PurePosixPath(rel), raw=raw)
        article, _ = clean_article(doc, parse_source(doc, last.config, now=now))
    except (OSError, DigestError):
        return None  # the full build says what is wrong
    if article.date > now:
        return None  # scheduled now: leaves the site
    # its language from the site's paths (model/languages.py); its
    # translations, from the other articles, are the last build's
    (article,) = assign_urls((article,), last.config,
                             among=[a.path for a in last.site.articles])
    (article,) = enrich_local((article,), last.config)
    return article
