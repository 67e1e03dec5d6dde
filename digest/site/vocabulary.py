"""The curated vocabulary in ``digest.yaml``: ``taxonomies`` and ``agencies``.

``config.parse_config`` hands the raw YAML values to :func:`parse_taxonomies`
and :func:`parse_agencies`.  Both are pure, never raise, and append one
:class:`Diagnostic` per problem so that the curator sees every mistake in a
single run.  ``lines`` maps dotted key paths (``"taxonomies"``,
``"taxonomies.topics.terms.2"``, ``"agencies.0"``) to 1-based lines in
digest.yaml; a problem is reported at the deepest path that has a line.

:func:`normalize` lives here, not in ``enrich``, because the config check for
aliases claimed twice must compare aliases exactly the way the matcher will.

Import note: this module imports ``digest.site.config`` at the top, so
``config.parse_config`` should import this module inside the function to
avoid an import cycle.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import Diagnostic
from digest.site.config import DEFAULT_TAXONOMIES, AgencyConfig, FeedConfig, TaxonomyConfig, Term
from digest.site.slugs import check_slug, slugify

# Taxonomies filled from article fields rather than from the text.
FIELD_TAXONOMIES = frozenset({"tags", "sources", "sections"})

_TAXONOMY_KEYS = ("title", "min_mentions", "auto", "terms")
_TERM_KEYS = ("label", "slug", "aliases", "case_sensitive", "plurals", "min_mentions")
_AGENCY_KEYS = ("name", "timezone", "aliases", "url")
_FEED_KEYS = ("url", "agency")

# Typographic variants that curators and agencies mix freely; folding them
# lets an alias typed with ASCII quotes match a clipping with curly ones.
_UNIFY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00ad": None, "\u0451": "\u0435", "\u0401": "\u0415",
})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Casefold without changing the length of ``text``.

    Keeping offsets stable lets case-sensitive matches (found in the unfolded
    text) and case-insensitive ones (found in the folded text) be compared by
    position.  The rare characters whose casefold is longer (``ß``) are lowered
    instead, identically for aliases and text.
    """
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    out = []
    for ch in text:
        f = ch.casefold()
        out.append(f if len(f) == 1 else ch.lower() if len(ch.lower()) == 1 else ch)
    return "".join(out)


def normalize(text: str, *, casefold: bool = True, collapse: bool = True) -> str:
    """NFKC, unified quotes and dashes, ``ё`` -> ``е``, optional fold and space collapse.

    The matcher calls it with ``collapse=False`` on article text (its regex
    accepts any run of whitespace between words, which saves a pass over
    every body) and with the defaults on aliases.
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = text.translate(_UNIFY)
    if collapse:
        text = _SPACES.sub(" ", text).strip()
    return fold(text) if casefold else text


# Matching works on words: punctuation that ends or splits a clause becomes a
# "." barrier (so "gas, oil" is not the alias "gas oil"), every other
# separator a space ("Belarus-Russia", "Russia's", "_energy_").  Text and
# aliases go through the same table, so "U.S." still matches "U.S.".  The
# mapping is one character to one, which keeps match offsets valid, and
# lets the regex anchor every alias on a literal space: the regex engine then
# skips to word starts in a tight C loop instead of trying every character.
_BARRIERS = ".,;:!?\u2026"
_SEPARATORS = str.maketrans(
    {**{c: " " for c in "\t\n\r\f\v\"'()[]{}<>-_/\\|*+=&#%$@^~`\u00b7\u2022"},
     **{c: "." for c in _BARRIERS}})


def match_form(text: str, *, casefold: bool = True) -> str:
    """The form an alias is matched in: normalised, separators unified, spaces collapsed."""
    return _SPACES.sub(" ", normalize(text, casefold=casefold).translate(_SEPARATORS)).strip()


def separate(text: str) -> str:
    """Map separators in already-normalised text exactly as :func:`match_form` does."""
    return text.translate(_SEPARATORS)


def _line(lines: Mapping[str, int] | None, path: str) -> int | None:
    if not lines:
        return None
    while path:
        if path in lines:
            return lines[path]
        path = path.rpartition(".")[0]
    return None


class _Report:
    """Collects diagnostics for one top-level key; keeps the call sites short."""

    def __init__(self, diags: list[Diagnostic], lines: Mapping[str, int] | None) -> None:
        self.diags = diags
        self.lines = lines

    def error(self, path: str, message: str, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(
            severity="error", code="config", path="digest.yaml",
            line=_line(self.lines, path), message=f"{path}: {message}", hint=hint))

    def unknown_keys(self, path: str, value: Mapping[Any, Any], known: tuple[str, ...]) -> None:
        for key in value:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(known)
            self.error(f"{path}.{key}", f"unknown key '{key}'", hint)

    def strings(self, path: str, value: Any) -> tuple[str, ...]:
        """A list of non-empty strings; a single string is accepted as a list of one."""
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(path, f"expected a list of strings, got {type(value).__name__}")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                if item.strip() not in out:
                    out.append(item.strip())
            else:
                self.error(f"{path}.{i}", f"expected a non-empty string, got {item!r}")
        return tuple(out)

    def boolean(self, path: str, value: Any, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, f"expected true or false, got {value!r}")
            return default
        return value

    def count(self, path: str, value: Any, default: int | None) -> int | None:
        # bool is an int subclass; `min_mentions: yes` is a mistake, not 1.
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(path, f"expected a whole number >= 1, got {value!r}")
            return default
        return value


def default_taxonomy(name: str) -> TaxonomyConfig:
    """The settings a taxonomy gets when digest.yaml says nothing about it."""
    return TaxonomyConfig(name=name, title=name.replace("-", " ").capitalize(),
                          auto=name not in FIELD_TAXONOMIES)


def parse_taxonomies(
    value: Any, diags: list[Diagnostic], *, lines: Mapping[str, int] | None = None,
) -> tuple[TaxonomyConfig, ...]:
    """Validate ``taxonomies``; user entries are merged over the six defaults.

    Defaults keep their order and new taxonomies are appended, so adding a
    vocabulary for ``people`` does not silently drop the ``tags`` pages.
    """
    report = _Report(diags, lines)
    merged = {name: default_taxonomy(name) for name in DEFAULT_TAXONOMIES}
    if value is None:
        return tuple(merged.values())
    if not isinstance(value, Mapping):
        report.error("taxonomies", f"expected a mapping of taxonomy names, got "
                     f"{type(value).__name__}", "write `taxonomies:` then `  topics:` ...")
        return tuple(merged.values())
    for name, body in value.items():
        path = f"taxonomies.{name}"
        if not isinstance(name, str) or check_slug(name) or slugify(name) != name:
            suggestion = slugify(str(name)) or "topics"
            report.error(path, f"taxonomy name {name!r} is not a URL-safe slug",
                         f"use lower-case letters, digits and '-', e.g. '{suggestion}'")
            continue
        merged[name] = _parse_taxonomy(name, body, report)
    return tuple(merged.values())


def _parse_taxonomy(name: str, body: Any, report: _Report) -> TaxonomyConfig:
    base = default_taxonomy(name)
    path = f"taxonomies.{name}"
    if body is None:
        return base
    if not isinstance(body, Mapping):
        report.error(path, f"expected a mapping (title, min_mentions, auto, terms), "
                     f"got {type(body).__name__}")
        return base
    report.unknown_keys(path, body, _TAXONOMY_KEYS)
    title = body.get("title", base.title)
    if not isinstance(title, str) or not title.strip():
        report.error(f"{path}.title", f"expected a non-empty string, got {title!r}")
        title = base.title
    min_mentions = report.count(f"{path}.min_mentions", body.get("min_mentions"), 1)
    auto = report.boolean(f"{path}.auto", body.get("auto"), base.auto)
    terms = _parse_terms(path, body.get("terms"), report)
    return TaxonomyConfig(name=name, title=title.strip(), min_mentions=min_mentions or 1,
                          auto=auto, terms=terms)


def _parse_terms(path: str, value: Any, report: _Report) -> tuple[Term, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        report.error(f"{path}.terms", f"expected a list of terms, got {type(value).__name__}")
        return ()
    terms: list[Term] = []
    for i, item in enumerate(value):
        term = _parse_term(f"{path}.terms.{i}", item, report)
        if term is not None:
            terms.append(term)
    _check_duplicates(path, terms, report)
    return tuple(terms)


def _parse_term(path: str, item: Any, report: _Report) -> Term | None:
    if isinstance(item, str):
        item = {"label": item}
    if not isinstance(item, Mapping):
        report.error(path, f"expected a label or a mapping with 'label', got {item!r}")
        return None
    report.unknown_keys(path, item, _TERM_KEYS)
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        report.error(f"{path}.label", "every term needs a non-empty 'label'",
                     "e.g. `- {label: Energy, aliases: [gas, oil]}`")
        return None
    label = _SPACES.sub(" ", label.strip())
    slug = item.get("slug")
    if slug is None:
        slug = slugify(label)
    if not isinstance(slug, str) or check_slug(slug):
        why = check_slug(slug) if isinstance(slug, str) else "expected a string"
        report.error(f"{path}.slug", f"bad slug {slug!r} for '{label}': {why}",
                     "give `slug:` with lower-case letters, digits and '-'")
        return None
    return Term(
        label=label, slug=slug,
        aliases=report.strings(f"{path}.aliases", item.get("aliases")),
        case_sensitive=report.strings(f"{path}.case_sensitive", item.get("case_sensitive")),
        plurals=report.boolean(f"{path}.plurals", item.get("plurals"), False),
        min_mentions=report.count(f"{path}.min_mentions", item.get("min_mentions"), None),
    )


def _check_duplicates(path: str, terms: list[Term], report: _Report) -> None:
    """Labels, slugs and aliases must each name one term of the taxonomy.

    Otherwise a mention could not say which term it is, and two term pages
    would fight over one URL.
    """
    owners: dict[str, str] = {}  # normalised alias -> label of the term claiming it
    slugs: dict[str, str] = {}
    for term in terms:
        if term.slug in slugs and slugs[term.slug] != term.label:
            report.error(f"{path}.terms", f"terms '{slugs[term.slug]}' and '{term.label}' "
                         f"have the same slug '{term.slug}'", "give one of them `slug:`")
        slugs.setdefault(term.slug, term.label)
        # Case-sensitive forms are folded here too: the case-insensitive alias
        # "us" of one term would also match the acronym "US" of another.
        forms = {match_form(a) for a in (term.label, *term.aliases, *term.case_sensitive)}
        forms.discard("")
        for form in sorted(forms):
            other = owners.get(form)
            if other is not None and other != term.label:
                report.error(f"{path}.terms", f"alias '{form}' is claimed by both "
                             f"'{other}' and '{term.label}'",
                             "keep it under one term, or use a longer alias")
            owners.setdefault(form, term.label)


def parse_agencies(
    value: Any, diags: list[Diagnostic], *, lines: Mapping[str, int] | None = None,
) -> tuple[AgencyConfig, ...]:
    """Validate ``agencies``: a list of names or mappings (name, timezone, aliases, url)."""
    report = _Report(diags, lines)
    if value is None:
        return ()
    if not isinstance(value, list):
        report.error("agencies", f"expected a list of agencies, got {type(value).__name__}",
                     "e.g. `- {name: BelTA, timezone: Europe/Minsk}`")
        return ()
    agencies: list[AgencyConfig] = []
    owners: dict[str, str] = {}
    for i, item in enumerate(value):
        agency = _parse_agency(f"agencies.{i}", item, report)
        if agency is None:
            continue
        for name in (agency.name, *agency.aliases):
            key = normalize(name)
            if key in owners and owners[key] != agency.name:
                report.error(f"agencies.{i}", f"'{name}' names both '{owners[key]}' and "
                             f"'{agency.name}'", "keep each alias under one agency")
            owners.setdefault(key, agency.name)
        agencies.append(agency)
    return tuple(agencies)


def _parse_agency(path: str, item: Any, report: _Report) -> AgencyConfig | None:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, Mapping):
        report.error(path, f"expected a name or a mapping with 'name', got {item!r}")
        return None
    report.unknown_keys(path, item, _AGENCY_KEYS)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        report.error(f"{path}.name", "every agency needs a non-empty 'name'")
        return None
    tz = item.get("timezone")
    if tz is not None:
        tz = _check_timezone(f"{path}.timezone", tz, report)
    url = item.get("url")
    if url is not None and not (isinstance(url, str) and re.match(r"https?://\S+$", url)):
        report.error(f"{path}.url", f"expected an http(s) URL, got {url!r}")
        url = None
    return AgencyConfig(name=name.strip(), timezone=tz, url=url,
                        aliases=report.strings(f"{path}.aliases", item.get("aliases")))


def _check_timezone(path: str, tz: Any, report: _Report) -> str | None:
    if not isinstance(tz, str) or not tz.strip():
        report.error(path, f"expected an IANA time zone name, got {tz!r}")
        return None
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        report.error(path, f"unknown time zone '{tz}'",
                     "use an IANA name such as Europe/Minsk or UTC")
        return None
    return tz


def parse_feeds(
    value: Any, diags: list[Diagnostic], *, lines: Mapping[str, int] | None = None,
) -> tuple[FeedConfig, ...]:
    """Validate ``feeds``: a list of http(s) URLs or mappings ``{url, agency}``."""
    report = _Report(diags, lines)
    if value is None:
        return ()
    if not isinstance(value, list):
        report.error("feeds", f"expected a list of feeds, got {type(value).__name__}",
                     "e.g. `- {url: https://wire.example.org/rss, agency: Example Wire}`")
        return ()
    feeds: list[FeedConfig] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        path = f"feeds.{i}"
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, Mapping):
            report.error(path, f"expected a URL or a mapping with 'url', got {item!r}",
                         "e.g. `- {url: https://wire.example.org/rss, agency: Example Wire}`")
            continue
        report.unknown_keys(path, item, _FEED_KEYS)
        url, agency = item.get("url"), item.get("agency")
        if not (isinstance(url, str) and re.match(r"https?://[^/\s]+\S*$", url.strip())):
            report.error(f"{path}.url", f"a feed needs an http(s) 'url', got {url!r}",
                         "write the feed's address, e.g. url: https://wire.example.org/rss")
            continue
        if agency is not None and not (isinstance(agency, str) and agency.strip()):
            report.error(f"{path}.agency", f"'agency' must be a name, got {agency!r}",
                         "write the agency as its articles should name it, e.g. "
                         "agency: Example Wire, or remove the line to use the feed's title")
            continue
        if url.strip() in seen:
            report.error(f"{path}.url", f"feed {url.strip()!r} is listed twice",
                         "keep one entry per feed")
            continue
        seen.add(url.strip())
        feeds.append(FeedConfig(url=url.strip(), agency=agency.strip() if agency else None))
    return tuple(feeds)
