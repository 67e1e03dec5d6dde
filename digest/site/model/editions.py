"""Daily editions (/editions/YYYY-MM-DD/), weekly views (/editions/YYYY-Www/) and
the /editions/ overview.

An edition is one calendar day in the site time zone.  Its articles are grouped
by topic (the ``topics`` taxonomy; the rest under "Other news"), and each story
cluster appears once: the day's earliest report leads (whoever broke it), and
the other agencies' reports of the same story are folded under it as "also
reported by".

Because the input is sorted newest first and the day of an instant in one time
zone never decreases as the instant grows, each day is one contiguous slice of
that list: days are cut in a single pass, never filtered per page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from digest.site.config import SiteConfig
from digest.site.model.indexes import last_modified, split_by
from digest.site.model.urls import output_path, term_url
from digest.site.records import Article, PageSpec

TOPICS = "topics"
OTHER_NEWS = "Other news"
OVERVIEW_URL = "/editions/"
EMAIL_HTML, EMAIL_TEXT = "email.html", "email.txt"  # beside each day's and week's page


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Story:
    """One story of an edition: the lead report and the same story elsewhere."""

    lead: Article
    also: tuple[Article, ...]  # other sources' reports (any day), oldest first


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TopicGroup:
    label: str
    url: str | None  # the topic's term page; None for "Other news"
    stories: tuple[Story, ...]  # newest lead first


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Edition:
    day: date
    url: str
    articles: tuple[Article, ...]  # the day's articles, newest first
    groups: tuple[TopicGroup, ...]
    week_url: str
    prev_url: str | None = None  # the previous (older) day with articles
    next_url: str | None = None  # the next (newer) day with articles


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Week:
    year: int  # ISO year
    number: int  # ISO week
    url: str
    days: tuple[Edition, ...]  # oldest first, as on a calendar
    prev_url: str | None = None
    next_url: str | None = None

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def articles(self) -> int:
        return sum(len(d.articles) for d in self.days)


def day_url(day: date) -> str:
    return f"{OVERVIEW_URL}{day.isoformat()}/"


def week_url(day: date) -> str:
    iso = day.isocalendar()
    return f"{OVERVIEW_URL}{iso.year}-W{iso.week:02d}/"


def split_days(articles: tuple[Article, ...], config: SiteConfig
               ) -> list[tuple[date, tuple[Article, ...]]]:
    """(day, its articles) newest day first; ``articles`` must be newest first."""
    return split_by(articles, lambda day: day, config)


def stories(day_articles: tuple[Article, ...], by_url: Mapping[str, Article]
            ) -> list[tuple[Story, tuple[Article, ...]]]:
    """Each story of the day once: (story, its same-day members)."""
    clusters: dict[str, list[Article]] = {}
    for art in reversed(day_articles):  # oldest first, so the earliest report leads
        clusters.setdefault(art.story or "\0" + art.url, []).append(art)
    out = []
    for members in clusters.values():
        lead = members[0]
        also = tuple(sorted((by_url[u] for u in lead.also_reported if u in by_url),
                            key=lambda a: (a.date.timestamp(), a.url)))
        out.append((Story(lead=lead, also=also), tuple(members)))
    out.sort(key=lambda sm: (-sm[0].lead.date.timestamp(), sm[0].lead.url))
    return out


def topic_groups(day_articles: tuple[Article, ...], by_url: Mapping[str, Article],
                 config: SiteConfig) -> tuple[TopicGroup, ...]:
    """Stories grouped under their lead's first topic, in vocabulary order."""
    grouped: dict[str, list[Story]] = {}
    for story, members in stories(day_articles, by_url):
        topic = next((a.terms[TOPICS][0] for a in members if a.terms.get(TOPICS)), OTHER_NEWS)
        grouped.setdefault(topic, []).append(story)
    tax = config.taxonomy(TOPICS)
    curated = {t.label: i for i, t in enumerate(tax.terms)} if tax else {}

    def order(label: str) -> tuple[int, int, str]:
        if label == OTHER_NEWS:
            return (2, 0, "")
        if label in curated:
            return (0, curated[label], "")
        return (1, 0, label.casefold())

    return tuple(TopicGroup(label=label,
                            url=None if label == OTHER_NEWS else term_url(TOPICS, label, config),
                            stories=tuple(grouped[label]))
                 for label in sorted(grouped, key=order))


def email_pages(url: str, what: str, context: dict[str, object]) -> Iterator[PageSpec]:
    """email.html and email.txt beside a day's or a week's page (``digest email``
    sends them): not listed in the sitemap, CSS inlined at render
    (render/mailpage.py)."""
    for name, template, finish in ((EMAIL_HTML, "email.html", "email-html"),
                                   (EMAIL_TEXT, "email_text.html", "email-text")):
        yield PageSpec(path=output_path(url + name),
                       url=url + name, template=template, source=f"generated: {what} as mail",
                       context=context, sitemap=False, finish=finish)


def build_editions(articles: tuple[Article, ...], by_url: Mapping[str, Article],
                   config: SiteConfig) -> tuple[tuple[Edition, ...], tuple[Week, ...]]:
    """(editions newest first, weeks newest first)."""
    days = split_days(articles, config)
    editions = []
    for i, (day, items) in enumerate(days):
        editions.append(Edition(
            day=day, url=day_url(day), articles=items,
            groups=topic_groups(items, by_url, config), week_url=week_url(day),
            next_url=day_url(days[i - 1][0]) if i > 0 else None,
            prev_url=day_url(days[i + 1][0]) if i + 1 < len(days) else None))
    by_week: dict[str, list[Edition]] = {}
    for ed in editions:
        by_week.setdefault(ed.week_url, []).append(ed)
    urls = list(by_week)
    weeks = []
    for i, url in enumerate(urls):
        iso = by_week[url][0].day.isocalendar()
        weeks.append(Week(year=iso.year, number=iso.week, url=url,
                          days=tuple(reversed(by_week[url])),
                          next_url=urls[i - 1] if i > 0 else None,
                          prev_url=urls[i + 1] if i + 1 < len(urls) else None))
    return tuple(editions), tuple(weeks)


def edition_pages(editions: tuple[Edition, ...], weeks: tuple[Week, ...]
                  ) -> Iterator[PageSpec]:
    """A page per day, per week, and the overview; each day and week also as mail."""
    for ed in editions:
        yield PageSpec(path=output_path(ed.url), url=ed.url, template="edition.html",
                       source=f"generated: edition {ed.day.isoformat()}",
                       context={"edition": ed, "lastmod": last_modified(ed.articles)})
        yield from email_pages(ed.url, f"edition {ed.day.isoformat()}",
                               {"edition": ed, "week": None})
    for wk in weeks:
        yield PageSpec(path=output_path(wk.url), url=wk.url, template="week.html",
                       source=f"generated: week {wk.label}",
                       context={"week": wk, "weeks": (wk,),
                                "lastmod": last_modified(a for d in wk.days
                                                         for a in d.articles)})
        yield from email_pages(wk.url, f"week {wk.label}", {"edition": None, "week": wk})
    yield PageSpec(path=output_path(OVERVIEW_URL), url=OVERVIEW_URL, template="week.html",
                   source="generated: editions overview",
                   context={"week": None, "weeks": weeks,
                            "lastmod": last_modified(a for ed in editions for a in ed.articles)})
