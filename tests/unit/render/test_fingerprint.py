"""Page fingerprints: cheaper article digests from the source bytes' id, card
digests without the body, levels, shared containers walked once, sitemap.xml
fingerprinted, feed ids memoised (pure)."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

from digest.engine.access import CARD, FULL, SITE
from digest.engine.digests import ParsedFrom
from digest.engine.fingerprint import DERIVED, Fingerprinter, article_digests, level_of
from digest.site.config import parse_config
from digest.site.records import Article, PageSpec
from digest.site.render import feeds

CONFIG = parse_config({"base_url": "https://news.example.org/"})
WHEN = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def parsed(n: int = 1, **kw: object) -> Article:
    fields = {"path": PurePosixPath(f"content/a{n}.md"), "kind": "markdown",
              "title": f"Story {n}", "date": WHEN, "slug": f"story-{n}",
              "body": "A long body. " * 50, **kw}
    return Article(**fields)  # type: ignore[arg-type]


def enriched(art: Article, **kw: object) -> Article:
    return replace(art, **{"url": f"/2024/05/01/{art.slug}/", "summary_text": "A long body.",
                           "related": ("/x/",), **kw})


def test_source_digest_ignores_identity_but_not_values() -> None:
    raw = parsed()
    done = enriched(raw)
    sources = {raw.key: ParsedFrom(raw, "sha1")}
    first = article_digests((done,), sources)
    # the same article read back from the cache: equal values, other objects
    again_raw = pickle.loads(pickle.dumps(raw))
    again = enriched(again_raw)
    assert article_digests((again,), {raw.key: ParsedFrom(again_raw, "sha1")}) == first
    # other source bytes, another derived field, a source field changed later
    assert article_digests((done,), {raw.key: ParsedFrom(raw, "sha2")}).full != first.full
    assert article_digests((replace(done, related=("/y/",)),), sources) != first
    assert article_digests((replace(done, title="Story one"),), sources) != first


def test_card_digests_leave_out_the_body_and_what_follows_from_it() -> None:
    raw = parsed()
    done = enriched(raw, word_count=150, reading_minutes=1)
    first = article_digests((done,), {raw.key: ParsedFrom(raw, "sha1")})
    # the body edited: other source bytes, the same fields but the body
    edited_raw = replace(raw, body=raw.body + "One more paragraph.")
    edited = enriched(edited_raw, word_count=153, reading_minutes=2)
    after = article_digests((edited,), {raw.key: ParsedFrom(edited_raw, "sha2")}, first.cards)
    assert after.card == first.card and after.full != first.full
    assert after.cards[raw.key][0] == "sha2|None"  # the new source id, its card id again
    assert after.cards[raw.key][1] == first.cards[raw.key][1]
    # the ids kept for a source id are used as they are (made once per source)...
    kept = {raw.key: ("sha2|None", "0" * 32, "0" * 32)}
    assert article_digests((edited,), {raw.key: ParsedFrom(edited_raw, "sha2")}, kept) != after
    # ...but not under another source id, nor in an older form
    for stale in (("sha1|None", "0" * 32, "0" * 32), ("sha2|None", "0" * 32)):
        assert article_digests((edited,), {raw.key: ParsedFrom(edited_raw, "sha2")},
                               {raw.key: stale}) == after
    # the local fields (summary, terms) are in the card: made from the article
    resummed = enriched(raw, word_count=150, reading_minutes=1, summary_text="Other.")
    assert article_digests((resummed,), {raw.key: ParsedFrom(raw, "sha1")}).card != first.card
    retermed = enriched(raw, word_count=150, reading_minutes=1,
                        terms={"topics": ("Ferries",)})
    assert article_digests((retermed,), {raw.key: ParsedFrom(raw, "sha1")}).card != first.card
    # the links change the links and full digests, not the card
    relinked = article_digests((replace(edited, related=("/z/",)),),
                               {raw.key: ParsedFrom(edited_raw, "sha2")}, first.cards)
    assert relinked.card == after.card and relinked.links != after.links
    assert relinked.full != after.full and after.links == first.links
    assert relinked.feed == after.feed and after.feed != first.feed  # feeds show no links
    # any other field changes both
    retitled_raw = replace(raw, title="Story one")
    retitled = article_digests((enriched(retitled_raw, word_count=150, reading_minutes=1),),
                               {raw.key: ParsedFrom(retitled_raw, "sha3")}, first.cards)
    assert retitled.card != first.card and retitled.full != first.full
    # and the same holds for articles digested whole (no source id)
    whole = article_digests((done,))
    assert article_digests((replace(done, body="Short.", word_count=1),)).card == whole.card
    assert article_digests((replace(done, summary_text="Other."),)).card != whole.card


def test_articles_without_a_source_id_are_digested_whole() -> None:
    done = enriched(parsed())
    assert article_digests((done,)) == article_digests((done,), {"other": (done, "x")})
    assert article_digests((done,)).full != article_digests((replace(done, body="Short."),)).full


def test_fingerprint_levels() -> None:
    arts = tuple(enriched(parsed(n)) for n in range(3))
    digests = article_digests(arts)
    printer = Fingerprinter(digests, "g", "2024-06-01T00:00:00+00:00", [a.url for a in arts])
    page = PageSpec(path="p/index.html", url="/p/", template="t.html", source="generated",
                    context={"articles": arts[:2]})
    card, full, site = (printer.page(page, level) for level in (CARD, FULL, SITE))
    assert [level_of(fp) for fp in (card, full, site)] == [CARD, FULL, SITE]
    assert level_of(None) == CARD and level_of("0123") == SITE
    assert len({card, full, site}) == 3
    assert printer.page(page, CARD, uses_now=True) != card
    # the third article is not in the page: only the SITE level sees it change
    changed = (*arts[:2], replace(arts[2], title="Changed"))
    other = Fingerprinter(article_digests(changed), "g", "2024-06-01T00:00:00+00:00",
                          [a.url for a in changed])
    assert other.page(page, CARD) == card and other.page(page, FULL) == full
    assert other.page(page, SITE) != site
    # an article page: the fast form follows the article, lastmod and linked articles
    art = replace(arts[0], related=(arts[1].url,))
    ap = PageSpec(path="a/index.html", url=art.url, template="article.html",
                  source="content/a0.md", context={"article": art, "lastmod": WHEN})
    base = Fingerprinter(article_digests((art, arts[1])), "g").page(ap, FULL)
    moved = replace(ap, context={"article": art, "lastmod": WHEN + timedelta(hours=1)})
    assert Fingerprinter(article_digests((art, arts[1])), "g").page(moved, FULL) != base
    linked_edit = (art, replace(arts[1], title="Linked retitled"))
    assert Fingerprinter(article_digests(linked_edit), "g").page(ap, FULL) != base


def test_previous_fingerprints_are_kept_only_while_the_site_assembles_the_same() -> None:
    from digest.engine.access import LINKS
    from digest.engine.digests import LastDigests

    arts = (enriched(parsed(0), related=(enriched(parsed(1)).url,)), enriched(parsed(1)),
            enriched(parsed(2)))
    digests = article_digests(arts)
    listing = PageSpec(path="p/index.html", url="/p/", template="t.html", source="generated",
                       context={"articles": arts[1:]})
    article = PageSpec(path="a/index.html", url=arts[0].url, template="article.html",
                       source="content/a0.md", context={"article": arts[0], "lastmod": WHEN})
    last = LastDigests.from_data(Fingerprinter(digests, "g").record().to_data())
    assert last is not None and last.card == digests.card
    sentinel = {lvl: "clfs"[lvl] + "0" * 32 for lvl in (CARD, LINKS, FULL, SITE)}

    def fp(arts_now: tuple, page: PageSpec, level: int, key: str = "g",
           uses_now: bool = False, previous: str | None = None) -> str:
        printer = Fingerprinter(article_digests(arts_now), key, "now", [a.url for a in arts_now],
                                last)
        return printer.page(page, level, uses_now, previous or sentinel[level])

    # nothing changed: a list page keeps its previous fingerprint at CARD
    # level, an article page at FULL level...
    assert fp(arts, listing, CARD) == sentinel[CARD]
    assert fp(arts, article, FULL) == sentinel[FULL]
    # ...but nothing is kept at LINKS or SITE level, for pages naming "now",
    # under another global fingerprint, when the previous one was made at
    # another level, or for a CARD page linking articles by URL
    assert fp(arts, listing, LINKS) != sentinel[LINKS]
    assert fp(arts, listing, SITE) != sentinel[SITE]
    assert fp(arts, listing, CARD, uses_now=True) != sentinel[CARD]
    assert fp(arts, listing, CARD, key="other") != sentinel[CARD]
    assert fp(arts, listing, CARD, previous=sentinel[FULL]) != sentinel[FULL]
    assert fp(arts, article, CARD) != sentinel[CARD]
    # a body edit or a related list changed (card digests and stories equal):
    # list pages keep theirs; an article page is walked when its article or an
    # article it links changed
    own = (replace(arts[0], body="Edited.", word_count=1), *arts[1:])
    linked = (arts[0], replace(arts[1], body="Edited.", word_count=1), arts[2])
    unlinked = (*arts[:2], replace(arts[2], body="Edited.", word_count=1))
    relinked = (replace(arts[0], related=(arts[2].url,)), *arts[1:])
    for edited in (own, linked, unlinked, relinked):
        assert fp(edited, listing, CARD) == sentinel[CARD]
    assert fp(own, article, FULL) != sentinel[FULL]
    assert fp(linked, article, FULL) != sentinel[FULL]
    assert fp(relinked, article, FULL) != sentinel[FULL]
    assert fp(unlinked, article, FULL) == sentinel[FULL]
    # a link to a URL no article has (in neither build) changes nothing by itself
    elsewhere = (replace(arts[0], related=(arts[1].url, "/not/an/article/")), *arts[1:])
    page_elsewhere = replace(article, context={"article": elsewhere[0], "lastmod": WHEN})
    last_elsewhere = LastDigests.from_data(
        Fingerprinter(article_digests(elsewhere), "g").record().to_data())
    assert Fingerprinter(article_digests(elsewhere), "g", "now", [a.url for a in elsewhere],
                         last_elsewhere).page(page_elsewhere, FULL, False,
                                              sentinel[FULL]) == sentinel[FULL]
    assert Fingerprinter(article_digests((elsewhere[0], linked[1], arts[2])), "g", "now",
                         [a.url for a in elsewhere], last_elsewhere).page(
        page_elsewhere, FULL, False, sentinel[FULL]) != sentinel[FULL]
    # a card field, a story or its other reports, the articles or their order
    # changed: the site may be assembled otherwise, so every page is walked
    for changed in ((replace(arts[0], title="Other"), *arts[1:]),
                    (*arts[:2], replace(arts[2], story="s1")),
                    (*arts[:2], replace(arts[2], also_reported=(arts[0].url,))),
                    arts[:2], (arts[1], arts[0], arts[2])):
        assert fp(changed, listing, CARD) != sentinel[CARD]
    # the sitemap keeps its previous fingerprint on the same condition
    printer = Fingerprinter(digests, "g", last=last)
    assert printer.sitemap([listing], "prev") == "prev"
    assert Fingerprinter(digests, "g").sitemap([listing], "prev") != "prev"
    assert LastDigests.from_data({"key": "g"}) is None and LastDigests.from_data(None) is None


def test_published_articles_keep_their_parsed_fields_but_the_derived_ones(
        tmp_path: Path) -> None:
    """fingerprint.article_digests digests a cached article as its source id plus
    DERIVED: every other field must be the parsed article's."""
    from dataclasses import fields

    from digest.pipeline import BuildOptions, build
    from tests.integration.test_incremental import make_incremental_site

    site = make_incremental_site(tmp_path / "site", articles=12)
    result = build(site, BuildOptions(search=False, cache=False, jobs=1))
    parsed_by_key = {a.key: a for a in result.all_articles}
    assert result.site.articles
    for art in result.site.articles:
        before = parsed_by_key[art.key]
        for f in fields(Article):
            if f.name not in DERIVED:
                assert getattr(art, f.name) == getattr(before, f.name), (art.key, f.name)


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


def test_body_keys_use_the_source_id_only_for_the_parsed_body() -> None:
    from digest.engine.bodies import body_keys
    from digest.site.render import body_key

    raw = parsed()
    done = enriched(raw)  # a copy sharing the parsed body object
    key_of = body_keys(CONFIG, {raw.key: ParsedFrom(raw, "sha1")})
    assert key_of(done) == "ssha1|None"
    # a body that is not the parsed one, or a source id that depends on "now"
    # (an inferred year), is keyed by a hash of the Markdown
    rewritten = replace(done, body="Other text.")
    assert key_of(rewritten) == body_key("Other text.", CONFIG.raw_html)
    dated = body_keys(CONFIG, {raw.key: ParsedFrom(raw, "sha1", "2024-05-01T09:00:00+00:00")})
    assert dated(done) == body_key(raw.body, CONFIG.raw_html)
    assert body_keys(CONFIG)(done) == body_key(raw.body, CONFIG.raw_html)
