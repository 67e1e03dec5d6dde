"""Issue 24: the search page works in `digest serve` and keeps up with edits.

`digest serve` (a real subprocess) indexes the site it holds in memory after
each build (serve/search.py: the monthly shards, cached in
.digest-cache/search-serve/) and serves the bundles beside the pages; a real
Chromium searches them.  An open search tab reloads by itself when the index
changes and searches again (the words are in its URL).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from digest.search import find_pagefind
from tests.integration.conftest import copy_example_site
from tests.serve.test_serve_cli import serving

ARTICLE = "content/2024/11/minsk-and-tula-region-plan-joint-industrial-projects.md"
ARTICLE_URL = "/2024/11/06/minsk-and-tula-region-plan-joint-industrial-projects/"
NEW_WORD = "zygomorphic"  # in no article of the example site
PARAGRAPH = f"The delegation also toured a {NEW_WORD} orchid collection."


def _indexed(srv, count: int, timeout: float = 20) -> None:  # noqa: ANN001
    """Until the server said it (re)made the index ``count`` times."""
    deadline = time.monotonic() + timeout
    while srv.stdout().count("search index:") < count:
        assert time.monotonic() < deadline, f"no index yet: {srv.stdout()} {srv.stderr()}"
        time.sleep(0.05)


def _found(page) -> list[str]:  # noqa: ANN001 - playwright Page
    return page.locator("#search-results h2 a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")


def _status(page, text: str, timeout: float = 15_000) -> None:  # noqa: ANN001
    page.wait_for_function(
        "t => document.getElementById('search-status').textContent.includes(t)",
        arg=text, timeout=timeout)


@pytest.mark.browser
@pytest.mark.slow
def test_search_in_serve_follows_edits(tmp_path: Path, browser) -> None:  # noqa: ANN001
    site = copy_example_site(tmp_path / "site")
    path = site / ARTICLE
    original = path.read_text("utf-8")
    with serving(site) as srv:
        _indexed(srv, 1)
        page = browser.new_page()
        article = browser.new_page()
        try:
            page.goto(srv.url + "search/?q=Tula", wait_until="load")
            _status(page, "Tula")
            assert ARTICLE_URL in _found(page)
            expect(page.locator("#search-fallback")).to_be_hidden()

            # a tab searching for a word no article has yet
            page.goto(srv.url + f"search/?q={NEW_WORD}", wait_until="load")
            _status(page, "No articles match")
            article.goto(srv.url + ARTICLE_URL.lstrip("/"), wait_until="load")
            page.evaluate("window.__before = true")

            path.write_text(original + f"\n{PARAGRAPH}\n", "utf-8")
            # the article tab reloads with the new paragraph; the search tab
            # reloads when the index has it, and finds the article
            expect(article.locator(".body")).to_contain_text(NEW_WORD, timeout=10_000)
            expect(page.locator(f"#search-results a[href='{ARTICLE_URL}']")).to_be_visible(
                timeout=15_000)
            assert _found(page) == [ARTICLE_URL]
            assert page.evaluate("window.__before === undefined"), "it reloaded by itself"
            _indexed(srv, 2)
            assert "search index: 1 of 2 shards rebuilt, 10 pages indexed" in srv.stdout()

            # the word removed: no longer found
            path.write_text(original, "utf-8")
            _status(page, "No articles match", timeout=15_000)
            assert _found(page) == []
            page.goto(srv.url + "search/?q=Tula", wait_until="load")
            _status(page, "Tula")
            assert ARTICLE_URL in _found(page)
        finally:
            page.close()
            article.close()
        assert srv.interrupt() == 0
    assert not (site / "output").exists()
    assert (site / ".digest-cache" / "search-serve" / "pagefind").is_dir()


def test_index_is_served_from_memory_and_failures_keep_the_site(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    with serving(site) as srv:
        _indexed(srv, 1)
        status, headers, body = srv.get("/pagefind/shards.json")
        assert status == 200 and headers["cache-control"] == "no-store"
        shards = json.loads(body)["shards"]
        assert [s[:7] for s in shards] == ["2024-12", "2024-11"]
        status, headers, _ = srv.get(f"/pagefind/{shards[0]}pagefind.js")
        assert status == 200 and headers["content-type"] == "text/javascript; charset=utf-8"
        assert srv.get(f"/pagefind/{shards[0]}pagefind-entry.json")[0] == 200
        assert srv.interrupt() == 0
    assert not (site / "output").exists()

    # --no-search: no search page, no index
    with serving(site, "--no-search") as srv:
        assert srv.get("/search/")[0] == 404
        assert srv.get("/pagefind/shards.json")[0] == 404
        assert srv.interrupt() == 0

    # Pagefind failing: the site is served, the error said, no index offered
    broken = tmp_path / "pagefind"
    broken.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "pagefind 1.5.2"; '
                      'exit 0; fi\necho "index exploded" >&2\nexit 3\n', encoding="utf-8")
    broken.chmod(0o755)
    (site / ARTICLE).write_text((site / ARTICLE).read_text("utf-8") + "\nMore.\n", "utf-8")
    with serving(site, env={"PAGEFIND_BINARY_PATH": os.fspath(broken)}) as srv:
        deadline = time.monotonic() + 20
        while "index exploded" not in srv.stderr():
            assert time.monotonic() < deadline, srv.stderr()
            time.sleep(0.05)
        assert srv.get(ARTICLE_URL)[0] == 200 and srv.get("/search/")[0] == 200
        assert srv.get("/pagefind/shards.json")[0] == 404
        assert srv.interrupt() == 0


def _running(marker: str) -> set[int]:
    """The processes on this machine whose command line names ``marker``."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    line = fh.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in line:
                found.add(int(entry))
    return found


def test_an_edit_saved_while_the_first_index_is_made_does_not_wait_for_it(
        tmp_path: Path) -> None:
    """The first index of a large site takes a while (about 9 s of Pagefind
    at 10,000 articles); an edit saved meanwhile is previewed and built at
    once (issue 6: under 1 s from save to reload): the index stops, its
    Pagefind runs killed, and is made after the edit's build.  Pagefind is
    made slow here by a wrapper that waits before each run."""
    site = copy_example_site(tmp_path / "site")
    real = find_pagefind()
    assert real is not None
    slow = tmp_path / "slow-pagefind"
    slow.write_text(f"#!{sys.executable}\nimport os, sys, time\n"
                    "if sys.argv[1:2] != ['--version']:\n    time.sleep(6)\n"
                    f"os.execv({os.fspath(real)!r}, [{os.fspath(real)!r}, *sys.argv[1:]])\n",
                    encoding="utf-8")
    slow.chmod(0o755)
    path = site / ARTICLE
    with serving(site, env={"PAGEFIND_BINARY_PATH": os.fspath(slow)}) as srv:
        deadline = time.monotonic() + 5
        while len(first := _running(os.fspath(slow))) < 2:  # the first index's two runs
            assert time.monotonic() < deadline, srv.stdout()
            time.sleep(0.02)
        saved = time.monotonic()
        path.write_text(path.read_text("utf-8") + f"\n{PARAGRAPH}\n", "utf-8")
        while NEW_WORD.encode() not in srv.get(ARTICLE_URL)[2]:
            # well before the 6 s the index would have taken
            assert time.monotonic() < saved + 4.5, srv.stdout()
            time.sleep(0.05)
        assert "search index:" not in srv.stdout()  # it was stopped, not finished
        assert not first & _running(os.fspath(slow))  # its runs killed, still waiting else
        _indexed(srv, 1, timeout=30)
        assert "search index: 2 of 2 shards rebuilt" in srv.stdout()
        shards = json.loads(srv.get("/pagefind/shards.json")[2])["shards"]
        assert [s[:7] for s in shards] == ["2024-12", "2024-11"]

        # Ctrl-C while an index is being made: the server stops at once
        # (the run killed), instead of waiting for Pagefind
        path.write_text(path.read_text("utf-8") + "\nOne more line.\n", "utf-8")
        deadline = time.monotonic() + 10
        while not _running(os.fspath(slow)):
            assert time.monotonic() < deadline, srv.stdout()
            time.sleep(0.02)
        asked = time.monotonic()
        assert srv.interrupt() == 0
        assert time.monotonic() - asked < 4
    assert not _running(os.fspath(slow))
