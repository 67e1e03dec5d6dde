"""Unreadable content is an error naming it, never a site that silently lost articles.

Permissions only bind a process without root's override (CAP_DAC_OVERRIDE and
friends), and CI runs as root: there digest runs under ``setpriv`` with every
capability dropped (the same uid, so the site stays writable and the
interpreter reachable, but chmod 000 means "no" again).  Without setpriv the
tests are skipped on a developer's machine and fail under CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import (
    Run,
    child_env,
    leftovers,
    make_site,
    note,
    output_files,
    tree_hash,
)


def unprivileged() -> list[str]:
    """The command prefix that runs digest without root's permission override."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if os.environ.get("CI"):
            pytest.fail("running as root without setpriv (util-linux): permission "
                        "tests cannot drop root's override")
        pytest.skip("running as root without setpriv (util-linux)")
    return [setpriv, "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"]


def run_unprivileged(site: Path, *args: str) -> Run:
    proc = subprocess.run([*unprivileged(), sys.executable, "-m", "digest", "--site", str(site),
                           *args], capture_output=True, text=True, env=child_env(), cwd=site,
                          timeout=300, check=False)  # hang guard only
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Path]:
    """A built site with articles at the top and in content/desk/; modes restored after."""
    site = make_site(tmp_path / "site", {
        "content/top.md": note("Top story", "2024-03-01"),
        "content/desk/one.md": note("Desk one", "2024-03-02"),
        "content/desk/two.md": note("Desk two", "2024-03-03"),
    })
    run = run_unprivileged(site, "build", "-q")
    assert run.code == 0, run
    yield site
    for path in (site / "content", site / "content" / "desk", site / "content" / "top.md"):
        if path.exists():
            path.chmod(0o755 if path.is_dir() else 0o644)


def assert_refused(run: Run, site: Path, before: dict[str, str], line: str) -> None:
    assert run.code == 1, run
    assert line in run.err.splitlines(), run
    assert "hint: " in run.err and "chmod" in run.err, run
    assert "Traceback" not in run.err, run
    assert tree_hash(site / "output") == before
    assert leftovers(site) == []


def test_an_unreadable_content_folder_is_an_error(built: Path) -> None:
    before = tree_hash(built / "output")
    (built / "content").chmod(0)
    run = run_unprivileged(built, "build")
    assert_refused(run, built, before, "content: error: cannot read folder (permission denied)")


def test_an_unreadable_subfolder_is_an_error(built: Path) -> None:
    before = tree_hash(built / "output")
    (built / "content" / "desk").chmod(0)
    run = run_unprivileged(built, "build")
    assert_refused(run, built, before,
                   "content/desk: error: cannot read folder (permission denied)")


def test_an_unreadable_file_is_an_error(built: Path) -> None:
    before = tree_hash(built / "output")
    (built / "content" / "top.md").chmod(0)
    run = run_unprivileged(built, "build")
    assert_refused(run, built, before,
                   "content/top.md: error: cannot read file (permission denied)")


def test_keep_going_warns_once_and_builds_the_rest(built: Path) -> None:
    (built / "content" / "desk").chmod(0)
    run = run_unprivileged(built, "build", "--keep-going")
    assert run.code == 0, run
    about = [line for line in run.err.splitlines() if line.startswith("content/desk")]
    assert about == ["content/desk: warning: cannot read folder (permission denied) "
                     "(skipped: --keep-going)"], run
    assert "Built 1 articles" in run.out
    assert not any("desk-one" in f for f in output_files(built))


def test_check_reports_unreadable_folders_and_files(built: Path) -> None:
    (built / "content" / "desk").chmod(0)
    (built / "content" / "top.md").chmod(0)
    run = run_unprivileged(built, "check")
    assert run.code == 1, run
    lines = [line.strip() for line in run.out.splitlines()]  # grouped and indented
    assert "content/desk: error: cannot read folder (permission denied)" in lines, run
    assert "content/top.md: error: cannot read file (permission denied)" in lines, run
