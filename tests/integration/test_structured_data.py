"""Issue 7: NewsArticle JSON-LD, Open Graph and Twitter tags of article pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import lxml.html

from digest.pipeline import BuildOptions, build
from tests.integration.conftest import make_site, note

NOW = datetime(2024, 12, 24, tzinfo=UTC)
CONFIG = ("title: Test Digest\nbase_url: https://news.example.org/\ntimezone: Europe/Minsk\n"
          "language: en-GB\n")
URL = "https://news.example.org/2024/12/20/gas-talks-end/"


def build_one(root: Path, **fields: str):
    make_site(root, {"content/gas-talks-end.md": note(
        fields.pop("title", "Gas talks end"), "2024-12-20T10:32:00+03:00",
        "Talks on gas ended in Minsk.", **fields)}, config=CONFIG)
    result = build(root, BuildOptions(now=NOW))
    page = next(p for p in result.site.pages if p.template == "article.html")
    return lxml.html.document_fromstring(result.rendered[page.path].decode()), result


def json_ld(doc) -> dict:
    scripts = doc.xpath("//script[@type='application/ld+json']")
    assert len(scripts) == 1
    return json.loads(scripts[0].text)


def meta(doc) -> list[tuple[str, str]]:
    return [(m.get("property") or m.get("name"), m.get("content"))
            for m in doc.xpath("//head/meta[@property or starts-with(@name, 'twitter:')]")]


def test_news_article_json_ld_matches_the_page(tmp_path: Path) -> None:
    doc, _ = build_one(tmp_path, source="BelTA", topics="[Energy, Trade]", tags="[gas]",
                       section="Economy", updated="2024-12-21T08:00:00+03:00",
                       source_url="https://belta.example/gas", summary="Lead text.")
    data = json_ld(doc)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Gas talks end" == doc.xpath("//h1")[0].text_content()
    assert data["datePublished"] == "2024-12-20T10:32:00+03:00"
    assert data["dateModified"] == "2024-12-21T08:00:00+03:00"
    assert data["author"] == [{"@type": "Organization", "name": "BelTA"}]
    assert data["publisher"] == {"@type": "Organization", "name": "Test Digest",
                                 "url": "https://news.example.org/"}
    assert data["articleSection"] == "Economy"
    assert {"Energy", "Trade", "gas", "BelTA"} <= set(data["keywords"])
    assert data["isBasedOn"] == "https://belta.example/gas"
    assert data["mainEntityOfPage"] == URL
    assert doc.xpath("//link[@rel='canonical']/@href") == [URL]
    assert "image" not in data
    assert None not in data.values() and "" not in data.values()


def test_person_author_image_and_topic_as_section(tmp_path: Path) -> None:
    doc, _ = build_one(tmp_path, source="BelTA", author="Anna Ivanova", topics="[Energy]",
                       image="/img/gas.jpg", photo_credit="BelTA")
    data = json_ld(doc)
    assert data["author"] == [{"@type": "Person", "name": "Anna Ivanova"}]
    assert data["articleSection"] == "Energy"
    assert data["image"] == [{"@type": "ImageObject", "url": "https://news.example.org/img/gas.jpg",
                              "creditText": "BelTA"}]
    tags = meta(doc)
    assert ("og:image", "https://news.example.org/img/gas.jpg") in tags
    assert ("twitter:card", "summary_large_image") in tags


def test_open_graph_and_twitter_tags(tmp_path: Path) -> None:
    doc, result = build_one(tmp_path, source="BelTA", topics="[Energy]", tags="[gas, energy]",
                            summary="Lead text.")
    tags = meta(doc)
    found = dict(tags)
    assert found["og:type"] == "article" and found["og:title"] == "Gas talks end"
    assert found["og:url"] == URL and found["og:description"] == "Lead text."
    assert found["og:site_name"] == "Test Digest" and found["og:locale"] == "en_GB"
    assert found["article:published_time"] == "2024-12-20T10:32:00+03:00"
    assert found["article:modified_time"] == "2024-12-20T10:32:00+03:00"
    assert found["article:section"] == "Energy"
    assert found["twitter:card"] == "summary"
    assert "og:image" not in found
    article_tags = [c for p, c in tags if p == "article:tag"]
    # one per label; "energy" (tag) and "Energy" (topic) are one keyword
    assert sorted(article_tags) == sorted(["Energy", "gas", "BelTA"])
    assert len(set(article_tags)) == len(article_tags)


def test_script_in_title_cannot_break_out(tmp_path: Path) -> None:
    title = 'Talks </script><script>alert("x")</script> & <!-- end'
    doc, result = build_one(tmp_path, title=title)
    page = next(v for k, v in result.rendered.items() if k.endswith("index.html")
                and b"NewsArticle" in v)
    head = page.split(b"</head>")[0]
    assert b"</script><script>alert" not in page
    assert head.count(b"<script") == 1  # the JSON-LD element only
    assert json_ld(doc)["headline"] == title
    assert dict(meta(doc))["og:title"] == title


def test_author_lists_and_linked_authors(tmp_path: Path) -> None:
    # issue 25: Hugo/Jekyll author lists, and an author written as a Markdown link
    doc, result = build_one(
        tmp_path, author='["[Ann Lee](https://staff.example/ann) (Northwind)", "Bo Kim"]')
    data = json_ld(doc)
    assert data["author"] == [
        {"@type": "Person", "name": "Ann Lee (Northwind)", "url": "https://staff.example/ann"},
        {"@type": "Person", "name": "Bo Kim"}]
    byline = doc.xpath("//li[@class='author']")[0].text_content()
    assert byline == "Ann Lee (Northwind) and Bo Kim"
    assert "[Ann" not in result.rendered[next(
        p.path for p in result.site.pages if p.template == "article.html")].decode()
