"""Old addresses (front matter ``aliases``, Jekyll's ``redirect_from``) redirect
to the article: an HTML page at each and Netlify's ``_redirects`` file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.engine import PlainEngine
from digest.errors import DigestError, SourceError
from digest.pipeline import BuildOptions, build
from tests.integration.conftest import note, write_files
from tests.integration.engines import edits_stay_exact, files_of

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
OPTIONS = BuildOptions(now=NOW, search=False, jobs=1)
YAML = "base_url: https://news.example.org/\n"


def _site(root: Path, **extra: str) -> Path:
    write_files(root, {
        "digest.yaml": YAML,
        "content/a.md": note("Grain exports resume", "2024-05-01", "Ships left the port.",
                             aliases="[/2019/05/grain/, old/grain.html]"),
        "content/b.md": note("Rail link reopens", "2024-05-02", "Trains ran again.",
                             redirect_from="/rail-old/"),
        **extra,
    })
    return root


def test_each_old_address_gets_a_page_and_a_netlify_rule(tmp_path: Path) -> None:
    files = files_of(build(_site(tmp_path / "site"), OPTIONS, engine=PlainEngine()))
    assert files["_redirects"].decode() == (
        "/2019/05/grain/ /2024/05/01/a/ 301\n"
        "/old/grain.html /2024/05/01/a/ 301\n"
        "/rail-old/ /2024/05/02/b/ 301\n")
    page = lxml.html.fromstring(files["2019/05/grain/index.html"])
    target = "https://news.example.org/2024/05/01/a/"
    assert page.xpath("//link[@rel='canonical']/@href") == [target]
    assert page.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={target}"]
    assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    assert page.xpath("//a/@href") == ["/2024/05/01/a/"]
    assert "old/grain.html" in files and "rail-old/index.html" in files
    sitemap = files["sitemap.xml"].decode()
    assert "/2024/05/01/a/" in sitemap and "/rail-old/" not in sitemap


def test_a_site_without_old_addresses_writes_no_redirects(tmp_path: Path) -> None:
    write_files(tmp_path / "site", {"digest.yaml": YAML,
                                    "content/a.md": note("Quiet day", "2024-05-01")})
    assert "_redirects" not in files_of(build(tmp_path / "site", OPTIONS, engine=PlainEngine()))


def test_an_old_address_that_is_a_page_of_the_site_is_an_error(tmp_path: Path) -> None:
    site = _site(tmp_path / "site", **{"content/c.md": note(
        "Port strike ends", "2024-05-03", "Dockers went back.",
        aliases="[/2024/05/02/b/]")})
    with pytest.raises(DigestError) as caught:
        build(site, OPTIONS, engine=PlainEngine())
    (diag,) = caught.value.diagnostics
    assert diag.code == "url-collision"
    assert "content/c.md (aliases: /2024/05/02/b/)" in diag.message
    assert "content/b.md" in diag.message


@pytest.mark.parametrize("alias", ["https://other.example/x/", "/a/../b/", "/a b/", "//host/x",
                                   "/a&b/"])
def test_an_alias_that_is_not_a_path_here_names_file_and_line(tmp_path: Path,
                                                               alias: str) -> None:
    write_files(tmp_path / "site", {"digest.yaml": YAML, "content/a.md": note(
        "Quiet day", "2024-05-01", aliases=f'["{alias}"]')})
    with pytest.raises(SourceError) as caught:
        build(tmp_path / "site", OPTIONS, engine=PlainEngine())
    (diag,) = caught.value.diagnostics
    assert diag.path == "content/a.md" and diag.line == 4
    assert "is not a path on this site" in diag.message and "aliases: [" in diag.hint


def test_incremental_builds_keep_redirects_exact(tmp_path: Path) -> None:
    """A new page type with no engine code: the fast engine's rebuilds after
    alias edits equal the plain engine's cold build."""
    got = edits_stay_exact(_site(tmp_path / "site"), OPTIONS, [
        {"content/a.md": note("Grain exports resume", "2024-05-01", "Ships left the port.",
                              aliases="[/2019/05/grain/]")},
        {"content/b.md": note("Rail link reopens for freight", "2024-05-02",
                              "Trains ran again.", redirect_from="/rail-old/")},
        {"content/b.md": note("Rail link reopens for freight", "2024-05-02",
                              "Trains ran again.")},
    ])
    assert got["_redirects"] == b"/2019/05/grain/ /2024/05/01/a/ 301\n"
    assert "rail-old/index.html" not in got  # the alias was removed: its page is gone


def test_keep_going_drops_an_old_address_two_sources_claim(tmp_path: Path) -> None:
    """Two files with the same redirect_from (Jekyll's docs have two Codes of
    Conduct both claiming /conduct/index.html): an error naming both; with
    --keep-going both are built, without that redirect, a warning each; an
    alias that is another article's own address is dropped the same way."""
    root = _site(tmp_path / "site", **{
        "content/c.md": note("Port strike ends", "2024-05-03", "Cranes moved.",
                             redirect_from="/rail-old/"),
        "content/d.md": note("Ferry resumes", "2024-05-04", "Boats sailed.",
                             aliases="[/2024/05/01/a/, /ferry-old/]"),
    })
    with pytest.raises(DigestError) as info:
        build(root, OPTIONS, engine=PlainEngine())
    assert any("rail-old/index.html" in d.message for d in info.value.diagnostics)
    result = build(root, BuildOptions(now=NOW, search=False, jobs=1, keep_going=True),
                   engine=PlainEngine())
    files = files_of(result)
    assert files["_redirects"].decode() == (
        "/2019/05/grain/ /2024/05/01/a/ 301\n"
        "/old/grain.html /2024/05/01/a/ 301\n"
        "/ferry-old/ /2024/05/04/d/ 301\n")
    assert "rail-old/index.html" not in files
    assert {"2024/05/02/b/index.html", "2024/05/03/c/index.html"} <= set(files)
    assert b"Grain exports resume" in files["2024/05/01/a/index.html"]  # not a redirect
    warned = {(d.path, d.message) for d in result.diagnostics if d.code == "url-collision"}
    assert ("content/b.md", "its old address /rail-old/ is also claimed by content/c.md: "
            "no redirect is made there (skipped: --keep-going)") in warned
    assert ("content/c.md", "its old address /rail-old/ is also claimed by content/b.md: "
            "no redirect is made there (skipped: --keep-going)") in warned
    assert ("content/d.md", "its old address /2024/05/01/a/ is also claimed by a page of "
            "the site: no redirect is made there (skipped: --keep-going)") in warned
