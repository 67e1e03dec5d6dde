"""Issue 7: sitemap.xml, the Google News sitemap and robots.txt, read with lxml."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from lxml import etree

from digest.pipeline import BuildOptions, build
from digest.site.config import parse_config
from digest.site.records import Article, PageSpec
from digest.site.render.sitemaps import news_sitemap, recent, sitemap
from tests.integration.conftest import make_site, note

NOW = datetime(2024, 12, 21, 12, 0, tzinfo=UTC)
CONFIG = "title: Test Digest\nbase_url: https://news.example.org/\ntimezone: Europe/Minsk\n"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "n": "http://www.google.com/schemas/sitemap-news/0.9"}
BASE = "https://news.example.org"


def site(root: Path):
    make_site(root, {
        "content/fresh-story.md": note("Fresh story", "2024-12-21T09:00:00+03:00", tags="[gas]",
                                       updated="2024-12-21T11:00:00+03:00"),
        "content/yesterdays-story.md": note("Yesterday's story", "2024-12-20T10:00:00+03:00",
                                             tags="[gas]"),
        "content/old-story.md": note("Old story", "2024-12-10T10:00:00+03:00", tags="[oil]"),
        "content/future-story.md": note("Future story", "2024-12-30T10:00:00+03:00"),
    }, config=CONFIG)
    return build(root, BuildOptions(now=NOW))


def urlset(data: bytes) -> dict[str, str | None]:
    root = etree.fromstring(data)
    return {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
            for u in root.findall("s:url", NS)}


def test_sitemap_lists_every_sitemap_page_with_lastmod(tmp_path: Path) -> None:
    result = site(tmp_path)
    entries = urlset(result.rendered["sitemap.xml"])
    wanted = {p.url for p in result.site.pages if p.sitemap}
    assert set(entries) == {BASE + u for u in wanted}
    assert BASE + "/404.html" not in entries
    assert all(loc.startswith(BASE + "/") for loc in entries)
    assert entries[BASE + "/2024/12/21/fresh-story/"] == "2024-12-21T11:00:00+03:00"
    assert entries[BASE + "/2024/12/10/old-story/"] == "2024-12-10T10:00:00+03:00"
    # index pages: the newest change among what they list
    assert entries[BASE + "/"] == "2024-12-21T11:00:00+03:00"
    assert entries[BASE + "/tags/oil/"] == "2024-12-10T10:00:00+03:00"
    assert entries[BASE + "/tags/gas/"] == "2024-12-21T11:00:00+03:00"
    assert entries[BASE + "/editions/2024-12-20/"] == "2024-12-20T10:00:00+03:00"
    assert entries[BASE + "/2024/12/"] == "2024-12-21T11:00:00+03:00"
    assert not any("future" in loc for loc in entries)


def test_news_sitemap_has_only_the_last_two_days(tmp_path: Path) -> None:
    root = etree.fromstring(site(tmp_path).rendered["news-sitemap.xml"])
    urls = root.findall("s:url", NS)
    assert [u.findtext("s:loc", namespaces=NS) for u in urls] == [
        BASE + "/2024/12/21/fresh-story/", BASE + "/2024/12/20/yesterdays-story/"]
    first = urls[0]
    assert first.findtext("n:news/n:publication/n:name", namespaces=NS) == "Test Digest"
    assert first.findtext("n:news/n:publication/n:language", namespaces=NS) == "en"
    assert first.findtext("n:news/n:publication_date", namespaces=NS) == (
        "2024-12-21T09:00:00+03:00")
    assert first.findtext("n:news/n:title", namespaces=NS) == "Fresh story"


def test_news_sitemap_window_follows_now_and_caps_at_1000() -> None:
    now = datetime(2024, 12, 21, tzinfo=UTC)
    arts = tuple(Article(path=PurePosixPath(f"c/{i}.md"), kind="markdown", title=f"T{i}",
                         date=now - timedelta(minutes=2 * i), slug=f"t{i}", body="",
                         url=f"/t{i}/") for i in range(1200))
    assert len(recent(arts, now)) == 1000
    assert recent(arts, now + timedelta(days=30)) == ()
    config = parse_config({"title": "X & Y", "language": "zh-TW"})
    doc = etree.fromstring(news_sitemap(arts[:2], config, now))
    assert doc.findtext(".//n:name", namespaces=NS) == "X & Y"
    assert doc.findtext(".//n:language", namespaces=NS) == "zh-tw"


def test_empty_news_sitemap_is_still_valid(tmp_path: Path) -> None:
    make_site(tmp_path, {"content/a.md": note("Old", "2020-01-01")}, config=CONFIG)
    result = build(tmp_path, BuildOptions(now=NOW))
    root = etree.fromstring(result.rendered["news-sitemap.xml"])
    assert root.tag == f"{{{NS['s']}}}urlset" and len(root) == 0


def test_robots_names_both_sitemaps(tmp_path: Path) -> None:
    robots = site(tmp_path).rendered["robots.txt"].decode()
    lines = robots.splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert f"Sitemap: {BASE}/news-sitemap.xml" in lines


def test_big_sitemaps_split_into_an_index() -> None:
    pages = [PageSpec(path=f"p{i}/index.html", url=f"/p{i}/", template="x", source="t")
             for i in range(50_001)]
    out = sitemap(pages, parse_config({"base_url": BASE + "/"}))
    assert sorted(out) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]
    index = etree.fromstring(out["sitemap.xml"])
    assert [s.findtext("s:loc", namespaces=NS) for s in index] == [
        BASE + "/sitemap-1.xml", BASE + "/sitemap-2.xml"]
    assert len(etree.fromstring(out["sitemap-2.xml"])) == 1
