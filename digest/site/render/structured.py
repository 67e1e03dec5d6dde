"""Structured data for article pages: schema.org NewsArticle JSON-LD, Open Graph
and Twitter card tags (news-formats.md §6).

Builders return plain data; templates serialise it (``json_ld`` filter, escaped
``<meta>`` attributes), so escaping lives in one place.  Empty values are
omitted, never emitted as null or "": consumers treat an empty ``image`` or
``author`` as a broken property rather than an absent one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from digest.site.config import SiteConfig
from digest.site.records import Article


def _base(config: SiteConfig) -> str:
    return config.base_url.rstrip("/")


def canonical(article: Article, config: SiteConfig) -> str:
    """The page's address, or the one front matter names (``canonical_url``,
    a post first published elsewhere): search engines credit that one."""
    return article.canonical_url or _base(config) + article.url


def image_url(article: Article, config: SiteConfig) -> str | None:
    """The article's image as an absolute URL (front matter may give it relative)."""
    return urljoin(_base(config) + article.url, article.image) if article.image else None


def keywords(article: Article) -> list[str]:
    """Every term label of the article, in taxonomy order, each once: a topic
    "Energy" and a tag "energy" are one keyword to a search engine."""
    seen: dict[str, str] = {}
    for labels in article.terms.values():
        for label in labels:
            seen.setdefault(label.casefold(), label)
    return list(seen.values())


def section(article: Article) -> str | None:
    """The agency rubric, else the first topic."""
    topics = article.terms.get("topics", ())
    return article.section or (topics[0] if topics else None)


def _agency_url(article: Article, config: SiteConfig) -> str | None:
    folded = (article.source or "").casefold()
    for agency in config.agencies:
        if agency.url and folded in (n.casefold() for n in (agency.name, *agency.aliases)):
            return agency.url
    return None


_EMPTY = (None, "", [], {})


def _prune(value: Any) -> Any:
    """Drop None, "" and empty containers, recursively.  Only containers recurse:
    an article's data is mostly strings, one call each was a third of the cost."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) if isinstance(v, dict | list) else v for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in _EMPTY}
    if isinstance(value, list):
        return [v for v in (_prune(v) if isinstance(v, dict | list) else v for v in value)
                if v not in _EMPTY]
    return value


def news_article(article: Article, config: SiteConfig) -> dict[str, Any]:
    """schema.org NewsArticle for ``<script type="application/ld+json">``."""
    url = canonical(article, config)
    if article.authors:
        author: Any = [{"@type": "Person", "name": name, "url": link}
                       for name, link in article.authors]
    elif article.author:
        author = [{"@type": "Person", "name": article.author}]
    elif article.source:
        author = [{"@type": "Organization", "name": article.source,
                   "url": _agency_url(article, config)}]
    else:
        author = None
    image = image_url(article, config)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary_text,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": article.date.isoformat(),
        "dateModified": (article.updated or article.date).isoformat(),
        "inLanguage": article.lang or config.language,
        "author": author,
        "publisher": {"@type": "Organization", "name": config.title,
                      "url": _base(config) + "/"},
        "image": [{"@type": "ImageObject", "url": image,
                   "creditText": article.photo_credit}] if image else None,
        "articleSection": section(article),
        "keywords": keywords(article),
        "isBasedOn": article.source_url,
        "wordCount": article.word_count or None,
    }
    return _prune(data)


def og_locale(language: str) -> str:
    """BCP 47 ``en-GB`` -> Open Graph ``en_GB``."""
    return language.replace("-", "_")


def meta_tags(article: Article, config: SiteConfig) -> list[tuple[str, str, str]]:
    """(attribute, name, content) for each ``<meta>``: Open Graph uses ``property``,
    Twitter uses ``name``.  Repeated properties (article:tag) are repeated tags."""
    image = image_url(article, config)
    tags: list[tuple[str, str, str | None]] = [
        ("property", "og:type", "article"),
        ("property", "og:title", article.title),
        ("property", "og:url", canonical(article, config)),
        ("property", "og:description", article.summary_text),
        ("property", "og:site_name", config.title),
        ("property", "og:locale", og_locale(article.lang or config.language)),
        ("property", "og:image", image),
        ("property", "article:published_time", article.date.isoformat()),
        ("property", "article:modified_time", (article.updated or article.date).isoformat()),
        ("property", "article:section", section(article)),
        *(("property", "article:tag", label) for label in keywords(article)),
        # Twitter falls back to og:* for title, description and image; only the
        # card type must be explicit, and the large card only makes sense with a picture.
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
    ]
    return [(attr, name, content) for attr, name, content in tags if content]
