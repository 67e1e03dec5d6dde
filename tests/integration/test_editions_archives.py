"""Issue 7: daily editions, weekly views, the editions overview, the home page's
latest edition and the /YYYY/ and /YYYY/MM/ archives, checked on rendered bytes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.errors import OutputCollisionError
from digest.pipeline import BuildOptions, build
from tests.integration.conftest import make_site, note

NOW = datetime(2025, 1, 10, tzinfo=UTC)
CONFIG = ("title: Test Digest\nbase_url: https://news.example.org/\ntimezone: Europe/Minsk\n"
          "per_page: 2\n")
TALKS = ("Presidents Putin and Lukashenko met in Minsk for talks on gas prices, oil supplies, "
         "cabotage rules for road carriers and joint industrial production chains. ") * 3


def doc(result, path: str):
    return lxml.html.document_fromstring(result.rendered[path].decode())


def text(el) -> str:
    return " ".join(el.text_content().split())


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("editions")
    make_site(root, {
        # 20 Dec (Minsk time): one story from three agencies, an energy piece, an untopical one
        "content/belta.md": note("Lukashenko and Putin sum up talks", "2024-12-20T10:32:00+03:00",
                                 TALKS, source="BelTA", topics="[Diplomacy]"),
        "content/tass.md": note("Putin and Lukashenko discuss cooperation",
                                "2024-12-20T13:40:00+03:00", TALKS, source="TASS",
                                topics="[Diplomacy]"),
        "content/ifax.md": note("Minsk talks cover gas and cabotage", "2024-12-20T17:45:00+03:00",
                                TALKS, source="Interfax", topics="[Diplomacy]"),
        "content/gas.md": note("Refinery output grows", "2024-12-20T09:00:00+03:00",
                               "Belarusian refineries raised petrol output.", source="BelTA",
                               topics="[Energy]"),
        "content/misc.md": note("Weather in Minsk", "2024-12-20T08:00:00+03:00",
                                "Snow is expected.", source="Minsk Herald"),
        # 23:30 UTC on 18 Dec is already 19 Dec in Minsk
        "content/late.md": note("Late night note", "2024-12-18T23:30:00+00:00", "A late note."),
        "content/week50.md": note("Monday story", "2024-12-09T12:00:00+03:00", "Early week."),
        "content/nov.md": note("November story", "2024-11-15T12:00:00+03:00", "November."),
        "content/old.md": note("Last year", "2023-06-01T12:00:00+03:00", "Old times."),
    }, config=CONFIG + "taxonomies:\n  topics:\n    terms:\n      - label: Energy\n"
                       "      - label: Diplomacy\n")
    return build(root, BuildOptions(now=NOW))


def test_story_fixture_is_one_cluster(result) -> None:
    stories = {a.story for a in result.site.articles
               if a.key in ("content/belta.md", "content/tass.md", "content/ifax.md")}
    assert len(stories) == 1 and None not in stories


def test_day_edition_groups_by_topic_and_folds_stories(result) -> None:
    page = doc(result, "editions/2024-12-20/index.html")
    assert "20 December 2024" in text(page.xpath("//h1")[0])
    groups = page.xpath("//section[contains(@class, 'topic-group')]")
    # vocabulary order (Energy before Diplomacy), "Other news" last
    assert [text(g.xpath("./h2")[0]) for g in groups] == ["Energy", "Diplomacy", "Other news"]
    assert groups[0].xpath("./h2/a/@href") == ["/topics/energy/"]
    diplomacy = groups[1]
    stories = diplomacy.xpath(".//li[contains(@class, 'story-item')]")
    assert len(stories) == 1  # three reports, shown once
    assert text(stories[0].xpath(".//h3")[0]) == "Lukashenko and Putin sum up talks"  # earliest
    also = stories[0].xpath(".//*[contains(@class, 'also-reported')]")[0]
    assert text(also) == "Also reported by TASS, Interfax"
    assert also.xpath("./a/@href") == ["/2024/12/20/tass/", "/2024/12/20/ifax/"]
    assert "Weather in Minsk" in text(groups[2])


def test_days_follow_the_site_time_zone(result) -> None:
    page = doc(result, "editions/2024-12-19/index.html")
    assert "Late night note" in text(page.xpath("//main")[0])
    assert "editions/2024-12-18/index.html" not in result.rendered


def test_previous_and_next_edition_links(result) -> None:
    page = doc(result, "editions/2024-12-19/index.html")
    assert page.xpath("//nav[contains(@class,'period-nav')]//a[@rel='prev']/@href") == [
        "/editions/2024-12-09/"]
    assert page.xpath("//nav[contains(@class,'period-nav')]//a[@rel='next']/@href") == [
        "/editions/2024-12-20/"]
    newest = doc(result, "editions/2024-12-20/index.html")
    assert newest.xpath("//nav[contains(@class,'period-nav')]//a[@rel='next']") == []


def test_week_view_lists_its_days_and_links_weeks(result) -> None:
    page = doc(result, "editions/2024-W51/index.html")
    days = page.xpath("//main//h2/a/@href")
    assert days == ["/editions/2024-12-20/", "/editions/2024-12-19/"]  # newest first
    # issue 21: the count is of what is listed: four stories (the three reports
    # of the talks are one line, their other agencies folded into it)
    items = page.xpath("//section[contains(@class,'week-day')]//li[contains(@class,'item')]")
    assert text(page.xpath("//p[contains(@class,'page-meta')]")[0]) == "4 stories on 2 days"
    assert len(items) == 4
    titles = [text(li.xpath("./a")[0]) for li in items]
    assert titles == ["Lukashenko and Putin sum up talks", "Refinery output grows",
                      "Weather in Minsk", "Late night note"]  # newest first within a day
    assert items[0].xpath(".//a/@href")[1:] == ["/2024/12/20/tass/", "/2024/12/20/ifax/"]
    assert page.xpath("//nav[contains(@class,'period-nav')]//a[@rel='prev']/@href") == [
        "/editions/2024-W50/"]
    assert page.xpath("//nav[contains(@class,'period-nav')]//a[@rel='next']") == []
    assert "Lukashenko and Putin sum up talks" in text(page.xpath("//main")[0])
    # ISO week: 2023-06-01 is in week 22 of 2023
    assert "editions/2023-W22/index.html" in result.rendered


def test_editions_overview_lists_every_week(result) -> None:
    page = doc(result, "editions/index.html")
    weeks = page.xpath("//ul[contains(@class,'week-list')]/li/h2/a/@href")
    assert weeks == ["/editions/2024-W51/", "/editions/2024-W50/", "/editions/2024-W46/",
                     "/editions/2023-W22/"]
    assert "/editions/2024-12-20/" in page.xpath("//main//a/@href")


def test_home_leads_with_the_latest_edition_then_earlier_articles(result) -> None:
    page = doc(result, "index.html")
    main = page.xpath("//main")[0]
    edition = main.xpath(".//section[contains(@class,'edition-latest')]")[0]
    assert edition.xpath(".//h2/a/@href") == ["/editions/2024-12-20/"]
    assert len(edition.xpath(".//li[contains(@class,'story-item')]")) == 3
    # the edition and earlier news share the front (side by side on wide screens)
    earlier = main.xpath("./div[@class='front']/section[@class='front-latest']"
                         "/ul[@class='list']//h3/a/@href")
    assert earlier == ["/2024/12/19/late/", "/2024/12/09/week50/"]
    page2 = doc(result, "page/2/index.html")
    assert page2.xpath("//main/ul[@class='list cards']//h3/a/@href") == [
        "/2024/11/15/nov/", "/2023/06/01/old/"]
    assert page2.xpath("//section[contains(@class,'edition-latest')]") == []


def test_year_and_month_archives(result) -> None:
    year = doc(result, "2024/index.html")
    assert text(year.xpath("//h1")[0]) == "2024"
    assert year.xpath("//nav[contains(@class,'archive-parts')]//a/@href") == [
        "/2024/12/", "/2024/11/"]
    assert year.xpath("//nav[contains(@class,'period-nav')]//a[@rel='prev']/@href") == ["/2023/"]
    month = doc(result, "2024/12/index.html")
    assert text(month.xpath("//h1")[0]) == "December 2024"
    assert month.xpath("//main/ul[@class='list cards']//h3/a/@href") == [
        "/2024/12/20/ifax/", "/2024/12/20/tass/"]  # per_page = 2
    assert "2024/12/page/4/index.html" in result.rendered  # 7 articles
    parts = month.xpath("//nav[contains(@class,'archive-parts')]//a/@href")
    assert "/editions/2024-12-19/" in parts
    assert month.xpath("//p[@class='kicker']/a/@href") == ["/2024/"]
    assert "2024/11/index.html" in result.rendered and "2023/06/index.html" in result.rendered


def test_archive_urls_collide_with_a_custom_permalink(tmp_path: Path) -> None:
    make_site(tmp_path, {"content/a.md": note("A", "2024-12-20", slug='"12"')},
              config=CONFIG + "permalink: /{year}/{slug}/\n")
    with pytest.raises(OutputCollisionError) as info:
        build(tmp_path, BuildOptions(now=NOW))
    assert "2024/12/index.html" in str(info.value)
