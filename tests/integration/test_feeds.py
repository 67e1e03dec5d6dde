"""Issue 7: site and term feeds in RSS 2.0, Atom and JSON Feed, read back by real clients
(feedparser via tests.tools.feeds.parse_feed, lxml, json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from digest.errors import DigestError
from digest.pipeline import BuildOptions, build
from digest.site.render.validate import json_feed_problems
from tests.integration.conftest import make_site, note
from tests.tools.feeds import parse_feed

NOW = datetime(2024, 12, 24, tzinfo=UTC)
CONFIG = "title: Test Digest\nbase_url: https://news.example.org/\ntimezone: Europe/Minsk\n"
ATOM = "{http://www.w3.org/2005/Atom}"


def build_site(root: Path, files: dict[str, str], config: str = CONFIG, **options):
    make_site(root, files, config=config)
    return build(root, BuildOptions(now=NOW, **options))


def three(root: Path):
    return build_site(root, {
        "content/gas-talks-end.md": note(
            "Gas talks end", "2024-12-20T10:32:00+03:00",
            "Talks on [gas](/2024/12/19/oil-deal/) ended. ![map](map.png)",
            source="BelTA", topics="[Energy]", tags="[gas]", source_url="https://belta.example/gas"),
        "content/oil-deal.md": note("Oil deal", "2024-12-19T09:00:00+03:00", "Oil was agreed.",
                                    source="TASS", summary="Oil deal summary."),
        "content/our-note.md": note("Our note", "2024-12-18", "A note of ours."),
    })


def test_site_feeds_have_the_required_elements(tmp_path: Path) -> None:
    out = three(tmp_path).rendered
    rss = parse_feed(out["feed.xml"])
    assert rss.version == "rss20"
    assert rss.feed.title == "Test Digest" and rss.feed.link == "https://news.example.org/"
    assert rss.feed.subtitle  # channel description
    assert [e.title for e in rss.entries] == ["Gas talks end", "Oil deal", "Our note"]
    for entry in rss.entries:
        assert entry.id and entry.published and entry.link.startswith("https://news.example.org/")
    root = etree.fromstring(out["feed.xml"])
    assert root.find("channel/atom:link[@rel='self']",
                     {"atom": "http://www.w3.org/2005/Atom"}) is not None
    item = root.find("channel/item")
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.find("pubDate").text == "Fri, 20 Dec 2024 10:32:00 +0300"
    assert item.find("source").text == "BelTA"
    assert item.find("source").get("url") == "https://belta.example/gas"
    cats = {(c.text, c.get("domain")) for c in item.findall("category")}
    assert ("Energy", "https://news.example.org/topics/") in cats
    assert ("gas", "https://news.example.org/tags/") in cats

    atom = parse_feed(out["atom.xml"])
    assert atom.version == "atom10"
    feed = etree.fromstring(out["atom.xml"])
    assert len(feed.findall(f"{ATOM}id")) == 1 and feed.find(f"{ATOM}title").text
    assert feed.find(f"{ATOM}updated").text == "2024-12-20T10:32:00+03:00"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Test Digest"
    rels = {link.get("rel") for link in feed.findall(f"{ATOM}link")}
    assert rels == {"self", "alternate"}
    for entry in feed.findall(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}id").text and entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}updated").text.endswith("+03:00")
        # RFC 4287: a link without rel is rel="alternate" (feedgen leaves it out).
        links = [x for x in entry.findall(f"{ATOM}link")
                 if x.get("rel", "alternate") == "alternate"]
        assert len(links) == 1 and links[0].get("href").startswith("https://news.example.org/")
    first = feed.find(f"{ATOM}entry")
    assert first.find(f"{ATOM}author/{ATOM}name").text == "BelTA"
    cat = first.find(f"{ATOM}category[@label='Energy']")
    assert cat.get("term") == "energy" and cat.get("scheme") == "https://news.example.org/topics/"
    assert atom.entries[1].summary == "Oil deal summary."


def test_json_feed_has_the_required_keys(tmp_path: Path) -> None:
    data = json.loads(three(tmp_path).rendered["feed.json"])
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["title"] == "Test Digest"
    assert data["feed_url"] == "https://news.example.org/feed.json"
    items = data["items"]
    assert [i["title"] for i in items] == ["Gas talks end", "Oil deal", "Our note"]
    for item in items:
        assert isinstance(item["id"], str) and item["id"] and item["content_html"]
        assert item["date_published"][-6:] in ("+03:00", "+00:00")
    assert items[0]["authors"] == [{"name": "BelTA"}]
    assert items[0]["external_url"] == "https://belta.example/gas"
    assert "Energy" in items[0]["tags"] and "gas" in items[0]["tags"]
    assert "authors" not in items[2]  # own note: the feed-level author covers it


def test_content_links_are_absolute(tmp_path: Path) -> None:
    out = three(tmp_path).rendered
    html = json.loads(out["feed.json"])["items"][0]["content_html"]
    assert 'href="https://news.example.org/2024/12/19/oil-deal/"' in html
    assert 'src="https://news.example.org/2024/12/20/gas-talks-end/map.png"' in html
    atom = parse_feed(out["atom.xml"])
    assert "https://news.example.org/2024/12/19/oil-deal/" in atom.entries[0].content[0].value


def test_term_feeds_exist_for_every_term(tmp_path: Path) -> None:
    out = three(tmp_path).rendered
    for base in ("topics/energy/", "tags/gas/", "sources/belta/", "sources/tass/"):
        rss = parse_feed(out[base + "feed.xml"])
        atom = parse_feed(out[base + "atom.xml"])
        assert len(rss.entries) == len(atom.entries) == 1
    site_ids = {e.id for e in parse_feed(out["feed.xml"]).entries}
    assert parse_feed(out["topics/energy/feed.xml"]).entries[0].id in site_ids


def guid_of(result, title: str) -> str:
    return next(i["id"] for i in json.loads(result.rendered["feed.json"])["items"]
                if i["title"] == title)


def test_guid_survives_title_change_and_file_rename(tmp_path: Path) -> None:
    fields = {"source": "BelTA"}
    before = build_site(tmp_path / "a", {
        "content/talks.md": note("Minsk talks", "2024-12-20T10:32:00+03:00", **fields)})
    after = build_site(tmp_path / "b", {
        "content/renamed/summit.md": note("Minsk summit: results", "2024-12-20T10:32:00+03:00",
                                          **fields)})
    assert before.site.articles[0].url != after.site.articles[0].url
    old, new = guid_of(before, "Minsk talks"), guid_of(after, "Minsk summit: results")
    assert old == new == "tag:news.example.org,2024-12-20:belta/0732"
    for path in ("feed.xml", "atom.xml"):
        assert parse_feed(before.rendered[path]).entries[0].id == old
        assert parse_feed(after.rendered[path]).entries[0].id == new


def test_front_matter_id_wins(tmp_path: Path) -> None:
    result = build_site(tmp_path, {"content/a.md": note("A", "2024-12-20", id="urn:uuid:1234")})
    assert guid_of(result, "A") == "urn:uuid:1234"


def test_same_minute_same_agency_is_disambiguated_with_a_warning(tmp_path: Path) -> None:
    result = build_site(tmp_path, {
        "content/a.md": note("First", "2024-12-20T10:32:00+03:00", source="BelTA"),
        "content/b.md": note("Second", "2024-12-20T10:32:00+03:00", source="BelTA"),
        "content/c.md": note("Third", "2024-12-20T10:32:00+03:00", source="BelTA",
                             source_url="https://belta.example/3"),
    })
    ids = {guid_of(result, t) for t in ("First", "Second", "Third")}
    assert len(ids) == 3
    assert guid_of(result, "Second") == guid_of(result, "First") + "-2"
    warnings = [d for d in result.diagnostics if d.code == "feed-id-ambiguous"]
    assert len(warnings) == 1
    assert "content/a.md" in warnings[0].message and "content/b.md" in warnings[0].message


def test_duplicate_explicit_ids_fail_naming_both_files(tmp_path: Path) -> None:
    with pytest.raises(DigestError) as info:
        build_site(tmp_path, {
            "content/a.md": note("A", "2024-12-20", id="story-1"),
            "content/b.md": note("B", "2024-12-21", id="story-1"),
        })
    text = str(info.value)
    assert "content/a.md" in text and "content/b.md" in text and "story-1" in text


def test_drafts_and_future_articles_never_appear(tmp_path: Path) -> None:
    result = build_site(tmp_path, {
        "content/live.md": note("Live story", "2024-12-20"),
        "content/draft.md": note("Draft story", "2024-12-20", draft="true"),
        "content/future.md": note("Future story", "2025-01-10"),
    })
    for path in ("feed.xml", "atom.xml", "feed.json", "sitemap.xml", "news-sitemap.xml"):
        data = result.rendered[path]
        assert b"Live story" in data or path.endswith("sitemap.xml")
        assert b"Draft story" not in data and b"Future story" not in data
        assert b"draft-story" not in data and b"future-story" not in data


def test_feed_size_caps_newest_first(tmp_path: Path) -> None:
    files = {f"content/n{i:02d}.md": note(f"Note {i:02d}", f"2024-12-{i:02d}T12:00:00+03:00",
                                          tags="[x]") for i in range(1, 8)}
    result = build_site(tmp_path, files, config=CONFIG + "feed_size: 3\n")
    for path in ("feed.xml", "tags/x/feed.xml", "tags/x/atom.xml"):
        assert [e.title for e in parse_feed(result.rendered[path]).entries] == [
            "Note 07", "Note 06", "Note 05"]
    assert len(json.loads(result.rendered["feed.json"])["items"]) == 3


HOSTILE = 'Deal ]]> & <script>alert(1)</script> \x01bell\x07 \U0001F389 "quoted"'


def test_hostile_titles_stay_well_formed_and_are_escaped_once(tmp_path: Path) -> None:
    # JSON string escapes (\u0001) are valid in a YAML double-quoted scalar
    title_yaml = json.dumps(HOSTILE, ensure_ascii=False)
    result = build_site(tmp_path, {"content/h.md": (
        f"---\ntitle: {title_yaml}\ndate: 2024-12-20T10:32:00+03:00\nsource: \"A&B\"\n"
        f"tags: [\"R&D <x>\"]\nsummary: \"1 < 2 ]]> 3\"\n---\n\n"
        "Body ]]> &amp; \x02 text.\n")})
    expected = 'Deal ]]> & <script>alert(1)</script> bell \U0001F389 "quoted"'
    for path in ("feed.xml", "atom.xml", "tags/r-d-x/feed.xml", "tags/r-d-x/atom.xml"):
        parsed = parse_feed(result.rendered[path])
        assert parsed.entries[0].title == expected
        assert b"\x01" not in result.rendered[path] and b"\x02" not in result.rendered[path]
        # The body's HTML is escaped exactly once by the XML layer.
        body = parsed.entries[0].content[0].value
        assert "<p>Body ]]&gt; &amp;  text.</p>" in body
    rss = etree.fromstring(result.rendered["feed.xml"])
    assert rss.find("channel/item/title").text == expected
    assert rss.find("channel/item/description").text == "1 < 2 ]]> 3"
    assert {c.text for c in rss.findall("channel/item/category")} == {"R&D <x>", "A&B"}
    data = json.loads(result.rendered["feed.json"])
    assert data["items"][0]["title"] == expected
    page = result.rendered["2024/12/20/h/index.html"]  # slug from the file name
    assert b"<script>alert(1)" not in page and b"\x01" not in page
    assert "\U0001F389".encode() in page


def test_the_build_rejects_a_broken_json_feed() -> None:
    assert json_feed_problems({"version": "https://jsonfeed.org/version/1.1", "title": "t",
                               "items": [{"id": "1", "content_html": "x"}]}) == []
    problems = json_feed_problems({"version": "1", "items": [{"id": 3}, {"id": "2"}]})
    assert len(problems) == 4
