"""Raw agency clippings (plain text pasted from a news site) -> Article.

Shape, line by line after decoding (BOM, CRLF and NFC handled by ``text``)::

    headline
    10:32, 20 December            dateline; the year is usually missing
    Photo: BelTA                  optional, may repeat
    paragraphs...                 the first names the agency ("..., BelTA reports.")
    Other materials of «Union State»
    related headline              pairs: headline, then its dateline
    09:47, 6 November

Every non-empty line of the body is one paragraph: text copied from a web page
has one line per paragraph whether or not the browser kept blank lines between
them, and it is never hard-wrapped.  Every clipping heuristic lives here; the
date arithmetic lives in ``dateline``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from digest.errors import Diagnostic, source_error
from digest.site.config import SiteConfig
from digest.site.records import Article, Mention, SourceDoc
from digest.site.sources import fields, frontmatter
from digest.site.sources.agencies import detect_agency
from digest.site.sources.dateline import (
    Dateline,
    DatelineError,
    parse_dateline,
    resolve,
    resolve_chain,
    with_year,
)
from digest.site.sources.text import decode

PHOTO = re.compile(r"^\s*(?:photo|фото)\s*:\s*(?P<credit>.+?)\s*$", re.IGNORECASE)
RUBRIC = re.compile(
    r"^\s*(?:other\s+materials\s+of(?:\s+the)?(?:\s+(?:rubric|section))?"
    r"|другие\s+материалы\s+рубрики)\s*"
    r"[«\"“„](?P<section>[^»\"”“]+?)[»\"”“]\s*$",
    re.IGNORECASE,
)
_FENCE = re.compile(r"(?:[ \t]*\n)*(?:---|\+\+\+)[ \t]*\n")  # front matter opens
DATELINE_HINT = ("add a dateline like `10:32, 20 December` under the headline, "
                 "or a `date:` in front matter; a .txt file that is no clipping "
                 "(robots.txt, a site's static file) goes out of the content folder, "
                 "or under `exclude:` in digest.yaml")

@dataclass(frozen=True, slots=True)
class Related:
    """A trailer item before its date is resolved."""

    title: str
    dateline: Dateline | None
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ClippingParts:
    """The structure of a clipping, before agencies and years are worked out."""

    title: str
    title_line: int
    dateline: Dateline | None  # None only when the caller allowed it (front-matter date)
    dateline_line: int | None
    photo_credit: str | None
    paragraphs: tuple[str, ...]  # raw text, one per paragraph
    body_line: int  # line of the first paragraph (or where it would be)
    section: str | None
    related: tuple[Related, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedClipping:
    """A clipping's own fields, dates resolved; its front matter is kept aside in ``data``."""

    parts: ClippingParts  # title, photo_credit, section...
    date: datetime | None  # from the dateline; None when front matter gives the date
    year_inferred: bool
    source: str | None  # the agency detected in the text
    mentions: tuple[Mention, ...]
    body: str
    body_line: int
    tz: ZoneInfo  # the zone the dateline was read in
    data: Mapping[str, Any]  # front matter, applied over these fields by parse_clipping
    key_lines: Mapping[str, int]


# --------------------------------------------------------------------------- structure

def split_clipping(text: str, path: str, *, first_line: int = 1,
                   need_dateline: bool = True) -> ClippingParts:
    """Find headline, dateline, credit, body, rubric and trailer in ``text``.

    ``first_line`` is the file line ``text`` starts on (after front matter), so
    errors and ``body_line`` point into the file.  Raises SourceError when the
    text does not have the clipping shape.
    """
    items = [(first_line + i, raw.strip(), block)
             for i, raw, block in _numbered(text.lstrip("\ufeff")) if raw.strip()]
    if not items:
        raise source_error(path, "empty clipping: expected a headline (block 1)",
                           line=first_line, code="clipping-shape",
                           hint="put the headline on the first line and a dateline like "
                                "`10:32, 20 December` under it")
    no, first, _ = items[0]
    if parse_dateline(first) or PHOTO.match(first) or RUBRIC.match(first):
        raise source_error(path, f"expected a headline (block 1), found '{_cut(first)}'",
                           line=no,
                           code="clipping-shape", hint="put the headline on the first line")
    k = _dateline_index(items)
    if k is None:
        if need_dateline:
            at = items[1] if len(items) > 1 else None
            found = f"found '{_cut(at[1])}'" if at else "found the end of the file"
            raise source_error(
                path, "expected a dateline (block 2) after the headline, " + found,
                line=at[0] if at else no, code="clipping-dateline", hint=DATELINE_HINT)
        title, dateline, dateline_line, i = first, None, None, 1
    else:
        title = " ".join(t for _, t, _ in items[:k])
        dateline, dateline_line, i = parse_dateline(items[k][1]), items[k][0], k + 1
    credit = None
    while i < len(items) and (m := PHOTO.match(items[i][1])):
        credit = credit or m["credit"]
        i += 1
    body_line = items[i][0] if i < len(items) else (dateline_line or no) + 1
    end = next((j for j in range(i, len(items)) if RUBRIC.match(items[j][1])), len(items))
    rubric = RUBRIC.match(items[end][1]) if end < len(items) else None
    return ClippingParts(
        title=title, title_line=no, dateline=dateline, dateline_line=dateline_line,
        photo_credit=credit, body_line=body_line,
        # a credit line of a later photo is not body text
        paragraphs=tuple(t for _, t, _ in items[i:end] if not PHOTO.match(t)),
        section=rubric["section"].strip() if rubric else None,
        related=_trailer(items[end + 1:]))


def _numbered(text: str):
    """(offset, line, block index) for every line; blocks are split by blank lines."""
    block = 0
    for i, raw in enumerate(re.split(r"\r\n|\r|\n", text)):
        if not raw.strip():
            block += 1
        yield i, raw, block


def _dateline_index(items: list[tuple[int, str, int]]) -> int | None:
    # The dateline normally follows the headline; a headline that wrapped onto
    # a second line of its own block is joined back, so look a little further.
    for k in range(1, min(len(items), 4)):
        if parse_dateline(items[k][1]):
            return k
        if items[k][2] != items[0][2]:
            return None
    return None


def _trailer(items: list[tuple[int, str, int]]) -> tuple[Related, ...]:
    """Headline/dateline pairs; a headline followed by another headline has no date."""
    related: list[Related] = []
    pending: tuple[int, str] | None = None
    for no, line_text, _ in items:
        if (d := parse_dateline(line_text)) is not None:
            if pending:
                related.append(Related(pending[1], d, pending[0]))
                pending = None
            continue  # a stray dateline without a headline carries nothing
        if PHOTO.match(line_text) or RUBRIC.match(line_text):
            continue
        if pending:
            related.append(Related(pending[1], None, pending[0]))
        pending = (no, line_text)
    if pending:
        related.append(Related(pending[1], None, pending[0]))
    return tuple(related)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- body

_INLINE = re.compile(r"[\\`*_\[\]<>{}~|]|&(?=#?\w+;)")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def escape_markdown(paragraph: str) -> str:
    """Backslash-escape what CommonMark would read as markup, so text stays text.

    Quotes, guillemets, dashes and non-Latin letters are left alone; only
    emphasis, code, links, HTML/autolinks, entities, template braces and
    line-start block markers (headings, quotes, lists, rules) are escaped.
    """
    text = _INLINE.sub(lambda m: "\\" + m[0], paragraph.strip())
    if text[:1] in ("#", "+", "-", "="):
        text = "\\" + text
    return _ORDERED.sub(r"\1\\\2", text)


def markdown_body(paragraphs: tuple[str, ...] | list[str]) -> str:
    """Paragraphs as Markdown, separated by blank lines."""
    return "\n\n".join(escape_markdown(p) for p in paragraphs if p.strip())


# --------------------------------------------------------------------------- dates

def resolve_mentions(related: tuple[Related, ...], article_date: datetime,
                     tz: tzinfo) -> tuple[Mention, ...]:
    """Trailer items as Mentions, each dated relative to the one before it."""
    dates = resolve_chain([r.dateline for r in related], article_date, tz)
    return tuple(Mention(title=r.title, date=when, year_inferred=inferred)
                 for r, (when, inferred) in zip(related, dates, strict=True))


def parse_clipping_text(text: str, path: str, *, now: datetime,
                        config: SiteConfig) -> ParsedClipping:
    """Parse decoded clipping text, front matter included; no Article yet.

    Dates are resolved relative to ``now``, unless front matter pins the year
    (``year:``) or gives the date (``date:``, which replaces the dateline and
    becomes the trailer's reference).  A front-matter ``source:`` picks the
    agency whose time zone reads the dateline.
    """
    # Only fenced front matter: frontmatter.split also reads Pelican headers,
    # and a headline such as "Title: ..." or "Source: ..." must stay a headline.
    fm = frontmatter.split(text, path) if _FENCE.match(text) else None
    data = fm.data if fm else {}
    given_date = data.get("date")
    parts = split_clipping(fm.body if fm else text, path, first_line=fm.body_line if fm else 1,
                           need_dateline=given_date is None)
    detected = detect_agency(parts.paragraphs[0] if parts.paragraphs else "",
                             parts.photo_credit, config.agencies)
    source = data.get("source")
    tz = config.agency_timezone(source if isinstance(source, str) else detected)
    date, inferred, reference = None, False, None
    if given_date is not None:
        # fields.article_from_fields reports a date it cannot read, with its line.
        reference = fields.parse_date(given_date, tz)
    elif parts.dateline is not None:
        date, inferred = _dateline_date(parts, data.get("year"), now, tz, path)
        reference = date
    mentions = resolve_mentions(parts.related, reference, tz) if reference else ()
    return ParsedClipping(parts=parts, date=date, year_inferred=inferred, source=detected,
                          mentions=mentions,
                          body=markdown_body(parts.paragraphs), body_line=parts.body_line,
                          tz=tz, data=data, key_lines=fm.key_lines if fm else {})


def _dateline_date(parts: ClippingParts, year: Any, now: datetime, tz: tzinfo,
                   path: str) -> tuple[datetime, bool]:
    assert parts.dateline is not None
    try:
        # The curator's `year:` wins, even over a year in the dateline; a year
        # that is not a number is reported by fields.article_from_fields.
        if isinstance(year, int) and not isinstance(year, bool) and 1 <= year <= 9999:
            return with_year(parts.dateline, year, tz), False
        return resolve(parts.dateline, now, tz)
    except DatelineError as exc:
        raise source_error(path, f"bad dateline: {exc}", line=parts.dateline_line,
                           code="clipping-dateline",
                           hint="fix the dateline or set `date:` in front matter") from None


# --------------------------------------------------------------------------- entry point

def parse_clipping(doc: SourceDoc, config: SiteConfig, *, now: datetime,
                   warnings: list[Diagnostic] | None = None) -> Article:
    """Parse a ``.txt`` clipping; its front matter overrides any parsed field.

    ``now`` is the build's reference instant for datelines without a year;
    misspelt-looking front-matter keys go to ``warnings``.
    """
    path = str(doc.rel_path)
    parsed = parse_clipping_text(decode(doc.raw, path), path, now=now, config=config)
    parts = parsed.parts
    found = {"title": parts.title, "mentions": parsed.mentions, "date": parsed.date,
             "year_inferred": parsed.year_inferred, "photo_credit": parts.photo_credit,
             "source": parsed.source, "section": parts.section}
    defaults = {k: v for k, v in found.items() if v is not None}
    article = fields.article_from_fields(
        parsed.data, path=path, kind="clipping", body=parsed.body, body_line=parsed.body_line,
        key_lines=parsed.key_lines, config=config, default_tz=parsed.tz, defaults=defaults)
    if warnings is not None:
        warnings += fields.unknown_key_warnings(parsed.data, path=path,
                                                key_lines=parsed.key_lines, config=config)
    return article
