"""Promise 3: every error names the file and line, says how to fix it, exits
non-zero, and shows no traceback unless --debug.

Checklist 1 (YAML syntax, unclosed fence), 2 (not a mapping, missing fields,
misspelt key), 18 (config syntax/type/unknown key), 19 (base_url), 20
(time zone), 22 (template syntax), 23 (undefined variable), 25 (missing
template).  Each row: files -> expected ``path:line: error: message`` regex.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.hardening.conftest import assert_failed_cleanly
from tests.integration.conftest import cli, note, run_digest, tree_hash, write_files

CASES: dict[str, tuple[dict[str, str], str]] = {
    # checklist 1
    "yaml-syntax": ({"content/x.md": "---\ntitle: Talks\ndate: 2024-01-02\nsource: a: b\n---\n"},
                    r"content/x\.md:4:\d+: error: front matter is not valid YAML"),
    "yaml-bad-indent": ({"content/x.md": "\n\n---\ntitle: T\n  date: 2024-01-02\n x: 1\n---\n"},
                        r"content/x\.md:[56](:\d+)?: error: front matter is not valid YAML"),
    "unclosed-fence": ({"content/x.md": "---\ntitle: T\ndate: 2024-01-02\nBody.\n"},
                       r"content/x\.md:1: error: front matter opened with --- on line 1 is "
                       r"never closed"),
    "toml-syntax": ({"content/x.md": "+++\ntitle = T\n+++\n"},
                    r"content/x\.md:2:\d+: error: front matter is not valid TOML"),
    # checklist 2
    "list": ({"content/x.md": "---\n- a\n- b\n---\n"},
             r"content/x\.md:2: error: front matter must be a mapping .* not a list"),
    "scalar": ({"content/x.md": "---\njust text\n---\n"},
               r"content/x\.md:2: error: front matter must be a mapping .* not a single value"),
    "empty": ({"content/x.md": "---\n---\nBody\n"}, r"content/x\.md:1: error: title is missing"),
    # (a Markdown file with no date line at all is a page: test_undated_pages.py)
    "no-date": ({"content/x.md": "---\ntitle: T\ndate:\n---\n"}, r"content/x\.md:3: error: date "
                                                                 r"is empty"),
    "clipping-no-date": ({"content/x.txt": "Ferry fares rise\n\nFares rise by a tenth.\n"},
                         r"content/x\.txt:3: error: expected a dateline"),
    "misspelt": ({"content/x.md": "---\ntittle: T\ndate: 2024-01-02\n---\n"},
                 r"content/x\.md:1: error: title is missing\n\s+hint: found 'tittle'; did you "
                 r"mean 'title'\?"),
    "clipping-shape": ({"content/c.txt": "Headline only\n\nno dateline here\n"},
                       r"content/c\.txt:3: error: expected a dateline"),
    # checklist 18
    "config-syntax": ({"digest.yaml": "title: ok\nfeed_size: [\n"},
                      r"digest\.yaml:\d+: error: digest\.yaml is not valid YAML"),
    "config-type": ({"digest.yaml": "title: ok\nfeed_size: ten\n"},
                    r"digest\.yaml:2: error: 'feed_size' must be a whole number, not 'ten'"),
    "config-unknown": ({"digest.yaml": "\nitems_per_page: 10\n"},
                       r"digest\.yaml:2: error: unknown setting 'items_per_page'"),
    "config-typo": ({"digest.yaml": "outptu_dir: public\n"},
                    r"digest\.yaml:1: error: unknown setting 'outptu_dir'\n\s+hint: did you "
                    r"mean 'output_dir'\?"),
    "config-not-mapping": ({"digest.yaml": "- a\n"}, r"digest\.yaml:1: error: digest\.yaml "
                                                     r"must be a mapping"),
    "config-python-tag": ({"digest.yaml": "title: !!python/object/apply:os.getcwd []\n"},
                          r"digest\.yaml:1: error: digest\.yaml is not valid YAML"),
    # checklist 19
    "base-url-relative": ({"digest.yaml": "base_url: /news/\n"},
                          r"digest\.yaml:1: error: base_url must be an absolute http\(s\) URL"),
    "base-url-scheme": ({"digest.yaml": "base_url: ftp://example.org/\n"},
                        r"digest\.yaml:1: error: base_url must be an absolute http\(s\) URL"),
    "base-url-js": ({"digest.yaml": "base_url: 'javascript:alert(1)//'\n"},
                    r"digest\.yaml:1: error: base_url must be an absolute http\(s\) URL"),
    # checklist 20
    "timezone": ({"digest.yaml": "title: x\ntimezone: Mars/Olympus\n"},
                 r"digest\.yaml:2: error: unknown time zone 'Mars/Olympus'"),
    "timezone-traversal": ({"digest.yaml": "timezone: ../../../etc/passwd\n"},
                           r"digest\.yaml:1: error: unknown time zone"),
    # checklist 22, 23, 25
    "template-syntax": ({"digest.yaml": "theme: t\n",
                         "themes/t/templates/article.html": "line one\n{% if %}\n"},
                        r"article\.html:2: error: TemplateSyntaxError"),
    "template-undefined": ({"digest.yaml": "theme: t\n",
                            "themes/t/templates/article.html": "\n\n{{ article.titel }}\n"},
                           r"article\.html:3: error: 'article\.titel' is undefined: .* \(while "
                           r"rendering /\S+ from content/\S+\.md\)\n\s+hint: did you mean "
                           r"article\.title\?"),
    "template-missing": ({"digest.yaml": "theme: t\n",
                          "themes/t/templates/article.html": '{% include "nope.html" %}\n'},
                         r"article\.html:1: error: template 'nope\.html' not found"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_names_file_line_and_fix(built_site: Path, case: str) -> None:
    files, pattern = CASES[case]
    before = tree_hash(built_site / "output")
    write_files(built_site, files)
    run = cli(built_site, "build")
    assert_failed_cleanly(run, built_site, before)
    assert re.search(pattern, run.err, re.MULTILINE), run
    assert re.search(r"^digest: \d+ errors?; nothing was written$", run.err, re.MULTILINE)


def test_real_process_has_no_traceback_but_debug_does(built_site: Path) -> None:
    write_files(built_site, {"content/x.md": "---\ntitle: T\ndate: 2024-02-30\n---\n"})
    run = run_digest(built_site, "build")
    assert run.code == 1 and "Traceback" not in run.err, run
    assert "content/x.md:3: error: date: '2024-02-30' is not a valid date" in run.err
    debug = run_digest(built_site, "--debug", "build")
    assert debug.code != 0 and "Traceback" in debug.err


def test_every_bad_file_and_setting_is_listed_in_one_run(built_site: Path) -> None:
    write_files(built_site, {f"content/bad{i}.md": "---\ntitle: NO\n---\n" for i in range(5)})
    run = cli(built_site, "build")
    assert run.code == 1
    for i in range(5):
        assert f"content/bad{i}.md:2: error: title: NO is read as a boolean" in run.err
    write_files(built_site, {"digest.yaml": "feed_size: 0\nper_page: x\ntimezone: Nowhere\n"})
    run = cli(built_site, "build")
    assert run.code == 1 and "digest: 3 errors; nothing was written" in run.err, run


def test_usage_errors_exit_2(built_site: Path) -> None:
    run = run_digest(built_site, "build", "--no-such-flag")
    assert run.code == 2 and "Traceback" not in run.err


def test_default_base_url_still_builds_absolute_feeds(tmp_path: Path) -> None:
    """Checklist 19's decision as implemented today: without base_url the build uses
    http://localhost:8000/ (feeds stay absolute).  See the report: a warning is wanted."""
    from tests.integration.conftest import make_site

    site = make_site(tmp_path / "s", {"content/a.md": note("A", "2024-01-02")})
    assert cli(site, "build", "-q", "--no-search").code == 0
    assert b"<link>http://localhost:8000/" in (site / "output/feed.xml").read_bytes()
