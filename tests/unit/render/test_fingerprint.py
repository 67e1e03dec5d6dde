"""Page fingerprints: cheaper article digests from the source bytes' id, shared
containers walked once, sitemap.xml fingerprinted, feed ids memoised (pure)."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import PurePosixPath

from digest.config import parse_config
from digest.records import Article, PageSpec
from digest.render import feeds
from digest.render.fingerprint import Fingerprinter, article_digests

CONFIG = parse_config({"base_url": "https://news.example.org/"})
WHEN = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def parsed(n: int = 1, **kw: object) -> Article:
    fields = {"path": PurePosixPath(f"content/a{n}.md"), "kind": "markdown",
              "title": f"Story {n}", "date": WHEN, "slug": f"story-{n}",
              "body": "A long body. " * 50, **kw}
    return Article(**fields)  # type: ignore[arg-type]


def enriched(art: Article, **kw: object) -> Article:
    return replace(art, url=f"/2024/05/01/{art.slug}/", summary_text="A long body.",
                   related=("/x/",), **kw)


def test_source_digest_ignores_identity_but_not_values() -> None:
    raw = parsed()
    done = enriched(raw)
    sources = {raw.key: (raw, "sha1|None")}
    first = article_digests((done,), sources)
    # the same article read back from the cache: equal values, other objects
    again_raw = pickle.loads(pickle.dumps(raw))
    again = enriched(again_raw)
    assert article_digests((again,), {raw.key: (again_raw, "sha1|None")}) == first
    # other source bytes, another derived field, a source field changed later
    assert article_digests((done,), {raw.key: (raw, "sha2|None")}) != first
    assert article_digests((replace(done, related=("/y/",)),), sources) != first
    assert article_digests((replace(done, title="Story one"),), sources) != first


def test_articles_without_a_source_id_are_digested_whole() -> None:
    done = enriched(parsed())
    assert article_digests((done,)) == article_digests((done,), {"other": (done, "x")})
    assert article_digests((done,)) != article_digests((replace(done, body="Short."),))


def test_shared_containers_give_the_same_fingerprints_as_copies() -> None:
    arts = tuple(enriched(parsed(n)) for n in range(12))
    digests = article_digests(arts)
    shared = arts[:10]

    def page(n: int, items: tuple[Article, ...]) -> PageSpec:
        return PageSpec(path=f"p{n}/index.html", url=f"/p{n}/", template="t.html",
                        source="generated", context={"articles": items, "n": n})

    memo = Fingerprinter(digests, "g")
    fresh = [Fingerprinter(digests, "g").page(page(n, tuple(shared))) for n in range(3)]
    assert [memo.page(page(n, shared)) for n in range(3)] == fresh
    assert memo.page(page(0, arts[1:11])) != fresh[0]


def test_sitemap_fingerprint_follows_urls_and_lastmod() -> None:
    pages = [PageSpec(path=f"p{n}/index.html", url=f"/p{n}/", template="t.html",
                      source="generated", context={"lastmod": WHEN}) for n in range(3)]
    printer = Fingerprinter({}, "g")
    base = printer.sitemap(pages)
    assert Fingerprinter({}, "g").sitemap(list(pages)) == base
    later = replace(pages[1], context={"lastmod": WHEN + timedelta(minutes=1)})
    assert printer.sitemap([pages[0], later, pages[2]]) != base
    assert printer.sitemap(pages[::-1]) != base
    assert printer.sitemap(pages[:2]) != base
    assert Fingerprinter({}, "h").sitemap(pages) != base  # base URL is in the global part


def test_feed_ids_do_not_depend_on_the_zone_an_instant_is_written_in() -> None:
    minsk = timezone(timedelta(hours=3))
    utc = parsed(1, source="BelTA", source_url="https://belta.by/1")
    local = parsed(2, source="BelTA", source_url="https://belta.by/1",
                   date=WHEN.astimezone(minsk))
    other = parsed(3, source="TASS", date=WHEN + timedelta(minutes=1))
    ids = feeds.entry_ids((utc, local, other), CONFIG)
    want = feeds.derived_id(utc, CONFIG)
    assert ids[utc.key] == want and ids[local.key] == want + "-2"
    assert ids[other.key] == "tag:news.example.org,2024-05-01:tass/0901"
    assert feeds.derived_id(local, CONFIG) == want
