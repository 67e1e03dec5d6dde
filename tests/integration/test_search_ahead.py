"""An edited month's search bundle started while the site builds (digest.searchahead).

Each test edits the example site after a first build and checks what the
index of the edit's build is: the bundle made early only when it is the
month's (the same bytes as a cold build of the same sources), and no
Pagefind run nor scratch folder left behind, whatever the build's end.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest.search import find_pagefind
from tests.integration.conftest import child_env, cli, copy_example_site
from tests.integration.test_interrupted_builds import HANG_GUARD, finish
from tests.integration.test_search import ARTICLE, _bundle_bytes, _search_line

pytestmark = pytest.mark.skipif(find_pagefind() is None, reason="needs pagefind[bin]")

EARLY = "1 of 2 shards rebuilt (1 started early), 10 pages indexed"
LATE = "1 of 2 shards rebuilt, 10 pages indexed"


def _append(site: Path, text: str) -> None:
    path = site / ARTICLE
    path.write_text(path.read_text("utf-8") + f"\n{text}\n", "utf-8")


def _replace(site: Path, old: str, new: str) -> None:
    path = site / ARTICLE
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def _cold_bundle(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The index a cold build of ``site``'s sources makes."""
    cold = copy_example_site(tmp_path / "cold")
    shutil.copy2(site / ARTICLE, cold / ARTICLE)
    run = cli(cold, "build", "-q", "--no-cache")
    assert run.code == 0, run
    return _bundle_bytes(cold / "output")


def _leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in (site / ".digest-cache" / "search").glob(".work-*"))


def _rebuilt_as_cold(site: Path, tmp_path: Path, search_line: str) -> None:
    """An edit's build: it succeeds, says ``search_line``, leaves no scratch
    folder, and its index is byte for byte a cold build's."""
    run = cli(site, "build", "-v")
    assert run.code == 0, run
    assert _search_line(run.err) == search_line
    assert _leftovers(site) == []
    assert _bundle_bytes(site / "output") == _cold_bundle(site, tmp_path)


def test_a_body_edit_is_indexed_while_the_site_builds(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    assert cli(site, "build", "-q").code == 0
    _append(site, "The talks also covered a joint plant for zeolite filters.")
    _rebuilt_as_cold(site, tmp_path, EARLY)
    # The month's folder of pages is recorded as it is: nothing to redo next time.
    assert cli(site, "build").out.startswith("Nothing changed")
    _append(site, "A second paragraph, this one about quarrying.")
    run = cli(site, "build", "-v")
    assert run.code == 0 and _search_line(run.err) == EARLY, run
    # One core (--jobs 1): nothing runs beside the build, Pagefind included.
    _append(site, "A third paragraph, on the rail link.")
    run = cli(site, "build", "-v", "--jobs", "1")
    assert run.code == 0 and _search_line(run.err) == LATE, run
    assert _bundle_bytes(site / "output") == _cold_bundle(site, tmp_path / "third")


def test_an_edit_to_what_else_pagefind_reads_is_indexed_again(tmp_path: Path) -> None:
    """A headline is in the page outside its body: the early bundle is not the
    month's (another key), so it is thrown away and the month indexed again."""
    site = copy_example_site(tmp_path / "site")
    assert cli(site, "build", "-q").code == 0
    _replace(site, 'title: "Minsk', 'title: "Update on Minsk')
    _append(site, "With a paragraph, so that the body changed too.")
    _rebuilt_as_cold(site, tmp_path, LATE)


def _slow_pagefind(tmp_path: Path, delay: float) -> tuple[Path, Path]:
    """A Pagefind that writes its process id to a file, waits ``delay``
    seconds, then becomes the real one (the same process)."""
    real = find_pagefind()
    pids = tmp_path / "pids"
    wrapper = tmp_path / "pagefind-slow"
    wrapper.write_text(
        f"#!{sys.executable}\n"
        "import os, sys, time\n"
        "if '--site' in sys.argv:\n"
        f"    with open({os.fspath(pids)!r}, 'a') as f: f.write(f'{{os.getpid()}}\\n')\n"
        f"    time.sleep({delay})\n"
        f"os.execv({os.fspath(real)!r}, [{os.fspath(real)!r}, *sys.argv[1:]])\n", "utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, pids


def test_a_build_failing_after_the_early_start_leaves_nothing(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    assert cli(site, "build", "-q").code == 0
    before = _bundle_bytes(site / "output")
    # A link to nothing fails the build once the articles are enriched: after
    # Pagefind was started on the month.
    _append(site, "See also {% post_url 2024-01-01-no-such-post %} for more.")
    run = cli(site, "build", "-v")
    assert run.code == 1 and "links to no article" in run.err, run
    assert _leftovers(site) == []
    assert _bundle_bytes(site / "output") == before
    # The month's folder was changed for the early run: the next build puts
    # the right page back (it is not as recorded) before indexing the month.
    _replace(site, "See also {% post_url 2024-01-01-no-such-post %} for more.",
             "A paragraph instead of the broken link.")
    run = cli(site, "build", "-v")
    assert run.code == 0 and _search_line(run.err) == EARLY, run
    assert _bundle_bytes(site / "output") == _cold_bundle(site, tmp_path)


@pytest.mark.parametrize("to_group", [True, False], ids=["group", "parent"])
@pytest.mark.parametrize("build", ["edit", "cold"])
def test_no_pagefind_outlives_a_signalled_build(tmp_path: Path, to_group: bool,
                                                build: str) -> None:
    """SIGTERM while Pagefind runs (here for a minute): started early by an
    edit's build, or by the search stage of a cold one (--no-cache: every
    month, two at a time).  The build ends at once, as it would without
    them, and takes them along: the runs are started and waited for by the
    build's main thread (digest.searchrun.Runs), never by a thread the
    signal could land on instead."""
    site = copy_example_site(tmp_path / "site")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    if build == "edit":
        # (in a process of its own, as the build signalled: the same cache key)
        subprocess.run([sys.executable, "-m", "digest", "--site", str(site), "build", "-q"],
                       env=child_env(), cwd=site, check=True, timeout=HANG_GUARD)
        _append(site, "A paragraph written just before the build is stopped.")
    before = _bundle_bytes(site / "output") if build == "edit" else None
    wrapper, pids = _slow_pagefind(tmp_path, 60)
    args = ["-v"] if build == "edit" else ["-v", "--no-cache", "--jobs", "2"]
    proc = subprocess.Popen([sys.executable, "-m", "digest", "--site", str(site), "build", *args],
                            env=child_env(PAGEFIND_BINARY_PATH=os.fspath(wrapper),
                                          TMPDIR=os.fspath(scratch)),
                            cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    runs = 1 if build == "edit" else 2  # the early one; the cold build's first two
    try:
        deadline = time.monotonic() + HANG_GUARD
        while not (pids.exists() and pids.read_text().count("\n") >= runs):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "Pagefind was not started"
            time.sleep(0.01)
        pagefind = {int(pid) for pid in pids.read_text().split()}
        os.killpg(proc.pid, signal.SIGTERM) if to_group else os.kill(proc.pid, signal.SIGTERM)
        started = time.monotonic()
        code, err = finish(proc, pagefind)
        took = time.monotonic() - started
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert took < 30, err  # it ended then, not once Pagefind's minute was over
    assert code == 143 and "digest: terminated; output/ was left as it was" in err, err
    assert len(pagefind) == runs, pagefind  # (and none started after the signal)
    assert len(pids.read_text().split()) == runs
    assert _leftovers(site) == []
    assert list(scratch.iterdir()) == []  # no scratch index of a build without a cache
    if before is None:
        assert not (site / "output").exists()
    else:
        assert _bundle_bytes(site / "output") == before


def test_a_failed_early_pagefind_fails_the_build_and_keeps_the_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = copy_example_site(tmp_path / "site")
    assert cli(site, "build", "-q").code == 0
    before = _bundle_bytes(site / "output")
    broken = tmp_path / "pagefind-broken"
    real = find_pagefind()
    broken.write_text(f"#!/bin/sh\ncase \"$*\" in *--site*) echo 'Error: disk full' >&2; "
                      f"exit 3;; esac\nexec {real} \"$@\"\n", "utf-8")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", os.fspath(broken))
    _append(site, "A paragraph the index will not get.")
    run = cli(site, "build", "-v")
    assert run.code == 1 and "Pagefind failed (exit 3): Error: disk full" in run.err, run
    assert _leftovers(site) == []
    assert _bundle_bytes(site / "output") == before
