"""Issue 25, part 2: sites in several languages, laid out as Hugo lays them out
(a content folder per language, or ``name.<lang>.md`` beside ``name.md``).
Fixtures are written here, in each shape; the rules are digest/site/model/languages.py's."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from digest.engine import PlainEngine
from digest.errors import ConfigError
from digest.pipeline import BuildOptions, build
from tests.integration.conftest import make_site, note
from tests.integration.engines import edits_stay_exact

NOW = datetime(2024, 6, 1, tzinfo=UTC)
OPTIONS = BuildOptions(now=NOW, cache=False, search=False)
# the fast engine with its cache in the site folder, as `digest serve` runs it
INCREMENTAL = BuildOptions(now=NOW, search=False, jobs=1)
BASE = "base_url: https://lake.example.org/\nsearch: false\n"
HARBOUR_EN = note("Harbour reopens", "2024-05-01 09:00", tags="[port]",
                  body="The harbour reopened after the winter pause; ferries run again.")
HARBOUR_JA = note("港が再開", "2024-05-01 09:00", tags="[port]",
                  body="冬の休止の後、港が再開した。")
HARBOUR_FR = note("Le port rouvre", "2024-05-01 09:00", tags="[port]",
                  body="Le port a rouvert après la pause hivernale.")
FERRY_EN = note("Ferry timetable", "2024-05-02 09:00", tags="[port]",
                body="The harbour ferries run again on the winter timetable.")


def built(site: Path) -> dict[str, str]:
    result = build(site, OPTIONS, engine=PlainEngine())
    return {p: bytes(result.rendered[p]).decode("utf-8") for p in result.rendered
            if p.endswith((".html", ".xml", ".json", ".txt"))}


def alternates(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))


def switch(page: str) -> list[tuple[str, str, str]]:
    """(href, lang, visible name) of each link of the page's language switch."""
    nav = re.search(r'<nav class="languages" aria-label="Languages"[^>]*>(.*?)</nav>', page, re.S)
    assert nav is not None, "no language switch"
    return re.findall(r'<a href="([^"]+)" hreflang="[^"]+" lang="([^"]+)"[^>]*>([^<]+)</a>',
                      nav.group(1))


def html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', page)
    assert found is not None
    return found.group(1)


def test_a_content_folder_per_language(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/en/blog/harbour.md": HARBOUR_EN,
        "content/en/blog/ferry.md": FERRY_EN,
        "content/ja/blog/harbour.md": HARBOUR_JA,
        "content/fr/blog/harbour.md": HARBOUR_FR,
    }, config=BASE)
    out = built(site)
    en, ja = out["2024/05/01/harbour/index.html"], out["ja/2024/05/01/harbour/index.html"]
    assert "fr/2024/05/01/harbour/index.html" in out  # no collision: one URL per language
    assert (html_lang(en), html_lang(ja), html_lang(out["fr/2024/05/01/harbour/index.html"])) \
        == ("en", "ja", "fr")
    want = {"en": "https://lake.example.org/2024/05/01/harbour/",
            "fr": "https://lake.example.org/fr/2024/05/01/harbour/",
            "ja": "https://lake.example.org/ja/2024/05/01/harbour/",
            "x-default": "https://lake.example.org/2024/05/01/harbour/"}
    assert alternates(en) == alternates(ja) == want
    assert switch(ja) == [("/2024/05/01/harbour/", "en", "English"),
                          ("/fr/2024/05/01/harbour/", "fr", "Français"),
                          ("/ja/2024/05/01/harbour/", "ja", "日本語")]
    assert 'lang="ja" aria-current="page">日本語' in ja
    # an article without translations has neither alternates nor a switch
    ferry = out["2024/05/02/ferry/index.html"]
    assert alternates(ferry) == {} and 'class="languages"' not in ferry
    # related links stay in the article's language: the English harbour links
    # the English ferry article, never the translations (they share the tag)
    assert 'href="/2024/05/02/ferry/"' in en
    after_switch = ja.split('class="languages"', 1)[1].split("</nav>", 1)[1]
    assert 'href="/2024/05/02/ferry/"' not in ja and "/fr/" not in after_switch
    # JSON-LD and Open Graph name the article's language
    assert '"inLanguage":"ja"' in ja.replace(" ", "") and 'content="ja"' in ja
    # every page of every language is in the sitemap
    for url in ("/2024/05/01/harbour/", "/ja/2024/05/01/harbour/", "/fr/2024/05/01/harbour/"):
        assert f"<loc>https://lake.example.org{url}</loc>" in out["sitemap.xml"]
    # with its translations as alternates, x-default included
    entry = out["sitemap.xml"].split("<loc>https://lake.example.org/ja/2024/05/01/harbour/")[1]
    entry = entry.split("</url>")[0]
    assert re.findall(r'<xhtml:link rel="alternate" hreflang="([^"]+)" href="([^"]+)"/>',
                       entry) == list(want.items())
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in out["sitemap.xml"]


def test_related_links_and_stories_stay_in_one_language(tmp_path: Path) -> None:
    """Names shared across languages relate a French report to English ones
    (and cluster them in one story) before each article keeps its own language's."""
    site = make_site(tmp_path / "site", {
        "content/en/harbour.md": note(
            "Nordvik harbour reopens", "2024-05-01 09:00", tags="[port]", source="Lake Wire",
            body="Nordvik harbour reopened; Ostrava Line ferries sail to Kessel again."),
        "content/fr/port.md": note(
            "Le port de Nordvik rouvre", "2024-05-01 10:00", tags="[port]", source="Courrier",
            body="Le port de Nordvik a rouvert; les ferries Ostrava Line naviguent vers Kessel."),
        "content/en/ferry.md": note(
            "Ostrava Line ferries", "2024-05-02 09:00", tags="[port]", source="Lake Wire",
            body="Ostrava Line ferries sail from Nordvik harbour to Kessel."),
    }, config=BASE)
    result = build(site, OPTIONS, engine=PlainEngine())
    by_url = result.site.by_url
    french, ferry = by_url["/fr/2024/05/01/port/"], by_url["/2024/05/02/ferry/"]
    assert (french.related, french.earlier, french.later, french.also_reported) \
        == ((), (), (), ())
    assert ferry.related == ("/2024/05/01/harbour/",) and ferry.also_reported == ()
    assert french.story != ferry.story  # one story per language: editions never mix them
    page = bytes(result.rendered["2024/05/02/ferry/index.html"]).decode()
    assert "/fr/" not in page and "Also reported by" not in page


def test_feeds_per_language(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/en/harbour.md": HARBOUR_EN, "content/ja/harbour.md": HARBOUR_JA,
        "content/en/ferry.md": FERRY_EN,
    }, config=BASE)
    out = built(site)
    main, ja = feedparser.parse(out["feed.xml"]), feedparser.parse(out["ja/feed.xml"])
    assert [e.title for e in main.entries] == ["Ferry timetable", "Harbour reopens"]
    assert main.feed.language == "en" and ja.feed.language == "ja"
    assert [(e.title, e.link) for e in ja.entries] == [
        ("港が再開", "https://lake.example.org/ja/2024/05/01/harbour/")]
    ja_atom = feedparser.parse(out["ja/atom.xml"])
    assert [e.title for e in ja_atom.entries] == ["港が再開"] and not ja_atom.bozo
    # a translation has its own entry id: the term feed lists both languages
    ids = {e.title: e.id for e in feedparser.parse(out["tags/port/feed.xml"]).entries}
    assert ids["港が再開"] == ids["Harbour reopens"] + "/ja"
    assert '"language": "ja"' in out["ja/feed.json"]


def test_language_suffixes_beside_the_page(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/posts/harbour.md": HARBOUR_EN,
        "content/posts/harbour.ja.md": HARBOUR_JA,
        # a Hugo page bundle in two languages: index.md and index.fr.md
        "content/posts/winter-pause/index.md": note("Winter pause", "2024-04-01 09:00"),
        "content/posts/winter-pause/index.fr.md": note("Pause hivernale", "2024-04-01 09:00"),
        # a translation whose front matter names its slug keeps it
        "content/posts/ferry.md": FERRY_EN,
        "content/posts/ferry.fr.md": note("Horaires du bac", "2024-05-02 09:00",
                                          slug="horaires-du-bac"),
        # a dotted name alone is no translation: it keeps its URL
        "content/posts/notes.old.md": note("Old notes", "2024-03-01 09:00"),
    }, config=BASE)
    out = built(site)
    assert {"2024/05/01/harbour/index.html", "ja/2024/05/01/harbour/index.html",
            "2024/04/01/winter-pause/index.html", "fr/2024/04/01/winter-pause/index.html",
            "fr/2024/05/02/horaires-du-bac/index.html",
            "2024/03/01/notes-old/index.html"} <= set(out)
    bundle = out["fr/2024/04/01/winter-pause/index.html"]
    assert html_lang(bundle) == "fr"
    assert alternates(bundle)["en"] == "https://lake.example.org/2024/04/01/winter-pause/"
    assert switch(out["2024/05/02/ferry/index.html"])[1] == (
        "/fr/2024/05/02/horaires-du-bac/", "fr", "Français")
    assert 'class="languages"' not in out["2024/03/01/notes-old/index.html"]


def test_translation_key_links_differently_named_files(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/en/harbour.md": note("Harbour reopens", "2024-05-01 09:00",
                                      translationKey="harbour-2024"),
        "content/ja/minato.md": note("港が再開", "2024-05-01 09:00",
                                     translationKey="harbour-2024"),
    }, config=BASE)
    out = built(site)
    assert alternates(out["ja/2024/05/01/minato/index.html"])["en"] \
        == "https://lake.example.org/2024/05/01/harbour/"


def test_languages_setting_chooses_the_default(tmp_path: Path) -> None:
    files = {"content/en/harbour.md": HARBOUR_EN, "content/ja/harbour.md": HARBOUR_JA}
    out = built(make_site(tmp_path / "a", files, config=BASE + "languages: [ja, en]\n"))
    assert html_lang(out["2024/05/01/harbour/index.html"]) == "ja"
    assert html_lang(out["en/2024/05/01/harbour/index.html"]) == "en"
    assert html_lang(out["index.html"]) == "ja"  # `language` is the first of them
    assert alternates(out["en/2024/05/01/harbour/index.html"])["x-default"] \
        == "https://lake.example.org/2024/05/01/harbour/"


@pytest.mark.parametrize(("config", "default"), [
    ("", "en"),  # en is one of the folders
    ("language: ja\n", "ja"),  # digest.yaml names it
])
def test_the_default_language_without_a_setting(tmp_path: Path, config: str,
                                                default: str) -> None:
    site = make_site(tmp_path / "site", {
        "content/ja/harbour.md": HARBOUR_JA, "content/en/harbour.md": HARBOUR_EN,
    }, config=BASE + config)
    other = "ja" if default == "en" else "en"
    out = built(site)
    assert html_lang(out["2024/05/01/harbour/index.html"]) == default
    assert html_lang(out[f"{other}/2024/05/01/harbour/index.html"]) == other


def test_without_english_the_first_folder_in_sorted_order_is_the_default(
        tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/ko/harbour.md": note("항구 재개", "2024-05-01 09:00"),
        "content/ja/harbour.md": HARBOUR_JA,
    }, config=BASE)
    out = built(site)
    assert html_lang(out["2024/05/01/harbour/index.html"]) == "ja"
    assert html_lang(out["ko/2024/05/01/harbour/index.html"]) == "ko"


def test_one_folder_named_like_a_language_changes_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/en/harbour.md": HARBOUR_EN,
                                         "content/news/ferry.md": FERRY_EN}, config=BASE)
    out = built(site)
    assert {"2024/05/01/harbour/index.html", "2024/05/02/ferry/index.html"} <= set(out)
    assert not any(p.startswith("en/") for p in out)
    assert "hreflang" not in out["2024/05/01/harbour/index.html"]
    assert "xhtml" not in out["sitemap.xml"]


@pytest.mark.parametrize(("config", "message", "line"), [
    ("languages: [en, japanese]\n", "'languages' entry 'japanese' is not a language code", 1),
    ("languages:\n  - en\n  - ja\n  - EN\n", "language 'EN' is listed twice", 4),
    ("language: en\nlanguages: [ja, en]\n", "language 'en' is not the first of languages", 1),
    ("languages: ja\n", "'languages' must be a list of language codes", 1),
])
def test_bad_languages_settings_are_named_at_their_line(tmp_path: Path, config: str,
                                                         message: str, line: int) -> None:
    site = make_site(tmp_path / "site", {"content/a.md": HARBOUR_EN}, config=config)
    with pytest.raises(ConfigError) as caught:
        build(site, OPTIONS, engine=PlainEngine())
    (diag,) = caught.value.diagnostics
    assert message in diag.message and diag.line == line and diag.hint
    assert diag.path == "digest.yaml"


def test_translations_added_renamed_and_removed_stay_exact(tmp_path: Path) -> None:
    """A page shows its translations' URLs: an incremental build re-renders it
    when one comes, moves or goes (byte-identical to a cold build each time)."""
    site = make_site(tmp_path / "site", {
        "content/en/harbour.md": HARBOUR_EN, "content/en/ferry.md": FERRY_EN,
        "content/ja/other.md": note("別の記事", "2024-04-01 09:00"),
    }, config=BASE)
    ja_page = "ja/2024/05/01/harbour/index.html"
    edits = [
        {"content/ja/harbour.md": HARBOUR_JA},  # added
        {"content/ja/harbour.md": HARBOUR_JA.replace("港が再開", "港が再び開く")},  # edited
        {"content/fr/harbour.md": HARBOUR_FR},  # a third language
    ]
    got = edits_stay_exact(site, INCREMENTAL, edits)
    assert 'hreflang="fr"' in got["2024/05/01/harbour/index.html"].decode()
    assert "港が再び開く" in got[ja_page].decode()
    # renamed: the Japanese file moves to another name, then away
    (site / "content/ja/harbour.md").rename(site / "content/ja/minato.md")
    got = edits_stay_exact(site, INCREMENTAL, [{}])
    assert ja_page not in got and "ja/2024/05/01/minato/index.html" in got
    assert 'hreflang="ja"' not in got["2024/05/01/harbour/index.html"].decode()
    # linked again by a translationKey: no page moves, the translations change
    got = edits_stay_exact(site, INCREMENTAL, [{
        "content/en/harbour.md": HARBOUR_EN.replace("tags:", "translationKey: h\ntags:"),
        "content/ja/minato.md": HARBOUR_JA.replace("tags:", "translationKey: h\ntags:")}])
    assert "/ja/2024/05/01/minato/" in got["2024/05/01/harbour/index.html"].decode()
    assert 'hreflang="ja" href="https://lake.example.org/ja/2024/05/01/minato/"' \
        in got["sitemap.xml"].decode()
    (site / "content/fr/harbour.md").unlink()
    got = edits_stay_exact(site, INCREMENTAL, [{}])
    harbour = got["2024/05/01/harbour/index.html"].decode()
    assert 'hreflang="fr"' not in harbour and 'hreflang="ja"' in harbour


def test_pages_with_a_language_switch_are_valid_html(tmp_path: Path) -> None:
    from tests.tools.vnu import validate_html

    site = make_site(tmp_path / "site", {
        "content/en/harbour.md": HARBOUR_EN, "content/ja/harbour.md": HARBOUR_JA,
        "content/pt-br/harbour.md": note("O porto reabre", "2024-05-01 09:00"),
    }, config=BASE)
    out = built(site)
    pages = []
    for rel in ("2024/05/01/harbour/index.html", "ja/2024/05/01/harbour/index.html",
                "pt-br/2024/05/01/harbour/index.html"):
        path = tmp_path / "pages" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out[rel], encoding="utf-8")
        pages.append(path)
    assert ("/pt-br/2024/05/01/harbour/", "pt-br", "Português (pt-br)") \
        in switch(out["2024/05/01/harbour/index.html"])
    assert validate_html(pages) == []


def test_languages_found_by_shape_are_named_in_a_note(tmp_path: Path) -> None:
    files = {"content/en/harbour.md": HARBOUR_EN, "content/ja/harbour.md": HARBOUR_JA}
    result = build(make_site(tmp_path / "a", files, config=BASE), OPTIONS, engine=PlainEngine())
    (found,) = [d for d in result.diagnostics if d.code == "languages"]
    assert found.severity == "note" and "content/en/, content/ja/" in found.message
    assert "en is the default, ja under /<lang>/" in found.message
    assert found.hint is not None and found.hint.endswith("languages: [en, ja]")
    configured = build(make_site(tmp_path / "b", files, config=BASE + "languages: [en, ja]\n"),
                       OPTIONS, engine=PlainEngine())
    assert not [d for d in configured.diagnostics if d.code == "languages"]


def test_list_pages_mark_titles_in_another_language(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/en/harbour.md": HARBOUR_EN, "content/ja/harbour.md": HARBOUR_JA,
    }, config=BASE)
    out = built(site)
    for page in (out["index.html"], out["tags/port/index.html"]):  # an edition, a list
        assert re.search(r'<h\d lang="ja"><a href="/ja/2024/05/01/harbour/">港が再開</a>', page)
        assert '<p class="summary" lang="ja">冬の休止' in page
        assert re.search(r'<h\d><a href="/2024/05/01/harbour/">Harbour reopens</a>', page)


def test_the_news_sitemap_gives_each_article_its_language(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/en/harbour.md": HARBOUR_EN, "content/ja/harbour.md": HARBOUR_JA,
    }, config=BASE)
    result = build(site, BuildOptions(now=datetime(2024, 5, 1, 12, tzinfo=UTC), cache=False,
                                      search=False), engine=PlainEngine())
    news = bytes(result.rendered["news-sitemap.xml"]).decode()
    entries = re.findall(r"<loc>([^<]+)</loc>.*?<news:language>([^<]+)</news:language>", news,
                         re.S)
    assert sorted(entries) == [("https://lake.example.org/2024/05/01/harbour/", "en"),
                               ("https://lake.example.org/ja/2024/05/01/harbour/", "ja")]
