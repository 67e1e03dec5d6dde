"""render.early: feed ids and article digests made in a forked process are
the ones render would make itself, errors included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

import pytest

from digest.engine.digests import ParsedFrom, article_digests
from digest.engine.early import start_early
from digest.errors import DigestError
from digest.site.config import parse_config
from digest.site.model import sort_newest_first
from digest.site.records import Article
from digest.site.render import feeds

CONFIG = parse_config({"base_url": "https://news.example.org/"})
WHEN = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def article(n: int, **kw: object) -> Article:
    fields = {"path": PurePosixPath(f"content/a{n:02d}.md"), "kind": "markdown",
              "title": f"Story {n}", "date": WHEN + timedelta(hours=n % 5),
              "slug": f"story-{n}", "body": f"Body {n}. " * 20, "source": "Agency",
              "url": f"/2024/05/01/story-{n}/", "related": (f"/2024/05/01/story-{n + 1}/",),
              **kw}
    return Article(**fields)  # type: ignore[arg-type]


def site(count: int = 12) -> tuple[tuple[Article, ...], dict[str, tuple[Article, str]]]:
    arts = tuple(article(n) for n in range(count))
    # every third article has no source id (digested whole), as after an edit
    sources = {a.key: ParsedFrom(a, f"sha-{n}") for n, a in enumerate(arts) if n % 3}
    return arts, sources


@pytest.mark.parametrize("jobs", [1, 2])
def test_early_values_are_the_ones_render_makes(jobs: int) -> None:
    arts, sources = site()
    old_cards = article_digests(sort_newest_first(arts), sources).cards
    # one card entry is stale (another source id): made again, the rest kept
    stale_key = next(iter(old_cards))
    old_cards[stale_key] = ("other|None", "0" * 32, "0" * 32)
    # feed ids start from the parsed articles (in file order), digests from
    # the enriched ones: here copies with a field enrichment sets
    work = start_early(arts, CONFIG, jobs)
    done = tuple(replace(a, summary_text=f"Summary of {a.title}.") for a in arts)
    work.start_digests(done, sources, old_cards)
    ordered = sort_newest_first(done)
    made = work.result(ordered)
    assert made is not None
    ids, digests = made
    assert ids == feeds.entry_ids(ordered, CONFIG)
    expected = article_digests(ordered, sources, old_cards)
    assert digests == expected
    assert list(digests.card) == list(expected.card)  # the same order: fingerprints use it
    # kept entries are the very objects read from the cache (an unchanged section)
    for key, entry in digests.cards.items():
        assert (entry is old_cards[key]) == (key != stale_key)
    # articles at the same minute from one agency: numbered ids, and the
    # warning's groups (render.validate) come from the child, in the order
    # render lists them for the site's (newest first) articles
    assert any(i.endswith("-2") for i in ids.values())
    fresh = feeds._groups_of(tuple(replace(a) for a in ordered))
    expected_groups = [tuple(a.key for a in m) for m in fresh.values() if len(m) > 1]
    assert len(expected_groups) == 5
    assert feeds.id_collisions(ordered) == expected_groups


def test_other_articles_or_another_order_are_not_answered() -> None:
    arts, sources = site()

    def started() -> object:
        work = start_early(arts, CONFIG, 2)
        work.start_digests(arts, sources, {})
        return work

    ordered = sort_newest_first(arts)
    copies = tuple(replace(a) for a in ordered)  # equal values, other objects
    assert started().result(copies) is None
    assert started().result(ordered[1:]) is None
    assert started().result(tuple(reversed(ordered))) is None
    assert start_early(arts, CONFIG, 2).result(ordered) is None  # digests never started


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_duplicate_id_is_the_error_entry_ids_raises(jobs: int) -> None:
    arts = (article(1, id="tag:x,1"), article(2, id="tag:x,1"))
    with pytest.raises(DigestError) as inline:
        feeds.entry_ids(sort_newest_first(arts), CONFIG)
    work = start_early(arts, CONFIG, jobs)
    work.start_digests(arts, {}, {})
    with pytest.raises(DigestError) as early:
        work.result(sort_newest_first(arts))
    assert early.value.diagnostics == inline.value.diagnostics
    assert early.value.diagnostics[0].code == "duplicate-id"


def test_a_cancelled_start_leaves_no_process() -> None:
    import multiprocessing

    arts, sources = site()
    work = start_early(arts, CONFIG, 2)
    work.start_digests(arts, sources, {})
    work.cancel()
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]
