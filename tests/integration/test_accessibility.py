"""Issue 7: the default theme in headless Chromium, served with netlify.toml's headers.

On the home, an article, a topic, an edition, the search and the 404 page:
axe-core finds no serious or critical violation (light and dark), the strict
Content-Security-Policy is never violated, nothing overflows a phone screen,
and pages read without JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.theme_support import (
    CspWatch,
    build_example,
    inject_axe,
    serve_with_headers,
    site_headers,
)
from tests.tools.axe import format_violations, run_axe

pytestmark = pytest.mark.browser

ARTICLE_RE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+$")


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("a11y") / "output", search=True)


@pytest.fixture(scope="module")
def base_url(output: Path) -> Iterator[str]:
    with serve_with_headers(output, site_headers()) as url:
        yield url


def _pages(output: Path) -> dict[str, str]:
    """Representative pages: name -> URL path."""
    pages = {"home": "/", "search": "/search/", "404": "/404.html"}
    articles = [p.parent for p in output.glob("*/*/*/*/index.html")
                if ARTICLE_RE.match(p.parent.relative_to(output).as_posix())]
    # the article with the most "story" sections shows the most of the theme
    best = max(articles, key=lambda d: ((d / "index.html").read_text("utf-8").count("<section"),
                                        d.as_posix()))
    pages["article"] = "/" + best.relative_to(output).as_posix() + "/"
    topics = sorted(output.glob("topics/*/index.html"))
    assert topics, "the example site has no topic pages"
    pages["topic"] = "/" + topics[0].parent.relative_to(output).as_posix() + "/"
    editions = sorted(output.glob("editions/????-??-??/index.html"))
    if editions:  # edition pages (issue 7, other half) — checked once they exist
        pages["edition"] = "/" + editions[-1].parent.relative_to(output).as_posix() + "/"
    return pages


def test_representative_pages_exist(output: Path) -> None:
    pages = _pages(output)
    for name in ("home", "article", "topic", "search", "404"):
        assert name in pages
    assert (output / "search" / "index.html").is_file(), "no /search/ page was built"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_and_csp_on_key_pages(browser, output: Path, base_url: str, scheme: str) -> None:
    """No serious/critical axe violation and no CSP violation, in both colour schemes
    (the CSP is watched before axe is injected, which CSP would refuse as a tag)."""
    problems = []
    context = browser.new_context(color_scheme=scheme)
    try:
        for name, path in _pages(output).items():
            page = context.new_page()
            watch = CspWatch(page)
            response = page.goto(base_url + path, wait_until="load")
            assert response is not None
            if name != "404":
                assert response.ok, f"{path}: HTTP {response.status}"
            if name == "search":  # its script loads Pagefind's module and index
                page.wait_for_load_state("networkidle")
            csp = watch.violations()
            if csp:
                problems.append(f"{name} {path}: CSP violations: {csp}")
            inject_axe(page)
            # dark mode changes only colours: check contrast there, everything in light
            violations = run_axe(page, None if scheme == "light"
                                 else {"runOnly": {"type": "rule", "values": ["color-contrast"]}})
            if violations:
                problems.append(f"{name} {path} ({scheme}):\n{format_violations(violations)}")
            page.close()
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [320, 390, 768, 1280])
def test_no_horizontal_overflow(browser, output: Path, base_url: str, width: int) -> None:
    """Phone to desktop: nothing is wider than the screen."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        for name, path in _pages(output).items():
            page.goto(base_url + path, wait_until="load")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} {path} overflows by {overflow}px at {width}px"
    finally:
        context.close()


def test_pages_read_without_javascript(browser, output: Path, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        pages = _pages(output)
        page.goto(base_url + pages["article"], wait_until="load")
        body = page.locator("article").first
        assert body.is_visible()
        assert len(body.inner_text()) > 300
        # the stylesheet applied (system fonts, the theme's background)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != \
            "rgba(0, 0, 0, 0)"
        # the search page explains itself and links to the indexes instead
        page.goto(base_url + pages["search"], wait_until="load")
        assert page.locator("#search-form").is_hidden()
        note = page.locator("#search-fallback")
        assert note.is_visible()
        assert "JavaScript" in note.inner_text()
        hrefs = note.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert "/topics/" in hrefs
    finally:
        context.close()


def test_topic_timeline_is_accessible_image(browser, output: Path, base_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base_url + _pages(output)["topic"], wait_until="load")
        chart = page.locator("svg.timeline")
        assert chart.count() == 1
        assert chart.get_attribute("role") == "img"
        name = page.evaluate(
            "() => { const s = document.querySelector('svg.timeline');"
            " return s.getAttribute('aria-labelledby').split(' ')"
            ".map(id => document.getElementById(id).textContent).join(' '); }")
        assert name.startswith("Articles per week about ")
        assert "week" in name
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] >= 100
        bars = page.locator("svg.timeline rect.timeline-bar")
        assert bars.count() >= 1
        # bars take their colour from the stylesheet (no inline style needed)
        fill = bars.first.evaluate("r => getComputedStyle(r).fill")
        assert fill not in ("", "none", "rgb(0, 0, 0)")
    finally:
        context.close()
