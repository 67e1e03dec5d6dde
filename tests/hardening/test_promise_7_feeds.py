"""Promise 7: feeds stay well-formed with control characters, ``]]>``, ``&``,
``<`` and hostile titles in the content (checklist 9, 38, 39).

Every RSS/Atom file is parsed strictly (lxml) and as a reader would
(feedparser, bozo must be 0); JSON feeds with json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import lxml.etree
import pytest

from tests.integration.conftest import cli, make_site

NASTY = ["]]>", "&", "&amp;", "<", "<![CDATA[x]]>", "\x01", "\x08", "\x0b", "\x0c", "\x1f",
         "\ufffe", "\uffff", "\U0001F389", "\u2028", "\u202e", '"', "'", "</title>",
         "<script>alert(1)</script>", "&#0;", "&#x1;", "\\u0000"]


def _yaml(s: str) -> str:
    """A YAML double-quoted scalar; characters YAML cannot carry raw become escapes."""
    text = json.dumps(s, ensure_ascii=False)  # escapes C0 controls as \\u00XX
    for ch in ("\ufffe", "\uffff", "\u2028", "\u202e"):
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def _feeds(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.name in ("feed.xml", "atom.xml", "feed.json"))


@pytest.fixture(scope="module")
def nasty_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {}
    for i, bad in enumerate(NASTY):
        title = f"Title {i} {bad} end"
        body = f"Body {bad} text ]]> & < \x02 and [a link](/local/{i}/) ![i](img{i}.png)\n"
        files[f"content/n{i}.md"] = (
            f"---\ntitle: {_yaml(title)}\ndate: 2024-12-{1 + i % 20:02d}T10:{i:02d}:00Z\n"
            f"summary: {_yaml('S ' + bad)}\nsource: {_yaml(f'Agency{i} ' + bad)}\n"
            f"tags: [{_yaml(f'tag{i} ' + bad)}]\n---\n\n" + body)
    files["content/c.txt"] = ("Clipping ]]> & <b> \x01 headline\n10:32, 20 December\n"
                              "Text with \x0b vertical tab and ]]> and & and <, BelTA reports.\n")
    site = make_site(tmp_path_factory.mktemp("nasty") / "s", files,
                     config="base_url: https://news.example.org/sub/\nfeed_size: 100\n")
    run = cli(site, "build", "--no-search")
    assert run.code == 0, run
    (site / "build.log").write_text(run.err, encoding="utf-8")
    return site


def test_every_feed_is_well_formed(nasty_site: Path) -> None:
    feeds = _feeds(nasty_site / "output")
    assert len(feeds) > 10
    for path in feeds:
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data)
            continue
        lxml.etree.fromstring(data)  # raises on any error
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (path, parsed.bozo_exception)
        for char in (b"\x01", b"\x02", b"\x08", b"\x0b", b"\x0c", b"\x1f", b"\xef\xbf\xbe"):
            assert char not in data, (path, char)


def test_entries_read_back_as_written_and_escaped_once(nasty_site: Path) -> None:
    out = nasty_site / "output"
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    titles = {e.title for e in parsed.entries}
    assert "Title 0 ]]> end" in titles and "Title 1 & end" in titles
    assert "Title 2 &amp; end" in titles  # literal text, not decoded twice
    assert "Title 18 <script>alert(1)</script> end" in titles
    body = next(e for e in parsed.entries if e.title == "Title 0 ]]> end").content[0].value
    assert "Body ]]&gt; text ]]&gt; &amp; &lt;" in body


def test_links_in_feed_content_are_absolute(nasty_site: Path) -> None:
    out = nasty_site / "output"
    for name in ("feed.xml", "atom.xml"):
        for entry in feedparser.parse((out / name).read_bytes()).entries:
            assert entry.link.startswith("https://news.example.org/sub/")
            if entry.get("content"):
                html = entry.content[0].value
                for attr in lxml.etree.HTML(html).xpath("//@href | //@src") if html else []:
                    assert attr.startswith("https://news.example.org/"), (name, attr)


def test_control_characters_are_warned_with_location(nasty_site: Path) -> None:
    """Checklist 9: XML-illegal characters are stripped from pages too."""
    log = (nasty_site / "build.log").read_text(encoding="utf-8")
    assert "content/c.txt:1: warning: removed control characters that HTML and XML cannot " \
           "carry (lines 1, 3)" in log
    assert re.search(r"content/n3\.md:\d+: warning: removed control characters", log), log
    out = nasty_site / "output"
    for page in out.rglob("*.html"):
        data = page.read_bytes()
        assert b"\x01" not in data and b"\x0b" not in data and b"\xef\xbf\xbf" not in data, page
