"""The month folders Pagefind reads (digest.searchfolders.sync_pages), the
record that spares running ``pagefind --version`` on every build, and the
wait for whichever run ends first (digest.searchrun.wait_any)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest.searchfiles import SearchError, page_source
from digest.searchfolders import sync_pages
from digest.searchrun import Runs, wait_any
from digest.searchtool import pagefind_version


def _record(folder: Path, digests: dict[str, str]) -> dict[str, list]:
    return {rel: [digests[rel], (st := os.stat(folder / rel)).st_size, st.st_mtime_ns]
            for rel in digests}


def test_a_month_folder_keeps_what_still_holds_and_replaces_the_rest(tmp_path: Path) -> None:
    live = tmp_path / "output"
    for name in ("a", "b", "c"):
        (live / name).mkdir(parents=True)
        (live / name / "index.html").write_bytes(f"<p>{name}</p>".encode())
    folder = tmp_path / "pages" / "2024-05"
    paths = ["a/index.html", "b/index.html", "c/index.html"]
    disk = page_source({}, live, dict.fromkeys(paths))
    digests = {"a/index.html": "da", "b/index.html": "db", "c/index.html": "dc"}

    # A first build (no digests yet): every page linked, nothing copied.
    files = sync_pages(folder, paths, disk, None, {})
    assert sorted(files) == paths
    assert all(os.stat(folder / rel).st_ino == os.stat(live / rel).st_ino for rel in paths)
    record = _record(folder, digests)
    inode_a = os.stat(folder / "a/index.html").st_ino

    # Next build: b's indexed part changed (new digest, new bytes in memory),
    # c left the month, a stray file appeared, a is as recorded.
    (folder / "stray").mkdir()
    (folder / "stray" / "index.html").write_bytes(b"<p>left by a stopped build</p>")
    now = {"a/index.html": "da", "b/index.html": "db2"}
    pages = {"b/index.html": b"<p>b, edited</p>"}

    def source(rel: str) -> Path | bytes:
        return pages[rel] if rel in pages else live / rel

    files = sync_pages(folder, ["a/index.html", "b/index.html"], source, now, record)
    assert sorted(files) == ["a/index.html", "b/index.html"]
    assert os.stat(folder / "a/index.html").st_ino == inode_a  # untouched
    assert (folder / "b/index.html").read_bytes() == b"<p>b, edited</p>"
    assert (live / "b/index.html").read_bytes() == b"<p>b</p>"  # the live file never edited
    assert not (folder / "c/index.html").exists()
    assert not (folder / "stray/index.html").exists()

    # A file that is not as recorded (edited by hand) is replaced, even with
    # the same digest; so is one the record does not know.
    record = _record(folder, now)
    os.unlink(folder / "a/index.html")
    (folder / "a/index.html").write_bytes(b"<p>tampered</p>")
    sync_pages(folder, ["a/index.html", "b/index.html"], source, now, record)
    assert (folder / "a/index.html").read_bytes() == b"<p>a</p>"
    assert (folder / "b/index.html").read_bytes() == b"<p>b, edited</p>"
    sync_pages(folder, ["a/index.html", "b/index.html"], source, now, {})
    assert os.stat(folder / "a/index.html").st_ino == os.stat(live / "a/index.html").st_ino


def test_the_version_is_asked_once_per_binary(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    exe = tmp_path / "pagefind"
    exe.write_text(f'#!/bin/sh\necho x >> "{calls}"\necho "pagefind 1.5.2"\n', encoding="utf-8")
    exe.chmod(0o755)
    version, record = pagefind_version(exe)
    assert version == "1.5.2"
    assert pagefind_version(exe, record) == ("1.5.2", record)
    assert calls.read_text().count("x") == 1
    # another binary (here: the same path, rewritten) is asked again
    exe.write_text(f'#!/bin/sh\necho x >> "{calls}"\necho "pagefind 1.6.0"\n', encoding="utf-8")
    os.utime(exe, ns=(1, 1))
    assert pagefind_version(exe, record)[0] == "1.6.0"
    assert calls.read_text().count("x") == 2


@pytest.mark.parametrize("pidfds", [True, False], ids=["pidfd", "polling"])
def test_the_run_that_ends_first_is_taken_first(pidfds: bool,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The oldest run is the long one: waiting for it would leave a slot idle
    # while the short one has long ended (a core idle, on two cores).
    if not pidfds:
        monkeypatch.delattr(os, "pidfd_open", raising=False)
    elif not hasattr(os, "pidfd_open"):
        pytest.skip("this platform has no pidfds")
    long = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    short = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        assert wait_any([long, short], ["2024-01", "2024-02"]) == "2024-02"
        assert long.poll() is None  # still running: not waited for
        assert short.poll() == 0
        # A run that has already ended is named at once, whatever its place.
        assert wait_any([short, long], ["2024-02", "2024-01"]) == "2024-02"
    finally:
        long.kill()
        long.wait()


def test_a_failed_run_ends_the_others_and_leaves_no_scratch(tmp_path: Path) -> None:
    """Runs taken as they end: one month's Pagefind fails while another's is
    still going; the error comes out, and close() leaves no run nor scratch
    folder behind."""
    fake = tmp_path / "pagefind"
    fake.write_text('#!/bin/sh\ncase "$2" in *slow*) exec sleep 60;; esac\n'
                    'echo "index exploded" >&2\nexit 3\n', encoding="utf-8")
    fake.chmod(0o755)
    home = tmp_path / "home"
    source = page_source({"a/index.html": b"<p>a</p>", "b/index.html": b"<p>b</p>",
                          "c/index.html": b"<p>c</p>"})
    runs = Runs(fake, home, 2)
    runs.add("slow", ["a/index.html"], source, None, {})
    slow = runs.running["slow"][0]
    # The failure comes out of whichever call finds the run ended: a later
    # add (which polls) or results.
    with pytest.raises(SearchError, match="index exploded"):
        runs.add("fails", ["b/index.html"], source, None, {})
        runs.add("queued", ["c/index.html"], source, None, {})
        runs.results()
    assert slow.poll() is None  # the error did not wait for the slow run
    runs.close()
    assert slow.poll() is not None and not runs.running and not runs.queued
    assert [p.name for p in home.iterdir() if p.name.startswith(".work-")] == []
