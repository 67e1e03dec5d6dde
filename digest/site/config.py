"""Site settings: a declared, validated schema for ``digest.yaml``.

``parse_config(mapping)`` is pure: it checks every key, collects *every*
problem and returns a frozen :class:`SiteConfig` or raises one
:class:`ConfigError` listing them all.  ``load_config(path)`` is the thin I/O
wrapper (a missing file means all defaults).

The docstrings of the fields below double as the ``digest.yaml`` reference in
the README.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.errors import ConfigError, Diagnostic
from digest.site.emailconfig import EmailConfig, parse_email
from digest.site.language_config import check_languages, language_default

CONFIG_NAME = "digest.yaml"
DEFAULT_TAXONOMIES = ("topics", "people", "places", "sources", "sections", "tags")
PERMALINK_FIELDS = {"year", "month", "day", "slug"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Term:
    """One curated vocabulary entry of a taxonomy."""

    label: str
    slug: str
    aliases: tuple[str, ...] = ()  # matched case-insensitively after normalisation
    case_sensitive: tuple[str, ...] = ()  # acronyms: matched exactly as written (EU, CSTO)
    plurals: bool = False  # also match regular English plurals of every alias
    min_mentions: int | None = None  # overrides the taxonomy's min_mentions


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxonomyConfig:
    """A taxonomy: its name (URL segment), title, and tagging rules."""

    name: str
    title: str
    min_mentions: int = 1  # mentions needed before auto-tagging an article
    auto: bool = True  # tag from the text using the vocabulary
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class AgencyConfig:
    """A news agency: its display name, aliases and publishing time zone."""

    name: str
    timezone: str | None = None
    aliases: tuple[str, ...] = ()
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedConfig:
    """A feed ``digest import`` reads by default, and the agency its items come from."""

    url: str
    agency: str | None = None  # None: the feed's own title names the source


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """Validated site settings.  Every field has a default."""

    title: str = "digest"
    """Site title, shown in the header, feeds and structured data."""
    description: str = "A news digest"
    """One-line description used by feeds and the home page."""
    base_url: str = "http://localhost:8000/"
    """Absolute URL the site is published at (feeds and sitemaps need it)."""
    language: str = "en"
    """BCP 47 language code of the site (with ``languages``: the first of them)."""
    languages: tuple[str, ...] = ()
    """The site's languages, the default first: content folders and ``name.<lang>.md``
    files of the others are translations under ``/<lang>/`` (model/languages.py);
    empty: found from the content's shape."""
    language_set: bool = False
    """Whether digest.yaml names ``language`` (set by parse_config): a site with
    language folders and no ``languages`` then has it as its default."""
    timezone: str = "UTC"
    """IANA time zone for dates without an offset and for editions."""
    theme: str = "default"
    """Theme name: ``themes/<name>/`` in the site, falling back to the built-in default."""
    content_dir: str = "content"
    """Folder (relative to the site root) holding articles and clippings."""
    output_dir: str = "output"
    """Folder (relative to the site root) the site is written to."""
    per_page: int = 20
    """Articles per index page (home, term pages, archives)."""
    feed_size: int = 20
    """Entries per feed."""
    permalink: str = "/{year}/{month}/{day}/{slug}/"
    """URL pattern of article pages; fields: year, month, day, slug."""
    taxonomies: tuple[TaxonomyConfig, ...] = ()
    """Taxonomies in display order, with their curated vocabularies."""
    agencies: tuple[AgencyConfig, ...] = ()
    """News agencies: names, aliases and publishing time zones."""
    feeds: tuple[FeedConfig, ...] = ()
    """Feeds ``digest import`` reads when given no argument: ``{url, agency}``."""
    related_count: int = 5
    """How many related articles each article lists."""
    story_threshold: float = 0.5
    """Similarity (0..1) above which two articles from different sources are one story."""
    summary_length: int = 200
    """Maximum length of generated summaries, in characters."""
    raw_html: bool = False
    """Pass raw HTML in Markdown through an allow-list sanitizer instead of escaping it."""
    search: bool = True
    """Build a Pagefind search index when the binary is available."""
    exclude: tuple[str, ...] = ()
    """Files and folders of the content folder never read (sources/excludes.py)."""
    email: EmailConfig = field(default_factory=EmailConfig)
    """``digest email``: ``from``, ``list_unsubscribe``, ``subject`` (editions as mail)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Free-form values for themes."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def taxonomy(self, name: str) -> TaxonomyConfig | None:
        for tax in self.taxonomies:
            if tax.name == name:
                return tax
        return None

    def agency_timezone(self, agency: str | None) -> ZoneInfo:
        """Time zone of an agency's datelines; the site time zone when unknown."""
        if agency:
            folded = agency.casefold()
            for ag in self.agencies:
                names = (ag.name, *ag.aliases)
                if ag.timezone and any(n.casefold() == folded for n in names):
                    return ZoneInfo(ag.timezone)
        return self.tz


# --------------------------------------------------------------------------- parsing

_SCALAR_FIELDS: dict[str, type] = {
    "title": str, "description": str, "base_url": str, "language": str, "timezone": str,
    "theme": str, "content_dir": str, "output_dir": str, "per_page": int, "feed_size": int,
    "permalink": str, "related_count": int, "story_threshold": float,
    "summary_length": int, "raw_html": bool, "search": bool,
}
_NESTED_FIELDS = {"taxonomies", "agencies", "feeds", "extra", "email", "languages", "exclude"}
VALID_KEYS = tuple(sorted({*_SCALAR_FIELDS, *_NESTED_FIELDS}))
_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}
_DEFAULTS_HINT = {"per_page": 20, "feed_size": 20, "related_count": 5, "summary_length": 200}


def suggest(key: str, valid: tuple[str, ...] | list[str]) -> str:
    """'did you mean ...?' text for an unknown key, or a list of valid keys."""
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "valid keys: " + ", ".join(valid)


def _err(diags: list[Diagnostic], message: str, line: int | None, hint: str | None = None) -> None:
    diags.append(Diagnostic(severity="error", code="config", message=message,
                            path=CONFIG_NAME, line=line, hint=hint))


def _check_scalar(key: str, value: Any, want: type, diags: list[Diagnostic],
                  line: int | None) -> Any:
    ok = isinstance(value, want) and not (want is not bool and isinstance(value, bool))
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        ok, value = True, float(value)
    if not ok:
        _err(diags, f"'{key}' must be {_TYPE_NAMES[want]}, not {value!r}", line,
             f"write it as e.g. {key}: {_example(want)}")
    return value


def _example(want: type) -> str:
    return {str: '"text"', int: "20", float: "0.5", bool: "true"}[want]


def _check_values(values: dict[str, Any], diags: list[Diagnostic],
                  lines: Mapping[str, int]) -> None:
    """Semantic checks on fields whose type is already right."""
    base = values.get("base_url")
    if isinstance(base, str):
        if not re.match(r"^https?://[^/\s]+", base):
            _err(diags, f"base_url must be an absolute http(s) URL, not {base!r}",
                 lines.get("base_url"), "e.g. base_url: https://news.example.org/")
        elif not base.endswith("/"):
            values["base_url"] = base + "/"
    tz = values.get("timezone")
    if isinstance(tz, str):
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            _err(diags, f"unknown time zone {tz!r}", lines.get("timezone"),
                 "use an IANA name such as Europe/Minsk or UTC")
    for key in ("per_page", "feed_size", "related_count", "summary_length"):
        if isinstance(values.get(key), int) and values[key] < 1:
            _err(diags, f"'{key}' must be at least 1", lines.get(key),
                 f"write a positive whole number, e.g. {key}: {_DEFAULTS_HINT[key]}")
    thr = values.get("story_threshold")
    if isinstance(thr, float) and not 0.0 < thr <= 1.0:
        _err(diags, "'story_threshold' must be between 0 and 1", lines.get("story_threshold"),
             "e.g. story_threshold: 0.5 (higher: fewer articles grouped into one story)")
    perm = values.get("permalink")
    if isinstance(perm, str):
        fields = set(re.findall(r"{(\w+)}", perm))
        if not perm.startswith("/") or not perm.endswith("/") or "slug" not in fields:
            _err(diags, f"permalink {perm!r} must start and end with '/' and contain {{slug}}",
                 lines.get("permalink"), "e.g. permalink: /{year}/{month}/{day}/{slug}/")
        elif fields - PERMALINK_FIELDS:
            _err(diags, f"permalink uses unknown fields {sorted(fields - PERMALINK_FIELDS)}",
                 lines.get("permalink"), "available: {year}, {month}, {day}, {slug}")
    _check_dirs(values, diags, lines)


def _check_dirs(values: dict[str, Any], diags: list[Diagnostic],
                lines: Mapping[str, int]) -> None:
    """content_dir/output_dir stay inside the site; theme is a plain folder name."""
    for key in ("content_dir", "output_dir", "theme"):
        val = values.get(key)
        if isinstance(val, str) and (not val.strip() or "\x00" in val):
            _err(diags, f"'{key}' must not be empty", lines.get(key),
                 f"remove the line to use the default, or name a folder, e.g. {key}: "
                 f"{ {'content_dir': 'content', 'output_dir': 'output'}.get(key, 'default')}")
        elif isinstance(val, str) and key == "theme" and (
                val in (".", "..") or val.startswith((".", "~")) or "/" in val or "\\" in val
                or ":" in val):
            _err(diags, f"theme {val!r} must be the name of a folder in themes/",
                 lines.get(key), "write just the folder name, e.g. theme: mytheme "
                 "(for themes/mytheme/); paths such as ../x are not allowed")
        elif isinstance(val, str) and key != "theme" and (
                val.startswith("~") or val.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", val)):
            _err(diags, f"'{key}' must be a folder inside the site, not {val!r}",
                 lines.get(key), f"use a relative path such as {key}: "
                 f"{ {'content_dir': 'content', 'output_dir': 'output'}[key]} "
                 "('~' is not expanded and absolute paths are refused)")


def _check_theme(theme: Any, themes: tuple[str, ...], diags: list[Diagnostic],
                 line: int | None) -> None:
    """An unknown theme is reported with the other settings' errors, at its
    line, rather than later by the build (which would hide it until the rest
    of digest.yaml is right)."""
    if (not isinstance(theme, str) or theme == "default" or theme in themes
            or not theme.strip() or theme.startswith((".", "~"))
            or any(c in theme for c in "/\\:\x00")):
        return  # wrong type, not a plain folder name: _check_dirs reported it
    available = ", ".join(["default (built in)", *sorted(themes)])
    close = difflib.get_close_matches(theme, sorted(themes), n=1, cutoff=0.6)
    hint = (f"did you mean 'theme: {close[0]}'? " if close else
            f"create themes/{theme}/templates/, or remove `theme:` for the built-in "
            "default theme; ") + f"themes available: {available}"
    diags.append(Diagnostic(
        severity="error", code="theme-missing", path=CONFIG_NAME, line=line,
        message=f"theme '{theme}' not found: there is no folder themes/{theme}/", hint=hint))


def parse_config(data: Any, lines: Mapping[str, int] | None = None,
                 themes: tuple[str, ...] | None = None) -> SiteConfig:
    """Validate a parsed ``digest.yaml`` mapping; raise ConfigError listing every problem.

    ``lines`` maps top-level keys to their line in digest.yaml (for messages).
    Unknown keys are errors that suggest the closest valid key.  ``themes``,
    when given, names the site's theme folders (``themes/*/``): a ``theme:``
    that is none of them (nor the built-in ``default``) is one more error.
    """
    from digest.site import vocabulary  # local: vocabulary imports this module's records

    lines = lines or {}
    diags: list[Diagnostic] = []
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(Diagnostic(
            severity="error", code="config", path=CONFIG_NAME, line=1,
            message="digest.yaml must be a mapping of settings (key: value lines)",
            hint="see the README's digest.yaml reference"))
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(str(key))
        if key in _SCALAR_FIELDS:
            values[key] = _check_scalar(key, value, _SCALAR_FIELDS[key], diags, line)
        elif key == "extra":
            if not isinstance(value, dict):
                _err(diags, "'extra' must be a mapping", line)
            else:
                values["extra"] = value
        elif key not in _NESTED_FIELDS:
            _err(diags, f"unknown setting '{key}'", line, suggest(str(key), VALID_KEYS))
    _check_values(values, diags, lines)
    check_languages(data.get("languages"), values, lambda *a: _err(diags, *a), lines)
    language_default(data, values, lambda *a: _err(diags, *a), lines)
    if themes is not None:
        _check_theme(values.get("theme"), themes, diags, lines.get("theme"))
    values["taxonomies"] = vocabulary.parse_taxonomies(
        data.get("taxonomies"), diags, lines=lines)
    values["agencies"] = vocabulary.parse_agencies(data.get("agencies"), diags, lines=lines)
    values["feeds"] = vocabulary.parse_feeds(data.get("feeds"), diags, lines=lines)
    values["email"] = parse_email(data.get("email"), diags, lines)
    values["exclude"] = _excludes(data.get("exclude"), diags, lines.get("exclude"))
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise ConfigError(errors)
    return SiteConfig(**values)


def _excludes(value: Any, diags: list[Diagnostic], line: int | None) -> tuple[str, ...]:
    """``exclude:``: a list of patterns relative to the content folder."""
    hint = "write e.g. exclude: [extra/, robots.txt, '*.bak'] (paths inside the content folder)"
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        _err(diags, f"'exclude' must be a list of file or folder patterns, not {value!r}",
             line, hint)
        return ()
    out = []
    for item in value:
        if not isinstance(item, str) or not item.strip("/ "):
            _err(diags, f"exclude: {item!r} is not a file or folder pattern", line, hint)
        elif item.startswith("/") or ".." in item.split("/") or "\\" in item:
            _err(diags, f"exclude: {item!r} must be a path inside the content folder, "
                 "written with /", line, hint)
        else:
            out.append(item.strip())
    return tuple(out)


def load_config(site_root: Path) -> SiteConfig:
    """Read ``digest.yaml`` under ``site_root`` (optional) and validate it."""
    import yaml

    path = site_root / CONFIG_NAME
    if not path.exists():
        return parse_config({})
    folder = site_root / "themes"
    themes = tuple(sorted(p.name for p in folder.iterdir()
                          if p.is_dir() and not p.name.startswith(".")
                          )) if folder.is_dir() else ()
    from digest.errors import DigestError
    from digest.site.sources.text import decode

    try:
        text = decode(path.read_bytes(), CONFIG_NAME)
    except DigestError as exc:  # not UTF-8, UTF-16, NUL bytes: same message as for content
        raise ConfigError(exc.diagnostics) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except RecursionError:
        raise ConfigError(Diagnostic(
            severity="error", code="config-yaml", path=CONFIG_NAME, line=1,
            message="digest.yaml is nested too deeply",
            hint="check for unclosed [ or { brackets")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(Diagnostic(
            severity="error", code="config-yaml", path=CONFIG_NAME,
            line=mark.line + 1 if mark else None,
            message=f"digest.yaml is not valid YAML: {getattr(exc, 'problem', exc)}",
            hint="check indentation and quote values containing ':' or '#'")) from None
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.MappingNode | yaml.SequenceNode):
                _nested_lines(str(key_node.value), value_node, lines)
    return parse_config(data, lines, themes)


def _nested_lines(prefix: str, node: Any, lines: dict[str, int]) -> None:
    """Record 'a.b.c' -> line for nested keys so vocabulary errors can point at them."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}.{key_node.value}"
            lines[key] = key_node.start_mark.line + 1
            _nested_lines(key, value_node, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = f"{prefix}.{i}"
            lines[key] = item.start_mark.line + 1
            _nested_lines(key, item, lines)
