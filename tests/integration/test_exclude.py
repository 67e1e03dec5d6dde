"""``exclude:`` in digest.yaml: files and folders of content/ digest never reads
(Jekyll's exclude, Hugo's ignoreFiles), e.g. a Pelican site's extra/robots.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.site.sources.excludes import is_excluded
from tests.integration.conftest import cli, make_site, note

ROBOTS = "User-agent: *\nDisallow: /drafts/\n"


@pytest.mark.parametrize(("rel", "is_dir", "patterns", "expected"), [
    ("extra/robots.txt", False, ("robots.txt",), True),  # a name, at any depth
    ("robots.txt", False, ("robots.txt",), True),
    ("extra", True, ("extra/",), True),                  # a folder
    ("extra", False, ("extra/",), False),                # ... only
    ("news/extra", True, ("extra/",), True),
    ("extra/robots.txt", False, ("extra/robots.txt",), True),  # a path from content/
    ("old/extra/robots.txt", False, ("extra/robots.txt",), False),
    ("2019/a-draft.md", False, ("2019/*-draft.md",), True),
    ("2019/a-draft.md", False, ("*.bak",), False),
    ("Robots.txt", False, ("robots.txt",), False),       # case-sensitive, as Jekyll's
])
def test_patterns(rel: str, is_dir: bool, patterns: tuple[str, ...], expected: bool) -> None:
    assert is_excluded(rel, is_dir, patterns) is expected


def test_a_pelican_extra_folder_stops_the_build_until_excluded(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/news/ferry.md": note("Ferry resumes", "2024-05-02"),
        "content/extra/robots.txt": ROBOTS,
        "content/extra/notes.rst": "Not read\n========\n",
    }, config="title: Pelican site\n")
    run = cli(site, "build", "--no-search")
    assert run.code == 1 and "content/extra/robots.txt" in run.err
    assert "exclude:" in run.err  # the hint says how to keep it out
    (site / "digest.yaml").write_text("title: Pelican site\nexclude: [extra/]\n", "utf-8")
    for command in (("build", "--no-search"), ("check",)):
        run = cli(site, *command)
        assert run.code == 0, run
        assert "robots.txt" not in run.err and ".rst" not in run.err  # not walked at all
    assert (site / "output/2024/05/02/ferry/index.html").is_file()
    assert not (site / "output/extra").exists()
    # a no-op build sees the same files (the survey excludes them too)
    (site / "content/extra/robots.txt").write_text(ROBOTS + "# changed\n", "utf-8")
    assert cli(site, "build", "--no-search").out.startswith("Nothing changed")


def test_bad_patterns_are_reported_at_their_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/a.md": note("A", "2024-05-02")})
    (site / "digest.yaml").write_text("title: T\nexclude: [/etc/passwd, ../up]\n", "utf-8")
    run = cli(site, "build", "--no-search")
    assert run.code != 0
    assert "digest.yaml:2: error: exclude: '/etc/passwd' must be a path inside the content" \
        in run.err
    assert "exclude: '../up'" in run.err


def test_patterns_are_relative_to_the_content_folder_even_when_it_is_the_site(
        tmp_path: Path) -> None:
    from digest.site.sources.discover import find_sources

    write = {"extra/robots.txt": ROBOTS, "a.md": "x", "news/extra.md": "x", "news/b.md": "x"}
    for rel, text in write.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, "utf-8")
    found = [rel for rel, _ in find_sources(tmp_path, ".", ("extra/",))[0]]
    assert found == ["a.md", "news/b.md", "news/extra.md"]
    found = [rel for rel, _ in find_sources(tmp_path, ".", ("news/b.md",))[0]]
    assert found == ["a.md", "extra/robots.txt", "news/extra.md"]
