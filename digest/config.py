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
class SiteConfig:
    """Validated site settings.  Every field has a default."""

    title: str = "digest"
    """Site title, shown in the header, feeds and structured data."""
    description: str = "A news digest"
    """One-line description used by feeds and the home page."""
    base_url: str = "http://localhost:8000/"
    """Absolute URL the site is published at (feeds and sitemaps need it)."""
    language: str = "en"
    """BCP 47 language code of the site."""
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
