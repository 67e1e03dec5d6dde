"""Issue 25, rules 6 and 7: drafts and fields as Jekyll, Hugo and Pelican mean
them (fixtures written for these tests in each generator's shapes)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest

from digest.errors import Diagnostic, SourceError
from digest.site.config import SiteConfig, TaxonomyConfig
from digest.site.records import Article, SourceDoc
from digest.site.sources import parse_source
from digest.site.sources.discover import find_sources

CONFIG = SiteConfig(timezone="UTC", taxonomies=(TaxonomyConfig(name="tags", title="Tags"),))
NOW = datetime(2024, 12, 24, tzinfo=UTC)


def parse(text: str, name: str, warnings: list[Diagnostic] | None = None) -> Article:
    doc = SourceDoc(rel_path=PurePosixPath("content/" + name), raw=text.encode())
    return parse_source(doc, CONFIG, now=NOW, warnings=warnings)


def pelican(header: str, name: str = "ferry.md") -> Article:
    return parse(f"Title: Ferry runs again\nDate: 2020-05-01 10:00\n{header}\nBody\n", name)


# --- drafts -------------------------------------------------------------------

@pytest.mark.parametrize(("status", "draft"), [
    ("draft", True), ("hidden", True), ("skip", True), ("Hidden", True),
    ("published", False)])
def test_pelican_status(status: str, draft: bool) -> None:
    assert pelican(f"Status: {status}\n").draft is draft


@pytest.mark.parametrize(("front", "draft"), [
    ("published: false\n", True), ("published: true\n", False),
    ("published: false\ndraft: false\n", False)])  # digest's own key wins
def test_jekyll_published_flag(front: str, draft: bool) -> None:
    a = parse(f"---\ntitle: Ferry\n{front}---\nBody\n", "_posts/2019-05-01-ferry.md")
    assert a.draft is draft
    assert "published" not in a.extra


def test_published_false_is_not_a_date() -> None:
    # Hugo reads a `published:` date when `date:` is missing; a flag is not one
    a = parse("---\ntitle: Ferry\npublished: false\nlastmod: 2020-06-01\n---\nBody\n",
              "ferry.md")
    assert (a.draft, a.date.date().isoformat()) == (True, "2020-06-01")


# --- field mapping --------------------------------------------------------------

HUGO = ('+++\ntitle = "Release notes"\ndate = 2020-10-12T09:00:00Z\n{extra}+++\nBody\n')


@pytest.mark.parametrize("key", ["lastmod", "modified"])
def test_hugo_lastmod_is_updated(key: str) -> None:
    a = parse(HUGO.format(extra=f"{key} = 2020-11-01T08:00:00Z\n"), "news/notes.md")
    assert a.updated == datetime(2020, 11, 1, 8, tzinfo=UTC)
    assert key not in a.extra


def test_jekyll_last_modified_at_description_and_hugo_images() -> None:
    w: list[Diagnostic] = []
    a = parse("---\ntitle: Ferry\nlast_modified_at: 2019-05-03\ndescription: The lake ferry.\n"
              "---\nBody\n", "_posts/2019-05-01-ferry.md", w)
    assert (a.updated.date().isoformat(), a.summary) == ("2019-05-03", "The lake ferry.")
    b = parse(HUGO.format(extra='images = ["/img/a.png", "/img/b.png"]\n'), "notes.md", w)
    assert b.image == "/img/a.png"
    assert {"description", "last_modified_at", "images"}.isdisjoint({**a.extra, **b.extra})
    assert w == []  # images is near image, but it is not a misspelling


def test_digest_fields_win_over_mapped_ones() -> None:
    a = parse(HUGO.format(extra='updated = 2020-10-13T00:00:00Z\nlastmod = 2020-11-01T00:00:00Z\n'
                          'summary = "Own"\ndescription = "Theirs"\nimage = "/own.png"\n'
                          'images = ["/theirs.png"]\n'), "notes.md")
    assert (a.updated.day, a.summary, a.image) == (13, "Own", "/own.png")
    # the key that lost stays for the theme, once
    assert a.extra == {"lastmod": datetime(2020, 11, 1, tzinfo=UTC), "description": "Theirs",
                       "images": ["/theirs.png"]}


def test_a_mapped_value_is_checked_like_the_digest_field() -> None:
    with pytest.raises(SourceError) as err:
        parse("---\ntitle: Ferry\nlast_modified_at: soon\n---\nBody\n",
              "_posts/2019-05-01-ferry.md")
    assert err.value.diagnostics[0].line == 3


# --- slugs ----------------------------------------------------------------------

def test_pelican_slug_is_the_titles() -> None:
    assert pelican("", "2020-05-01-ferry-post.md").slug == "ferry-runs-again"
    assert pelican("Slug: lake-ferry\n", "ferry-post.md").slug == "lake-ferry"
    # YAML front matter in the same folder keeps the file name's slug
    assert parse("---\ntitle: Ferry runs again\ndate: 2020-05-01\n---\nBody\n",
                 "ferry-post.md").slug == "ferry-post"


@pytest.mark.parametrize(("name", "slug"), [
    ("2019-05-01-5.0-release-process.md", "5.0-release-process"),
    ("2019-05-01-Version 1.2.md", "version-1.2"),
    ("2019-05-01-con.release.md", "ferry"),  # a Windows device name: the title's slug
])
def test_jekyll_file_name_keeps_its_dots(name: str, slug: str) -> None:
    assert parse("---\ntitle: Ferry\n---\nBody\n", "_posts/" + name).slug == slug


# --- files digest cannot read -------------------------------------------------------

def test_other_markup_is_named_once_per_format(tmp_path: Path) -> None:
    files = ["content/a.md", "content/logo.png", "content/_draft.rst", "content/page.html",
             *(f"content/posts/p{i}.rst" for i in range(5))]
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    found, diags = find_sources(tmp_path, "content")
    assert [rel for rel, _ in found] == ["content/a.md"]
    assert [(d.severity, d.path) for d in diags] == [
        ("warning", "content/page.html"), ("warning", "content/posts/p0.rst")]
    assert "1 .html file is not read" in diags[0].message
    assert diags[1].message.endswith(
        "content/posts/p0.rst, content/posts/p1.rst, content/posts/p2.rst and 2 more")
    assert "convert them to Markdown" in (diags[1].hint or "")


def test_canonical_url_is_an_absolute_web_address() -> None:
    a = parse("---\ntitle: Ferry\ncanonical_url: https://old.example.org/ferry/\n---\nB\n",
              "_posts/2019-05-01-ferry.md")
    assert (a.canonical_url, a.extra) == ("https://old.example.org/ferry/", {})
    with pytest.raises(SourceError):
        parse("---\ntitle: Ferry\ncanonical_url: /ferry/\n---\nB\n", "_posts/2019-05-01-f.md")
