"""Front-matter fields -> :class:`~digest.site.records.Article`.

One schema for every source kind: Markdown notes call this with their front
matter; the clipping reader passes the fields it parsed from the clipping as
``defaults`` and the clipping's own front matter as ``data`` (data wins).
Every problem of a file is collected and raised as one SourceError, so a
curator fixes a file in one pass.

Pure: no I/O, no clock (no "today"), no locale.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from digest.errors import Diagnostic, SourceError
from digest.site.config import SiteConfig
from digest.site.records import Article, Mention
from digest.site.slugs import check_slug, slugify
from digest.site.sources.bylines import byline, mapped_person, person
from digest.site.sources.dates_compat import LOOKED_FOR

DATE_FORMS = "2024-12-20, 2024-12-20 10:32, 2024-12-20T10:32:00+03:00"
_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"[ \t]*(Z|z|[+-]\d{1,2}(?::?\d{2})?)?)?")
_TEXT = ("source", "summary", "id", "section", "photo_credit")
_KNOWN = frozenset({
    "title", "date", "updated", "tags", "slug", "draft", "related", "related_exclude",
    "year", "source_url", "author", "authors", "image", "category", "categories",
    "year_inferred", "mentions", "canonical_url", "aliases",
    *_TEXT})
_SLUG_UNSAFE = re.compile(r"[\s?#%\x00-\x1f\x7f]")
_ALIAS_UNSAFE = re.compile(r"[\s?#%\\&<>\"'\x00-\x1f\x7f]")


class _Problems:
    """Collects diagnostics for one file."""

    def __init__(self, path: str, key_lines: Mapping[str, int]) -> None:
        self.path = path
        self.key_lines = key_lines
        self.items: list[Diagnostic] = []

    def add(self, key: str, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(
            severity="error", code="front-matter-field", message=message, path=self.path,
            line=self.key_lines.get(key, 1), hint=hint))


def article_from_fields(  # noqa: PLR0913 - the stage contract fixes this signature
    data: Mapping[str, Any], *, path: str, kind: str, body: str, body_line: int,
    key_lines: Mapping[str, int], config: SiteConfig, default_tz: ZoneInfo | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Article:
    """Validate and convert front-matter fields into an Article.

    ``data`` wins over ``defaults``.  Dates without an offset are read in
    ``default_tz``, else the site time zone.  Unknown keys go to ``extra``.
    Raises one SourceError listing every problem (file, line, how to fix).
    """
    fields = {**(defaults or {}), **data}
    p = _Problems(path, key_lines)
    tz = default_tz or config.tz
    taxonomies = {t.name for t in config.taxonomies}

    title = _text(fields, "title", p)
    if "title" not in fields:
        p.add("title", "title is missing", _did_you_mean(fields, "title")
              or 'add a line to the front matter: title: "Your headline"')
    elif fields["title"] is None or title == "":
        p.add("title", "title is empty", 'write the headline: title: "Your headline"')
    when = _date(fields, "date", tz, p)
    if fields.get("date") is None:
        looked = f" (looked for {LOOKED_FOR})" if kind == "markdown" else ""
        p.add("date", f"date is missing{looked}" if "date" not in fields else "date is empty",
              _did_you_mean(fields, "date") or f"add a date line, e.g. date: {DATE_FORMS}")
    out: dict[str, Any] = {k: _text(fields, k, p) for k in _TEXT}
    out["author"], out["authors"] = _authors(fields, p)
    out["updated"] = _date(fields, "updated", tz, p)
    out["tags"] = _terms(fields, "tags", p)
    out["related_pins"] = _terms(fields, "related", p)
    out["related_exclude"] = _terms(fields, "related_exclude", p)
    out["source_url"] = _url(fields, "source_url", p, ("http", "https", "mailto"), False)
    out["image"] = _url(fields, "image", p, ("http", "https"), True)
    out["canonical_url"] = _url(fields, "canonical_url", p, ("http", "https"), False)
    out["draft"] = _flag(fields, "draft", p)
    out["year_inferred"] = _flag(fields, "year_inferred", p)
    out["mentions"] = _mentions(fields, p)
    out["aliases"] = _aliases(fields, p)
    slug = _slug(fields, title, p)

    terms_add, terms_remove = _taxonomy_terms(fields, taxonomies, p)
    extra = {k: v for k, v in fields.items() if k not in _KNOWN and k not in taxonomies
             and not (isinstance(k, str) and k.removesuffix("_remove") in taxonomies)}
    if "year" in fields:
        year = fields["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
            p.add("year", f"year: {year!r} is not a year", "write four digits, e.g. year: 2019")
        extra["year"] = year

    if p.items:
        raise SourceError(sorted(p.items, key=lambda d: d.line or 0))
    assert title is not None and when is not None and slug is not None
    return Article(
        path=PurePosixPath(path), kind=kind, title=title, date=when, slug=slug, body=body,
        body_line=body_line, terms_add=terms_add, terms_remove=terms_remove, extra=extra,
        **out)


def _taxonomy_terms(fields: Mapping[str, Any], taxonomies: set[str], p: _Problems) -> tuple[
        dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """``topics: [...]`` -> terms_add, ``topics_remove: [...]`` -> terms_remove."""
    terms_add: dict[str, tuple[str, ...]] = {}
    terms_remove: dict[str, tuple[str, ...]] = {}
    for key in ("category", "categories"):  # Pelican/Jekyll categories are sections
        if key in fields and key not in taxonomies:
            terms_add["sections"] = terms_add.get("sections", ()) + _terms(fields, key, p)
    for name in sorted(taxonomies):
        if name != "tags" and name in fields:  # tags have their own Article field
            terms_add[name] = _dedupe(terms_add.get(name, ()) + _terms(fields, name, p))
        if f"{name}_remove" in fields:
            terms_remove[name] = _terms(fields, f"{name}_remove", p)
    if "sections" in terms_add:
        terms_add["sections"] = _dedupe(terms_add["sections"])
    return terms_add, terms_remove


def _did_you_mean(fields: Mapping[str, Any], key: str) -> str | None:
    """Hint naming a misspelt key (``tittle``) that probably meant ``key``."""
    unknown = [k for k in fields if isinstance(k, str) and k not in _KNOWN]
    close = difflib.get_close_matches(key, unknown, n=1, cutoff=0.7)
    return f"found '{close[0]}'; did you mean '{key}'?" if close else None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (quote the value to keep it as text)"
    if isinstance(value, int | float):
        return f"the number {value!r} (quote the value to keep it as text)"
    return {list: "a list", tuple: "a list", dict: "a mapping"}.get(type(value), type(
        value).__name__)


def _text(fields: Mapping[str, Any], key: str, p: _Problems) -> str | None:
    """An optional text field, stripped; None when absent or null."""
    value = fields.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        p.add(key, f"{key} must be text, not {_describe(value)}",
              f'write it as text: {key}: "..."')
        return None
    return value.strip()


def _authors(fields: Mapping[str, Any], p: _Problems
             ) -> tuple[str | None, tuple[tuple[str, str | None], ...]]:
    """``author`` and ``authors``, each one name or a list (Hugo, Jekyll): the
    byline and the people (see :mod:`digest.site.sources.bylines`).  A person
    may be a mapping, as Hugo themes such as Docsy and Jekyll's jekyll-seo-tag
    write them (``{name: Ann Lee, link: https://...}``): its name is shown,
    its address kept for the JSON-LD, other keys (position, avatar) unused."""
    people: dict[str, str | None] = {}
    for key in ("author", "authors"):
        value = fields.get(key)
        if isinstance(value, str):
            value = [value] if value.strip() else None  # author: "" is no author
        elif isinstance(value, dict):
            value = [value]
        if value is not None and not isinstance(value, list):
            p.add(key, f"{key} must be text or a list of names, not {_describe(value)}",
                  f'write {key}: "Ann Lee" or {key}: ["Ann Lee", "Bo Kim"]')
            continue
        found = []
        for i, item in enumerate(value or (), 1):
            if isinstance(item, dict):
                found.append(_mapped_person(item, f"{key}: item {i}", p))
            elif isinstance(item, str) and item.strip():
                found.append(person(item))
            else:
                what = "empty" if item is None or isinstance(item, str) else _describe(item)
                p.add(key, f"{key}: item {i} is {what}, not a name",
                      f'write each as text: {key}: ["Ann Lee", "Bo Kim"]')
        for shown, url in found:
            if shown and shown not in people:
                people[shown] = url
    if not people:
        return None, ()
    return byline(list(people)), tuple(people.items())


def _mapped_person(item: Mapping[str, Any], where: str, p: _Problems
                   ) -> tuple[str | None, str | None]:
    found = mapped_person(item)
    if found is None:
        key = where.split(":")[0]
        p.add(key, f"{where} is a mapping without a name ({', '.join(sorted(map(str, item)))})",
              f"give it a name: {key}: {{name: Ann Lee}}")
        return None, None
    return found


def _flag(fields: Mapping[str, Any], key: str, p: _Problems) -> bool:
    value = fields.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        p.add(key, f"{key} must be true or false, not {value!r}", f"write {key}: true")
        return False
    return value


def _dedupe(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _aliases(fields: Mapping[str, Any], p: _Problems) -> tuple[str, ...]:
    """Old URLs of the article on this site (``/2019/05/old-name/``), each made a
    site-relative path: a redirect page is written at each (model/redirects.py)."""
    out = []
    for item in _terms(fields, "aliases", p):
        path = "/" + item.strip().lstrip("/")
        if "://" in item or item.startswith("//") or _ALIAS_UNSAFE.search(path) \
                or any(part in (".", "..") for part in path.split("/")):
            p.add("aliases", f"aliases: {item!r} is not a path on this site",
                  "write the old address's path, e.g. aliases: [/2019/05/old-name/]")
            continue
        if not path.endswith(("/", ".html", ".htm")):
            path += "/"  # a folder, as Hugo writes aliases: /old/ -> old/index.html
        if path != "/":
            out.append(path)
    return _dedupe(tuple(out))


def _terms(fields: Mapping[str, Any], key: str, p: _Problems) -> tuple[str, ...]:
    """A list of labels: a YAML list or one comma-separated string."""
    value = fields.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return _dedupe(tuple(t.strip() for t in value.split(",") if t.strip()))
    if not isinstance(value, list | tuple):
        p.add(key, f"{key} must be a list or comma-separated text, not {_describe(value)}",
              f"write {key}: [First, Second]")
        return ()
    out = []
    for i, raw in enumerate(value, 1):
        # tags: [2024] is fine as text; lossy forms (017) were refused by the loader
        item = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if not isinstance(item, str) or not item.strip():
            what = "empty" if item is None or isinstance(item, str) else _describe(item)
            p.add(key, f"{key}: item {i} is {what}, not text",
                  f'write each item as text: {key}: ["First", "Second"]')
            continue
        out.append(item.strip())
    return _dedupe(tuple(out))


def parse_date(value: Any, tz: tzinfo) -> datetime | None:
    """An aware datetime from a string/date/datetime; naive values are read in ``tz``.

    Returns None when ``value`` is not one of the accepted forms or not a real date.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    if not isinstance(value, str):
        return None
    m = _DATE.fullmatch(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, off = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro)
        zone: Any = tz if off is None else _offset(off)
    except (ValueError, OverflowError):
        return None
    return naive.replace(tzinfo=zone)


def _offset(text: str) -> timezone:
    """``Z``, ``+03:00``, ``-0800``, ``+3`` -> a fixed offset (ValueError if impossible)."""
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]),
                                                                int(digits[-2:]))
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _date(fields: Mapping[str, Any], key: str, tz: ZoneInfo, p: _Problems) -> datetime | None:
    value = fields.get(key)
    if value is None:
        return None
    parsed = parse_date(value, tz)
    if parsed is None:
        shown = value if isinstance(value, str) else _describe(value)
        p.add(key, f"{key}: '{shown}' is not a valid date",
              f"use one of: {DATE_FORMS} (no offset means the site time zone)")
    return parsed


def _url(fields: Mapping[str, Any], key: str, p: _Problems, schemes: tuple[str, ...],
         relative_ok: bool) -> str | None:
    """A URL with an allowed scheme; ``javascript:``, ``data:``, ``file:`` are errors."""
    value = _text(fields, key, p)
    if not value:
        return None
    allowed = ", ".join(f"{s}:" for s in schemes) + (" or a site path" if relative_ok else "")
    if re.search(r"[\s\x00-\x1f\x7f]", value):
        p.add(key, f"{key} contains spaces or control characters",
              "percent-encode them (a space is %20)")
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or (parts.scheme and parts.scheme.lower() not in schemes) or (
            not parts.scheme and not relative_ok) or (
            parts.scheme.lower() in ("http", "https") and not parts.netloc):
        p.add(key, f"{key}: '{value}' is not an allowed link", f"use an absolute {allowed} URL")
        return None
    return value


def _slug(fields: Mapping[str, Any], title: str | None, p: _Problems) -> str | None:
    given = _text(fields, "slug", p)
    if given is None and "slug" in fields and fields["slug"] is not None:
        return None  # wrong type, already reported
    if given is None:
        if not title:
            return None
        slug = slugify(title)
        problem = check_slug(slug)
        if problem:
            p.add("title", f"the title gives no usable slug: {problem}",
                  "add a slug line, e.g. slug: my-headline")
            return None
        return slug
    problem = check_slug(given)
    if problem is None and _SLUG_UNSAFE.search(given):
        problem = "a slug must not contain spaces, '?', '#' or '%'"
    if problem:
        suggestion = slugify(given.replace("/", "-").replace("\\", "-"))
        p.add("slug", f"slug '{given}' is not usable: {problem}",
              f"try slug: {suggestion}" if suggestion and not check_slug(suggestion)
              else "use letters, digits and hyphens, e.g. slug: my-headline")
        return None
    return given


def _mentions(fields: Mapping[str, Any], p: _Problems) -> tuple[Mention, ...]:
    value = fields.get("mentions")
    if value is None:
        return ()
    is_list = isinstance(value, list | tuple)
    if not is_list or not all(isinstance(m, Mention) for m in value):
        p.add("mentions", "mentions is set by the clipping reader, not in front matter",
              "rename the key (e.g. see_also) to pass it to the theme")
        return ()
    return tuple(value)


def known_keys(config: SiteConfig) -> set[str]:
    """The front-matter keys digest reads as fields (with the site's taxonomies)."""
    return set(_KNOWN) | {t.name for t in config.taxonomies} | {
        f"{t.name}_remove" for t in config.taxonomies}


def unknown_key_warnings(data: Mapping[str, Any], *, path: str, key_lines: Mapping[str, int],
                         config: SiteConfig) -> list[Diagnostic]:
    """Warnings for keys that look like misspelt known ones (``tittle``, ``topic``).

    Only near misses are reported: any other unknown key is a deliberate value
    for the theme (``article.extra``), and warning about it would make
    ``--strict`` refuse a documented feature.  Every unknown key, reported or
    not, still reaches ``extra``."""
    known = known_keys(config)
    out = []
    for key in data:
        if isinstance(key, str) and key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.8)
            if close:
                out.append(Diagnostic(
                    severity="warning", code="front-matter-unknown-key", path=path,
                    line=key_lines.get(key, 1), message=f"unknown key '{key}'",
                    hint=f"did you mean '{close[0]}'? As written, digest ignores it and "
                         "only the theme sees it (article.extra); rename it"))
    return out

