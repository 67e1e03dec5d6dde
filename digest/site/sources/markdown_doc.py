"""Markdown notes (``.md``, ``.markdown``) -> :class:`~digest.site.records.Article`.

The body stays Markdown source; the render stage turns it into HTML once all
URLs are known.  Template syntax in the body is literal text (see
:mod:`digest.site.render.templating`: the build resolves the few static
constructs, the rest stays text).

Pure: takes a SourceDoc (bytes already read by discover), returns an Article.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from digest.errors import Diagnostic, SourceError
from digest.site.config import SiteConfig
from digest.site.records import Article, SourceDoc
from digest.site.slugs import check_slug, slug_words
from digest.site.sources.compat_fields import COMPAT_KEYS, compat_fields, fold_keys
from digest.site.sources.dates_compat import FALLBACK_KEYS, date_fields
from digest.site.sources.fields import article_from_fields, known_keys, unknown_key_warnings
from digest.site.sources.frontmatter import split
from digest.site.sources.page_fields import PAGE_KEYS, UNDATED, page_settings
from digest.site.sources.text import decode

# Jekyll posts: _posts/2024-12-20-minsk-talks.md.  Zero padding is optional
# in the wild (2016-3-21-...), as in Jekyll itself.
_JEKYLL_NAME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})-(.+)\.(?:md|markdown)", re.I)


def parse_markdown(doc: SourceDoc, config: SiteConfig,
                   warnings: list[Diagnostic] | None = None) -> Article:
    """Decode, split and validate a Markdown note.

    A Jekyll-style file name (``YYYY-MM-DD-slug.md``) supplies the date and
    slug when the front matter has none.  A file with no date at all is a page
    (``kind="page"``: About, contact; see sources/page_fields.py).  Raises SourceError (encoding, front
    matter or field problems, all fields of the file at once); misspelt-looking
    keys go to ``warnings``.
    """
    path = str(doc.rel_path)
    text = decode(doc.raw, path)
    found: list[Diagnostic] = []  # a YAML key repeated with its own value
    fm = split(text, path, found)
    defaults = _from_file_name(_page_name(doc.rel_path, config.content_dir))
    if fm.format == "pelican":
        # Pelican names a post after its title (SLUGIFY_SOURCE = 'title'), not
        # its file: keep the URLs the old site had.  Slug: still wins.
        defaults.pop("slug", None)
    known = frozenset(known_keys(config) | COMPAT_KEYS | set(FALLBACK_KEYS) | set(PAGE_KEYS))
    folded, folded_lines = fold_keys(fm.data, fm.key_lines, known)
    data, key_lines = date_fields(folded, folded_lines, defaults.get("date"))
    data, key_lines = compat_fields(data, key_lines)  # after: lastmod may be the date too
    kind = "markdown"
    if "date" not in data and "date" not in defaults and not _JEKYLL_NAME.fullmatch(
            _page_name(doc.rel_path, config.content_dir)):
        # No date anywhere (an empty date: line, or a post's file name with an
        # impossible date, 2024-02-30-x.md, is still an error): a page, not news
        # (About, contact).  It travels as an Article until build.py takes it
        # out (sources/page_fields.py).
        kind, data = "page", {**data, "date": UNDATED}
        problems = page_settings(data, key_lines, path)[1]
        if problems:
            raise SourceError(problems)
    body = fm.body
    if "title" not in data and "title" not in defaults:
        data, body = _title_from_heading(data, body)
    article = article_from_fields(
        data, path=path, kind=kind, body=body, body_line=fm.body_line,
        key_lines=key_lines, config=config, defaults=defaults)
    if warnings is not None:
        warnings += found
        own = {k: v for k, v in folded.items() if k not in COMPAT_KEYS
               and not (kind == "page" and k in PAGE_KEYS)}
        warnings += unknown_key_warnings(own, path=path, key_lines=folded_lines,
                                         config=config)
    return article


_LEADING_HEADING = re.compile(r"\A(\s*\n)?[ ]{0,3}#[ \t]+(?P<text>[^\n]*?)[ \t]*(?:#+[ \t]*)?$",
                              re.MULTILINE)


def _title_from_heading(data: dict[str, Any], body: str) -> tuple[dict[str, Any], str]:
    """No title in the front matter: a body that opens with a level-1 heading
    gives it, as GitHub Pages does for Jekyll sites (its default plugin
    jekyll-titles-from-headings).  The heading leaves the body (the page shows
    the title above it already); its line stays, empty, so that the body's
    line numbers in messages stay right.  Otherwise the title stays missing
    (an error naming the file)."""
    found = _LEADING_HEADING.match(body)
    if not found or not found.group("text").strip():
        return data, body
    start, end = found.span()
    blank_lines = body[start:end].count("\n")
    return ({**data, "title": found.group("text").strip()},
            "\n" * blank_lines + body[end:])


def file_name_slug(rel_path: PurePosixPath, content_dir: str) -> str | None:
    """The slug a Markdown file's name gives (front matter ``slug:`` and the
    title aside), or None (model/languages.py: the URL of ``x.ja.md`` is
    that of ``x.md``)."""
    return _from_file_name(_page_name(rel_path, content_dir)).get("slug")


def _page_name(rel_path: PurePosixPath, content_dir: str) -> str:
    """The name the page is known by: the file name, or for a Hugo page bundle
    (``news/0.76.1-relnotes/index.md``) its folder's, as Hugo names it.
    Otherwise every bundle would get the slug ``index`` and their URLs collide."""
    stem = rel_path.name.rsplit(".", 1)[0]
    parent = rel_path.parent
    if stem.lower() == "index" and parent.parts and \
            parent != PurePosixPath(content_dir) and parent.name:
        return parent.name + ".md"
    return rel_path.name


def _from_file_name(name: str) -> dict[str, Any]:
    """Defaults taken from the file name.

    The slug comes from the file name, as in Hugo and Jekyll: the curator
    chose it, it survives a later headline edit, and two notes that share a
    headline (a common agency pattern) still get distinct URLs.  A Jekyll post
    name (``YYYY-MM-DD-slug.md``) also supplies the date.  A file name that
    gives no usable slug falls back to the title (front matter ``slug:`` wins
    over both).
    """
    m = _JEKYLL_NAME.fullmatch(name)
    if not m:
        stem = slug_words(name.rsplit(".", 1)[0])
        return {"slug": stem} if stem and check_slug(stem) is None else {}
    try:
        when = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return {}  # 2024-02-30-x.md: not a date, so the front matter must give one
    defaults: dict[str, Any] = {"date": when.isoformat()}
    slug = _dotted(m.group(4))
    if slug and check_slug(slug) is None:
        defaults["slug"] = slug
    return defaults


def _dotted(name: str) -> str:
    """A Jekyll post's slug: its file name's words, dots kept, as Jekyll's
    ``:title`` keeps them (``5.0-release-process``), so old URLs still work."""
    return ".".join(w for w in (slug_words(part) for part in name.split(".")) if w)
