"""Issues 7 and 24: site search with Pagefind, on static hosting with no server,
kept up to date by re-indexing only what changed.

``digest build`` indexes the article pages in shards (one Pagefind bundle per
month, digest.search) written with the site before the swap; the theme's
/search/ page searches every bundle and merges the answers (by score, or
newest first; filters per taxonomy and month), under the production
Content-Security-Policy.  An edit rebuilds only its month's shard;
the index a build leaves is the one a cold build of the same sources makes.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from digest.errors import DigestError
from digest.output.write import scan_output
from digest.search import SKIPPED_WARNING, SearchError, build_index, find_pagefind, page_source
from tests.integration.conftest import cli, copy_example_site
from tests.integration.theme_support import (
    CspWatch,
    build_example,
    inject_axe,
    serve_with_headers,
    site_headers,
)
from tests.tools.axe import format_violations, run_axe

ARTICLE = "content/2024/11/minsk-and-tula-region-plan-joint-industrial-projects.md"
ARTICLE_URL = "/2024/11/06/minsk-and-tula-region-plan-joint-industrial-projects/"
OLD_WORD, NEW_WORD = "quillwort", "zygomorphic"  # in no article of the example site


def _shards(output: Path) -> list[str]:
    return json.loads((output / "pagefind" / "shards.json").read_text("utf-8"))["shards"]


def _bundle_bytes(output: Path) -> dict[str, bytes]:
    root = output / "pagefind"
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _search_line(err: str) -> str:
    """What the -v line says of the index, without its count of pages read."""
    found = re.search(r"^\s+search\s+[0-9.]+ s \((.*), (\d+) pages read\)$", err,
                      re.MULTILINE)
    assert found, err
    return found.group(1)


def _pages_read(err: str) -> int:
    found = re.search(r"^\s+search\s+.*, (\d+) pages read\)$", err, re.MULTILINE)
    assert found, err
    return int(found.group(1))


def _search(page, base_url: str, query: str) -> list[str]:  # noqa: ANN001 - playwright Page
    """The result links the search page shows for ``query``."""
    page.goto(f"{base_url}/search/?q={query}", wait_until="load")
    page.wait_for_function(
        "q => document.getElementById('search-status').textContent.includes(q)", arg=query)
    return page.locator("#search-results li h2 a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """The example site built by the CLI, index included."""
    site = copy_example_site(tmp_path_factory.mktemp("search") / "site")
    run = cli(site, "build", "-v")
    assert run.code == 0, run
    return SimpleNamespace(site=site, output=site / "output", run=run)


@pytest.fixture(scope="module")
def base_url(built) -> Iterator[str]:
    with serve_with_headers(built.output, site_headers()) as url:
        yield url


def test_pagefind_is_installed() -> None:
    assert find_pagefind() is not None, "pagefind[bin] (the search extra) is not installed"


def test_index_is_written_in_monthly_shards(built) -> None:
    output = built.output
    shards = _shards(output)
    # the example site's articles are from November and December 2024, newest first
    assert [s[:7] for s in shards] == ["2024-12", "2024-11"], shards
    for shard in shards:
        assert re.fullmatch(r"\d{4}-\d{2}-[0-9a-f]{16}/", shard)
        for name in ("pagefind.js", "pagefind-entry.json", "pagefind-worker.js"):
            assert (output / "pagefind" / shard / name).is_file(), (shard, name)
        assert any((output / "pagefind" / shard / "fragment").iterdir())
    assert sorted(p.name for p in (output / "pagefind").iterdir()) == sorted(
        [s.rstrip("/") for s in shards] + ["shards.json"]), "no bundle but the listed ones"
    assert _search_line(built.run.err) == "2 of 2 shards rebuilt, 21 pages indexed"
    leftovers = [p.name for p in built.site.iterdir() if ".tmp-" in p.name]
    leftovers += [p.name for p in (built.site / ".digest-cache" / "search").glob(".work-*")]
    assert leftovers == []
    # what the build recorded of output/ includes the index: the next build is a no-op
    again = cli(built.site, "build")
    assert again.code == 0 and again.out.startswith("Nothing changed"), again


def test_cached_bundles_are_trusted_only_when_recorded(tmp_path: Path) -> None:
    """A bundle in .digest-cache/search/ is reused only if this user's signed
    cache section lists it: one that came with the site is made again."""
    site = copy_example_site(tmp_path / "site")
    assert cli(site, "build", "-q").code == 0
    run = cli(site, "build", "-v")
    assert _search_line(run.err) == "0 of 2 shards rebuilt, 0 pages indexed", run
    planted = site / ".digest-cache" / "search" / "pagefind" / _shards(site / "output")[0]
    (planted / "pagefind.js").unlink()
    (planted / "pagefind.js").write_text("alert('planted')", encoding="utf-8")
    (site / ".digest-cache" / "search.pickle").unlink()  # the signed record
    run = cli(site, "build", "-v")
    assert _search_line(run.err) == "2 of 2 shards rebuilt, 21 pages indexed", run
    assert "planted" not in (planted / "pagefind.js").read_text("utf-8")


def test_only_article_pages_are_indexed(built) -> None:
    articles = list(built.output.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))
    counted = 0
    for shard in _shards(built.output):
        entry = json.loads((built.output / "pagefind" / shard / "pagefind-entry.json")
                           .read_text("utf-8"))
        counted += sum(lang["page_count"] for lang in entry["languages"].values())
    assert counted == len(articles) == 21


def _fragments(output: Path) -> dict[str, dict]:
    """URL -> what Pagefind stored of that page (its fragment: text, meta, filters)."""
    found = {}
    for path in (output / "pagefind").glob("*/fragment/*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        data = json.loads(raw[raw.index(b"{"):])
        found[data["url"]] = data
    return found


def test_index_holds_body_text_meta_and_filters(built) -> None:
    """Issue 24: what a result shows comes from the index: the headline, the
    date (as shown and ISO), the source as meta; the body text without the
    byline or related links; the month, the source and each taxonomy's
    labels as filters (the terms as the article lists them)."""
    fragments = _fragments(built.output)
    assert len(fragments) == 21
    page = fragments[ARTICLE_URL]
    assert page["meta"]["title"] == "Minsk and Tula region plan joint industrial projects"
    assert re.fullmatch(r"6 November 2024, \d\d:\d\d", page["meta"]["date"]), page["meta"]
    assert page["meta"]["datetime"].startswith("2024-11-06T")
    assert page["meta"]["source"]
    text = page["content"]
    assert "min read" not in text and "edition" not in text and "Original at" not in text
    assert "Also reported by" not in text
    listed = {a["url"]: a for a in json.loads(cli(built.site, "list").out)}
    for url, data in fragments.items():
        article = listed[url]
        want = {"month": [url[1:8].replace("/", "-")]}
        if article.get("source"):
            want["source"] = [article["source"]]
        for tax, labels in (article.get("terms") or {}).items():
            if labels:
                want[tax] = sorted(labels)
        assert {k: sorted(v) for k, v in data["filters"].items()} == want, url
        assert {"title", "date", "datetime"} <= set(data["meta"]), url
    assert set(fragments[ARTICLE_URL]["filters"]) > {"month", "source"}


def test_search_finds_articles_in_the_browser(browser, base_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        watch = CspWatch(page)
        page.goto(base_url + "/search/?q=cabotage", wait_until="load")
        results = page.locator("#search-results li")
        results.first.wait_for(timeout=10_000)
        assert page.locator("#search-form").is_visible()
        assert page.locator("#search-fallback").is_hidden()
        assert page.input_value("#search-input") == "cabotage"
        hrefs = results.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        # found in both months' shards: the merged index answers as one
        assert any(h.startswith("/2024/11/") and "cabotage" in h for h in hrefs), hrefs
        assert any(h.startswith("/2024/12/") and "cabotage" in h for h in hrefs), hrefs
        assert results.locator("mark").count() >= 1, "matches are highlighted"
        assert "cabotage" in page.locator("#search-status").inner_text()
        # excerpts are body text, the date comes from the page's metadata
        excerpts = results.locator(".excerpt").all_inner_texts()
        assert excerpts and not [e for e in excerpts if "min read" in e or "edition" in e]
        assert re.search(r"\d{4}", results.locator(".meta").first.inner_text())
        # typing a new query replaces the results and the URL
        page.fill("#search-input", "refinery")
        page.wait_for_function(
            "() => new URL(location.href).searchParams.get('q') === 'refinery'")
        page.wait_for_function(
            "() => document.getElementById('search-status').textContent.includes('refinery')")
        page.fill("#search-input", "xyzzyplugh")
        page.wait_for_function(
            "() => document.getElementById('search-status').textContent.startsWith('No ')")
        assert results.count() == 0
        # a result link leads to a real page
        page.goto(base_url + "/search/?q=cabotage", wait_until="load")
        results.first.wait_for(timeout=10_000)
        results.locator("a").first.click()
        page.wait_for_load_state("load")
        assert page.locator("h1").count() == 1 and "/search/" not in page.url
        assert watch.violations() == []
    finally:
        context.close()


def _dates(page) -> list[str]:  # noqa: ANN001 - playwright Page
    return page.locator("#search-results .meta time").evaluate_all(
        "ts => ts.map(t => t.getAttribute('datetime'))")


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC)


def _settled(page, text: str) -> None:  # noqa: ANN001 - playwright Page
    page.wait_for_function(
        "t => document.getElementById('search-status').textContent.includes(t)", arg=text)


def test_results_filters_and_newest_first(browser, built, base_url: str) -> None:  # noqa: PLR0915
    """Issue 24: a result shows the headline, date and source and the body text
    around the match; the month filter and the newest-first order work over
    all the monthly shards (searched together and merged), from the keyboard,
    and stay in the URL."""
    titles = {url: data["meta"]["title"] for url, data in _fragments(built.output).items()}
    context = browser.new_context()
    try:
        page = context.new_page()
        watch = CspWatch(page)
        page.goto(base_url + "/search/?q=cabotage", wait_until="load")
        _settled(page, "cabotage")
        results = page.locator("#search-results li")
        first = results.first
        href = first.locator("h2 a").get_attribute("href")
        assert first.locator("h2 a").inner_text() == titles[href]
        time_el = first.locator(".meta time")
        assert re.fullmatch(r"\d{1,2} \w+ 2024, \d\d:\d\d", time_el.inner_text())
        assert time_el.get_attribute("datetime").startswith("2024-")
        assert first.locator(".meta .source").inner_text() == \
            _fragments(built.output)[href]["meta"]["source"]
        assert "cabotage" in first.locator(".excerpt mark").first.inner_text().lower()
        best = page.locator("#search-results h2 a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))")
        months = {h[:9] for h in best}
        assert months == {"/2024/11/", "/2024/12/"}, best

        # the lists hold the index's values, with counts, months newest first
        month_values = page.locator("#filter-month option").evaluate_all(
            "os => os.map(o => [o.value, o.textContent])")
        assert [v for v, _ in month_values] == ["", "2024-12", "2024-11"]
        assert month_values[1][1] == "December 2024 (11)"

        # newest first: every result, both shards, by date
        page.select_option("#search-sort", "newest")
        _settled(page, "newest first")
        newest = page.locator("#search-results h2 a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))")
        dates = [_utc(d) for d in _dates(page)]
        assert sorted(newest) == sorted(best) and len(dates) == len(best)
        assert dates == sorted(dates, reverse=True), dates

        # a month and a source narrow them down
        page.select_option("#filter-month", "2024-11")
        _settled(page, "Month: November 2024")
        hrefs = page.locator("#search-results h2 a").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))")
        assert hrefs and all(h.startswith("/2024/11/") for h in hrefs)
        assert set(hrefs) == {h for h in best if h.startswith("/2024/11/")}
        assert new_url_params(page) == {"q": "cabotage", "month": "2024-11", "sort": "newest"}

        # the choices survive a reload (digest serve reloads the page)
        page.reload(wait_until="load")
        _settled(page, "Month: November 2024")
        assert page.input_value("#filter-month") == "2024-11"
        assert page.input_value("#search-sort") == "newest"
        assert _dates(page) == sorted(_dates(page), key=_utc, reverse=True)

        # keyboard: the lists follow the box in the tab order; a month alone
        # (no words) lists its articles, newest first
        page.fill("#search-input", "")
        page.focus("#search-input")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "filter-month"
        page.select_option("#filter-month", "2024-12")
        _settled(page, "11 articles match Month: December 2024")
        dates = [_utc(d) for d in _dates(page)]
        assert len(dates) == 11 and dates == sorted(dates, reverse=True)

        inject_axe(page)
        violations = run_axe(page)
        assert not violations, format_violations(violations)
        assert watch.violations() == []
    finally:
        context.close()


def _hrefs(page) -> list[str]:  # noqa: ANN001 - playwright Page
    return page.locator("#search-results h2 a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")


def test_source_and_topic_filters(browser, built, base_url: str) -> None:
    """Issue 24: filters by source and by each taxonomy (topics here), their
    values summed over the monthly shards, combined with words and with each
    other, and kept in the URL."""
    fragments = _fragments(built.output)
    by_source: dict[str, set[str]] = {}
    by_topic: dict[str, set[str]] = {}
    for url, data in fragments.items():
        for value in data["filters"].get("source", []):
            by_source.setdefault(value, set()).add(url)
        for value in data["filters"].get("topics", []):
            by_topic.setdefault(value, set()).add(url)
    source = max(sorted(by_source), key=lambda v: len(by_source[v]))
    topic = max(sorted(by_topic), key=lambda v: len(by_topic[v]))
    context = browser.new_context()
    try:
        page = context.new_page()
        watch = CspWatch(page)
        page.goto(base_url + "/search/", wait_until="load")
        page.wait_for_function("() => document.querySelectorAll('#filter-source option').length > 1")
        options = page.locator("#filter-source option").evaluate_all(
            "os => os.map(o => [o.value, o.textContent])")
        assert [v for v, _ in options] == ["", *sorted(by_source, key=str.casefold)]
        assert dict(options)[source] == f"{source} ({len(by_source[source])})"
        assert page.locator("#filter-topics").is_visible()

        page.select_option("#filter-source", source)
        _settled(page, f"match Source: {source}")
        assert set(_hrefs(page)) == by_source[source]
        assert set(page.locator("#search-results .meta .source").all_inner_texts()) == {source}

        page.select_option("#filter-topics", topic)
        _settled(page, f"match Source: {source}, Topics: {topic}")
        both = by_source[source] & by_topic[topic]
        assert set(_hrefs(page)) == both, (source, topic)
        assert new_url_params(page) == {"q": "", "source": source, "topics": topic} or \
            new_url_params(page) == {"source": source, "topics": topic}

        page.select_option("#filter-source", "")
        _settled(page, f"match Topics: {topic}")
        assert set(_hrefs(page)) == by_topic[topic]
        page.fill("#search-input", "Minsk")
        page.press("#search-input", "Enter")
        _settled(page, f"match “Minsk”, Topics: {topic}")
        found = set(_hrefs(page))
        assert found and found <= by_topic[topic]
        assert watch.violations() == []
    finally:
        context.close()


def new_url_params(page) -> dict[str, str]:  # noqa: ANN001 - playwright Page
    return dict(page.evaluate("() => [...new URL(location.href).searchParams]"))


def test_search_page_without_index_says_so(browser, tmp_path: Path) -> None:
    """Built without an index: a note, not a dead form."""
    out = build_example(tmp_path / "output")
    with serve_with_headers(out, site_headers()) as url:
        page = browser.new_page()
        try:
            page.goto(url + "/search/", wait_until="load")
            page.wait_for_function(
                "() => document.getElementById('search-unavailable').textContent"
                ".includes('without a search index')")
            assert page.locator("#search-form").is_hidden()
            assert page.locator("#search-fallback a[href='/topics/']").count() == 1
        finally:
            page.close()


# ------------------------------------------------------------- edits: issue 24

def _edit(site: Path, old: str, new: str) -> None:
    path = site / ARTICLE
    text = path.read_text("utf-8")
    if old:
        assert old in text
        text = text.replace(old, new)
    else:
        text += f"\n{new}\n"
    path.write_text(text, "utf-8")


def test_an_edit_reindexes_its_shard_only(browser, tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    output, bundles = site / "output", site / ".digest-cache" / "search" / "pagefind"
    paragraph = f"The delegation also visited a {OLD_WORD} nursery outside the city."
    _edit(site, "", paragraph)
    assert cli(site, "build", "-q").code == 0
    before_shards, before_bytes = _shards(output), _bundle_bytes(output)
    december = before_shards[0]
    assert december.startswith("2024-12")
    entry = bundles / december / "pagefind-entry.json"
    made = (entry.stat().st_ino, entry.stat().st_mtime_ns)
    live = output / "pagefind" / december / "pagefind-entry.json"
    written = live.stat().st_ino
    assert written == made[0]  # a cold build links the cached bundle's files, no copies
    # the folder of the edited month's pages that Pagefind reads (digest.searchfolders)
    folder = site / ".digest-cache" / "search" / "pages" / before_shards[1][:7]
    linked = {p.relative_to(folder).as_posix(): p.stat().st_ino
              for p in folder.rglob("index.html")}
    edited_page = ARTICLE_URL.strip("/") + "/index.html"
    assert edited_page in linked and len(linked) == 10

    _edit(site, paragraph, f"The delegation also toured a {NEW_WORD} orchid collection.")
    run = cli(site, "build", "-v")
    assert run.code == 0, run
    # Pagefind started on the month while the site was built (digest.searchahead):
    # the body was all that changed, so the bundle it made is the month's
    assert _search_line(run.err) == "1 of 2 shards rebuilt (1 started early), 10 pages indexed"
    # only the edited page was put there again; the others are the same links
    now = {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("index.html")}
    assert sorted(rel for rel in linked if now[rel] != linked[rel]) == [edited_page]
    after_shards, after_bytes = _shards(output), _bundle_bytes(output)
    assert after_shards[0] == december and after_shards[1] != before_shards[1]
    # the unchanged shard: the same files, not made again (the cached bundle's
    # own files, the same inode and time), and the same bytes in output/
    assert (entry.stat().st_ino, entry.stat().st_mtime_ns) == made
    unchanged = {k: v for k, v in before_bytes.items() if k.startswith(december)}
    assert unchanged and {k: after_bytes[k] for k in unchanged} == unchanged
    assert not [k for k in after_bytes if k.startswith(before_shards[1])], "stale shard left"

    with serve_with_headers(output, site_headers()) as url:
        page = browser.new_page()
        try:
            assert _search(page, url, NEW_WORD) == [ARTICLE_URL]
            assert _search(page, url, OLD_WORD) == []
            edited = _search(page, url, "delegation")
        finally:
            page.close()

    # Each edit writes into a tree a build before it left (digest.output.spare): the
    # unchanged shard's files in it are kept as they were, never written again.
    assert live.stat().st_ino == written
    _edit(site, "", f"A {OLD_WORD} paragraph again.")
    run = cli(site, "build", "-v")
    assert run.code == 0 and _search_line(run.err).startswith("1 of 2 shards rebuilt"), run
    assert live.stat().st_ino == written
    assert cli(site, "build").out.startswith("Nothing changed")
    _edit(site, f"\nA {OLD_WORD} paragraph again.\n", "")
    assert cli(site, "build", "-q").code == 0
    assert _bundle_bytes(output) == after_bytes

    # A cold build of the same sources makes the same index, byte for byte.
    cold = copy_example_site(tmp_path / "cold")
    shutil.copy2(site / ARTICLE, cold / ARTICLE)
    run = cli(cold, "build", "-v", "--no-cache")
    assert run.code == 0, run
    assert _search_line(run.err) == "2 of 2 shards rebuilt, 21 pages indexed"
    assert _bundle_bytes(cold / "output") == after_bytes
    with serve_with_headers(cold / "output", site_headers()) as url:
        page = browser.new_page()
        try:
            assert _search(page, url, "delegation") == edited and ARTICLE_URL in edited
        finally:
            page.close()


def _written_since(output: Path, start_ns: int) -> list[str]:
    """Article pages (yyyy/mm/dd/slug/) whose file was written after ``start_ns``."""
    return [p.relative_to(output).as_posix() for p in sorted(output.glob("20*/*/*/*/index.html"))
            if p.stat().st_mtime_ns >= start_ns]


def test_edits_read_only_the_pages_they_rewrote(tmp_path: Path) -> None:
    """An edit's build reads (to digest what Pagefind would index) only the
    article pages whose fingerprint changed; every other page keeps the token
    recorded with its fingerprint.  output/ and the spare tree take turns
    (digest.output.spare), so after a build that rewrites every page, each
    page is a different file in each tree: a record by file (size and mtime)
    made every later build read all the pages (at 10,000 articles, 4 s)."""
    site = copy_example_site(tmp_path / "site")
    output = site / "output"
    run = cli(site, "build", "-v")
    # A first build reads none: each page's token names its fingerprint (searchdigest)
    assert run.code == 0 and _pages_read(run.err) == 0, run
    _edit(site, "", "A first edit: the build after it starts from a spare tree.")
    run = cli(site, "build", "-v")
    assert run.code == 0 and 1 <= _pages_read(run.err) <= 10, run
    # A new site title rewrites every page (and what is indexed of it: <title>):
    # from here on each tree holds its own file of every page.  (New settings
    # are a new cache: every page gets a token of its fingerprint again.)
    config = site / "digest.yaml"
    config.write_text(config.read_text("utf-8").replace("title:", "title: New", 1), "utf-8")
    run = cli(site, "build", "-v")
    assert run.code == 0 and _pages_read(run.err) == 0, run
    for n, word in enumerate(("alpha", "beta", "gamma", "delta")):
        _edit(site, "", f"Edit {n} adds the word {word}{n}.")
        start = time.time_ns() - 1_000_000  # (file times may lag the clock a little)
        run = cli(site, "build", "-v")
        assert run.code == 0, run
        rewritten = _written_since(output, start)
        # The first edit writes every page again (into the tree from before the
        # title), the others only what changed; either way, only the pages whose
        # fingerprint changed (the edited one and the few listing it) are read.
        assert (len(rewritten) >= 21) if n == 0 else (1 <= len(rewritten) < 21), rewritten
        # The first time a page's fingerprint changes, the file Pagefind indexed
        # of it is read too (to tell whether its token still holds).
        assert 1 <= _pages_read(run.err) <= (10 if n == 0 else 5), (n, run.err)


NUCLEAR = "content/2024/12/belarus-russia-look-beyond-astravets-in-nuclear-energy-cooperation.md"
NUCLEAR_URL = "/2024/12/16/belarus-russia-look-beyond-astravets-in-nuclear-energy-cooperation/"


def test_related_links_elsewhere_do_not_reindex_a_month(browser, tmp_path: Path) -> None:
    """A month's key follows what Pagefind indexes, not the page's bytes: giving
    a December article the tags and places of a November one adds it to the
    November page's related links (data-pagefind-ignore), which rebuilds
    December's shard only; a body edit in November still rebuilds November's."""
    site = copy_example_site(tmp_path / "site")
    output = site / "output"
    assert cli(site, "build", "-q").code == 0
    december, november = _shards(output)
    old_page = output / ARTICLE_URL.strip("/") / "index.html"
    before = old_page.read_bytes()
    assert NUCLEAR_URL.encode() not in before

    path = site / NUCLEAR
    text = path.read_text("utf-8")
    path.write_text(text.replace("tags: [energy, nuclear, union-state]",
                                 "tags: [trade, industry, regions]\n"
                                 "places: [Minsk, Tula Oblast]"), "utf-8")
    run = cli(site, "build", "-v")
    assert run.code == 0, run
    after = old_page.read_bytes()
    assert NUCLEAR_URL.encode() in after, "the November page now links the December one"
    assert _search_line(run.err).startswith("1 of 2 shards rebuilt"), run
    shards = _shards(output)
    assert shards[1] == november and shards[0] != december and shards[0].startswith("2024-12")

    # the same index as a cold build of the same sources, byte for byte
    cold = copy_example_site(tmp_path / "cold")
    shutil.copy2(path, cold / NUCLEAR)
    assert cli(cold, "build", "-q", "--no-cache").code == 0
    assert _bundle_bytes(cold / "output") == _bundle_bytes(output)

    # body text of the older month: its shard is rebuilt, and only it
    _edit(site, "", f"The delegation also visited a {NEW_WORD} nursery.")
    run = cli(site, "build", "-v")
    assert run.code == 0, run
    assert _search_line(run.err).startswith("1 of 2 shards rebuilt"), run
    shards = _shards(output)
    assert shards[1] != november and shards[1].startswith("2024-11")

    with serve_with_headers(output, site_headers()) as url:
        page = browser.new_page()
        try:
            assert _search(page, url, NEW_WORD) == [ARTICLE_URL]
            # the November page links the December one, but its links are not
            # indexed: only pages whose own text names Astravets are found
            found = _search(page, url, "Astravets")
            assert NUCLEAR_URL in found and ARTICLE_URL not in found, found
        finally:
            page.close()


def test_a_failed_index_leaves_the_old_site(tmp_path: Path, monkeypatch) -> None:
    """Pagefind failing on an edit fails the build before the swap: output/ is
    the last good site, index included."""
    site = copy_example_site(tmp_path / "site")
    assert cli(site, "build", "-q").code == 0
    before = {rel: (site / "output" / rel).read_bytes()
              for rel in scan_output(site / "output")}
    broken = tmp_path / "pagefind"
    broken.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "pagefind 1.5.2"; '
                      'exit 0; fi\necho "index exploded" >&2\nexit 3\n', encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", os.fspath(broken))
    _edit(site, "", f"A {NEW_WORD} paragraph.")
    run = cli(site, "build", "-q")
    assert run.code == 1, run
    assert "search index: Pagefind failed (exit 3): index exploded" in run.err
    assert {rel: (site / "output" / rel).read_bytes()
            for rel in scan_output(site / "output")} == before
    assert not [p for p in site.iterdir() if ".tmp-" in p.name]


def test_build_index_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile
    from datetime import UTC, datetime

    # A build without cache indexes in a scratch folder: gone after a failure too.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    article = SimpleNamespace(date=datetime(2024, 5, 1, tzinfo=UTC), url="/a/")
    source = page_source({"a/index.html": b"<html><body><p>text</p></body></html>"})
    with pytest.raises(SearchError) as info:
        build_index([article], source, None, binary=tmp_path / "no-such-binary")
    assert isinstance(info.value, DigestError)
    assert "could not run Pagefind" in info.value.diagnostics[0].message
    with pytest.raises(SearchError, match="is not in the site"):
        build_index([SimpleNamespace(date=article.date, url="/b/")], source, None)
    broken = tmp_path / "pagefind"
    broken.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "pagefind 1.5.2"; '
                      'exit 0; fi\necho "index exploded" >&2\nexit 3\n', encoding="utf-8")
    broken.chmod(0o755)
    with pytest.raises(SearchError, match="index exploded"):
        build_index([article], source, None, binary=broken)
    assert list(scratch.iterdir()) == []
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "absent"))
    assert find_pagefind() is None
    with pytest.raises(SearchError, match="not installed") as info:
        build_index([article], source, None)
    assert "pip install 'digest-news[search]'" in (info.value.diagnostics[0].hint or "")


def test_pages_in_memory_are_digested_once(tmp_path: Path, monkeypatch) -> None:
    """digest serve's pages are bytes in memory: ``memo`` keeps the digest of
    each page from one index to the next, so only changed pages are read."""
    import digest.searchdigest as search

    def page(text: str) -> bytes:
        return (f"<html lang='en'><head><title>{text}</title></head><body>"
                f"<article data-pagefind-body><h1>{text}</h1><p>{text} words</p>"
                "</article></body></html>").encode()

    when = datetime(2024, 5, 1, tzinfo=UTC)
    articles = [SimpleNamespace(date=when, url="/a/"), SimpleNamespace(date=when, url="/b/")]
    pages = {"a/index.html": page("alpha"), "b/index.html": page("beta")}
    read: list[bytes] = []
    real = search.indexed_digest
    monkeypatch.setattr(search, "indexed_digest", lambda raw: read.append(raw) or real(raw))
    memo: dict = {}
    keys = []
    for site in (pages, dict(pages), {**pages, "b/index.html": page("gamma")}):
        read.clear()
        index = build_index(articles, page_source(site), None, memo=memo)
        keys.append(json.loads(index.data["pagefind/shards.json"])["shards"])
        index.close()
        assert sorted(memo) == sorted(site) and all(memo[k][0] == site[k] for k in site)
        if site is pages:
            assert len(read) == 2
        elif "gamma".encode() in site["b/index.html"]:
            assert read == [site["b/index.html"]]
        else:
            assert read == []
    assert keys[0] == keys[1] != keys[2]


def test_an_index_of_no_articles(tmp_path: Path) -> None:
    index = build_index([], page_source({}), None)
    try:
        assert json.loads(index.data["pagefind/shards.json"]) == {"shards": []}
        assert index.linked == {} and index.report.shards == 0
    finally:
        index.close()


def test_each_bundle_is_placed_as_its_run_ends_largest_month_first(tmp_path: Path) -> None:
    """A cold build's months are indexed largest first (the runs that end the
    stage with a core idle are then the shortest), and each new bundle is
    named, placed and handed to ``placed`` as soon as its run has ended,
    while the next month's run goes (it used to wait for the last run)."""
    def page(text: str) -> bytes:
        return (f"<html lang='en'><head><title>{text}</title></head><body>"
                f"<article data-pagefind-body><h1>{text}</h1><p>{text} words</p>"
                "</article></body></html>").encode()

    sizes = {"2024-03": 1, "2024-04": 3, "2024-05": 2}
    articles, pages = [], {}
    for month, count in sizes.items():
        year, number = map(int, month.split("-"))
        for k in range(count):
            url = f"/{month}-{k}/"
            articles.append(SimpleNamespace(date=datetime(year, number, 1 + k, tzinfo=UTC),
                                            url=url))
            pages[f"{month}-{k}/index.html"] = page(f"word{month.replace('-', '')}x{k}")
    placed: list[tuple[str, list[str], bool]] = []

    def seen(folder: str, source: Path, files: list[str]) -> None:
        assert all((source / rel).is_file() for rel in files)  # in place already
        home = source.parent.parent
        running = any(p.name.startswith(".work-") for p in home.iterdir())
        placed.append((folder, files, running))

    index = build_index(articles, page_source(pages), None, jobs=1, placed=seen)
    try:
        shards = json.loads(index.data["pagefind/shards.json"])["shards"]
        assert [folder.split("/")[1][:7] for folder, _, _ in placed] == \
            ["2024-04", "2024-05", "2024-03"]
        # The first two were placed while the next month's run was going.
        assert [running for _, _, running in placed] == [True, True, False]
        assert sorted(f"{folder.split('/')[1]}/" for folder, _, _ in placed) == sorted(shards)
        for folder, files, _ in placed:
            assert "pagefind.js" in files
            assert {f"{folder}/{rel}" for rel in files} <= set(index.linked)
        assert index.report.rebuilt == sorted(folder.split("/")[1] for folder, _, _ in placed)
    finally:
        index.close()


def test_a_month_indexed_again_keeps_the_fragments_of_its_unchanged_pages(
        tmp_path: Path) -> None:
    """A month indexed again starts from its last bundle's page fragments
    (searchfolders.seed_fragments): Pagefind does not write the fragment of an
    unchanged page (the same file: inode and time), the edited page's old
    fragment is removed, and the bundle is the one a fresh index makes.  A
    last bundle made by another Pagefind is not started from."""
    from digest.engine.cache import BuildCache

    def page(text: str) -> bytes:
        return (f"<html lang='en'><head><title>{text}</title></head><body>"
                f"<article data-pagefind-body><h1>{text}</h1><p>{text} words</p>"
                "</article></body></html>").encode()

    may = datetime(2024, 5, 1, tzinfo=UTC)
    articles = [SimpleNamespace(date=may, url=f"/{name}/") for name in ("a", "b", "c")]
    pages = {f"{name}/index.html": page(word) for name, word in
             (("a", "alpha"), ("b", "beta"), ("c", "gamma"))}
    cache = BuildCache(tmp_path, "test")
    bundles = tmp_path / ".digest-cache" / "search" / "pagefind"

    def index(store: BuildCache | None = cache) -> str:
        made = build_index(articles, page_source(pages), store)
        made.close()
        return json.loads(made.data["pagefind/shards.json"])["shards"][0].rstrip("/")

    def fragments(name: str) -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in (bundles / name / "fragment").iterdir()}

    first = index()
    before = fragments(first)
    assert len(before) == 3
    pages["b/index.html"] = page("delta")
    second = index()
    after = fragments(second)
    assert second != first and len(after) == 3  # the old fragment of b is gone
    kept = set(before) & set(after)
    assert len(kept) == 2  # a's and c's: linked, never written again
    assert all(after[name] == before[name] for name in kept)
    assert index(None) == second  # what a fresh index makes

    # A bundle another Pagefind made: its fragments are not started from.
    entry = bundles / second / "pagefind-entry.json"
    entry.write_text(entry.read_text("utf-8").replace('"version":"', '"version":"0.'),
                     "utf-8")
    pages["b/index.html"] = page("epsilon")
    third = index()
    assert not set(fragments(third).values()) & set(after.values())


# ----------------------------------------------------------- the CLI hook (cmd_build)

def test_cli_no_search_and_missing_binary(tmp_path: Path, monkeypatch) -> None:
    site = copy_example_site(tmp_path / "site")
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    assert not (site / "output" / "pagefind").exists()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", os.fspath(tmp_path / "absent"))
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    assert SKIPPED_WARNING in run.err
    assert not (site / "output" / "pagefind").exists()


def test_the_curators_own_pagefind_settings_do_not_reach_digests_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind also reads its settings from a pagefind.yml (.toml, .json) in
    the folder it runs in and from PAGEFIND_* variables.  A site that had
    Hugo and Pagefind keeps its pagefind.yml where the curator runs digest:
    its glob made every run index nothing (the build failed: "Pagefind was
    not able to build an index"), its selectors would make another index.
    Digest's runs see none of them: the same index as without them.  (The
    site is given as ".", the folder digest runs in: Pagefind's own folder is
    another one, so the paths it gets are absolute.)"""
    plain = copy_example_site(tmp_path / "plain")
    assert cli(plain, "build", "-q").code == 0
    site = copy_example_site(tmp_path / "site")
    (site / "pagefind.yml").write_text(
        'glob: "nothing/**/*.html"\nexclude_selectors: ["p"]\nforce_language: "fr"\n',
        encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_GLOB", "nothing/**/*.html")
    monkeypatch.setenv("PAGEFIND_ROOT_SELECTOR", "nav")
    monkeypatch.chdir(site)
    run = cli(Path("."), "build", "-v")
    assert run.code == 0, run
    assert _search_line(run.err) == "2 of 2 shards rebuilt, 21 pages indexed", run
    assert _bundle_bytes(site / "output") == _bundle_bytes(plain / "output")
    # an edit's early run (digest.searchahead) too
    for folder in (plain, site):
        _edit(folder, "", f"A paragraph about a {NEW_WORD} flower.")
    assert cli(plain, "build", "-q").code == 0
    run = cli(Path("."), "build", "-v")
    assert run.code == 0, run
    assert "(1 started early)" in _search_line(run.err), run
    assert _bundle_bytes(site / "output") == _bundle_bytes(plain / "output")


def test_a_month_without_a_record_of_its_pages_folder(tmp_path: Path) -> None:
    """A cached bundle whose month has no record of its folder of pages (a
    record lost, or a cache of a digest that kept none) is still reused; the
    folder is made anew when that month is next indexed."""
    from digest.engine.cache import BuildCache

    when = datetime(2024, 5, 1, tzinfo=UTC)
    june = datetime(2024, 6, 1, tzinfo=UTC)

    def page(text: str) -> bytes:
        return (f"<html lang='en'><head><title>{text}</title></head><body>"
                f"<article data-pagefind-body><h1>{text}</h1><p>{text} words</p>"
                "</article></body></html>").encode()

    articles = [SimpleNamespace(date=when, url="/a/"), SimpleNamespace(date=june, url="/b/")]
    pages = {"a/index.html": page("alpha"), "b/index.html": page("beta")}
    cache = BuildCache(tmp_path, "test")
    first = build_index(articles, page_source(pages), cache)
    assert first.report.line().startswith("2 of 2 shards rebuilt")
    section = cache.section("search")
    assert sorted(section["sites"]) == ["2024-05", "2024-06"]
    cache.save("search", {k: v for k, v in section.items() if k != "sites"})
    pages["b/index.html"] = page("gamma")
    again = build_index(articles, page_source(pages), cache)
    assert again.report.line().startswith("1 of 2 shards rebuilt, 1 pages indexed")
    folder = tmp_path / ".digest-cache" / "search" / "pages"
    assert (folder / "2024-06" / "b" / "index.html").read_bytes() == page("gamma")
    assert cache.section("search")["sites"]["2024-05"] == {}  # made anew next time



def test_tokens_of_fingerprints_spare_a_first_build_every_parse(tmp_path: Path) -> None:
    """With the engine's page fingerprints, a first index digests no page
    (each page's token names its fingerprint, digest.searchdigest).  Later,
    a page whose fingerprint changed keeps its token, and its month its
    bundle, when what Pagefind reads of it is the same as in the file the
    bundle indexed; a change Pagefind reads, or that file no longer as
    recorded, rebuilds the month.  Bundles are named by their files, so an
    index made without fingerprints has the same names."""
    from digest.engine.cache import BuildCache

    may, june = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)

    def page(text: str, related: str = "") -> bytes:
        return (f"<html lang='en'><head><title>{text}</title></head><body>"
                f"<article data-pagefind-body><h1>{text}</h1><p>{text} words</p>"
                f"<ul data-pagefind-ignore>{related}</ul></article></body></html>").encode()

    articles = [SimpleNamespace(date=may, url="/a/"), SimpleNamespace(date=may, url="/b/"),
                SimpleNamespace(date=june, url="/c/")]
    pages = {"a/index.html": page("alpha"), "b/index.html": page("beta"),
             "c/index.html": page("gamma")}
    fps = {"a/index.html": "fa1", "b/index.html": "fb1", "c/index.html": "fc1"}
    cache = BuildCache(tmp_path, "test")

    def index(fingerprints: dict[str, str] | None = fps, store: BuildCache | None = cache
              ) -> tuple[str, int, list[str]]:
        made = build_index(articles, page_source(pages), store, fingerprints=fingerprints)
        made.close()
        found = re.search(r"^(\d+) of .* (\d+) pages read$", made.report.line())
        assert found, made.report.line()
        names = json.loads(made.data["pagefind/shards.json"])["shards"]
        return found.group(1), int(found.group(2)), names

    rebuilt, read, names = index()
    assert (rebuilt, read) == ("2", 0)
    assert index(None, None)[2] == names  # the same bundles, made by digesting every page

    # Only related links (data-pagefind-ignore) changed on b: its file Pagefind
    # indexed is read once to tell, and May's bundle stays.
    pages["b/index.html"], fps["b/index.html"] = page("beta", "<li>x</li>"), "fb2"
    assert index() == ("0", 2, names)
    # Its digest is now recorded: the next such change reads the new page only.
    pages["b/index.html"], fps["b/index.html"] = page("beta", "<li>y</li>"), "fb3"
    assert index() == ("0", 1, names)

    # The folder's copy of a, no longer as recorded, cannot vouch for its token:
    # a is digested anew, its token changes, and May is indexed again (the same
    # bundle, by name, as nothing Pagefind reads changed).
    folder = tmp_path / ".digest-cache" / "search" / "pages" / "2024-05" / "a" / "index.html"
    folder.unlink()
    folder.write_bytes(page("alpha"))
    pages["a/index.html"], fps["a/index.html"] = page("alpha", "<li>z</li>"), "fa2"
    assert index() == ("1", 1, names)

    # A change Pagefind reads rebuilds its month, under a new name.
    pages["c/index.html"], fps["c/index.html"] = page("delta"), "fc2"
    rebuilt, read, now = index()
    assert (rebuilt, read) == ("1", 2) and now[1] == names[1] and now[0] != names[0]
    assert now[0].startswith("2024-06-")
    assert index(None, None)[2] == now


def test_an_index_told_to_stop_keeps_the_months_it_finished(tmp_path: Path) -> None:
    """``should_stop()`` (digest serve: an edit arrived) ends the index while Pagefind
    runs: the run going is killed, no scratch folder is left, and the months
    indexed so far are recorded in the cache, so the next index makes only
    the others, and the same index as one made in one go."""
    from digest.engine.cache import BuildCache
    from digest.searchrun import Stopped

    def page(text: str) -> bytes:
        return (f"<html lang='en'><head><title>{text}</title></head><body>"
                f"<article data-pagefind-body><h1>{text}</h1><p>{text} words</p>"
                "</article></body></html>").encode()

    articles, pages = [], {}
    for month, count in (("2024-03", 3), ("2024-04", 2), ("2024-05", 1)):
        year, number = map(int, month.split("-"))
        for k in range(count):
            articles.append(SimpleNamespace(date=datetime(year, number, 1 + k, tzinfo=UTC),
                                            url=f"/{month}-{k}/"))
            pages[f"{month}-{k}/index.html"] = page(f"word{month.replace('-', '')}x{k}")
    cache = BuildCache(tmp_path, "test")
    home = tmp_path / ".digest-cache" / "search"
    asked: list[bool] = []

    def stop() -> bool:  # once the first month's bundle is in place
        done = (home / "pagefind").is_dir() and any((home / "pagefind").iterdir())
        asked.append(done)
        return done

    with pytest.raises(Stopped):
        build_index(articles, page_source(pages), cache, jobs=1, should_stop=stop)
    assert asked[-1] and not any(asked[:-1])
    assert not list(home.glob(".work-*"))  # the killed run's scratch folder too
    recorded = cache.section("search")["bundles"]
    assert sorted(recorded) == ["2024-03"]  # the largest month, indexed first

    again = build_index(articles, page_source(pages), cache, jobs=1)
    fresh = build_index(articles, page_source(pages), None, jobs=1)
    try:
        assert [name[:7] for name in again.report.rebuilt] == ["2024-04", "2024-05"]
        assert json.loads(again.data["pagefind/shards.json"]) == \
            json.loads(fresh.data["pagefind/shards.json"])
    finally:
        again.close()
        fresh.close()
