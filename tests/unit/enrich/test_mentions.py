"""digest.site.enrich.mentions: agency trailer headlines linked to site articles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

import pytest

from digest.site.enrich.mentions import normalize_title, resolve_mentions
from digest.site.records import Article, Mention

BASE = datetime(2024, 12, 20, 10, 0, tzinfo=UTC)


def make(slug: str, title: str, *, days: float = 0, mentions: tuple[Mention, ...] = ()) -> Article:
    return Article(path=PurePosixPath(f"content/{slug}.md"), kind="clipping", title=title,
                   date=BASE + timedelta(days=days), slug=slug, body="", url=f"/{slug}/",
                   mentions=mentions)


def mention(title: str, days: float | None = 0) -> Mention:
    return Mention(title=title, date=None if days is None else BASE + timedelta(days=days))


@pytest.mark.parametrize(("site_title", "trailer_title"), [
    ("Lukashenko: “We’re ready” — talks in Minsk", 'LUKASHENKO: "We\'re ready" - talks in Minsk.'),
    ("Путин: «Мы готовы к переговорам»", 'путин: "мы готовы к переговорам"'),
    ("Talks resume – with conditions", "Talks resume—with conditions"),
    ("Talks   resume\tin  Minsk", "talks resume in minsk!"),
    ("Новый налог на ёлки", "Новый налог на елки"),
])
def test_titles_match_across_quotes_dashes_case_and_spacing(site_title: str,
                                                            trailer_title: str) -> None:
    assert normalize_title(site_title) == normalize_title(trailer_title)
    target = make("target", site_title, days=-1)
    clipping = make("clip", "Something else", mentions=(mention(trailer_title),))
    out = resolve_mentions((target, clipping))
    assert out[1].mentions[0].url == "/target/"
    assert out[1].mentions[0].title == trailer_title  # the display title is untouched


def test_unmatched_mentions_keep_no_url() -> None:
    clipping = make("clip", "Something", mentions=(mention("Nothing like it"),))
    out = resolve_mentions((make("other", "Another headline"), clipping))
    assert out[1].mentions[0].url is None
    assert out[1] is clipping  # nothing changed, the record is reused


def test_several_matches_pick_the_closest_in_date() -> None:
    arts = (make("early", "Weekly briefing", days=-30), make("late", "Weekly briefing", days=-2),
            make("future", "Weekly briefing", days=10),
            make("clip", "Digest", mentions=(mention("Weekly briefing", days=-3),
                                             mention("Weekly briefing", days=-29))))
    found = resolve_mentions(arts)[3].mentions
    assert [m.url for m in found] == ["/late/", "/early/"]


def test_undated_mention_uses_the_clipping_date() -> None:
    arts = (make("early", "Weekly briefing", days=-30), make("late", "Weekly briefing", days=-2),
            make("clip", "Digest", days=-1, mentions=(mention("Weekly briefing", days=None),)))
    assert resolve_mentions(arts)[2].mentions[0].url == "/late/"


def test_a_mention_never_links_to_its_own_article() -> None:
    clip = make("clip", "Weekly briefing", mentions=(mention("Weekly briefing"),))
    assert resolve_mentions((clip,))[0].mentions[0].url is None


def test_trailing_punctuation_only() -> None:
    assert normalize_title("Is it over?!") == "is it over"
    assert normalize_title("U.S. talks") == "u.s. talks"
    assert normalize_title("  ") == ""
