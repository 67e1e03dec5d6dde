"""Issue 26: an edition's email.html in headless Chromium at a mail pane's 600 px
and a phone's 375 px: nothing overflows, the sheet is at most 600 px wide, the
page loads nothing from anywhere, dark mode turns it dark, and axe-core finds
no serious or critical violation (contrast included) in either scheme."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.engine import PlainEngine
from digest.pipeline import build
from tests.integration.conftest import make_site
from tests.integration.engines import files_of
from tests.integration.test_email_editions import CONFIG, DAY, OPTIONS, _files
from tests.tools.axe import format_violations, run_axe

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def email_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_site(tmp_path_factory.mktemp("mailview") / "site", _files(), config=CONFIG)
    path = root / "email.html"
    path.write_bytes(files_of(build(root, OPTIONS, engine=PlainEngine()))[DAY + "email.html"])
    return path


def _open(browser, path: Path, width: int, scheme: str):  # noqa: ANN001, ANN202 - playwright
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    return context, page, requests


@pytest.mark.parametrize("width", [600, 375])
def test_mail_fits_a_mail_pane_and_a_phone(browser, email_file: Path, width: int) -> None:  # noqa: ANN001
    context, page, requests = _open(browser, email_file, width, "light")
    try:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        sheet = page.locator("table.sheet").bounding_box()
        assert sheet is not None and sheet["width"] <= 600 and sheet["x"] >= 0
        assert sheet["x"] + sheet["width"] <= width
        for headline in page.locator("h3").all():  # every headline is on screen, not clipped
            box = headline.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        assert requests == [email_file.as_uri()]  # no stylesheet, script, font or image
        background = page.evaluate(
            "getComputedStyle(document.querySelector('table.sheet')).backgroundColor")
        assert background == "rgb(251, 250, 247)"
    finally:
        context.close()


def test_dark_mode_turns_the_mail_dark(browser, email_file: Path) -> None:  # noqa: ANN001
    context, page, _ = _open(browser, email_file, 600, "dark")
    try:
        colours = page.evaluate("""() => {
            const get = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
            return [get('table.sheet', 'backgroundColor'), get('h1', 'color'),
                    get('a.headline-link', 'color'), get('a.also-link', 'color')];
        }""")
        assert colours == ["rgb(30, 29, 27)", "rgb(235, 232, 225)", "rgb(235, 232, 225)",
                           "rgb(140, 194, 255)"]
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_passes_the_mail(browser, email_file: Path, scheme: str) -> None:  # noqa: ANN001
    context, page, _ = _open(browser, email_file, 600, scheme)
    try:
        violations = run_axe(page)
        assert not violations, format_violations(violations)
    finally:
        context.close()
