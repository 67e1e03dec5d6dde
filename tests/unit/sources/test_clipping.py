"""Raw agency clippings -> Article: shape, agency, dates, body escaping, errors."""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from digest.errors import SourceError
from digest.site.config import AgencyConfig, SiteConfig
from digest.site.records import SourceDoc
from digest.site.slugs import slugify
from digest.site.sources import parse_source
from digest.site.sources.clipping import (
    detect_agency,
    escape_markdown,
    parse_clipping,
    parse_clipping_text,
    split_clipping,
)
from tests.tools import shared_file

CONFIG = SiteConfig(timezone="UTC", agencies=(
    AgencyConfig(name="BelTA", timezone="Europe/Minsk",
                 aliases=("Belarusian Telegraph Agency",)),))
MINSK = ZoneInfo("Europe/Minsk")
UTC = ZoneInfo("UTC")
NOW = datetime(2024, 12, 21, 12, 0, tzinfo=MINSK)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "clippings"
COMMONMARK = MarkdownIt("commonmark", {"html": False})




def at(*args: int, tz: ZoneInfo = MINSK) -> datetime:
    return datetime(*args, tzinfo=tz)


def doc(raw: bytes, name: str = "clip.txt") -> SourceDoc:
    return SourceDoc(rel_path=PurePosixPath("content/clippings") / name, raw=raw)


def parse_file(name: str, now: datetime = NOW):
    return parse_clipping(doc((FIXTURES / name).read_bytes(), name), CONFIG, now=now)


def parse_bytes(raw: bytes, now: datetime = NOW):
    return parse_clipping(doc(raw), CONFIG, now=now)


def error_of(raw: bytes, now: datetime = NOW):
    with pytest.raises(SourceError) as info:
        parse_bytes(raw, now)
    (diag,) = info.value.diagnostics
    return diag


# --------------------------------------------------------------------------- whole files

def test_sample_shape() -> None:
    art = parse_file("union_state.txt")
    assert art.kind == "clipping"
    assert art.path == PurePosixPath("content/clippings/union_state.txt")
    assert art.title == "Minsk and Moscow agree on a shared grain logistics plan"
    assert art.date.isoformat() == "2024-12-20T10:32:00+03:00"
    assert art.year_inferred is True
    assert art.photo_credit == "BelTA"  # trailing space on the line is not part of it
    assert art.source == "BelTA"
    assert art.section == "Union State"
    assert art.slug == slugify(art.title)
    assert art.body_line == 7
    assert art.body.count("\n\n") == 2 and "BelTA reports." in art.body
    assert [(m.title, m.date, m.year_inferred, m.url) for m in art.mentions] == [
        ("Belarus and Kaluga Oblast look at joint machine-tool projects",
         at(2024, 11, 6, 9, 47), True, None),
        # after 6 November, 28 December is the previous year's
        ("Union State budget for the next year passes first reading",
         at(2023, 12, 28, 18, 5), True, None),
        ("Border regions forum names its next host city", at(2023, 10, 3, 12, 0), True, None),
    ]


@pytest.mark.shared
def test_real_sample_file() -> None:
    # tests/fixtures/clippings/union_state.txt and minsk_briefing.txt have its
    # shape (the fixture variants run in every clone); this reads the real one.
    sample = shared_file("seed/000_e2102479b7b3cc22.txt")
    art = parse_clipping(doc(sample.read_bytes(), sample.name), CONFIG,
                         now=datetime(2024, 12, 21, 12, 0, tzinfo=MINSK))
    assert art.title == "Lukashenko explains importance of cooperation with Russia for Belarus"
    assert art.date.isoformat() == "2024-12-20T10:32:00+03:00"
    assert art.year_inferred is True
    assert art.photo_credit == "BelTA"
    assert art.source == "BelTA"
    assert art.section == "Union State"
    assert [m.date.date().isoformat() for m in art.mentions] == [
        "2024-11-06", "2024-11-05", "2024-11-05", "2024-10-18"]
    assert all(m.year_inferred and m.url is None for m in art.mentions)
    assert "Other materials" not in art.body


def test_no_photo_and_explicit_year() -> None:
    art = parse_file("no_photo_explicit_year.txt")
    assert art.date == at(2023, 3, 3, 14, 20)
    assert art.year_inferred is False
    assert art.photo_credit is None
    assert art.source == "BelTA"  # "has learned"
    assert art.section is None and art.mentions == ()
    assert art.body_line == 5


def test_31_december_read_in_january_rolls_back_a_year() -> None:
    art = parse_file("new_year.txt", now=at(2025, 1, 2, 9, 0))
    # Sputnik is not configured: its datelines are read in the site zone (UTC).
    assert art.source == "Sputnik"
    assert art.date == at(2024, 12, 31, 23, 40, tz=UTC)
    assert art.date.isoformat() == "2024-12-31T23:40:00+00:00"


@pytest.mark.parametrize("now", [at(2025, 3, 10, 12, 0), at(2024, 3, 1, 0, 0)])
def test_29_february(now: datetime) -> None:
    art = parse_file("leap_day.txt", now=now)
    assert art.date == at(2024, 2, 29, 8, 15)
    assert art.source == "BelTA"  # "according to BelTA"


def test_crlf_with_bom_fixture() -> None:
    raw = (FIXTURES / "crlf_bom.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # the fixture kept its shape
    art = parse_bytes(raw, now=at(2024, 9, 20))
    assert art.title == "Trade fair in Grodno draws exhibitors from twelve countries"
    assert art.date.isoformat() == "2024-09-09T15:45:00+03:00"
    assert art.photo_credit == "Belarusian Telegraph Agency"
    assert art.source == "BelTA"  # the alias in the credit names the configured agency
    assert "\r" not in art.body and not art.body.endswith(" ")


def test_crlf_bom_and_trailing_spaces_change_nothing() -> None:
    lf = (FIXTURES / "union_state.txt").read_bytes()
    crlf = b"\xef\xbb\xbf" + lf.replace(b"\n", b"  \r\n")
    a, b = parse_bytes(lf), parse_bytes(crlf)
    for name in ("title", "date", "photo_credit", "source", "section", "mentions", "body",
                 "body_line", "slug"):
        assert getattr(a, name) == getattr(b, name), name
    assert not b.title.startswith("\ufeff")


def test_no_trailer_keeps_every_paragraph() -> None:
    art = parse_file("no_photo_explicit_year.txt")
    assert art.body.split("\n\n")[-1] == "Visitors can search the archive by date and by title."


def test_cyrillic_guillemets_and_russian_rubric() -> None:
    art = parse_file("russian.txt", now=at(2024, 5, 1))
    assert art.title == "В Минске открылась выставка «Книга года»"
    assert art.date == at(2024, 4, 14, 11, 5) and art.year_inferred is False
    assert art.photo_credit == "БелТА"
    assert art.source == "BelTA"
    assert art.section == "Культура"
    assert "«праздником для читателей» — вход свободный." in art.body
    assert "сообщает БелТА." in art.body
    ((mention),) = art.mentions
    assert mention.date == at(2024, 4, 2, 16, 40) and mention.year_inferred


def test_markdown_looking_lines_stay_text() -> None:
    text = (FIXTURES / "markdown_lines.txt").read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")[2:]
    art = parse_file("markdown_lines.txt")
    rendered = COMMONMARK.render(art.body)
    for tag in ("<h", "<ul", "<ol", "<li", "<blockquote", "<code", "<pre", "<a ", "<em",
                "<strong", "<hr", "<b>", "<img"):
        assert tag not in rendered, tag
    shown = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", rendered, re.S)]
    assert shown == [p.strip() for p in paragraphs]


def test_unreadable_file_names_file_line_and_block() -> None:
    raw = (FIXTURES / "not_a_clipping.txt").read_bytes()
    diag = error_of(raw)
    assert diag.path == "content/clippings/clip.txt"
    assert diag.line == 3
    assert "dateline (block 2)" in diag.message and "milk, bread" in diag.message
    assert "`10:32, 20 December`" in diag.hint and "date:" in diag.hint
    assert "clip.txt:3: error:" in diag.format()


@pytest.mark.parametrize(
    ("raw", "line", "expected"),
    [
        (b"", 1, "headline"),
        (b"\n\n   \n", 1, "headline"),
        (b"10:32, 20 December\n\nText.\n", 1, "headline (block 1)"),
        (b"Only a headline\n", 1, "end of the file"),
        (b"Headline\n\n10:00, 31 April 2024\n\nText.\n", 3, "bad dateline"),
    ],
)
def test_other_shape_errors(raw: bytes, line: int, expected: str) -> None:
    diag = error_of(raw)
    assert diag.line == line and expected in diag.message


def test_non_utf8_names_the_byte_offset() -> None:
    raw = b"Headline\n\n10:32, 20 December\n\nPrices rose " + b"\x96 sharply.\n"
    diag = error_of(raw)
    assert diag.path == "content/clippings/clip.txt"
    offset = raw.index(b"\x96")
    assert f"byte {offset}" in diag.message and diag.line == 5


# --------------------------------------------------------------------------- front matter

def test_front_matter_year_pins_the_year() -> None:
    raw = b"---\nyear: 2023\n---\n" + (FIXTURES / "union_state.txt").read_bytes()
    art = parse_bytes(raw)
    assert art.date == at(2023, 12, 20, 10, 32) and art.year_inferred is False
    assert art.mentions[0].date == at(2023, 11, 6, 9, 47)
    assert art.body_line == 10
    assert art.extra["year"] == 2023  # kept for themes


def test_front_matter_date_replaces_a_missing_dateline() -> None:
    raw = (b"---\ndate: 2024-06-01T08:00:00+03:00\ntags: [culture]\nslug: my-slug\n---\n"
           b"Museum night draws record crowds\n\nPhoto: BelTA\n\n"
           b"Museums stayed open until midnight, BelTA reports.\n")
    art = parse_bytes(raw)
    assert art.title == "Museum night draws record crowds"
    assert art.date == at(2024, 6, 1, 8, 0) and art.year_inferred is False
    assert art.photo_credit == "BelTA" and art.source == "BelTA"
    assert art.tags == ("culture",) and art.slug == "my-slug"
    assert art.body == "Museums stayed open until midnight, BelTA reports."


def test_front_matter_overrides_parsed_fields() -> None:
    raw = (b"---\ntitle: Curated title\nsource: TASS\nsection: Economy\n---\n"
           + (FIXTURES / "union_state.txt").read_bytes())
    art = parse_bytes(raw)
    assert (art.title, art.source, art.section) == ("Curated title", "TASS", "Economy")
    assert art.slug == "curated-title"
    # TASS has no configured zone: the dateline is read in the site zone.
    assert art.date == at(2024, 12, 20, 10, 32, tz=UTC)


def test_front_matter_date_is_the_reference_for_mentions() -> None:
    raw = b"---\ndate: 2022-12-20T10:32:00+03:00\n---\n" + (
        FIXTURES / "union_state.txt").read_bytes()
    art = parse_bytes(raw)
    assert art.date == at(2022, 12, 20, 10, 32) and art.year_inferred is False
    assert [m.date.year for m in art.mentions] == [2022, 2021, 2021]


# --------------------------------------------------------------------------- structure

def test_trailer_variants() -> None:
    text = ("Headline\n\n10:32, 20 December\n\nBody, BelTA reports.\n\n"
            "Other materials of \"Economy\"\n\nNo dateline here\n\nSecond item\n\n"
            "09:00, 19 December 2021\n\n11:00, 18 December\n\nThird item\n\n"
            "08:00, 1 December\n\nLast without date\n")
    parsed = parse_clipping_text(text, "x.txt", now=NOW, config=CONFIG)
    assert parsed.parts.section == "Economy"
    assert [(m.title, m.date, m.year_inferred) for m in parsed.mentions] == [
        ("No dateline here", None, False),
        ("Second item", at(2021, 12, 19, 9, 0), False),  # explicit year is kept
        ("Third item", at(2021, 12, 1, 8, 0), True),  # previous item is the reference
        ("Last without date", None, False),
    ]


@pytest.mark.parametrize("line", [
    "Other materials of «Union State»", "Other materials of “Union State”",
    'other materials of "Union State"', "Other materials of the rubric «Union State»",
    "Другие материалы рубрики «Union State»",
])
def test_rubric_spellings(line: str) -> None:
    parts = split_clipping(f"H\n\n10:32, 20 December\n\nBody.\n\n{line}\n\nItem\n", "x")
    assert parts.section == "Union State" and parts.paragraphs == ("Body.",)


def test_compact_layout_and_wrapped_headline() -> None:
    parts = split_clipping("A long headline that\nwrapped\n10:32, 20 December\n"
                           "Photo: BelTA\nPhoto: BelTA archive\nFirst.\nSecond.\n", "x")
    assert parts.title == "A long headline that wrapped"
    assert parts.photo_credit == "BelTA"
    assert parts.paragraphs == ("First.", "Second.") and parts.body_line == 6


def test_clipping_without_body_has_an_empty_body() -> None:
    parsed = parse_clipping_text("Headline\n\n10:32, 20 December\n", "x", now=NOW,
                                 config=CONFIG)
    assert parsed.body == "" and parsed.date == at(2024, 12, 20, 10, 32, tz=UTC)


# --------------------------------------------------------------------------- agency

@pytest.mark.parametrize(
    ("paragraph", "credit", "expected"),
    [
        ("Exports grew by a fifth, BelTA reports.", None, "BelTA"),
        ("BelTA has learned that the plant will reopen.", None, "BelTA"),
        ("The plan was approved, BelTA learned from the ministry's press service.", None,
         "BelTA"),
        ("BelTA informs that the road is closed.", None, "BelTA"),
        ("The talks went well, BelTA, citing the press office, reports.", None, "BelTA"),
        ("The harvest is in, according to BelTA.", None, "BelTA"),
        ("The harvest is in, the Belarusian Telegraph Agency reports.", None, "BelTA"),
        ("Урожай собран, сообщает БелТА.", None, "BelTA"),
        ("Prices fell, TASS reported.", None, "TASS"),
        ("Interfax has learned of the deal.", None, "Interfax"),
        ("RIA Novosti reports heavy snow.", None, "RIA Novosti"),
        ("Talks stalled, according to Reuters.", None, "Reuters"),
        ("AP reports a delay.", None, "AP"),
        ("AFP has learned of a delay.", None, "AFP"),
        ("The ministry informs residents.", "BelTA archive", "BelTA"),
        ("The weather was fine.", "Sputnik/Ivan Petrov", "Sputnik"),
        ("The weather was fine.", "Ivan Petrov", None),
        ("The weather was fine.", None, None),
        ("Reuters reports, and BelTA reports too.", None, "Reuters"),  # first phrase wins
    ],
)
def test_detect_agency(paragraph: str, credit: str | None, expected: str | None) -> None:
    assert detect_agency(paragraph, credit, CONFIG.agencies) == expected


def test_agency_normalised_to_configured_name() -> None:
    agencies = (AgencyConfig(name="ТАСС", aliases=("TASS",)),)
    assert detect_agency("Prices fell, TASS reports.", None, agencies) == "ТАСС"


# --------------------------------------------------------------------------- escaping

@pytest.mark.parametrize("line", [
    "# heading", "## h2", "> quote", "- item", "+ item", "* item", "1. one", "2) two",
    "`code`", "<script>x</script>", "<http://example.com>", "[a](b)", "![i](x.png)",
    "_em_", "*em*", "**strong**", "{{ page.title }}", "{% raw %}", "---", "***", "===",
    "&amp; &#169; &copy;", "a \\ b", "~~strike~~", "    indented", "| a | b |",
])
def test_escape_markdown_renders_the_same_text(line: str) -> None:
    rendered = COMMONMARK.render(escape_markdown(line))
    assert rendered.startswith("<p>") and rendered.count("<") == 2, rendered
    assert html.unescape(rendered[3:-5]) == line.strip()


def test_escape_keeps_quotes_guillemets_and_cyrillic() -> None:
    line = "«Мы вместе», — сказал он. \"Quoted\" and ‘single’ quotes."
    assert escape_markdown(line) == line


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")),
               max_size=40))
def test_escape_markdown_property(line: str) -> None:
    if not line.strip():
        return
    rendered = COMMONMARK.render(escape_markdown(line))
    assert re.fullmatch(r"<p>[^<]*</p>\n", rendered), rendered
    assert html.unescape(rendered[3:-5]) == line.strip()


def test_front_matter_date_makes_a_bad_dateline_irrelevant() -> None:
    raw = b"---\ndate: 2024-04-30 09:00\n---\nHeadline\n\n10:00, 31 April 2024\n\nText.\n"
    art = parse_bytes(raw)
    assert art.date == at(2024, 4, 30, 9, 0, tz=UTC)  # no agency: the site zone
    assert art.body == "Text."


def test_bad_front_matter_year_is_reported_with_its_line() -> None:
    raw = b"---\ntitle: T\nyear: twenty\n---\n" + (FIXTURES / "union_state.txt").read_bytes()
    diag = error_of(raw)
    assert diag.line == 3 and "year" in diag.message


def test_front_matter_cannot_set_mentions() -> None:
    raw = b"---\nmentions: [a]\n---\n" + (FIXTURES / "union_state.txt").read_bytes()
    assert "mentions" in error_of(raw).message


def test_a_headline_that_looks_like_a_header_key_stays_a_headline() -> None:
    # frontmatter.split would read "Source: ..." as a Pelican header; clippings
    # only take fenced front matter.
    art = parse_bytes(b"Source: leaked memo was a hoax\n\n10:32, 20 December\n\nText.\n")
    assert art.title == "Source: leaked memo was a hoax"


def test_dispatch_by_suffix() -> None:
    raw = (FIXTURES / "union_state.txt").read_bytes()
    art = parse_source(doc(raw, "a.txt"), CONFIG, now=NOW)
    assert art.kind == "clipping" and art.section == "Union State"


def test_front_matter_year_wins_over_the_dateline_year() -> None:
    raw = (b"---\nyear: 2022\n---\n"
           + (FIXTURES / "no_photo_explicit_year.txt").read_bytes())
    assert parse_bytes(raw).date == at(2022, 3, 3, 14, 20)
