"""Prove the test tooling works (installed by `bash .ci/test`). Never skipped."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.tools import NODE_DIR, REPO_ROOT, SHARED_DIR
from tests.tools.axe import format_violations, run_axe
from tests.tools.browser import serve_directory
from tests.tools.feeds import parse_feed
from tests.tools.vnu import validate_html

VALID_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Smoke page</title></head>
<body>
<main><h1>Digest</h1><p>Hello, world.</p>
<img src="pixel.png" alt="A single pixel" width="1" height="1"></main>
</body>
</html>
"""

INVALID_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken</title></head>
<body>
<p><div>block inside a paragraph</p>
<bogus-tag></bogus-tag>
</body>
</html>
"""

IMG_WITHOUT_ALT = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>No alt</title></head>
<body><main><h1>Pictures</h1><img src="pixel.png" width="1" height="1"></main></body>
</html>
"""

TINY_RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>Digest</title>
    <link>https://example.org/</link>
    <description>A tiny feed</description>
    <item>
      <title>First item</title>
      <link>https://example.org/first</link>
      <guid>https://example.org/first</guid>
      <pubDate>Mon, 02 Jan 2023 10:00:00 +0000</pubDate>
    </item>
  </channel>
</rss>
"""

# 1x1 transparent PNG.
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_paths_are_sensible() -> None:
    assert (REPO_ROOT / "pyproject.toml").is_file()
    assert SHARED_DIR.name == "shared" or SHARED_DIR.is_absolute()
    assert NODE_DIR == REPO_ROOT / ".ci" / ".node"


def test_serve_directory_serves_files(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(VALID_HTML, encoding="utf-8")
    url, stop = serve_directory(tmp_path)
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "index.html", timeout=10) as resp:
            assert resp.status == 200
            assert b"Smoke page" in resp.read()
    finally:
        stop()
    stop()  # idempotent


@pytest.mark.browser
def test_chromium_opens_served_page(tmp_path: Path, page) -> None:  # noqa: ANN001
    (tmp_path / "index.html").write_text(VALID_HTML, encoding="utf-8")
    (tmp_path / "pixel.png").write_bytes(PIXEL_PNG)
    url, stop = serve_directory(tmp_path)
    try:
        response = page.goto(url + "index.html")
        assert response is not None and response.ok
        assert page.title() == "Smoke page"
        assert page.locator("h1").inner_text() == "Digest"
    finally:
        stop()


def test_vnu_reports_invalid_and_accepts_valid(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    bad = tmp_path / "bad.html"
    good.write_text(VALID_HTML, encoding="utf-8")
    bad.write_text(INVALID_HTML, encoding="utf-8")

    errors = validate_html([good, bad])

    assert errors, "vnu found no error in an invalid document"
    assert all(e.startswith(str(bad.resolve()) + ":") for e in errors), errors
    assert not [e for e in errors if str(good.resolve()) in e]
    assert validate_html([good]) == []


@pytest.mark.browser
def test_axe_flags_missing_alt_and_passes_clean_page(tmp_path: Path, page) -> None:  # noqa: ANN001
    (tmp_path / "clean.html").write_text(VALID_HTML, encoding="utf-8")
    (tmp_path / "noalt.html").write_text(IMG_WITHOUT_ALT, encoding="utf-8")
    (tmp_path / "pixel.png").write_bytes(PIXEL_PNG)
    url, stop = serve_directory(tmp_path)
    try:
        page.goto(url + "noalt.html")
        violations = run_axe(page)
        assert "image-alt" in {v["id"] for v in violations}, format_violations(violations)
        assert {v["impact"] for v in violations} <= {"serious", "critical"}

        page.goto(url + "clean.html")
        clean = run_axe(page)
        assert clean == [], format_violations(clean)
    finally:
        stop()


def test_parse_feed_reads_tiny_rss(tmp_path: Path) -> None:
    parsed = parse_feed(TINY_RSS)
    assert parsed.feed.title == "Digest"
    assert [e.title for e in parsed.entries] == ["First item"]

    path = tmp_path / "feed.xml"
    path.write_bytes(TINY_RSS)
    assert parse_feed(path).entries[0].link == "https://example.org/first"


def test_parse_feed_rejects_malformed_xml() -> None:
    with pytest.raises(AssertionError, match="well-formed"):
        parse_feed(b"<rss><channel><title>x</title></rss>")


def test_shared_file_is_skipped_in_a_plain_clone_and_required_in_ci(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.tools as tools

    monkeypatch.setattr(tools, "SHARED_DIR", tmp_path / "no-shared")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="plain clone"):
        tools.shared_file("seed/x.txt")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        tools.shared_file("seed/x.txt")
    (tmp_path / "no-shared" / "seed").mkdir(parents=True)
    (tmp_path / "no-shared" / "seed" / "x.txt").write_text("x", encoding="utf-8")
    assert tools.shared_file("seed/x.txt") == tmp_path / "no-shared" / "seed" / "x.txt"
