"""Promise 6: no two sources silently share a URL; the error lists every source.

Checklist 14: same slug, case (Foo/foo), NFC/NFD, reserved generated paths
(tags/, search/, feed.xml, index.html, 404.html), three-way collisions.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.integration.conftest import cli, make_site, note

DAY = "2024-03-10T10:00:00Z"


def _collides(tmp_path: Path, files: dict[str, str], config: str | None = None) -> str:
    site = make_site(tmp_path / "s", files, config=config)
    run = cli(site, "build")
    assert run.code == 1, run
    assert "Traceback" not in run.err and "hint:" in run.err
    assert not (site / "output").exists()
    return run.err


def test_same_slug_lists_every_source(tmp_path: Path) -> None:
    err = _collides(tmp_path, {f"content/{d}/talks.md": note(f"Talks {d}", DAY)
                               for d in ("a", "b", "c")})
    assert "3 sources would write 2024/03/10/talks/index.html: content/a/talks.md, " \
           "content/b/talks.md, content/c/talks.md" in err


def test_case_collision(tmp_path: Path) -> None:
    err = _collides(tmp_path, {"content/a.md": note("One", DAY, slug="Talks"),
                               "content/b.md": note("Two", DAY, slug="talks"),
                               "content/c.md": note("Three", DAY, slug="TALKS")})
    assert re.search(r"3 sources would write .*Talks.*: content/a\.md, content/b\.md, "
                     r"content/c\.md", err), err


def test_case_collision_from_file_names(tmp_path: Path) -> None:
    err = _collides(tmp_path, {"content/x/Budget.md": note("One", DAY),
                               "content/y/budget.md": note("Two", DAY)})
    assert "content/x/Budget.md, content/y/budget.md" in err


def test_nfc_nfd_collision(tmp_path: Path) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    err = _collides(tmp_path, {"content/a.md": note("One", DAY, slug=f'"{nfc}"'),
                               "content/b.md": note("Two", DAY, slug=f'"{nfd}"')})
    assert "content/a.md, content/b.md" in err


def test_nfd_file_names_collide_with_nfc_ones(tmp_path: Path) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "минск"), unicodedata.normalize("NFD", "минск")
    err = _collides(tmp_path, {f"content/a/{nfc}й.md": note("One", DAY),
                               f"content/b/{nfd}й.md": note("Two", DAY)})
    assert "2 sources would write" in err


@pytest.mark.parametrize(("slug", "generated"), [
    ("tags", "generated: tags overview"),
    ("search", "generated: search page"),
])
def test_reserved_section_paths(tmp_path: Path, slug: str, generated: str) -> None:
    err = _collides(tmp_path, {"content/a.md": note("A", DAY, slug=slug, tags="[x]")},
                    config="permalink: /{slug}/\n")
    assert f"2 sources would write {slug}/index.html: content/a.md, {generated}" in err


@pytest.mark.parametrize("slug", ["feed.xml", "index.html", "404.html", "sitemap.xml",
                                  "robots.txt", "feed.json", "atom.xml"])
def test_reserved_generated_file_names(tmp_path: Path, slug: str) -> None:
    """An article at /feed.xml/ would need feed.xml to be a file and a folder."""
    err = _collides(tmp_path, {"content/a.md": note("A", DAY, slug=slug)},
                    config="permalink: /{slug}/\n")
    assert f"2 sources would write {slug} / {slug}/index.html: content/a.md, generated" in err


def test_reserved_generated_file_names_name_the_source(tmp_path: Path) -> None:
    err = _collides(tmp_path, {"content/a.md": note("A", DAY, slug="feed.xml")},
                    config="permalink: /{slug}/\n")
    assert "content/a.md" in err and "generated: feed feed.xml" in err


def test_distinct_days_do_not_collide(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a/talks.md": note("A", "2024-03-10"),
                                      "content/b/talks.md": note("B", "2024-03-11")})
    assert cli(site, "build", "-q", "--no-search").code == 0
