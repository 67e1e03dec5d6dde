"""Issue 25, part 2, in headless Chromium: an article page of a site in several
languages (model/languages.py) passes axe-core with its language switch, in
light and dark, under netlify.toml's Content-Security-Policy, and the switch
is a navigation landmark whose links are named in their own language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import cli, make_site, note
from tests.integration.theme_support import CspWatch, inject_axe, serve_with_headers, site_headers
from tests.tools.axe import format_violations, run_axe

pytestmark = pytest.mark.browser


def test_language_switch_is_accessible(browser, tmp_path: Path) -> None:  # noqa: ANN001
    site = make_site(tmp_path / "site", {
        "content/en/harbour.md": note("Harbour reopens", "2024-05-01 09:00",
                                      body="The harbour reopened after the winter pause."),
        "content/ja/harbour.md": note("港が再開", "2024-05-01 09:00", body="港が再開した。"),
        "content/de/harbour.md": note("Der Hafen öffnet", "2024-05-01 09:00",
                                      body="Der Hafen ist wieder offen."),
    }, config="search: false\n")
    built = cli(site, "build", "-q")
    assert built.code == 0, built
    problems = []
    with serve_with_headers(site / "output", site_headers()) as url:
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme)
            page = context.new_page()
            watch = CspWatch(page)
            page.goto(url + "/de/2024/05/01/harbour/", wait_until="load")
            switch = page.get_by_role("navigation", name="Languages")
            names = switch.get_by_role("link").evaluate_all(
                "links => links.map(a => [a.textContent, a.lang, a.getAttribute('aria-current')])")
            assert names == [["Deutsch", "de", "page"], ["English", "en", None],
                             ["日本語", "ja", None]]
            switch.get_by_role("link", name="English").click()
            page.wait_for_url(url + "/2024/05/01/harbour/")
            assert page.evaluate("document.documentElement.lang") == "en"
            page.go_back(wait_until="load")
            if csp := watch.violations():
                problems.append(f"CSP ({scheme}): {csp}")
            inject_axe(page)
            violations = run_axe(page, None if scheme == "light" else
                                 {"runOnly": {"type": "rule", "values": ["color-contrast"]}})
            if violations:
                problems.append(f"{scheme}:\n{format_violations(violations)}")
            context.close()
    assert not problems, "\n".join(problems)
