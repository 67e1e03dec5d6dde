"""Issue 25: posts shaped as Hugo, Jekyll and Pelican write them (fixtures
written for these tests in each generator's shapes, not copied posts)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from digest.errors import SourceError
from digest.site.config import SiteConfig, TaxonomyConfig
from digest.site.records import Article, SourceDoc
from digest.site.sources.discover import find_sources
from digest.site.sources.markdown_doc import parse_markdown

CONFIG = SiteConfig(timezone="UTC", taxonomies=(TaxonomyConfig(name="tags", title="Tags"),))
HUGO = b"+++\ntitle = \"Release notes\"\ndate = 2020-10-12T09:00:00Z\n+++\nBody\n"


def parse(raw: bytes, name: str) -> Article:
    return parse_markdown(SourceDoc(rel_path=PurePosixPath(name), raw=raw), CONFIG)


# --- rule 1: Hugo page bundles and section pages ----------------------------

def test_page_bundle_is_named_after_its_folder() -> None:
    a = parse(HUGO, "content/news/0.76.1-relnotes/index.md")
    b = parse(HUGO, "content/news/0.76.2-relnotes/index.md")
    # digest's slug rules turn dots into hyphens (a `slug:` line may keep them)
    assert (a.slug, b.slug) == ("0-76-1-relnotes", "0-76-2-relnotes")
    kept = parse(HUGO.replace(b"+++\nBody", b"slug = \"0.76.1-relnotes\"\n+++\nBody"),
                 "content/news/0.76.1-relnotes/index.md")
    assert kept.slug == "0.76.1-relnotes"


def test_index_at_the_top_of_the_content_folder_keeps_its_name() -> None:
    assert parse(HUGO, "content/index.md").slug == "index"
    assert parse(HUGO, "content/news/Index.markdown").slug == "news"


def test_section_pages_are_not_posts(tmp_path: Path) -> None:
    for rel in ("content/_index.md", "content/news/_index.md",
                "content/news/0.76.1-relnotes/index.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(HUGO)
    found, diags = find_sources(tmp_path, "content")
    assert [rel for rel, _ in found] == ["content/news/0.76.1-relnotes/index.md"]
    assert diags == []


# --- rule 2: author lists and linked authors --------------------------------

def jekyll(front: str, name: str = "_posts/2023-01-29-ferry.md") -> Article:
    return parse(f"---\ntitle: Ferry\n{front}---\nBody\n".encode(), "content/" + name)


@pytest.mark.parametrize(("front", "byline", "people"), [
    ("author: [Ann Lee, Bo Kim]\n", "Ann Lee and Bo Kim",
     (("Ann Lee", None), ("Bo Kim", None))),
    ("authors:\n  - Ann Lee\n  - Bo Kim\n  - Cy Dow\n", "Ann Lee, Bo Kim and Cy Dow",
     (("Ann Lee", None), ("Bo Kim", None), ("Cy Dow", None))),
    ("author: Ann Lee\nauthors: [Ann Lee, Bo Kim]\n", "Ann Lee and Bo Kim",
     (("Ann Lee", None), ("Bo Kim", None))),
    ('author: "[Ann Lee](https://staff.example/ann) (Northwind)"\n', "Ann Lee (Northwind)",
     (("Ann Lee (Northwind)", "https://staff.example/ann"),)),
    ('author: "[Ann Lee](https://staff.example/a_(b))"\n', "Ann Lee",
     (("Ann Lee", "https://staff.example/a_(b)"),)),
    ('author: "[Ann Lee](javascript:alert(1))"\n', "Ann Lee", (("Ann Lee", None),)),
    ("author: Smith, Ann\n", "Smith, Ann", (("Smith, Ann", None),)),
    ('author: ""\n', None, ()),
])
def test_author_forms(front: str, byline: str | None, people: tuple) -> None:
    a = jekyll(front)
    assert (a.author, a.authors) == (byline, people)


def test_author_of_another_type_is_an_error() -> None:
    with pytest.raises(SourceError) as info:
        jekyll("author: [[Ann, Bo]]\n")
    (problem,) = info.value.diagnostics
    assert problem.line == 3 and "author: item 1 is a list, not a name" in problem.message
    with pytest.raises(SourceError) as info:
        jekyll("author: {avatar: ann.png}\n")
    (problem,) = info.value.diagnostics
    assert "author: item 1 is a mapping without a name (avatar)" in problem.message
    assert "{name: Ann Lee}" in (problem.hint or "")


def test_authors_as_mappings_as_docsy_and_jekyll_seo_write_them() -> None:
    """A Hugo (Docsy) blog writes ``author: {name: ..., link: ...}``; lists mix
    mappings and names; the name is shown, an http(s) link kept for JSON-LD."""
    a = jekyll("author:\n  name: Ann Lee\n  link: https://example.org/ann\n  position: Editor\n")
    assert a.author == "Ann Lee" and a.authors == (("Ann Lee", "https://example.org/ann"),)
    a = jekyll("authors:\n  - name: Bo Kim\n    url: javascript:alert(1)\n  - Cy Dee\n"
               "  - {display_name: Di Eve, website: https://example.org/di}\n")
    assert a.author == "Bo Kim, Cy Dee and Di Eve"
    assert a.authors == (("Bo Kim", None), ("Cy Dee", None), ("Di Eve", "https://example.org/di"))


# --- rule 3: dates ------------------------------------------------------------

def test_jekyll_date_with_the_year_repeated_before_the_offset() -> None:
    a = jekyll("date: 2023-01-29 18:30:22 2023 -0800\n")
    assert a.date.isoformat() == "2023-01-29T18:30:22-08:00"


@pytest.mark.parametrize(("front", "name"), [
    ("date: 2023-01-29 18:30:22 2024 -0800\n", "_posts/2023-01-29-ferry.md"),  # which year?
    ("date: 2023-01-28 18:30:22 2023 -0800\n", "_posts/2023-01-29-ferry.md"),  # which day?
])
def test_ambiguous_lenient_dates_are_errors(front: str, name: str) -> None:
    with pytest.raises(SourceError) as info:
        jekyll(front, name)
    (problem,) = info.value.diagnostics
    assert problem.line == 3 and "is not a valid date" in problem.message


def hugo(front: str, name: str = "content/posts/ferry.md") -> Article:
    return parse(f"---\ntitle: Ferry\n{front}---\nBody\n".encode(), name)


@pytest.mark.parametrize("key", ["publishDate", "pubdate", "published", "lastmod", "modified"])
def test_hugo_date_fallbacks(key: str) -> None:
    assert hugo(f"{key}: 2020-10-12T09:00:00Z\n").date.isoformat() == "2020-10-12T09:00:00+00:00"


def test_hugo_fallbacks_go_in_hugo_order() -> None:
    a = hugo("lastmod: 2021-01-01\npublishDate: 2020-10-12\n")
    assert a.date.date().isoformat() == "2020-10-12"
    assert hugo("date: 2019-05-05\npublishDate: 2020-10-12\n").date.year == 2019
    # a bad fallback is reported at its own line
    with pytest.raises(SourceError) as info:
        hugo("tags: [a]\npubdate: soon\n")
    assert info.value.diagnostics[0].line == 4


def test_a_post_name_without_a_real_date_names_the_keys_looked_for() -> None:
    # (a file with no date at all is an undated page: test_undated_pages.py)
    with pytest.raises(SourceError) as info:
        hugo("draft: false\n", "content/_posts/2024-02-30-ferry.md")
    (problem,) = info.value.diagnostics
    assert problem.path == "content/_posts/2024-02-30-ferry.md"
    assert problem.message == ("date is missing (looked for date, publishDate, pubdate, "
                               "published, lastmod, modified and a YYYY-MM-DD-slug.md "
                               "file name)")


# --- rule 4: YAML keys given twice --------------------------------------------

def parse_warned(raw: bytes, name: str = "content/_posts/2023-01-29-ferry.md"
                 ) -> tuple[Article, list]:
    warnings: list = []
    doc = SourceDoc(rel_path=PurePosixPath(name), raw=raw)
    return parse_markdown(doc, CONFIG, warnings), warnings


@pytest.mark.parametrize("repeat", [
    "tags: [ferry, lake]\n", "tags:\n  - ferry\n  - lake\n", "tags: [ferry, 'lake']\n"])
def test_a_key_repeated_with_the_same_value_is_a_warning(repeat: str) -> None:
    raw = f"---\ntitle: Ferry\ntags: [ferry, lake]\n{repeat}---\nBody\n".encode()
    a, (warning,) = parse_warned(raw)
    assert a.tags == ("ferry", "lake")
    assert (warning.severity, warning.code, warning.line) == (
        "warning", "front-matter-duplicate", 4)
    assert warning.message == "tags given twice at lines 3 and 4, with the same value"


@pytest.mark.parametrize("repeat", [
    "tags: [ferry]\n", "tags: [lake, ferry]\n", "tags: ferry, lake\n", "title: '1'\n"])
def test_a_key_repeated_with_another_value_is_an_error(repeat: str) -> None:
    raw = f"---\ntitle: Ferry\ntags: [ferry, lake]\n{repeat}---\nBody\n".encode()
    with pytest.raises(SourceError) as info:
        parse_warned(raw)
    (problem,) = info.value.diagnostics
    assert problem.code == "front-matter-duplicate" and problem.severity == "error"
    assert problem.line == 4


def test_pelican_authors_are_comma_separated() -> None:
    a = parse(b"Title: Ferry\nDate: 2023-01-29 10:00\nAuthors: Ann Lee, Bo Kim\n\nBody\n",
              "content/ferry.md")
    assert a.author == "Ann Lee and Bo Kim"
    one = parse(b"Title: Ferry\nDate: 2023-01-29 10:00\nAuthor: Lee, Ann\n\nBody\n",
                "content/ferry.md")
    assert one.author == "Lee, Ann"


def test_keys_in_another_case_read_as_the_field() -> None:
    """Pelican (its YAML-metadata plugin) and Hugo read keys whatever their
    case: ``Title:``, ``Date:``, ``Tags:``, ``Modified:`` mean the fields; a
    theme's own key keeps its case, and a key also written in digest's case
    keeps that value."""
    raw = (b"---\nTitle: Plugins move house\nDate: 2021-02-15\nModified: 2022-06-22\n"
           b"Tags: [plugins]\nMyWidget: true\n---\nBody\n")
    a = parse(raw, "content/news/namespace-plugins.md")
    assert a.title == "Plugins move house"
    assert a.date.date().isoformat() == "2021-02-15"
    assert a.updated and a.updated.date().isoformat() == "2022-06-22"
    assert a.tags == ("plugins",) and a.extra.get("MyWidget") is True
    assert jekyll("Title: Shouting\n").title == "Ferry"


def test_a_body_opening_with_a_heading_gives_the_missing_title() -> None:
    """GitHub Pages (jekyll-titles-from-headings, on by default there) takes a
    page's title from its first heading when the front matter has none: the
    heading leaves the body, its line stays so that line numbers hold."""
    raw = b"---\npermalink: /docs/rendering/\n---\n\n# Rendering Process\n\nThe *steps*.\n"
    page = parse(raw, "content/docs/rendering.md")
    assert page.title == "Rendering Process"
    assert "Rendering Process" not in page.body and page.body.lstrip().startswith("The *steps*")
    assert page.body.count("\n") == raw.decode().split("---\n", 2)[2].count("\n")
    # a title in the front matter wins, and the heading stays in the body
    kept = parse(b"---\ntitle: Steps\ndate: 2024-01-02\n---\n# Rendering\n", "content/a.md")
    assert kept.title == "Steps" and "# Rendering" in kept.body
    # no heading first: still an error naming the file
    with pytest.raises(SourceError) as info:
        parse(b"---\ndate: 2024-01-02\n---\nText first.\n# Later\n", "content/b.md")
    assert "title is missing" in info.value.diagnostics[0].message
