"""End to end: `digest serve` in a subprocess, a real headless Chromium, real saves.

An open article page must follow edits by itself (live reload over SSE), show
the error overlay for broken front matter and recover on the next good save.
The browser is the session fixture from tests/conftest.py (Debian chromium
driven by Playwright's ``sync_playwright``; never ``playwright install``).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.serve.test_serve_cli import serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DATE = "2024-12-20T10:32:00+03:00"


def write_article(path: Path, title: str, slug: str) -> None:
    path.write_text(f"---\ntitle: {title}\nslug: {slug}\ndate: {DATE}\n---\n\n"
                    f"What happened in {title}.\n", encoding="utf-8")


def make_site(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "digest.yaml").write_text("title: Serve test digest\n", encoding="utf-8")
    for name, title in (("alpha", "Alpha talks"), ("beta", "Beta accord"),
                        ("gamma", "Gamma summit")):
        write_article(root / "content" / f"{name}.md", title, name)
    return root


def saved(page, action, check) -> float:  # noqa: ANN001 - playwright Page
    """Run ``action`` (a save), wait for ``check`` to pass; seconds from save to seen."""
    started = time.monotonic()
    action()
    check()
    return time.monotonic() - started


def test_open_page_follows_saves_and_shows_errors(tmp_path: Path, page) -> None:  # noqa: ANN001
    site = make_site(tmp_path / "site")
    article = site / "content" / "alpha.md"
    overlay = page.locator("#digest-error-overlay")
    heading = page.locator("h1")
    with serving(site) as srv:
        page.goto(srv.url)
        page.get_by_role("link", name="Alpha talks").first.click()
        expect(heading).to_have_text("Alpha talks")
        article_url = page.url
        assert article_url.startswith(srv.url) and article_url != srv.url

        edit = saved(page, lambda: write_article(article, "Alpha talks resume", "alpha"),
                     lambda: expect(heading).to_have_text("Alpha talks resume", timeout=3000))

        broken = saved(page, lambda: article.write_text("---\ntitle: [\nslug: alpha\n",
                                                         encoding="utf-8"),
                       lambda: expect(overlay).to_be_visible(timeout=3000))
        expect(overlay).to_contain_text("alpha.md")
        expect(heading).to_have_text("Alpha talks resume")  # last good site still served
        assert "build failed" in srv.stderr()

        fixed = saved(page, lambda: write_article(article, "Alpha talks concluded", "alpha"),
                      lambda: expect(heading).to_have_text("Alpha talks concluded",
                                                           timeout=3000))
        expect(overlay).to_have_count(0)
        assert page.url == article_url
        print(f"\nsave-to-reload latency: edit {edit:.2f} s, error {broken:.2f} s, "
              f"fix {fixed:.2f} s")
        assert srv.interrupt() == 0
    assert not (site / "output").exists()


def _wait_output(srv, needle: str, count: int, timeout: float = 15) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while srv.stdout().count(needle) < count:
        assert time.monotonic() < deadline, f"no {count}x {needle!r} in {srv.stdout()}"
        time.sleep(0.05)


def test_an_edit_is_previewed_at_once_and_the_tab_reloads_once(tmp_path: Path,
                                                                page) -> None:  # noqa: ANN001
    """serve/preview.py: the edited page is served before the full build; when
    the full build does not change that page, the tab is not reloaded again
    (a "quiet" epoch), while a tab on a page the build did change reloads."""
    site = make_site(tmp_path / "site")
    article = site / "content" / "beta.md"
    with serving(site) as srv:
        page.goto(srv.url + "2024/12/20/beta/")
        expect(page.locator("h1")).to_have_text("Beta accord")
        other = page.context.new_page()  # a second tab, on the home page
        other.goto(srv.url)
        expect(other.get_by_role("link", name="Beta accord").first).to_be_visible()
        page.evaluate("window.__loadedBefore = true")
        other.evaluate("window.__loadedBefore = true")
        loads: list[str] = []
        page.on("load", lambda p: loads.append(p.url))

        article.write_text(f"---\ntitle: Beta accord signed\nslug: beta\ndate: {DATE}\n---\n\n"
                           "What happened in Beta accord.\n", encoding="utf-8")
        expect(page.locator("h1")).to_have_text("Beta accord signed", timeout=3000)
        _wait_output(srv, "preview of the edited page", 1)
        _wait_output(srv, "built in", 2)  # the full build after the preview is served
        # the home page lists the new title: that tab reloads for the full build
        expect(other.get_by_role("link", name="Beta accord signed").first).to_be_visible(
            timeout=5000)
        assert other.evaluate("window.__loadedBefore === undefined")
        time.sleep(1.0)  # room for a (wrong) second reload of the article tab
        assert len(loads) == 1, f"the article tab loaded {len(loads)} times, not once"
        assert page.evaluate("window.__loadedBefore === undefined")  # it did reload once
        other.close()
        assert srv.interrupt() == 0


def test_error_overlay_is_readable_over_the_theme_in_both_colour_schemes(
        tmp_path: Path, browser) -> None:  # noqa: ANN001 - playwright Browser
    """Issue 21: the overlay sits on a page styled by the default theme, whose rules
    (``pre`` has a pale background in light mode) must not reach into it; axe-core's
    contrast check passes on every line of it, light and dark."""
    from tests.tools.axe import format_violations, run_axe

    site = make_site(tmp_path / "site")
    with serving(site) as srv:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(srv.url)
            (site / "content" / "alpha.md").write_text("---\ntitle: [\nslug: alpha\n",
                                                        encoding="utf-8")
            overlay = page.locator("#digest-error-overlay")
            expect(overlay).to_be_visible(timeout=5000)
            expect(overlay.locator("pre")).to_contain_text("hint:")
            box_bg = overlay.evaluate("e => getComputedStyle(e).backgroundColor")
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                # the theme's colours really differ between the two schemes...
                body_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
                assert body_bg != box_bg
                # ...and none of them shows inside the overlay
                backgrounds = overlay.evaluate(
                    "box => [box, ...box.querySelectorAll('*')]"
                    ".map(e => getComputedStyle(e).backgroundColor)")
                assert set(backgrounds) <= {box_bg, "rgba(0, 0, 0, 0)"}, backgrounds
                violations = run_axe(page, {"runOnly": {"type": "rule",
                                                        "values": ["color-contrast"]}},
                                     context="#digest-error-overlay")
                assert not violations, f"{scheme}:\n{format_violations(violations)}"
                passed = page.evaluate(
                    "async () => (await axe.run('#digest-error-overlay', {runOnly:"
                    " {type: 'rule', values: ['color-contrast']}})).passes.length")
                assert passed == 1  # the rule ran on the overlay's text
        finally:
            context.close()
        assert srv.interrupt() == 0
