"""Issue 2: every bad input gives file:line, a hint, exit status 1, no traceback,
and leaves output/ exactly as it was."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.integration.conftest import (
    Run,
    cli,
    leftovers,
    note,
    run_digest,
    tree_hash,
    write_files,
)


def assert_failed_cleanly(run: Run, site: Path, before: dict[str, str]) -> None:
    assert run.code == 1, run
    assert "Traceback" not in run.err, run
    assert "hint:" in run.err, run
    assert re.search(r"^digest: \d+ errors?; nothing was written$", run.err, re.MULTILINE), run
    assert run.out == "", run  # no "Built ..." line
    assert tree_hash(site / "output") == before
    assert leftovers(site) == []


BAD_SOURCES = {
    "yaml-syntax": ("---\ntitle: Budget talks\ndate: 2024-04-01\nsource: Town hall: budget\n"
                    "---\nBody.\n", 4, r"not valid YAML"),
    "missing-title": ("---\ndate: 2024-04-01\nsource: Local Gazette\n---\nBody.\n", None,
                      r"title is missing"),
    # (no date line at all makes an undated page: test_undated_pages.py)
    "empty-date": ("---\ntitle: Budget talks\nsource: Local Gazette\ndate:\n---\nBody.\n", 4,
                   r"date is empty"),
    "invalid-date": ("---\ntitle: Budget talks\nsource: Local Gazette\ndate: 2024-02-30\n---\n"
                     "Body.\n", 4, r"2024-02-30.*not a valid date"),
}


@pytest.mark.parametrize("case", sorted(BAD_SOURCES))
def test_bad_source(built_site: Path, case: str) -> None:
    text, line, message = BAD_SOURCES[case]
    before = tree_hash(built_site / "output")
    write_files(built_site, {"content/2024/budget.md": text})
    run = run_digest(built_site, "build")
    assert_failed_cleanly(run, built_site, before)
    where = "content/2024/budget.md:" + (str(line) if line else r"\d+")
    assert re.search(rf"^{where}(:\d+)?: error: .*{message}", run.err, re.MULTILINE), run


def test_every_bad_file_is_reported_in_one_run(built_site: Path) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {"content/a.md": BAD_SOURCES["missing-title"][0],
                             "content/b.md": BAD_SOURCES["invalid-date"][0]})
    run = cli(built_site, "build")
    assert_failed_cleanly(run, built_site, before)
    assert "content/a.md:" in run.err and "content/b.md:4:" in run.err
    assert "digest: 2 errors; nothing was written" in run.err


def test_keep_going_skips_bad_files_with_a_warning(built_site: Path) -> None:
    write_files(built_site, {"content/a.md": BAD_SOURCES["empty-date"][0]})
    run = cli(built_site, "build", "--keep-going")
    assert run.code == 0, run
    assert re.search(r"content/a\.md:4: warning: date is empty.* \(skipped: --keep-going\)",
                     run.err), run


def test_keep_going_skips_sources_whose_urls_collide(built_site: Path) -> None:
    # issue 25: two Hugo bundles with one slug; the build stops without --keep-going
    text = note("Release notes", "2024-04-01")
    write_files(built_site, {"content/news/relnotes/index.md": text,
                             "content/more/relnotes.md": text})
    assert cli(built_site, "build").code == 1
    run = cli(built_site, "build", "--keep-going")
    assert run.code == 0, run
    for path, other in (("content/more/relnotes.md", "content/news/relnotes/index.md"),
                        ("content/news/relnotes/index.md", "content/more/relnotes.md")):
        assert re.search(rf"{path}: warning: its URL /2024/04/01/relnotes/ is also that of "
                         rf"{other} \(skipped: --keep-going\)", run.err), run
    assert not (built_site / "output/2024/04/01/relnotes").exists()


TEMPLATES = {
    # an undefined attribute: StrictUndefined turns the typo into an error
    "undefined": ('{% extends "base.html" %}\n{% block main %}\n'
                  "<h1>{{ article.titel }}</h1>\n{% endblock %}\n", 3, r"titel"),
    # an unclosed {% if %}: a syntax error reported where Jinja notices it
    "syntax": ('{% extends "base.html" %}\n{% block main %}\n{% if article.source %}\n'
               "<p>{{ article.source }}</p>\n{% endblock %}\n", 5, r"TemplateSyntaxError"),
    "unclosed-expression": ('{% extends "base.html" %}\n{% block main %}\n'
                            "<h1>{{ article.title </h1>\n{% endblock %}\n", 3,
                            r"TemplateSyntaxError"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATES))
def test_template_error(built_site: Path, case: str) -> None:
    source, line, message = TEMPLATES[case]
    before = tree_hash(built_site / "output")
    write_files(built_site, {"digest.yaml": "theme: custom\n",
                             "themes/custom/templates/article.html": source})
    run = run_digest(built_site, "build")
    assert_failed_cleanly(run, built_site, before)
    assert re.search(rf"themes/custom/templates/article\.html:{line}: error: .*{message}",
                     run.err), run


def test_config_errors_reported_together(built_site: Path) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {"digest.yaml": (
        "titel: Lakeside News\n"
        "per_page: twenty\n"
        "timezone: Europe/Atlantis\n"
        "base_url: /news/\n")})
    run = run_digest(built_site, "build")
    assert_failed_cleanly(run, built_site, before)
    assert re.search(r"digest\.yaml:1: error: unknown setting 'titel'\n\s+hint: did you mean "
                     r"'title'\?", run.err), run
    assert re.search(r"digest\.yaml:2: error: 'per_page' must be a whole number", run.err), run
    assert re.search(r"digest\.yaml:3: error: unknown time zone 'Europe/Atlantis'", run.err), run
    assert re.search(r"digest\.yaml:4: error: base_url must be an absolute", run.err), run
    assert "digest: 4 errors; nothing was written" in run.err


def test_config_yaml_syntax(built_site: Path) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {"digest.yaml": "title: Lakeside News\nper_page: [3\n"})
    run = cli(built_site, "build")
    assert_failed_cleanly(run, built_site, before)
    assert re.search(r"^digest\.yaml:\d+: error: digest\.yaml is not valid YAML", run.err,
                     re.MULTILINE), run


def test_same_slug_same_day_collides(built_site: Path) -> None:
    """Same file name in another folder, same day: both want the same URL."""
    before = tree_hash(built_site / "output")
    write_files(built_site, {
        "content/2024/ferry-service-resumes-on-the-lake.md": note(
            "Ferry back on the lake", "2024-05-02T18:00:00+02:00", "A second report."),
    })
    run = run_digest(built_site, "build")
    assert_failed_cleanly(run, built_site, before)
    assert "2024/05/02/ferry-service-resumes-on-the-lake/index.html" in run.err
    assert "content/ferry-service-resumes-on-the-lake.md" in run.err
    assert "content/2024/ferry-service-resumes-on-the-lake.md" in run.err
    assert "slug:" in run.err


def test_case_differing_slugs_collide(built_site: Path) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {
        "content/x.md": note("Council meets", "2024-05-09T10:00:00+00:00", slug="Council"),
        "content/sub/y.md": note("Council adjourns", "2024-05-09T15:00:00+00:00",
                                 slug="council"),
    })
    run = cli(built_site, "build")
    assert_failed_cleanly(run, built_site, before)
    assert re.search(r"Council/index\.html", run.err) and re.search(r"council/index\.html",
                                                                    run.err)
    assert "content/x.md" in run.err and "content/sub/y.md" in run.err


def test_missing_content_folder(tmp_path: Path) -> None:
    site = tmp_path / "empty"
    site.mkdir()
    run = cli(site, "build")
    assert run.code == 1, run
    assert "content folder 'content' does not exist" in run.err
    assert "hint:" in run.err
    assert not (site / "output").exists()


# ------------------------------------------------------------------ --strict

@pytest.fixture
def site_with_outside_link(built_site: Path, tmp_path: Path) -> Path:
    outside = tmp_path / "elsewhere.md"
    outside.write_text(note("Private draft elsewhere", "2024-05-05"), encoding="utf-8")
    os.symlink(outside, built_site / "content" / "linked.md")
    return built_site


def test_symlink_leaving_content_is_a_warning(site_with_outside_link: Path) -> None:
    run = cli(site_with_outside_link, "build")
    assert run.code == 0, run
    assert re.search(r"^content/linked\.md: warning: skipped a symlink leaving the content "
                     r"folder", run.err, re.MULTILINE), run
    html = "".join(p.read_text(encoding="utf-8")
                   for p in (site_with_outside_link / "output").rglob("*.html"))
    assert "Private draft elsewhere" not in html


def test_strict_turns_warnings_into_errors(site_with_outside_link: Path) -> None:
    before = tree_hash(site_with_outside_link / "output")
    run = run_digest(site_with_outside_link, "build", "--strict")
    assert_failed_cleanly(run, site_with_outside_link, before)
    assert re.search(r"^content/linked\.md: error: skipped a symlink", run.err, re.MULTILINE)
