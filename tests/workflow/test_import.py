"""`digest import`: feeds from a real HTTP server on 127.0.0.1 become drafts.

Every run goes through the CLI; every draft is read back with digest's own
front-matter reader, and the site is built with --drafts to see the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.site.sources.frontmatter import split
from tests.integration.conftest import cli, make_site, note, parse_html, tree_hash
from tests.workflow.feedsite import Wire, serve_wire

VOCABULARY = """\
title: Test wire
timezone: Europe/Minsk
taxonomies:
  topics:
    terms:
      - label: Energy
        aliases: [gas, oil]
      - Trade
      - Transport
"""


@pytest.fixture
def wire() -> Iterator[Wire]:
    with serve_wire() as running:
        yield running


def _site(root: Path, wire: Wire, feeds: list[tuple[str, str | None]]) -> Path:
    lines = ["feeds:"]
    for path, agency in feeds:
        lines.append(f"  - url: {wire.url(path)}")
        if agency:
            lines.append(f"    agency: {agency}")
    return make_site(root, config=VOCABULARY + "\n".join(lines) + "\n")


def _drafts(site: Path) -> dict[str, dict]:
    """File name -> front matter, read by digest's own reader."""
    found = {}
    for path in sorted((site / "content").rglob("*.md")):
        found[path.relative_to(site / "content").as_posix()] = split(
            path.read_text(encoding="utf-8"), path.name).data
    return found


def _by_title(site: Path) -> dict[str, dict]:
    return {data["title"]: data for data in _drafts(site).values()}


def test_every_format_becomes_drafts_and_a_second_run_writes_nothing(
        tmp_path: Path, wire: Wire) -> None:
    site = _site(tmp_path / "site", wire, [
        ("/rss2.xml", "Harbour Agency"), ("/rss1.rdf", None), ("/atom.xml", None),
        ("/feed.json", None), ("/cp1251.xml", None), ("/koi8.xml", None),
        ("/gzip.xml", None), ("/hop/3", None), ("/etag.xml", None)])
    first = cli(site, "import")
    assert first.code == 0, first
    assert len(_drafts(site)) == 3 + 1 + 1 + 1 + 1 + 1 + 3 + 3 + 3, first
    drafts = _by_title(site)  # the gzip, redirect and ETag feeds repeat Harbour's titles

    no = drafts["NO"]  # a YAML boolean unless quoted: stays the title
    assert no["source"] == "Harbour Agency"  # feeds: agency wins over the feed title
    assert no["source_url"] == "https://harbour.example.org/news/ferry-strike?utm_source=rss"
    assert no["id"] == "harbour-1001"
    assert no["date"] == "2024-12-23T09:30:00+03:00"  # the feed's own offset
    assert no["draft"] is True
    assert no["topics"] == ["Energy"]  # "gas" is an alias of Energy
    assert no["tags"] == ["Dock workers"]  # not in the vocabulary
    assert no["summary"] == "Ferry crews stopped work at dawn. Talks resume [later](" \
        "javascript:alert(3))."
    assert ": colon <b>first" in drafts  # escaped markup in a title is text

    valley = drafts["Orchard harvest beats forecast"]  # RSS 1.0, source = feed title
    assert valley["source"] == "Valley Bulletin" and valley["topics"] == ["Trade"]
    assert valley["date"] == "2024-12-23T07:15:00+01:00"
    ridge = drafts["Snow closes the mountain pass"]  # Atom, HTML title reduced to text
    assert ridge["id"] == "tag:ridge.example.org,2024-12-23:pass"
    assert ridge["summary"] == "Ploughs are out; the pass stays shut overnight."
    assert ridge["topics"] == ["Transport"]
    assert ridge["date"] == "2024-12-23T11:45:00-05:00"
    bees = drafts["Beekeepers count fewer hives"]  # JSON Feed
    assert bees["source"] == "Meadow Daily" and bees["tags"] == ["farming"]
    assert bees["id"] == "meadow-77"
    assert drafts["Лесники высадили новую рощу"]["source"] == "Лесной вестник"
    assert drafts["Паром вернулся на переправу"]["summary"] == \
        "Переправа снова работает по расписанию."
    assert {d["source"] for d in _drafts(site).values()} >= {
        "Packed Wire", "Moved Wire", "Tagged Wire"}
    # Named as `digest new` names files; a headline with no letters gets the id's.
    assert "no.md" in _drafts(site)

    # What the client sent: its own User-Agent, gzip, each hop of the chain.
    sent = wire.asked("/gzip.xml")[0]["headers"]
    assert sent["User-Agent"].startswith("digest/") and "+https://" in sent["User-Agent"]
    assert "gzip" in sent["Accept-Encoding"]
    assert [len(wire.asked(f"/hop/{n}")) for n in (3, 2, 1, 0)] == [1, 1, 1, 1]

    before = tree_hash(site / "content")
    second = cli(site, "import")
    assert second.code == 0, second
    assert tree_hash(site / "content") == before  # nothing new, nothing overwritten
    assert "wrote 0 drafts" in second.out
    etag = wire.asked("/etag.xml")
    assert etag[1]["headers"]["If-None-Match"] == '"v1"'
    assert etag[1]["headers"]["If-Modified-Since"] == "Mon, 23 Dec 2024 12:00:00 GMT"
    assert f"{wire.url('/etag.xml')}: not changed since the last import" in second.out

    built = cli(site, "build", "--drafts", "-q")
    assert built.code == 0, built
    out = site / "output"
    page = out / "2024/12/23/no/index.html"
    doc = parse_html(page)
    assert doc.xpath("//h1")[0].text_content().strip() == "NO"
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "onerror" not in html and "javascript:alert" not in "".join(
        doc.xpath("//main//a/@href"))
    cyrillic = (out / "2024/12/23").iterdir()
    titles = {parse_html(p / "index.html").xpath("//h1")[0].text_content().strip()
              for p in cyrillic}
    assert {"Лесники высадили новую рощу", "Паром вернулся на переправу"} <= titles


def test_each_failing_feed_is_reported_and_the_others_are_imported(
        tmp_path: Path, wire: Wire) -> None:
    site = _site(tmp_path / "site", wire, [
        ("/slow.xml", "Slow Wire"), ("/missing.xml", None), ("/error.xml", None),
        ("/broken.xml", None), ("/page.html", None), ("/loop.xml", None),
        ("/rss1.rdf", None)])
    run = cli(site, "import", "--timeout", "0.5")
    assert run.code == 1, run
    err = run.err
    expected = {
        "Slow Wire (" + wire.url("/slow.xml") + "): error: no answer within 0.5 seconds":
            "--timeout SECONDS",
        wire.url("/missing.xml") + ": error: HTTP 404": "check the address",
        wire.url("/error.xml") + ": error: HTTP 500": "try again later",
        wire.url("/broken.xml") + ": error: the feed is not well-formed XML": "tell them",
        wire.url("/page.html") + ": error: this is a web page, not a feed": "RSS or Atom link",
        wire.url("/loop.xml") + ": error: more than 5 redirects": "final address",
    }
    for line, hint in expected.items():
        assert line in err, err
        after = err.split(line, 1)[1].split("\n")[1]
        assert after.strip().startswith("hint:") and hint in after, err
    assert "6 feeds failed" in run.out
    assert list(_by_title(site)) == ["Orchard harvest beats forecast"]


def test_opml_lists_feeds_and_the_site_already_has_a_story(tmp_path: Path,
                                                           wire: Wire) -> None:
    site = make_site(tmp_path / "site", {
        # The same story by another spelling of its address: skipped.
        "content/orchard.md": note("Orchard notes", "2024-12-20T10:00:00+01:00",
                                   source_url="http://www.valley.example.org/orchard/"),
    }, config=VOCABULARY)
    run = cli(site, "import", wire.url("/list.opml"))
    assert run.code == 1, run  # the list names one feed that is gone
    assert f"Gone ({wire.url('/missing.xml')}): error: HTTP 404" in run.err  # its outline
    assert sorted(_by_title(site)) == ["Orchard notes", "Snow closes the mountain pass"]
    assert "Valley Bulletin: 0 new, 1 already in the site" in run.out


def test_since_limit_and_dry_run(tmp_path: Path, wire: Wire) -> None:
    site = _site(tmp_path / "site", wire, [("/rss2.xml", None)])
    # "now" is 2024-12-24T00:26:40Z: 2d keeps the two December items.
    dry = cli(site, "import", "--since", "2d", "--dry-run")
    assert dry.code == 0, dry
    assert _drafts(site) == {}
    assert "would write content/no.md: NO" in dry.out
    assert "would write 2 drafts" in dry.out
    assert "old-crane" not in dry.out
    limited = cli(site, "import", "--limit", "1")
    assert limited.code == 0, limited
    assert list(_drafts(site)) == ["no.md"]  # the newest item
    dated = cli(site, "import", "--since", "2024-11-30")
    assert dated.code == 0, dated
    assert sorted(_by_title(site)) == [": colon <b>first", "NO"]  # not November's crane
    twelve = cli(site, "import", "--since", "12h")
    assert "wrote 0 drafts" in twelve.out, twelve


def test_a_dry_run_keeps_no_validators_and_other_filters_ask_again(
        tmp_path: Path, wire: Wire) -> None:
    site = make_site(tmp_path / "site", config=VOCABULARY)
    feed = wire.url("/etag.xml")
    assert cli(site, "import", feed, "--dry-run").code == 0
    real = cli(site, "import", feed, "--limit", "1")  # the dry run's ETag was not kept
    assert real.code == 0 and "wrote 1 draft" in real.out, real
    more = cli(site, "import", feed)  # other filters: asked without the ETag
    assert more.code == 0 and "wrote 2 drafts" in more.out, more
    again = cli(site, "import", feed)
    assert "not changed since the last import" in again.out, again
    sent = [r["headers"].get("If-None-Match") for r in wire.asked("/etag.xml")]
    assert sent == [None, None, None, '"v1"']


def test_a_deleted_draft_stays_imported_before(tmp_path: Path, wire: Wire) -> None:
    site = make_site(tmp_path / "site", config=VOCABULARY)
    assert cli(site, "import", wire.url("/atom.xml")).code == 0
    (site / "content/snow-closes-the-mountain-pass.md").unlink()  # the curator said no
    again = cli(site, "import", wire.url("/atom.xml"))
    assert again.code == 0 and "wrote 0 drafts" in again.out, again
    assert _drafts(site) == {}
    assert cli(site, "clean").code == 0  # the ledger goes with .digest-cache/
    assert "wrote 1 draft" in cli(site, "import", wire.url("/atom.xml")).out


def test_an_existing_file_is_never_overwritten(tmp_path: Path, wire: Wire) -> None:
    site = make_site(tmp_path / "site", {"content/no.md": note("No", "2024-12-01")},
                     config=VOCABULARY)
    original = (site / "content/no.md").read_bytes()
    run = cli(site, "import", wire.url("/rss2.xml"))
    assert run.code == 0, run
    assert (site / "content/no.md").read_bytes() == original
    assert _drafts(site)["no-2.md"]["title"] == "NO"


def test_the_http_charset_reads_a_feed_that_declares_none(tmp_path: Path, wire: Wire) -> None:
    site = make_site(tmp_path / "site", config=VOCABULARY)
    run = cli(site, "import", wire.url("/cp1251-plain.xml"))
    assert run.code == 0, run
    draft = _by_title(site)["Лесники высадили новую рощу"]
    assert draft["source"] == "Полевой вестник"
    assert draft["summary"] == "Сто молодых дубов появились у реки."


def test_a_relative_link_is_resolved_against_the_feed_address(tmp_path: Path,
                                                               wire: Wire) -> None:
    site = make_site(tmp_path / "site", config=VOCABULARY)
    run = cli(site, "import", wire.url("/town/relative.xml"))
    assert run.code == 0, run
    draft = _by_title(site)["Bell tower repaired"]
    assert draft["source_url"] == wire.url("/stories/bell-tower")
    assert draft["id"] == wire.url("/stories/bell-tower")  # no guid: the link is its id
    assert "summary" not in draft


def test_a_feed_over_the_size_limit_is_refused_also_when_gzipped(
        tmp_path: Path, wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    from digest.workflow import fetch
    from tests.workflow.feedsite import GZIPPED, RSS2

    limit = 1000  # both feeds are larger; the gzipped one travels in fewer bytes
    assert len(gzip.compress(GZIPPED.encode())) < limit < min(len(RSS2), len(GZIPPED))
    monkeypatch.setattr(fetch, "MAX_BYTES", limit)
    site = make_site(tmp_path / "site", config=VOCABULARY)
    run = cli(site, "import", wire.url("/rss2.xml"), wire.url("/gzip.xml"))
    assert run.code == 1, run
    for path in ("/rss2.xml", "/gzip.xml"):
        assert f"{wire.url(path)}: error: the feed is larger than" in run.err
    assert "2 feeds failed" in run.out and _drafts(site) == {}


HOSTILE = ["NO", "yes", ": x", "- item", "# hash", "1.10", "null", "~", "'single'",
           '"double"', "a\\b", "{{ title }}", "[link](https://x.example)", "key: value",
           "tab\there", "line\u2028separator", "next\x85line", "del\x7fchar", "&amp;"]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_text_stays_text_in_front_matter(title: str) -> None:
    from digest.workflow.drafts import draft_text
    from digest.workflow.feedread import Item

    item = Item(title=title, link="https://x.example/a", entry_id=title, date=None,
                summary=title, categories=(title,))
    text = draft_text(item, source=title, draft_id=title,
                      date=datetime(2024, 12, 23, tzinfo=UTC), index={})
    data = split(text, "draft.md").data
    assert (data["title"], data["source"], data["id"], data["summary"]) == (title,) * 4
    assert data["tags"] == [title]
    # Characters YAML would read as a line break or refuse are written escaped.
    front = text.split("\n---\n", 1)[0]
    assert not any(c in front for c in "\x85\u2028\x7f")


def test_feeds_setting_is_validated_with_lines(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", config=(
        "title: x\nfeeds:\n  - url: ftp://files.example.org/feed\n"
        "  - {url: https://a.example.org/rss, agncy: A}\n"
        "  - url: https://b.example.org/rss\n    agency: 3\n"))
    run = cli(site, "import")
    assert run.code == 1, run
    assert "digest.yaml:3: error: feeds.0.url: a feed needs an http(s) 'url'" in run.err
    assert "digest.yaml:4: error: feeds.1.agncy: unknown key 'agncy'" in run.err
    assert "did you mean 'agency'?" in run.err
    assert "digest.yaml:6: error: feeds.2.agency: 'agency' must be a name" in run.err


@pytest.mark.parametrize(("args", "said"), [
    ((), "no feed to import"),
    (("/no/such/feed.xml",), "neither an http(s) address nor a file"),
    (("https://x.example/rss", "--since", "yesterday"), "neither an age nor a date"),
    (("https://x.example/rss", "--limit", "0"), "not a number of items"),
    (("https://x.example/rss", "--timeout", "-1"), "not a timeout"),
])
def test_usage_errors_exit_2_before_any_work(tmp_path: Path, args: tuple[str, ...],
                                             said: str) -> None:
    site = make_site(tmp_path / "site", config=VOCABULARY)
    run = cli(site, "import", *args)
    assert run.code == 2, run
    assert said in run.err
    assert _drafts(site) == {}


@pytest.mark.parametrize(("html", "text"), [
    ("<p>One</p><p>two</p>", "One two"),
    ("Red \x1b[31malert\x1b[0m", "Red [31malert[0m"),  # no terminal escape survives
    ('<a href="javascript:x()" onclick="y()">link</a><style>p{}</style>', "link"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),  # text, shown as text
    ("<script>alert(1)</script>", ""),
])
def test_feed_markup_is_reduced_to_text(html: str, text: str) -> None:
    from digest.workflow.feedread import plain_text

    assert plain_text(html) == text
