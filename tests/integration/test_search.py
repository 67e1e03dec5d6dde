"""Issue 7: site search with Pagefind, on static hosting with no server.

The index is built by digest.search.build_search_index on the written output;
the theme's /search/ page queries it in the browser under the production
Content-Security-Policy.  Building the index must not more than double the
build time of the example site.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.errors import DigestError
from digest.search import (
    SKIPPED_WARNING,
    SearchError,
    build_search_index,
    find_pagefind,
)
from tests.integration.conftest import cli, copy_example_site
from tests.integration.theme_support import (
    CspWatch,
    build_example,
    serve_with_headers,
    site_headers,
)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, float]:
    """The example site written to disk and indexed: (output, report, build seconds)."""
    out = tmp_path_factory.mktemp("search") / "output"
    started = time.perf_counter()
    build_example(out)
    build_seconds = time.perf_counter() - started
    report = build_search_index(out)
    return out, report, build_seconds


@pytest.fixture(scope="module")
def base_url(indexed) -> Iterator[str]:
    with serve_with_headers(indexed[0], site_headers()) as url:
        yield url


def test_pagefind_is_installed() -> None:
    assert find_pagefind() is not None, "pagefind[bin] (the search extra) is not installed"


def test_index_is_written(indexed) -> None:
    out, report, _ = indexed
    assert report.bundle == out / "pagefind"
    for name in ("pagefind.js", "pagefind-entry.json", "pagefind-worker.js"):
        assert (out / "pagefind" / name).is_file(), name
    assert any((out / "pagefind" / "fragment").iterdir())
    assert report.pages >= 15 and report.words > 100
    assert report.version
    assert not [p for p in out.iterdir() if p.name.startswith(".pagefind")], "staging left"


def test_articles_are_indexed_by_their_body(indexed) -> None:
    """With data-pagefind-body on the article element only article pages are indexed;
    before the templates mark it, whole pages are (and header/footer are ignored)."""
    out, report, _ = indexed
    articles = [p for p in out.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html")]
    assert articles
    if "data-pagefind-body" in articles[0].read_text("utf-8"):
        assert report.pages == len(articles)
    else:
        assert report.pages >= len(articles)


def test_search_finds_articles_in_the_browser(browser, indexed, base_url: str) -> None:
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
        assert any("cabotage" in h for h in hrefs), hrefs
        assert results.locator("mark").count() >= 1, "matches are highlighted"
        assert "cabotage" in page.locator("#search-status").inner_text()
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


def test_search_page_without_index_says_so(browser, tmp_path: Path) -> None:
    """Built without an index (or served by `digest serve`): a note, not a dead form."""
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


def test_build_search_index_errors(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-binary"
    with pytest.raises(SearchError) as info:
        build_search_index(tmp_path, binary=missing)
    assert "could not run Pagefind" in str(info.value)
    with pytest.raises(SearchError, match="not a folder"):
        build_search_index(tmp_path / "nowhere")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("no html here", encoding="utf-8")
    with pytest.raises(SearchError) as info:
        build_search_index(tmp_path / "site")
    assert isinstance(info.value, DigestError)
    assert "search index:" in info.value.diagnostics[0].message
    assert not (tmp_path / "site" / "pagefind").exists()
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["notes.txt"]


def test_missing_pagefind_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "absent"))
    assert find_pagefind() is None
    with pytest.raises(SearchError, match="not installed") as info:
        build_search_index(tmp_path)
    assert "pip install 'digest[search]'" in (info.value.diagnostics[0].hint or "")


# ----------------------------------------------------------- the CLI hook (cmd_build)

def test_cli_build_indexes_the_site(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    assert (site / "output" / "pagefind" / "pagefind.js").is_file(), run
    assert (site / "output" / "search" / "index.html").is_file()


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
