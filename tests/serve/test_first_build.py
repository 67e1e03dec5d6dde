"""While the first build runs: the server answers at once with its progress.

The server side over a real socket with a site state that has no site yet;
then `digest serve` in a subprocess whose first build is held by the test
(DIGEST_SERVE_TEST_HOLD, serve/command.py) while a real Chromium looks at the
progress page and follows it into the site, or into the error page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from digest.serve.builder import SiteState
from digest.serve.server import DevServer
from tests.serve.test_serve_browser import make_site
from tests.serve.test_serve_cli import serving
from tests.serve.test_server import SITE, raw_request


@pytest.fixture
def building() -> Iterator[DevServer]:
    """A server whose first build has not ended (no site, no error)."""
    srv = DevServer(("127.0.0.1", 0), SiteState())
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv
    finally:
        srv.stop()
        thread.join(5)


def test_pages_show_the_progress_and_assets_wait(building: DevServer) -> None:
    port = building.port
    status, headers, body = raw_request(port, "/")
    assert status == 503 and headers["retry-after"] == "1"
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b'id="digest-progress" role="status">step 1 of 6: reading the settings<' in body
    assert b'<script src="/__digest/progress.js" defer>' in body
    assert b"/__digest/livereload.js" in body and b"<script>" not in body  # no inline script
    building.state.set_progress("parse", 4210, 10000)
    for target in ("/2024/12/20/slug/", "/2024/12/20/slug", "/about.html"):
        status, _, body = raw_request(port, target)
        assert status == 503 and b"step 2 of 6: parsing 4,210 of 10,000 files" in body
    assert raw_request(port, "/__digest/progress")[2] == \
        b"step 2 of 6: parsing 4,210 of 10,000 files\n"
    building.state.set_progress("render")
    assert raw_request(port, "/__digest/progress")[2] == b"step 5 of 6: rendering pages\n"
    status, headers, body = raw_request(port, "/static/style.css")
    assert (status, body) == (503, b"building the site\n")
    status, headers, body = raw_request(port, "/__digest/progress.js")
    assert status == 200 and headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"/__digest/progress" in body


def test_while_building_foreign_hosts_and_origins_are_refused(building: DevServer) -> None:
    port = building.port
    assert raw_request(port, "/", host="evil.example")[0] == 400
    assert raw_request(port, "/__digest/progress", host="evil.example")[0] == 400
    assert raw_request(port, "/__digest/progress",
                       headers={"Origin": "http://evil.example"})[0] == 403
    assert raw_request(port, "/__digest/progress",
                       headers={"Origin": f"http://127.0.0.1:{port}"})[0] == 200
    assert raw_request(port, "/%2e%2e/etc/passwd")[0] == 400  # never a file from disk


def test_the_progress_endpoint_says_ready_once_there_is_a_site(building: DevServer) -> None:
    building.state.publish_site(SITE)
    assert raw_request(building.port, "/__digest/progress")[2] == b"ready\n"
    assert raw_request(building.port, "/")[0] == 200


def _wait_for(srv, needle: str, timeout: float = 30) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while needle not in srv.stdout():
        assert srv.proc.poll() is None, srv.stderr()
        assert time.monotonic() < deadline, f"no {needle!r} in {srv.stdout()}"
        time.sleep(0.05)


@pytest.mark.browser
@pytest.mark.slow
def test_a_tab_opened_during_the_first_build_follows_it_into_the_site(
        tmp_path: Path, page) -> None:  # noqa: ANN001 - playwright Page
    site = make_site(tmp_path / "site")
    go = tmp_path / "go"
    with serving(site, built=False, env={"DIGEST_SERVE_TEST_HOLD": str(go)}) as srv:
        _wait_for(srv, "holding the first build")  # parsed 1 file of 3, now waiting for us
        response = page.goto(srv.url)
        assert response is not None and response.status == 503
        expect(page.locator("h1")).to_have_text("Building the site")
        expect(page.locator("#digest-progress")).to_have_text(
            "step 2 of 6: parsing 1 of 3 files")
        page.evaluate("window.__progressPage = true")
        go.touch()  # the build goes on
        expect(page.get_by_role("link", name="Alpha talks").first).to_be_visible(timeout=20000)
        assert page.evaluate("window.__progressPage === undefined")  # a reload, not a patch
        assert page.url == srv.url
        assert srv.interrupt() == 0


@pytest.mark.browser
@pytest.mark.slow
def test_a_failed_first_build_turns_the_progress_page_into_the_error(
        tmp_path: Path, page) -> None:  # noqa: ANN001 - playwright Page
    site = make_site(tmp_path / "site")
    (site / "content" / "gamma.md").write_text("---\ntitle: [unclosed\nslug: gamma\n---\n",
                                               encoding="utf-8")
    go = tmp_path / "go"
    with serving(site, built=False, env={"DIGEST_SERVE_TEST_HOLD": str(go)}) as srv:
        _wait_for(srv, "holding the first build")
        page.goto(srv.url + "2024/12/20/alpha/")
        expect(page.locator("#digest-progress")).to_have_text(
            "step 2 of 6: parsing 1 of 3 files")
        go.touch()
        overlay = page.locator("#digest-error-overlay")
        expect(overlay).to_be_visible(timeout=20000)
        # file and line (where YAML noticed the bracket was never closed), and message
        expect(overlay.locator(".digest-error-where")).to_have_text("content/gamma.md:3:5")
        expect(overlay.locator(".digest-error-message")).not_to_be_empty()
        expect(overlay).to_contain_text("nothing to show yet")
        assert srv.interrupt() == 0


def test_ctrl_c_during_the_first_build_stops_the_server(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    go = tmp_path / "go"  # never created: the build stays held
    with serving(site, built=False, env={"DIGEST_SERVE_TEST_HOLD": str(go)}) as srv:
        _wait_for(srv, "holding the first build")
        assert srv.get("/")[0] == 503
        assert srv.interrupt() == 0
        assert "server stopped" in srv.stdout()
        assert "Traceback" not in srv.stderr()
