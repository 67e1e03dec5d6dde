"""digest.site.enrich.enrich_site: one copy per record, same fields as the three steps."""

from __future__ import annotations

import random
from dataclasses import fields

from digest.engine.workers import Workers
from digest.site.config import SiteConfig
from digest.site.enrich import SITE_FIELDS, enrich_site
from digest.site.enrich.mentions import resolve_mentions
from digest.site.enrich.related import relate
from digest.site.enrich.stories import cluster_stories
from digest.site.records import Article, Mention
from tests.unit.enrich.test_stories import (
    FLOOD_AP,
    FLOOD_INSURANCE,
    FLOOD_REUTERS,
    FLOOD_REUTERS_UPDATE,
    background,
    make,
)


def corpus() -> list[Article]:
    return [
        make("flood-reuters", FLOOD_REUTERS, source="Reuters"),
        make("flood-ap", FLOOD_AP, hours=2, source="AP",
             mentions=(Mention(title="Insurers review Velmora flood defence premiums.",
                               date=None),)),
        make("flood-update", FLOOD_REUTERS_UPDATE, hours=20, source="Reuters",
             related_pins=("bg-2",)),
        make("insurance", FLOOD_INSURANCE, hours=5, source="AP", related_exclude=("bg-1",),
             story="story-stale", also_reported=("/gone/",)),  # left over: must be reset
        *background(12),
    ]


def stepwise(arts: tuple[Article, ...], config: SiteConfig) -> tuple[Article, ...]:
    return resolve_mentions(relate(cluster_stories(arts, config), config))


def test_enrich_site_matches_the_three_steps() -> None:
    names = [f.name for f in fields(make("x", FLOOD_AP))]
    for config in (SiteConfig(), SiteConfig(related_count=2, story_threshold=0.3)):
        arts = corpus()
        for seed in range(3):
            random.Random(seed).shuffle(arts)
            expected = stepwise(tuple(arts), config)
            got = enrich_site(tuple(arts), config)
            assert [a.url for a in got] == [a.url for a in arts]
            for want, have in zip(expected, got, strict=True):
                assert [getattr(have, n) for n in names] == [getattr(want, n) for n in names]
    out = {a.slug: a for a in enrich_site(tuple(corpus()), SiteConfig())}
    assert out["flood-ap"].story == "story-flood-reuters"
    assert out["insurance"].story is None and out["insurance"].also_reported == ()
    assert out["flood-ap"].mentions[0].url == "/insurance/"
    assert set(SITE_FIELDS) <= set(names)


def test_enrich_site_empty() -> None:
    assert enrich_site((), SiteConfig()) == ()


def test_worker_processes_give_the_same_links() -> None:
    """related_fields spreads articles over forked workers (the fast engine's Workers; pmap runs
    inline below 64 items per worker, hence the size): same links, same order."""
    arts = tuple(corpus() + background(200)[12:])
    assert len(arts) >= 2 * 64
    serial = enrich_site(arts, SiteConfig())
    forked = enrich_site(arts, SiteConfig(), work=Workers(2))
    assert [(a.related, a.earlier, a.later) for a in forked] == \
        [(a.related, a.earlier, a.later) for a in serial]
    assert any(a.related for a in serial)
