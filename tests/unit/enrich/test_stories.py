"""digest.site.enrich.stories: one event reported by several sources."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from digest.site.config import SiteConfig
from digest.site.enrich.stories import cluster_stories
from digest.site.records import Article

BASE = datetime(2024, 3, 12, 9, 0, tzinfo=UTC)
CONFIG = SiteConfig()

FLOOD_REUTERS = (
    "Velmora floods force evacuation of lower districts",
    "The river Dran burst its banks in Velmora overnight, flooding the lower districts and "
    "forcing the evacuation of about two thousand residents. Mayor Ilse Korhonen said "
    "emergency shelters had opened in schools and the sports hall. Rescue crews used boats "
    "to reach families stranded on rooftops near the old tannery. Forecasters expect more "
    "rain over the Dran valley until Thursday, and the regional water authority warned "
    "that the Kessel dam upstream was close to capacity.",
)
FLOOD_AP = (
    "Thousands evacuated as Dran floods Velmora",
    "About two thousand residents of Velmora were evacuated after the Dran river broke "
    "its banks overnight and flooded the lower districts, mayor Ilse Korhonen said. Boats "
    "from rescue crews reached families stranded on rooftops by the old tannery, and "
    "schools and the sports hall opened as emergency shelters. More rain is forecast for "
    "the Dran valley until Thursday; the water authority said the Kessel dam upstream "
    "was near capacity.",
)
FLOOD_REUTERS_UPDATE = (
    "Velmora flood: Kessel dam holds as Dran river recedes",
    "The Kessel dam above Velmora held overnight and the Dran river began to recede, the "
    "regional water authority said, as evacuated residents of the lower districts waited "
    "in emergency shelters in schools and the sports hall. Mayor Ilse Korhonen said rescue "
    "crews and boats would stay near the old tannery until the flooding eased.",
)
# Same place, same topic tags, a different event.
FLOOD_INSURANCE = (
    "Insurers review Velmora flood defence premiums",
    "Insurers in the province said they would review premiums for homeowners along "
    "riverbanks after a study of flood defences commissioned by the chamber of commerce. "
    "Brokers expect underwriters to demand new levees, pumping stations and drainage "
    "surveys before renewing household policies next spring, and small businesses fear "
    "higher costs for warehouse cover.",
)
TERMS = {"places": ("Velmora",), "topics": ("floods",), "sources": ()}


def make(slug: str, text: tuple[str, str], *, hours: float = 0, source: str | None = None,
         terms: dict[str, tuple[str, ...]] | None = None, **kw: Any) -> Article:
    title, body = text
    return Article(path=PurePosixPath(f"content/{slug}.md"), kind="clipping", title=title,
                   date=BASE + timedelta(hours=hours), slug=slug, body=body, source=source,
                   url=f"/{slug}/", terms=TERMS if terms is None else terms, **kw)


def background(n: int = 6) -> list[Article]:
    """Unrelated articles, so that idf has something to contrast with."""
    rng = random.Random(11)
    vocab = ("budget parliament minister election coalition tariff exports harvest grain "
             "orchestra festival museum league match striker railway tunnel bridge").split()
    return [make(f"bg-{i}", (f"Background {i}", " ".join(rng.choices(vocab, k=80))),
                 hours=-200 + i * 30, source="Gazette", terms={"topics": ("misc",)})
            for i in range(n)]


def by_slug(articles: tuple[Article, ...]) -> dict[str, Article]:
    return {a.slug: a for a in articles}


def test_two_agencies_rewriting_one_event_cluster() -> None:
    arts = (make("flood-reuters", FLOOD_REUTERS, source="Reuters"),
            make("flood-ap", FLOOD_AP, hours=2, source="AP"), *background())
    out = by_slug(cluster_stories(tuple(arts), CONFIG))
    assert out["flood-reuters"].story == out["flood-ap"].story == "story-flood-reuters"
    assert out["flood-reuters"].also_reported == ("/flood-ap/",)
    assert out["flood-ap"].also_reported == ("/flood-reuters/",)


def test_singletons_have_no_story() -> None:
    out = cluster_stories(tuple(background()), CONFIG)
    assert all(a.story is None and a.also_reported == () for a in out)


def test_different_events_on_the_same_topic_do_not_merge() -> None:
    arts = (make("flood-reuters", FLOOD_REUTERS, source="Reuters"),
            make("insurance", FLOOD_INSURANCE, hours=5, source="AP"), *background())
    out = by_slug(cluster_stories(tuple(arts), CONFIG))
    assert out["flood-reuters"].story is None
    assert out["insurance"].story is None


def test_same_source_is_never_also_reported() -> None:
    arts = (make("flood-reuters", FLOOD_REUTERS, source="Reuters"),
            make("flood-ap", FLOOD_AP, hours=2, source="AP"),
            make("flood-update", FLOOD_REUTERS_UPDATE, hours=20, source="reuters"),
            *background())
    out = by_slug(cluster_stories(tuple(arts), CONFIG))
    assert out["flood-update"].story == "story-flood-reuters"
    assert out["flood-reuters"].also_reported == ("/flood-ap/",)
    assert out["flood-update"].also_reported == ("/flood-ap/",)
    assert out["flood-ap"].also_reported == ("/flood-reuters/", "/flood-update/")  # oldest first


def test_same_source_alone_is_not_a_story() -> None:
    arts = (make("flood-reuters", FLOOD_REUTERS, source="Reuters"),
            make("flood-copy", FLOOD_AP, hours=2, source="Reuters"), *background())
    out = by_slug(cluster_stories(tuple(arts), CONFIG))
    assert out["flood-reuters"].story is None and out["flood-copy"].story is None


def test_reports_far_apart_in_time_do_not_cluster() -> None:
    arts = (make("flood-reuters", FLOOD_REUTERS, source="Reuters"),
            make("flood-ap", FLOOD_AP, hours=24 * 10, source="AP"), *background())
    out = by_slug(cluster_stories(tuple(arts), CONFIG))
    assert out["flood-ap"].story is None


def test_threshold_comes_from_config() -> None:
    arts = (make("flood-reuters", FLOOD_REUTERS, source="Reuters"),
            make("flood-ap", FLOOD_AP, hours=2, source="AP"), *background())
    out = by_slug(cluster_stories(tuple(arts), SiteConfig(story_threshold=0.99)))
    assert out["flood-ap"].story is None


def test_text_alone_when_no_terms() -> None:
    arts = (make("flood-reuters", FLOOD_REUTERS, source="Reuters", terms={}),
            make("flood-ap", FLOOD_AP, hours=2, source="AP", terms={}), *background())
    out = by_slug(cluster_stories(tuple(arts), CONFIG))
    assert out["flood-ap"].story == "story-flood-reuters"


def test_shuffled_input_gives_same_stories() -> None:
    arts = [make("flood-reuters", FLOOD_REUTERS, source="Reuters"),
            make("flood-ap", FLOOD_AP, hours=2, source="AP"),
            make("flood-update", FLOOD_REUTERS_UPDATE, hours=20, source="Reuters"),
            make("insurance", FLOOD_INSURANCE, hours=5, source="AP"), *background()]
    expected = {a.url: (a.story, a.also_reported) for a in cluster_stories(tuple(arts), CONFIG)}
    for seed in range(3):
        random.Random(seed).shuffle(arts)
        out = cluster_stories(tuple(arts), CONFIG)
        assert [a.url for a in out] == [a.url for a in arts]  # input order kept
        assert {a.url: (a.story, a.also_reported) for a in out} == expected


def test_empty_input() -> None:
    assert cluster_stories((), CONFIG) == ()
