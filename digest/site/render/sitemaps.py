"""sitemap.xml, the Google News sitemap and robots.txt (news-formats.md §6).

* ``sitemap.xml`` lists every page whose PageSpec says ``sitemap=True``, with
  ``lastmod`` = the page context's ``lastmod`` (the model sets it to the newest
  change of what the page lists, or the article's updated/date).  Above 50,000
  URLs it becomes a sitemap index over ``sitemap-1.xml``, ``sitemap-2.xml``...
* ``news-sitemap.xml`` lists the articles of the two days before "now" (the
  build's reference instant, never the clock), newest first, at most 1,000.
  It is written even when empty: it is updated in place, and an empty urlset
  is valid.
* ``robots.txt`` names both.

Built with lxml so text is escaped by the serializer, not by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import quote

from lxml import etree

from digest.site.config import SiteConfig
from digest.site.model import NEWS_SITEMAP, ROBOTS, SITEMAP
from digest.site.records import Article, PageSpec
from digest.site.sources.text import strip_xml_illegal

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"  # an article's translations (hreflang)
MAX_URLS = 50_000
MAX_NEWS = 1_000
NEWS_WINDOW = timedelta(days=2)


def absolute(config: SiteConfig, url: str) -> str:
    """Absolute, percent-encoded URL: sitemap <loc> must be an RFC 3986 URL."""
    return config.base_url.rstrip("/") + quote(url, safe="/-._~!$&'()*+,;=:@%")


def _sub(parent: etree._Element, tag: str, text: str) -> etree._Element:
    el = etree.SubElement(parent, tag)
    el.text = strip_xml_illegal(text)[0]
    return el


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


Entry = tuple[str, datetime | None, tuple[tuple[str, str], ...]]


def _urlset(entries: Iterable[Entry]) -> bytes:
    entries = list(entries)
    # the xhtml namespace only where a page has translations: a site in one
    # language keeps its bytes
    nsmap = {None: SITEMAP_NS, **({"xhtml": XHTML_NS} if any(e[2] for e in entries) else {})}
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap=nsmap)
    for loc, lastmod, versions in entries:
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        _sub(url, f"{{{SITEMAP_NS}}}loc", loc)
        if lastmod is not None:
            _sub(url, f"{{{SITEMAP_NS}}}lastmod", lastmod.isoformat())
        for code, href in versions:
            etree.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=code,
                             href=href)
    return _serialize(root)


def versions(page: PageSpec, config: SiteConfig) -> tuple[tuple[str, str], ...]:
    """An article page's translations (model/languages.py) as sitemap
    alternates: (hreflang, absolute URL) each, x-default included."""
    article = page.context.get("article")
    if not isinstance(article, Article) or not article.translations:
        return ()
    return tuple((code, absolute(config, url)) for code, url in article.translations)


def sitemap(pages: Iterable[PageSpec], config: SiteConfig) -> dict[str, bytes]:
    """sitemap.xml (an index plus parts when there are more than 50,000 URLs);
    an article page with translations lists them as ``xhtml:link`` alternates."""
    entries = [(absolute(config, p.url), p.context.get("lastmod"), versions(p, config))
               for p in pages if p.sitemap]
    if len(entries) <= MAX_URLS:
        return {SITEMAP: _urlset(entries)}
    out: dict[str, bytes] = {}
    index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for n, start in enumerate(range(0, len(entries), MAX_URLS), start=1):
        chunk = entries[start: start + MAX_URLS]
        name = f"sitemap-{n}.xml"
        out[name] = _urlset(chunk)
        item = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
        _sub(item, f"{{{SITEMAP_NS}}}loc", absolute(config, "/" + name))
        dates = [d for _, d, _ in chunk if d is not None]
        if dates:
            _sub(item, f"{{{SITEMAP_NS}}}lastmod", max(dates).isoformat())
    out[SITEMAP] = _serialize(index)
    return out


def news_language(language: str) -> str:
    """Google News wants an ISO 639 code; only zh-cn and zh-tw keep a region."""
    lang = language.lower()
    return lang if lang in ("zh-cn", "zh-tw") else lang.split("-")[0]


def recent(articles: tuple[Article, ...], now: datetime) -> tuple[Article, ...]:
    """Articles (newest first) published in the two days up to ``now``."""
    start = now - NEWS_WINDOW
    picked = [a for a in articles if start <= a.date <= now]
    return tuple(picked[:MAX_NEWS])


def news_sitemap(articles: tuple[Article, ...], config: SiteConfig, now: datetime) -> bytes:
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset",
                         nsmap={None: SITEMAP_NS, "news": NEWS_NS})
    for art in recent(articles, now):
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        _sub(url, f"{{{SITEMAP_NS}}}loc", absolute(config, art.url))
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        pub = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        _sub(pub, f"{{{NEWS_NS}}}name", config.title)
        _sub(pub, f"{{{NEWS_NS}}}language", news_language(art.lang or config.language))
        _sub(news, f"{{{NEWS_NS}}}publication_date", art.date.isoformat())
        _sub(news, f"{{{NEWS_NS}}}title", art.title)
    return _serialize(root)


def robots(config: SiteConfig) -> bytes:
    return (f"User-agent: *\nAllow: /\n\n"
            f"Sitemap: {absolute(config, '/' + SITEMAP)}\n"
            f"Sitemap: {absolute(config, '/' + NEWS_SITEMAP)}\n").encode()


def render_sitemaps(pages: Iterable[PageSpec], articles: tuple[Article, ...],
                    config: SiteConfig, now: datetime) -> dict[str, bytes]:
    """Every sitemap file and robots.txt, keyed by output path."""
    out = sitemap(pages, config)
    out[NEWS_SITEMAP] = news_sitemap(articles, config, now)
    out[ROBOTS] = robots(config)
    return out
