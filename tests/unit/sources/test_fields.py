"""digest.site.sources.fields: front-matter fields -> Article, all problems at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digest.errors import Diagnostic, SourceError
from digest.site.config import SiteConfig, TaxonomyConfig
from digest.site.records import Article, Mention
from digest.site.sources.fields import article_from_fields, unknown_key_warnings

MINSK = ZoneInfo("Europe/Minsk")
CONFIG = SiteConfig(timezone="Europe/Minsk", taxonomies=(
    TaxonomyConfig(name="topics", title="Topics"),
    TaxonomyConfig(name="people", title="People"),
    TaxonomyConfig(name="sections", title="Sections"),
    TaxonomyConfig(name="tags", title="Tags"),
))
BASE = {"title": "Talks in Minsk", "date": "2024-12-20"}


def make(data: dict[str, Any], **kw: Any) -> Article:
    args: dict[str, Any] = {"path": "content/a.md", "kind": "markdown", "body": "Body",
                            "body_line": 5, "key_lines": {}, "config": CONFIG}
    args.update(kw)
    return article_from_fields(data, **args)


def errors(data: dict[str, Any], **kw: Any) -> list[Diagnostic]:
    with pytest.raises(SourceError) as info:
        make(data, **kw)
    return info.value.diagnostics


def test_minimal_article() -> None:
    a = make(BASE)
    assert a.title == "Talks in Minsk" and a.slug == "talks-in-minsk"
    assert a.date == datetime(2024, 12, 20, tzinfo=MINSK)
    assert a.kind == "markdown" and str(a.path) == "content/a.md"
    assert a.body == "Body" and a.body_line == 5
    assert a.extra == {} and a.tags == () and a.draft is False


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-12-20T10:32:00+03:00",
     datetime(2024, 12, 20, 10, 32, tzinfo=timezone(timedelta(hours=3)))),
    ("2024-12-20 10:32", datetime(2024, 12, 20, 10, 32, tzinfo=MINSK)),
    ("2024-12-20", datetime(2024, 12, 20, tzinfo=MINSK)),
    ("2016-3-21", datetime(2016, 3, 21, tzinfo=MINSK)),
    ("2019-03-01 10:00:00 -0800", datetime(2019, 3, 1, 10, tzinfo=timezone(timedelta(hours=-8)))),
    ("2024-12-20T07:32:00Z", datetime(2024, 12, 20, 7, 32, tzinfo=UTC)),
    ("2024-12-20 10:32:05.250", datetime(2024, 12, 20, 10, 32, 5, 250000, tzinfo=MINSK)),
])
def test_accepted_date_forms(text: str, expected: datetime) -> None:
    got = make({**BASE, "date": text}).date
    assert got == expected and got.utcoffset() == expected.utcoffset()


def test_date_objects_are_accepted() -> None:
    assert make({**BASE, "date": date(2024, 1, 2)}).date == datetime(2024, 1, 2, tzinfo=MINSK)
    naive = datetime(2024, 1, 2, 3, 4)
    assert make({**BASE, "date": naive}).date == naive.replace(tzinfo=MINSK)
    aware = datetime(2024, 1, 2, tzinfo=UTC)
    assert make({**BASE, "date": aware}).date is aware


def test_default_tz_overrides_site_timezone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    a = make({**BASE, "date": "2024-12-20 10:00"}, default_tz=tokyo)
    assert a.date.tzinfo is tokyo


@pytest.mark.parametrize("value", ["2024-02-30", "yesterday", "2024-13-01", "20/12/2024",
                                   "2024-12-20 25:00", "2024-12-20T10:00+24:00", True, 2024])
def test_bad_dates_name_the_field_line_and_forms(value: Any) -> None:
    (diag,) = errors({**BASE, "date": value}, key_lines={"title": 2, "date": 3})
    assert diag.message.startswith("date:") and diag.line == 3
    assert "2024-12-20T10:32:00+03:00" in (diag.hint or "")


def test_updated_is_parsed_like_date() -> None:
    assert make({**BASE, "updated": "2024-12-21 09:00"}).updated == datetime(
        2024, 12, 21, 9, tzinfo=MINSK)
    (diag,) = errors({**BASE, "updated": "soon"})
    assert diag.message.startswith("updated:")


def test_missing_title_and_date_are_reported_together() -> None:
    diags = errors({"tittle": "x"}, key_lines={"tittle": 2})
    assert [d.message.split(" (")[0] for d in diags] == ["title is missing", "date is missing"]
    assert diags[1].message.endswith("(looked for date, publishDate, pubdate, published, "
                                     "lastmod, modified and a YYYY-MM-DD-slug.md file name)")
    assert "did you mean 'title'" in (diags[0].hint or "")


def test_empty_and_non_text_title() -> None:
    assert errors({**BASE, "title": None})[0].message == "title is empty"
    assert errors({**BASE, "title": "  "})[0].message == "title is empty"
    msg = errors({**BASE, "title": False})[0].message
    assert msg.startswith("title must be text, not the boolean false")


def test_text_fields() -> None:
    a = make({**BASE, "source": "BelTA", "author": " Ann ", "summary": "S", "id": "x-1",
              "section": "Politics", "photo_credit": "AP"})
    assert (a.source, a.author, a.summary, a.id, a.section, a.photo_credit) == (
        "BelTA", "Ann", "S", "x-1", "Politics", "AP")
    (diag,) = errors({**BASE, "id": 12345}, key_lines={"id": 4})
    assert diag.message.startswith("id must be text") and diag.line == 4


def test_tags_list_or_comma_string() -> None:
    assert make({**BASE, "tags": ["Energy", " Minsk", "Energy", 2024]}).tags == (
        "Energy", "Minsk", "2024")
    assert make({**BASE, "tags": "Energy, Minsk,,"}).tags == ("Energy", "Minsk")
    assert "tags: item 2" in errors({**BASE, "tags": ["a", False]})[0].message
    assert "tags must be a list" in errors({**BASE, "tags": {"a": 1}})[0].message


@pytest.mark.parametrize("url", ["https://belta.by/x?a=1", "http://example.org/",
                                 "mailto:desk@example.org"])
def test_allowed_source_urls(url: str) -> None:
    assert make({**BASE, "source_url": url}).source_url == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)",
                                 "java\nscript:alert(1)", "data:text/html,<script>",
                                 "file:///etc/passwd", "vbscript:x", "/relative/path",
                                 "http:no-host"])
def test_rejected_source_urls(url: str) -> None:
    (diag,) = errors({**BASE, "source_url": url}, key_lines={"source_url": 6})
    assert diag.message.startswith("source_url") and diag.line == 6


def test_image_allows_site_paths_but_not_scripts() -> None:
    assert make({**BASE, "image": "/img/a.jpg"}).image == "/img/a.jpg"
    assert make({**BASE, "image": "https://x.org/a.jpg"}).image == "https://x.org/a.jpg"
    assert errors({**BASE, "image": "javascript:alert(1)"})[0].message.startswith("image")


def test_slug_default_and_explicit() -> None:
    assert make({**BASE, "title": "Лукашенко: «Мир»"}).slug == "лукашенко-мир"
    assert make({**BASE, "slug": "my-slug"}).slug == "my-slug"


@pytest.mark.parametrize(("slug", "problem"), [
    ("../../x", "one path segment"), ("/abs", "one path segment"), ("CON", "reserved"),
    ("aux", "reserved"), ("a\x00b", "one path segment"), (".hidden", "start with '.'"),
    ("", "empty"), ("with space", "spaces"),
])
def test_bad_slugs(slug: str, problem: str) -> None:
    (diag,) = errors({**BASE, "slug": slug}, key_lines={"slug": 4})
    assert problem in diag.message and diag.line == 4 and diag.hint


def test_title_that_slugifies_to_nothing() -> None:
    (diag,) = errors({**BASE, "title": "!!!"})
    assert "no usable slug" in diag.message and "slug:" in (diag.hint or "")


def test_draft_must_be_boolean() -> None:
    assert make({**BASE, "draft": True}).draft is True
    assert "draft must be true or false" in errors({**BASE, "draft": "yes"})[0].message


def test_related_pins_and_excludes() -> None:
    a = make({**BASE, "related": ["a-slug", "b-slug"], "related_exclude": "c-slug"})
    assert a.related_pins == ("a-slug", "b-slug") and a.related_exclude == ("c-slug",)


def test_taxonomy_terms_and_removals() -> None:
    a = make({**BASE, "topics": ["Energy", "Energy"], "people": "A. Lukashenko",
              "topics_remove": ["Sport"], "tags_remove": "x", "category": "News",
              "places": ["Minsk"]})
    assert a.terms_add == {"topics": ("Energy",), "people": ("A. Lukashenko",),
                           "sections": ("News",)}
    assert a.terms_remove == {"topics": ("Sport",), "tags": ("x",)}
    assert a.extra == {"places": ["Minsk"]}  # not a configured taxonomy


def test_category_merges_with_sections() -> None:
    a = make({**BASE, "category": "News", "sections": ["Politics"]})
    assert a.terms_add == {"sections": ("News", "Politics")}


def test_year_is_validated_and_kept() -> None:
    assert make({**BASE, "year": 2019}).extra == {"year": 2019}
    assert "not a year" in errors({**BASE, "year": "2019"})[0].message
    assert "not a year" in errors({**BASE, "year": True})[0].message


def test_unknown_keys_go_to_extra() -> None:
    a = make({**BASE, "layout": "wide", "params": {"x": [1, 2]}})
    assert a.extra == {"layout": "wide", "params": {"x": [1, 2]}}


def test_data_wins_over_defaults() -> None:
    mention = Mention(title="Earlier", date=None)
    a = make({"title": "From front matter"}, defaults={
        "title": "From clipping", "date": "2024-01-05 08:00", "source": "BelTA",
        "mentions": (mention,), "year_inferred": True}, kind="clipping")
    assert a.title == "From front matter" and a.source == "BelTA" and a.kind == "clipping"
    assert a.mentions == (mention,) and a.year_inferred is True
    assert a.date == datetime(2024, 1, 5, 8, tzinfo=MINSK)


def test_mentions_in_front_matter_are_refused() -> None:
    assert "mentions" in errors({**BASE, "mentions": ["x"]})[0].message


def test_every_problem_of_a_file_is_collected_in_line_order() -> None:
    data = {"title": None, "date": "yesterday", "slug": "../x", "source_url": "javascript:x",
            "draft": "maybe"}
    lines = {"title": 2, "date": 3, "slug": 4, "source_url": 5, "draft": 6}
    diags = errors(data, key_lines=lines)
    assert [d.line for d in diags] == [2, 3, 4, 5, 6]
    assert all(d.path == "content/a.md" and d.severity == "error" and d.hint for d in diags)


def test_unknown_key_warnings_suggest_known_keys() -> None:
    (warn,) = unknown_key_warnings({"sumary": "x", "layout": "y"}, path="a.md",
                                   key_lines={"sumary": 3}, config=CONFIG)
    assert warn.severity == "warning" and warn.line == 3 and "summary" in (warn.hint or "")
