"""digest.site.enrich.related: related links, earlier/later, pins, determinism."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from digest.site.config import SiteConfig
from digest.site.enrich.related import relate
from digest.site.records import Article

BASE = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
CONFIG = SiteConfig()


def make(slug: str, *, days: float = 0, body: str = "", tags: tuple[str, ...] = (),
         terms: dict[str, tuple[str, ...]] | None = None, **kw: Any) -> Article:
    """An article with defaults; ``terms`` defaults to ``{"tags": tags}``."""
    kw.setdefault("title", slug.replace("-", " ").capitalize())
    return Article(path=PurePosixPath(f"content/{slug}.md"), kind="markdown",
                   date=BASE + timedelta(days=days), slug=slug, body=body,
                   url=f"/{slug}/", terms=terms if terms is not None else {"tags": tags}, **kw)


def words(rng: random.Random, n: int) -> list[str]:
    """Invented letter-only words (the tokenizer drops digits)."""
    return ["".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
            for _ in range(n)]


def corpus(n: int = 36, seed: int = 7) -> tuple[Article, ...]:
    """Three topics with their own vocabulary and tag, plus shared filler."""
    rng = random.Random(seed)
    vocab = [words(rng, 15) for _ in range(3)]
    filler = words(rng, 60)
    out = []
    for i in range(n):
        topic = i % 3
        body = " ".join(rng.choice(vocab[topic]) if rng.random() < 0.4 else rng.choice(filler)
                        for _ in range(120))
        out.append(make(f"a{chr(97 + topic)}-{i:02d}", days=rng.randint(0, 60), body=body,
                        tags=(f"topic{chr(97 + topic)}",), title=f"Story {chr(97 + topic)}"))
    return tuple(out)


def by_url(articles: tuple[Article, ...]) -> dict[str, Article]:
    return {a.url: a for a in articles}


def test_empty_input() -> None:
    assert relate((), CONFIG) == ()


def test_output_keeps_input_order_and_fills_fields() -> None:
    arts = corpus()
    out = relate(arts, CONFIG)
    assert [a.url for a in out] == [a.url for a in arts]
    assert all(len(a.related) == 5 for a in out)


def test_never_relates_to_itself_and_finds_its_topic() -> None:
    out = relate(corpus(), CONFIG)
    for art in out:
        assert art.url not in art.related
        # slug prefix "aa-", "ab-", "ac-" is the topic
        assert all(url[1:3] == art.url[1:3] for url in art.related), art


def test_shuffled_input_gives_same_lists() -> None:
    arts = corpus()
    expected = {a.url: (a.related, a.earlier, a.later) for a in relate(arts, CONFIG)}
    for seed in range(3):
        shuffled = list(arts)
        random.Random(seed).shuffle(shuffled)
        got = {a.url: (a.related, a.earlier, a.later) for a in relate(tuple(shuffled), CONFIG)}
        assert got == expected


def test_related_count_from_config() -> None:
    out = relate(corpus(), SiteConfig(related_count=2))
    assert all(len(a.related) == 2 for a in out)


def test_ties_newer_first_then_url() -> None:
    body = "harbour cranes strike velmora dockers wages"
    arts = (
        make("main", days=0, body=body, title="Harbour strike", tags=("ports",)),
        make("older", days=-3, body=body, title="Harbour strike", tags=("ports",)),
        make("newer", days=3, body=body, title="Harbour strike", tags=("ports",)),
        make("same-b", days=10, body=body, title="Harbour strike", tags=("ports",)),
        make("same-a", days=10, body=body, title="Harbour strike", tags=("ports",)),
    )
    main = by_url(relate(arts, CONFIG))["/main/"]
    # older and newer are equally close: the newer wins; then same-a/same-b
    # (equal dates) by URL.
    assert main.related == ("/newer/", "/older/", "/same-a/", "/same-b/")


def test_earlier_and_later_split() -> None:
    body = "harbour cranes strike velmora dockers wages"
    arts = tuple(make(f"d{d + 10:02d}", days=d, body=body, title="Harbour strike")
                 for d in (-10, -2, 0, 1, 5))
    mid = by_url(relate(arts, CONFIG))["/d10/"]
    assert set(mid.related) == {"/d00/", "/d08/", "/d11/", "/d15/"}
    assert mid.earlier == ("/d08/", "/d00/")  # newest first
    assert mid.later == ("/d11/", "/d15/")  # oldest first


def test_pins_first_in_order_and_exclude_removes() -> None:
    arts = corpus()
    target = arts[0]  # topic a
    plain = by_url(relate(arts, CONFIG))[target.url]
    other_topic = [a.slug for a in arts if a.slug[:2] == "ab"][:2]
    pinned = make(target.slug, days=(target.date - BASE).days, body=target.body,
                  title=target.title, tags=("topica",),
                  related_pins=(other_topic[1], "no-such-slug", target.slug, other_topic[0]),
                  related_exclude=(plain.related[0][1:-1],))
    out = by_url(relate((pinned, *arts[1:]), CONFIG))[target.url]
    assert out.related[:2] == (f"/{other_topic[1]}/", f"/{other_topic[0]}/")
    assert plain.related[0] not in out.related
    assert len(out.related) == 5
    assert target.url not in out.related


def test_excluded_pin_is_not_listed() -> None:
    arts = corpus()
    pin = arts[5].slug
    first = make(arts[0].slug, days=(arts[0].date - BASE).days, body=arts[0].body,
                 tags=("topica",), related_pins=(pin,), related_exclude=(pin,))
    out = relate((first, *arts[1:]), CONFIG)[0]
    assert f"/{pin}/" not in out.related


def _tag_corpus(extra: dict[str, tuple[str, ...]]) -> tuple[Article, ...]:
    """Twelve articles with disjoint bodies (no text similarity), same date."""
    rng = random.Random(3)
    names = ["main", "rare-mate", "common-mate", *(f"filler-{i}" for i in range(9))]
    return tuple(make(name, body=" ".join(words(rng, 40)), title=" ".join(words(rng, 3)),
                      tags=extra.get(name, ())) for name in names)


def test_rarer_terms_weigh_more() -> None:
    tags = {"main": ("rare", "common"), "rare-mate": ("rare",), "common-mate": ("common",),
            "filler-0": ("common",), "filler-1": ("common",), "filler-2": ("common",)}
    main = by_url(relate(_tag_corpus(tags), CONFIG))["/main/"]
    assert main.related[0] == "/rare-mate/"
    assert "/common-mate/" in main.related


def test_terms_on_most_articles_weigh_nothing() -> None:
    tags = {name: ("everywhere",) for name in
            ["main", "common-mate", *(f"filler-{i}" for i in range(6))]}  # 8 of 12
    out = relate(_tag_corpus(tags), CONFIG)
    assert all(a.related == () for a in out)


def test_sources_taxonomy_does_not_count() -> None:
    terms = {"sources": ("Northwind Wire",)}
    rng = random.Random(5)
    arts = tuple(make(f"s{i}", body=" ".join(words(rng, 40)), terms=terms) for i in range(12))
    assert all(a.related == () for a in relate(arts, CONFIG))


def test_all_taxonomies_count() -> None:
    tags = {"main": (), "rare-mate": ()}
    arts = list(_tag_corpus(tags))
    arts[0] = make("main", body=arts[0].body, terms={"people": ("Ilse Korhonen",)})
    arts[1] = make("rare-mate", body=arts[1].body, terms={"people": ("Ilse Korhonen",)})
    main = by_url(relate(tuple(arts), CONFIG))["/main/"]
    assert main.related == ("/rare-mate/",)


def test_one_link_per_story_and_none_to_also_reported() -> None:
    body = "harbour cranes strike velmora dockers wages"
    arts = (
        make("main", body=body, title="Harbour strike", also_reported=("/twin/",),
             story="story-twin"),
        make("twin", days=0.1, body=body, title="Harbour strike", story="story-twin"),
        make("s1", days=-1, body=body, title="Harbour strike", story="story-s1"),
        make("s2", days=-1.1, body=body, title="Harbour strike", story="story-s1"),
        make("lone", days=-20, body=body, title="Harbour strike"),
    )
    main = by_url(relate(arts, CONFIG))["/main/"]
    assert main.related == ("/s1/", "/lone/")
