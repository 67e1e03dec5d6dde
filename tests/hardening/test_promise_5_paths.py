"""Promise 5: nothing is read outside the site, nothing written outside output/.

Checklist 15 (hostile slugs), 16 (symlinks out of content/ and themes/, loops,
FIFOs), 21 (dangerous output_dir), 25 (template include traversal), 31
(_redirects/_headers only from static/), plus content_dir/--content and
``theme: ../x`` traversal.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from digest.site.slugs import invisible, is_reserved
from tests.integration.conftest import cli, make_site, note, run_digest, tree_hash, write_files

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the site with a secret article, template and asset."""
    out = tmp_path / "outside"
    write_files(out, {
        "secret.md": note(SECRET, "2024-01-05", SECRET),
        "templates/article.html": SECRET,
        "templates/base.html": SECRET,
        "static/secret.css": SECRET,
    })
    return out


def _tree(root: Path) -> dict[str, str]:
    """tree_hash without digest's own build cache (see the Issue 8 report)."""
    return {k: v for k, v in tree_hash(root).items() if ".digest-cache" not in k}


def _all_output(site: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in (site / "output").rglob("*") if p.is_file())


# ------------------------------------------------------------------ checklist 15

@pytest.mark.parametrize(("slug", "why"), [
    ("../../x", "one path segment"),
    ("/etc/cron.d/x", "one path segment"),
    ("a/b", "one path segment"),
    ("..", "one path segment"),
    ("a\\\\b", "one path segment"),
    ("CON", "reserved file name on Windows"),
    ("aux", "reserved file name on Windows"),
    ("lpt1", "reserved file name on Windows"),
    ('""', "the slug is empty"),
    ('"\\0x"', "one path segment"),
    (".hidden", "must not start with '.'"),
    ('"a b"', "must not contain spaces"),
    ('"x?y"', "contains '\\?', which Windows does not allow"),
    ('"a<b"', "contains '<', which Windows does not allow"),
    ("con.html", r"reserved file name on Windows \(CON, with any extension\)"),
    ("LPT1.txt", "reserved file name on Windows"),
    ("x.", "must not end with '.'"),
    ('"report\\u202egpj.exe"', "U\\+202E RIGHT-TO-LEFT OVERRIDE"),
    ('"news\\u200b"', "U\\+200B ZERO WIDTH SPACE"),
    ('"a\\u2066b"', "U\\+2066 LEFT-TO-RIGHT ISOLATE"),
    ('"soft\\u00adhyphen"', "U\\+00AD SOFT HYPHEN"),
])
def test_hostile_slugs_are_refused(tmp_path: Path, slug: str, why: str) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("A", "2024-01-02", slug=slug)})
    run = cli(site, "build")
    assert run.code == 1, run
    assert re.search(rf"content/a\.md:4: error: slug .* is not usable: .*{why}", run.err), run
    assert not (site / "output").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


def test_title_and_file_name_giving_no_slug(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/!!!.md": note("???", "2024-01-02")})
    run = cli(site, "build")
    assert run.code == 1
    assert "content/!!!.md:2: error: the title gives no usable slug: the slug is empty" \
        in run.err, run


def test_reserved_file_name_falls_back_to_the_title(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/con.md": note("Council meets", "2024-01-02")})
    assert cli(site, "build", "-q", "--no-search").code == 0
    assert (site / "output/2024/01/02/council-meets/index.html").is_file()


def test_generated_paths_avoid_windows_reserved_names(tmp_path: Path) -> None:
    """Terms and agencies named like Windows devices still get pages, in
    folders a Windows checkout can hold (issue 22, point 6)."""
    site = make_site(tmp_path / "s", {
        "content/a.md": note("Aux cable", "2024-01-02", tags="[aux, LPT1, Com3.log]",
                             source="NUL"),
        "content/con.md": note("Council meets", "2024-01-03", tags="[aux]"),
    })
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    out = site / "output"
    for path in out.rglob("*"):
        for segment in path.relative_to(out).parts:
            assert not is_reserved(segment), path
            assert invisible(segment) is None and not re.search(r'[<>:"|?*\\]', segment), path
            assert not segment.endswith((".", " ")), path
    assert (out / "tags/aux_/index.html").is_file() and (out / "tags/lpt1_/feed.xml").is_file()
    assert (out / "tags/com3-log/index.html").is_file()  # "com3.log" is a word, not a name
    assert (out / "sources/nul_/index.html").is_file()
    assert (out / "2024/01/03/council-meets/index.html").is_file()
    page = (out / "tags/aux_/index.html").read_text(encoding="utf-8")
    assert ">aux<" in page and "Council meets" in page  # the label is shown as written


def test_an_invisible_character_in_a_slug_gets_a_suggestion(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("A", "2024-01-02",
                                                            slug='"news\\u200b"')})
    run = cli(site, "build")
    assert run.code == 1 and "hint: try slug: news" in run.err, run


# ------------------------------------------------------------------ checklist 16

def test_symlinks_out_of_content_are_skipped_and_never_read(tmp_path: Path,
                                                            outside: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02")})
    os.symlink(outside / "secret.md", site / "content/secret.md")
    os.symlink("/etc/passwd", site / "content/passwd.md")
    os.symlink(outside, site / "content/linked-folder")
    os.symlink("../../outside/secret.md", site / "content/relative.md")
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    for name, what in [("secret.md", "a symlink leaving the content folder"),
                       ("passwd.md", "a symlink leaving the content folder"),
                       ("relative.md", "a symlink leaving the content folder"),
                       ("linked-folder", "a symlinked folder")]:
        assert f"content/{name}: warning: skipped {what}" in run.err, run
    assert SECRET not in _all_output(site) and "root:x:" not in _all_output(site)
    assert cli(site, "build", "--strict").code == 1  # warnings fail under --strict


def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02")})
    os.symlink("loop-b.md", site / "content/loop-a.md")
    os.symlink("loop-a.md", site / "content/loop-b.md")
    os.symlink(".", site / "content/self")
    os.symlink("..", site / "content/parent")
    os.symlink("missing.md", site / "content/dangling.md")
    run = run_digest(site, "build", "-q", "--no-search", timeout=60)
    assert run.code == 0, run
    for name in ("loop-a.md", "loop-b.md", "dangling.md"):
        assert f"content/{name}: warning: skipped a broken or looping symlink" in run.err
    assert "content/self: warning: skipped a symlinked folder" in run.err


def test_a_symlink_inside_content_is_followed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/real/a.md": note("Inner", "2024-01-02")})
    os.symlink("real/a.md", site / "content/alias.md")
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    assert (site / "output/2024/01/02/alias/index.html").is_file()
    assert (site / "output/2024/01/02/a/index.html").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_named_like_an_article_is_skipped_not_opened(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02")})
    os.mkfifo(site / "content/pipe.md")
    run = run_digest(site, "build", "-q", "--no-search", timeout=60)  # open() would block
    assert run.code == 0, run
    assert "content/pipe.md: warning: skipped: not a regular file" in run.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_symlink_to_a_fifo_inside_content_says_what_it_is(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02")})
    os.mkfifo(site / "content/_pipe")
    os.symlink("_pipe", site / "content/linked.md")
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    assert "content/linked.md: warning: skipped a symlink to something that is not a " \
           "regular file (a pipe, socket or device)" in run.err, run
    assert "leaving the content folder" not in run.err


def test_content_dir_outside_the_site_is_refused(tmp_path: Path, outside: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02")})
    for setting, pattern in [
        (f"content_dir: {outside}", r"digest\.yaml:1: error: 'content_dir' must be a folder "
                                    r"inside the site"),
        ("content_dir: ../outside", r"\.\./outside: error: content folder '\.\./outside' is "
                                    r"outside the site folder"),
        ("content_dir: '~'", r"'content_dir' must be a folder inside the site, not '~'"),
    ]:
        write_files(site, {"digest.yaml": setting + "\n"})
        run = cli(site, "build")
        assert run.code == 1 and re.search(pattern, run.err), (setting, run)
    write_files(site, {"digest.yaml": ""})
    # Given on the command line, the same mistake is a usage error (exit 2).
    run = cli(site, "build", "--content", "../outside")
    assert run.code == 2 and "is outside the site folder" in run.err, run
    os.symlink(outside, site / "linked")
    run = cli(site, "build", "--content", "linked")
    assert run.code == 2 and "is outside the site folder" in run.err, run
    assert not (site / "output").exists()


# ------------------------------------------------------------------ themes

@pytest.mark.parametrize("theme", ["../x", "../../outside", "x/../../outside", "..", ".",
                                   "/etc", "~", ".hidden", "a\\\\b"])
def test_theme_traversal_is_refused(tmp_path: Path, outside: Path, theme: str) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02"),
                                      "themes/x/templates/.keep": "",
                                      "x/templates/base.html": SECRET},
                     config=f'theme: "{theme}"\n')
    run = cli(site, "build")
    assert run.code == 1, run
    assert re.search(r"digest\.yaml:1: error: theme .* must be the name of a folder in themes/",
                     run.err), run
    assert not (site / "output").exists()


def test_theme_folder_symlinked_out_of_themes_is_refused(tmp_path: Path, outside: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02")},
                     config="theme: linked\n")
    (site / "themes").mkdir()
    os.symlink(outside, site / "themes/linked")
    run = cli(site, "build")
    assert run.code == 1
    assert "themes/linked is a symlink leaving the themes/ folder; it was not read" in run.err


def test_theme_files_symlinked_out_of_the_theme_are_never_read(tmp_path: Path,
                                                               outside: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02")},
                     config="theme: t\n")
    (site / "themes/t/templates").mkdir(parents=True)
    (site / "themes/t/static").mkdir(parents=True)
    os.symlink(outside / "static/secret.css", site / "themes/t/static/secret.css")
    os.symlink(outside / "templates/base.html", site / "themes/t/templates/base.html")
    run = cli(site, "build", "--no-search")
    # the symlinked base.html is refused rather than read
    assert run.code == 1, run
    assert ("template 'base.html' was not read: it is a symlink leaving the theme folder"
            in run.err), run
    os.unlink(site / "themes/t/templates/base.html")
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    assert not (site / "output/static/secret.css").exists()
    assert SECRET not in _all_output(site)


@pytest.mark.parametrize("name", ["../../../etc/passwd", "/etc/passwd", "./../x.html",
                                  "default/../../../../etc/passwd"])
def test_include_traversal_is_an_error(tmp_path: Path, name: str) -> None:
    site = make_site(tmp_path / "s", {
        "content/a.md": note("Fine", "2024-01-02"),
        "themes/t/templates/article.html": f'{{% include "{name}" %}}'}, config="theme: t\n")
    run = cli(site, "build")
    assert run.code == 1, run
    assert "root:x:" not in run.err + run.out
    assert re.search(r"error: .*(TemplateNotFound|not found)", run.err), run
    assert "Traceback" not in run.err


# ------------------------------------------------------------------ checklist 21

@pytest.mark.parametrize(("output_dir", "pattern"), [
    (".", "is the site folder or one of its parents"),
    ("..", "is the site folder or one of its parents"),
    ("/", r"must be a folder inside the site, not '/'"),
    ("~", r"must be a folder inside the site, not '~'"),
    ("~/public", r"must be a folder inside the site"),
    ("", r"'output_dir' must not be empty"),
    ("content", "overlaps the content or theme folder"),
    ("content/2024", "overlaps the content or theme folder"),
    ("themes", "overlaps the content or theme folder"),
    ("themes/t/static", "overlaps the content or theme folder"),
    ("../public", "is outside the site folder"),
    ("sub/../../public", "is outside the site folder"),
    ("{tmp}/elsewhere", r"must be a folder inside the site"),
    ("mine", "is a non-empty folder that digest did not create"),
    ("link", "is a symlink"),
    ("file.txt", "is a file"),
])
def test_dangerous_output_dirs_are_refused(tmp_path: Path, output_dir: str, pattern: str) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Fine", "2024-01-02"),
                                      "themes/t/static/x.css": "x", "mine/notes.txt": "mine",
                                      "file.txt": "a file"},
                     config=f"output_dir: {output_dir.format(tmp=tmp_path)!r}\n")
    (tmp_path / "target").mkdir()
    os.symlink(tmp_path / "target", site / "link")
    before = _tree(tmp_path)
    run = cli(site, "build")
    assert run.code == 1, run
    assert re.search(pattern, run.err), run
    assert re.search(rf"^digest\.yaml:1: error: .*{pattern}", run.err, re.M), run  # its line
    assert "hint:" in run.err and run.out == ""
    assert _tree(tmp_path) == before  # nothing written anywhere


# ------------------------------------------------------------------ checklist 31

def test_redirects_and_headers_come_only_from_static(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {
        "content/_redirects": "/* https://evil.example/ 301\n",
        "content/_headers": "/*\n  X-Frame-Options: ALLOWALL\n",
        "content/_headers.md": note("Headers", "2024-01-02"),
        "content/_redirects.txt": "/* https://evil.example/ 301\n",
        "content/a.md": note("Fine", "2024-01-02"),
    })
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    assert not (site / "output/_redirects").exists()
    assert not (site / "output/_headers").exists()
    assert "evil.example" not in _all_output(site)
    write_files(site, {"themes/t/static/_redirects": "/old /new 301\n",
                       "digest.yaml": "theme: t\n"})
    assert cli(site, "build", "-q", "--no-search").code == 0
    assert (site / "output/static/_redirects").is_file()  # under static/, never the root


def test_a_symlinked_cache_folder_is_never_written_through(tmp_path: Path,
                                                          outside: Path) -> None:
    """A .digest-cache that is a link (planted, or left by a tool) may point
    anywhere: digest neither writes cache files nor keeps retired output trees
    (digest.output.spare) through it."""
    site = make_site(tmp_path / "s", {"content/a.md": note("First", "2024-01-02")})
    before = _tree(outside)
    os.symlink(outside, site / ".digest-cache")
    for n in range(3):  # the third build would recycle a spare tree, if one were kept
        write_files(site, {"content/a.md": note(f"Edit {n}", "2024-01-02")})
        assert cli(site, "build", "-q", "--no-search").code == 0
    assert _tree(outside) == before
    assert "Edit 2" in (site / "output/2024/01/02/a/index.html").read_text(encoding="utf-8")
