"""The model: editions, archives, home slicing, lastmod, feed ids, and speed at 10,000
articles (pure functions on records; no files)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import PurePosixPath

from digest.site.config import parse_config
from digest.site.model import assemble, sort_newest_first
from digest.site.model.archives import build_archives
from digest.site.model.editions import OTHER_NEWS, build_editions, split_days, week_url
from digest.site.model.urls import assign_urls
from digest.site.records import Article
from digest.site.render.feeds import derived_id, entry_ids, id_collisions

CONFIG = parse_config({"base_url": "https://news.example.org/", "timezone": "Europe/Minsk",
                       "per_page": 20})
START = datetime(2024, 1, 1, tzinfo=UTC)


def art(n: int, when: datetime, **kw) -> Article:
    fields = {"path": PurePosixPath(f"content/a{n}.md"), "kind": "markdown",
              "title": f"Story {n}", "date": when, "slug": f"story-{n}", "body": "x", **kw}
    return assign_urls([Article(**fields)], CONFIG)[0]


def many(count: int) -> tuple[Article, ...]:
    rng = random.Random(7)
    topics = ("Energy", "Trade", "Security")
    return tuple(art(i, START + timedelta(minutes=rng.randrange(0, 60 * 24 * 900)),
                     source=rng.choice(("BelTA", "TASS", None)),
                     terms={"topics": (rng.choice(topics),)} if i % 3 else {})
                 for i in range(count))


def test_split_days_uses_the_site_time_zone() -> None:
    a = art(1, datetime(2024, 12, 18, 21, 30, tzinfo=UTC))  # 00:30 on the 19th in Minsk
    b = art(2, datetime(2024, 12, 18, 20, 30, tzinfo=UTC))  # 23:30 on the 18th
    days = split_days(sort_newest_first((a, b)), CONFIG)
    assert [(d, [x.key for x in items]) for d, items in days] == [
        (date(2024, 12, 19), ["content/a1.md"]), (date(2024, 12, 18), ["content/a2.md"])]


def test_story_lead_is_the_earliest_and_members_fold() -> None:
    t = datetime(2024, 12, 20, 9, 0, tzinfo=UTC)
    a, b, c = art(1, t, source="BelTA"), art(2, t + timedelta(hours=2), source="TASS"), \
        art(3, t + timedelta(hours=1), source="Reuters")
    a = replace(a, story="s", also_reported=(b.url,), terms={"topics": ("Energy",)})
    b = replace(b, story="s", also_reported=(a.url,))
    ordered = sort_newest_first((a, b, c))
    editions, weeks = build_editions(ordered, {x.url: x for x in ordered}, CONFIG)
    (ed,) = editions
    assert [g.label for g in ed.groups] == ["Energy", OTHER_NEWS]
    (story,) = ed.groups[0].stories
    assert story.lead is a and story.also == (b,)
    assert ed.groups[1].stories[0].lead is c
    assert weeks[0].url == week_url(date(2024, 12, 20)) == "/editions/2024-W51/"


def test_iso_week_at_year_boundary() -> None:
    assert week_url(date(2024, 12, 30)) == "/editions/2025-W01/"
    assert week_url(date(2021, 1, 3)) == "/editions/2020-W53/"


def test_archives_are_slices_with_neighbours() -> None:
    arts = sort_newest_first(many(300))
    years, months = build_archives(arts, CONFIG)
    assert sum(len(y.articles) for y in years) == 300
    assert sum(len(m.articles) for m in months) == 300
    assert [y.start.year for y in years] == sorted({y.start.year for y in years}, reverse=True)
    assert years[0].next_url is None and years[0].prev_url == years[1].url
    for month in months:
        assert {a.date.astimezone(CONFIG.tz).month for a in month.articles} == {month.start.month}
        assert sum(p.count for p in month.parts) == len(month.articles)


def test_every_article_is_on_exactly_one_home_page_or_latest_edition() -> None:
    site = assemble(many(97), CONFIG)
    home = [p for p in site.pages if p.template == "index.html"]
    edition = home[0].context["edition"]
    listed = list(edition.articles) + [a for p in home for a in p.context["pager"].items]
    assert [a.key for a in listed] == [a.key for a in site.articles]


def test_same_input_in_any_order_gives_the_same_site() -> None:
    arts = list(many(200))
    first = assemble(tuple(arts), CONFIG)
    random.Random(1).shuffle(arts)
    second = assemble(tuple(arts), CONFIG)
    assert [(p.path, p.context.get("lastmod")) for p in first.pages] == [
        (p.path, p.context.get("lastmod")) for p in second.pages]
    assert entry_ids(first.articles, CONFIG) == entry_ids(second.articles, CONFIG)


def test_assemble_10000_articles() -> None:
    # Its speed is measured by tests/bench/bench_build.py, not asserted here.
    arts = many(10_000)
    site = assemble(arts, CONFIG)
    assert sum(1 for p in site.pages if p.template == "article.html") == 10_000
    assert len(set(entry_ids(site.articles, CONFIG))) == 10_000


def test_derived_id_ignores_title_slug_and_path_but_not_the_facts() -> None:
    when = datetime(2024, 12, 20, 7, 32, 41, tzinfo=UTC)
    base = art(1, when, source="ТАСС")
    moved = replace(base, title="New title", slug="new-title", url="/x/",
                    path=PurePosixPath("content/other.md"))
    assert derived_id(base, CONFIG) == derived_id(moved, CONFIG)
    assert derived_id(base, CONFIG).isascii()
    assert derived_id(base, CONFIG) != derived_id(replace(base, source="BelTA"), CONFIG)
    assert derived_id(base, CONFIG) != derived_id(
        replace(base, source_url="https://tass.example/1"), CONFIG)
    twin = replace(base, path=PurePosixPath("content/twin.md"))
    assert id_collisions((base, twin)) == [("content/a1.md", "content/twin.md")]


def test_a_file_that_is_also_a_folder_is_found_past_siblings_that_sort_between() -> None:
    """'a/b-x' and 'a/b.x' sort between 'a/b' and 'a/b/c' ('-' and '.' come
    before '/'): the file/folder clash is still found, and siblings alone are fine."""
    import pytest

    from digest.errors import OutputCollisionError
    from digest.site.model.urls import check_collisions

    check_collisions([("a/b", "one"), ("a/b-x/index.html", "two"), ("a/b.x", "three")])
    with pytest.raises(OutputCollisionError) as err:
        check_collisions([("a/b", "one"), ("a/b-x/index.html", "two"),
                          ("a/b.x", "three"), ("A/B/c/index.html", "four")])
    text = str(err.value.diagnostics[0].message)
    assert "one" in text and "four" in text and "two" not in text
