"""Promise 1: a failed or interrupted build never changes output/.

Checklist 26 (runtime error in a template), 27 (failure at item k, signals),
29 (ENOSPC, EACCES, EROFS, EPERM/EBUSY on rename with bounded retries).
Faults are injected in-process (fast) except for signals, which need a real
child process.  Running as root makes chmod-based tests meaningless, so
permission faults are injected at the system-call boundary instead.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import digest.output.staging
import digest.output.write
from tests.hardening.conftest import assert_failed_cleanly
from tests.integration.conftest import child_env, cli, leftovers, note, tree_hash, write_files

# A theme whose article template fails only for the article titled "Boom":
# 4 - len("Boom") == 0, so the division fails at render time (not compile time).
BOOM_THEME = {
    "themes/boom/templates/article.html":
        '{{ 1 // (article.title|length - 4) if article.title == "Boom" else "" }}'
        '{% include "default/article.html" %}',
    "digest.yaml": "theme: boom\n",
}


def test_runtime_error_at_item_k_leaves_output(built_site: Path) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {**BOOM_THEME, "content/boom.md": note("Boom", "2024-05-05")})
    run = cli(built_site, "build", "--no-cache")
    assert_failed_cleanly(run, built_site, before)
    # checklist 26: the location is the template and line, plus the content file
    assert "article.html:1: error: ZeroDivisionError" in run.err, run
    assert "from content/boom.md" in run.err, run


def test_internal_bug_at_item_k_exits_70_and_leaves_output(
        built_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.site.render.bodies

    before = tree_hash(built_site / "output")
    write_files(built_site, {"content/new.md": note("A new article", "2024-05-06")})
    calls = []

    def flaky(text: str, *, raw_html: bool = False) -> str:
        calls.append(text)
        if len(calls) == 3:
            raise RuntimeError("injected fault at item 3")
        return "<p>x</p>"

    monkeypatch.setattr(digest.site.render.bodies, "render_markdown", flaky)  # where bodies render
    run = cli(built_site, "build", "--no-cache")
    assert run.code == 70, run
    assert "internal error: RuntimeError: injected fault at item 3" in run.err
    assert "--debug" in run.err and "Traceback" not in run.err
    assert tree_hash(built_site / "output") == before
    assert leftovers(built_site) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT,
                                  errno.EIO])
def test_write_faults_leave_output(built_site: Path, monkeypatch: pytest.MonkeyPatch,
                                   code: int) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {"content/new.md": note("A new article", "2024-05-06")})
    real_open = open
    count = [0]

    def failing_open(file, mode="r", *args, **kwargs):  # noqa: ANN001, ANN202
        if "w" in mode:
            count[0] += 1
            if count[0] > 7:
                raise OSError(code, os.strerror(code), str(file))
        return real_open(file, mode, *args, **kwargs)

    # Both writers: the tree a cold build fills while rendering, and write_site.
    monkeypatch.setattr(digest.output.write, "open", failing_open, raising=False)
    monkeypatch.setattr(digest.output.staging, "open", failing_open, raising=False)
    run = cli(built_site, "build", "--no-cache")
    assert_failed_cleanly(run, built_site, before)
    assert f"could not write the site: {os.strerror(code)}; output/ was left as it was" \
        in run.err


def test_staging_folder_on_a_read_only_parent(built_site: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_hash(built_site / "output")
    real_mkdir = Path.mkdir

    def ro_mkdir(self: Path, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if ".tmp-" in self.name:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", ro_mkdir)
    run = cli(built_site, "build", "--no-cache")
    assert_failed_cleanly(run, built_site, before)
    assert "Read-only file system" in run.err


def _flaky_replace(monkeypatch: pytest.MonkeyPatch, failures: int, code: int,
                   only_second: bool = False) -> list[tuple[str, str]]:
    """os.replace that fails ``failures`` times (then works); returns the calls."""
    real_replace = os.replace
    calls: list[tuple[str, str]] = []
    failed = [0]

    def replace(src, dst):  # noqa: ANN001, ANN202
        calls.append((str(src), str(dst)))
        is_second = ".tmp-" in str(src)
        if failed[0] < failures and (is_second or not only_second):
            failed[0] += 1
            raise OSError(code, os.strerror(code), str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(digest.output.write.time, "sleep", lambda s: None)
    return calls


@pytest.mark.parametrize("code", [errno.EPERM, errno.EBUSY, errno.EACCES])
def test_transient_rename_failures_are_retried(built_site: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               code: int) -> None:
    write_files(built_site, {"content/new.md": note("A new article", "2024-05-06")})
    calls = _flaky_replace(monkeypatch, 2, code)
    run = cli(built_site, "build", "-q", "--no-search", "--no-cache")  # only the swap renames
    assert run.code == 0, run
    assert len(calls) == 2 + 2  # two failed attempts, then both renames of the swap
    assert any(p.startswith("2024/05/06/") for p in
               (q.relative_to(built_site / "output").as_posix()
                for q in (built_site / "output").rglob("index.html")))
    assert leftovers(built_site) == []


def test_persistent_rename_failure_is_bounded_and_leaves_output(
        built_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {"content/new.md": note("A new article", "2024-05-06")})
    calls = _flaky_replace(monkeypatch, 10**6, errno.EBUSY)
    run = cli(built_site, "build", "--no-cache")
    assert_failed_cleanly(run, built_site, before)
    assert len(calls) == digest.output.write.RENAME_ATTEMPTS
    assert "Device or resource busy" in run.err


def test_second_rename_failure_rolls_back(built_site: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {"content/new.md": note("A new article", "2024-05-06")})
    calls = _flaky_replace(monkeypatch, 10**6, errno.EPERM, only_second=True)
    run = cli(built_site, "build", "--no-cache")
    assert_failed_cleanly(run, built_site, before)
    # output -> output.old-*, staging -> output (fails, retried), old -> output (rollback)
    assert calls[0][1].split("/")[-1].startswith("output.old-")
    assert calls[-1][0].split("/")[-1].startswith("output.old-")


# SIGTERM while the build is still parsing (before writing; mid-write is in
# tests/integration/test_output_safety.py::test_signal_mid_write_leaves_output_untouched).
SLOW_PARSE = textwrap.dedent("""
    import sys, time
    import digest.site.sources
    real = digest.site.sources.parse_source
    def slow(doc, config, *, now, **more):
        if doc.rel_path.name == "new.md":
            print("CHILD-PARSING", file=sys.stderr, flush=True)
            time.sleep(120)
        return real(doc, config, now=now, **more)
    digest.site.sources.parse_source = slow
    from digest.cli import main
    sys.exit(main(["--site", sys.argv[1], "build"]))
""")


def test_sigterm_while_parsing_leaves_output(built_site: Path) -> None:
    write_files(built_site, {"content/new.md": note("A new article", "2024-05-06")})
    before = tree_hash(built_site / "output")
    child = subprocess.Popen([sys.executable, "-c", SLOW_PARSE, str(built_site)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=child_env(), cwd=built_site)
    try:
        assert child.stderr is not None
        line = child.stderr.readline()
        assert "CHILD-PARSING" in line, line + child.stderr.read()
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 128 + signal.SIGTERM, err
    assert "terminated; output/ was left as it was" in err and "Traceback" not in err
    assert tree_hash(built_site / "output") == before
    assert leftovers(built_site) == []


# A signal just after the swap (issue 22, point 4): the second rename of the
# swap has put the new site in place; the signal arrives before the replaced
# tree is retired or deleted.
SIGNAL_AFTER_SWAP = textwrap.dedent("""
    import os, signal, sys
    import digest.output.write
    real = digest.output.write._rename
    def rename(src, dst):
        real(src, dst)
        if ".tmp-" in str(src):  # staging -> output: the new site is in place
            os.kill(os.getpid(), getattr(signal, sys.argv[2]))
    digest.output.write._rename = rename
    from digest.cli import main
    sys.exit(main(["--site", sys.argv[1], "build", "--no-search"]))
""")


@pytest.mark.parametrize(("name", "status", "word"), [("SIGTERM", 143, "terminated"),
                                                      ("SIGINT", 130, "interrupted")])
def test_a_signal_right_after_the_swap_says_the_new_site_is_in_place(
        built_site: Path, name: str, status: int, word: str) -> None:
    write_files(built_site, {"content/new.md": note("A new article", "2024-05-06")})
    child = subprocess.run([sys.executable, "-c", SIGNAL_AFTER_SWAP, str(built_site), name],
                           capture_output=True, text=True, env=child_env(), cwd=built_site,
                           timeout=120, check=False)
    assert child.returncode == status, child.stderr
    assert f"digest: {word} after the new site was in place: output/ holds this build" \
        in child.stderr, child.stderr
    assert "left as it was" not in child.stderr and "Traceback" not in child.stderr
    assert (built_site / "output/2024/05/06/new/index.html").is_file()
    # The next builds leave nothing of the interrupted one beside output/,
    # the no-op one included, and output/ stays this site.
    for _ in range(2):
        run = cli(built_site, "build", "--no-search")
        assert run.code == 0, run
        assert leftovers(built_site) == []
    assert "Nothing changed" in run.out
    assert (built_site / "output/2024/05/06/new/index.html").is_file()


def test_a_no_op_build_removes_a_replaced_tree_left_beside_output(built_site: Path) -> None:
    """An output.old-* that an interrupted run left (its deletion cut short)
    does not survive a build that has nothing to write."""
    assert cli(built_site, "build", "--no-search").code == 0
    run = cli(built_site, "build", "--no-search")
    assert run.code == 0 and "Nothing changed" in run.out, run
    old = built_site / "output.old-0123456789ab"
    old.mkdir()
    (old / "index.html").write_text("<p>the site before</p>", encoding="utf-8")
    (old / digest.output.write.MARKER).write_text("", encoding="utf-8")
    run = cli(built_site, "build", "--no-search")
    assert run.code == 0 and "Nothing changed" in run.out, run
    assert leftovers(built_site) == []
