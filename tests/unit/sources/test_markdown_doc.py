"""digest.site.sources.markdown_doc: whole Markdown notes, bytes in, Article out."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

import pytest

from digest.errors import SourceError
from digest.site.config import SiteConfig, TaxonomyConfig
from digest.site.records import Article, SourceDoc
from digest.site.sources.markdown_doc import parse_markdown

MINSK = ZoneInfo("Europe/Minsk")
CONFIG = SiteConfig(timezone="Europe/Minsk", taxonomies=(
    TaxonomyConfig(name="topics", title="Topics"), TaxonomyConfig(name="tags", title="Tags")))


def parse(raw: bytes, name: str = "content/note.md") -> Article:
    return parse_markdown(SourceDoc(rel_path=PurePosixPath(name), raw=raw), CONFIG)


def error(raw: bytes, name: str = "content/note.md") -> SourceError:
    with pytest.raises(SourceError) as info:
        parse(raw, name)
    return info.value


def test_yaml_note() -> None:
    raw = ("---\ntitle: Талаш у Мінску\ndate: 2024-12-20T10:32:00+03:00\ntags: [Energy]\n"
           "topics: [Grid]\n---\n# Body\n\n{{ config }} stays literal\n").encode()
    a = parse(raw, "content/Талаш у Мінску.md")  # the slug comes from the file name
    assert a.title == "Талаш у Мінску" and a.slug == "талаш-у-мінску"
    assert a.tags == ("Energy",) and a.terms_add == {"topics": ("Grid",)}
    assert a.body == "# Body\n\n{{ config }} stays literal\n" and a.body_line == 7
    assert a.kind == "markdown" and a.path == PurePosixPath("content/Талаш у Мінску.md")


def test_slug_comes_from_the_file_name() -> None:
    note = b"---\ntitle: Minsk talks end\ndate: 2024-12-20\n---\nBody"
    a = parse(note, "content/2024/Gas Deal.md")
    assert a.title == "Minsk talks end" and a.slug == "gas-deal"
    # front matter `slug:` wins over the file name
    own = parse(b"---\ntitle: Minsk talks end\ndate: 2024-12-20\nslug: own-choice\n---\nBody",
                "content/2024/gas-deal.md")
    assert own.slug == "own-choice"
    # a headline edit keeps the URL
    edited = parse(note.replace(b"Minsk talks end", b"Minsk talks end with a gas deal"),
                   "content/2024/Gas Deal.md")
    assert edited.title == "Minsk talks end with a gas deal" and edited.slug == a.slug
    # two notes sharing a headline get distinct slugs
    assert parse(note, "content/2024/oil-deal.md").slug == "oil-deal"
    # a file name that slugifies to nothing falls back to the title
    assert parse(note, "content/\u2014.md").slug == "minsk-talks-end"


def test_bom_and_crlf_before_front_matter() -> None:
    a = parse(b"\xef\xbb\xbf---\r\ntitle: Hi\r\ndate: 2024-01-01\r\n---\r\nBody\r\n")
    assert a.title == "Hi" and a.body == "Body\n" and a.body_line == 5


def test_toml_note_with_native_datetime() -> None:
    a = parse(b'+++\ntitle = "Hugo"\ndate = 2024-05-01T10:00:00\n+++\nBody')
    assert a.date == datetime(2024, 5, 1, 10, tzinfo=MINSK)


def test_pelican_note() -> None:
    a = parse(b"Title: Pelican post\nDate: 2010-12-03 10:20\nTags: a, b\nCategory: News\n"
              b"Status: draft\n\nBody")
    assert a.tags == ("a", "b") and a.draft is True and a.terms_add == {"sections": ("News",)}
    assert a.date == datetime(2010, 12, 3, 10, 20, tzinfo=MINSK) and a.body_line == 7


def test_pelican_without_title_is_an_error() -> None:
    (diag,) = error(b"Date: 2010-12-03\n\nBody").diagnostics
    assert diag.message == "title is missing"


def test_jekyll_file_name_gives_date_and_slug() -> None:
    a = parse(b"---\ntitle: Some Headline\n---\nBody", "content/_posts/2016-3-21-minsk-talks.md")
    assert a.date == datetime(2016, 3, 21, tzinfo=MINSK) and a.slug == "minsk-talks"


def test_front_matter_wins_over_jekyll_file_name() -> None:
    a = parse(b"---\ntitle: T\ndate: 2020-01-02\nslug: own\n---\n",
              "content/_posts/2016-03-21-minsk-talks.markdown")
    assert a.date == datetime(2020, 1, 2, tzinfo=MINSK) and a.slug == "own"


def test_jekyll_post_without_title_is_an_error() -> None:
    (diag,) = error(b"---\nlayout: post\n---\n", "content/_posts/2016-03-21-x.md").diagnostics
    assert diag.message == "title is missing"


def test_jekyll_name_with_impossible_date_is_not_used() -> None:
    diags = error(b"---\ntitle: T\n---\n", "content/_posts/2024-02-30-x.md").diagnostics
    assert [d.message.split(" (")[0] for d in diags] == ["date is missing"]


def test_no_front_matter_is_an_undated_page_still_needing_a_title() -> None:
    # no date anywhere makes a page (About, contact); a page has a title too,
    # from the front matter or a heading that opens the body
    diags = error(b"Just markdown, no heading first.\n# Later\n").diagnostics
    assert [d.message.split(" (")[0] for d in diags] == ["title is missing"]
    assert all(d.path == "content/note.md" for d in diags)


def test_encoding_error_is_reported_with_path() -> None:
    diag = error(b"---\ntitle: a \x96 b\n---\n").diagnostics[0]
    assert diag.path == "content/note.md" and "byte 13 (line 2)" in diag.message


def test_front_matter_error_has_file_line() -> None:
    diag = error(b"\n---\ntitle: ok\ndate: [\n---\n").diagnostics[0]
    assert diag.line == 5 and "YAML" in diag.message


def test_hostile_front_matter_values_stay_literal() -> None:
    a = parse(b'---\ntitle: "\\"><script>alert(1)</script>"\ndate: 2024-01-01\n'
              b'summary: "{{ config }} {% include x %}"\n---\n')
    assert a.title == '"><script>alert(1)</script>'
    assert a.summary == "{{ config }} {% include x %}"
