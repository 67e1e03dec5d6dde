"""One writer per site (digest.output.lock): concurrent builds, serve and clean.

Real processes and real flock locks throughout: the "other build" is either a
second `digest build` or this test process holding the lock file itself (an
flock belongs to an open file, so this process can hold it against a digest
run in this very process too).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.integration.conftest import (
    child_env,
    cli,
    leftovers,
    make_site,
    note,
    output_files,
    run_digest,
    tree_hash,
)

LOCK = Path(".digest-cache") / "build.lock"


@contextlib.contextmanager
def holding_lock(site: Path, pid: int | None = None) -> Iterator[None]:
    """Hold the site's lock as a running build would (``pid``, by default this
    process's, in the file)."""
    (site / LOCK).parent.mkdir(exist_ok=True)
    fd = os.open(site / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(fd, 0)
        os.write(fd, f"{pid or os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def many_notes(site: Path, count: int) -> Path:
    return make_site(site, {f"content/n{i:04d}.md": note(f"Note {i}", f"2024-0{1 + i % 9}-1{i % 10}",
                                                          tags=f"[t{i % 7}]")
                            for i in range(count)})


def test_two_builds_at_once_publish_one_complete_site(tmp_path: Path) -> None:
    site = many_notes(tmp_path / "site", 300)
    procs = [subprocess.Popen([sys.executable, "-m", "digest", "--site", str(site), "build",
                               "-q"], env=child_env(), cwd=site, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]  # hang guard only
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0, 0], results
    assert leftovers(site) == []
    # The same site built alone, for comparison.
    alone = many_notes(tmp_path / "alone", 300)
    assert run_digest(alone, "build", "-q").code == 0
    assert output_files(site) == output_files(alone)
    assert (site / "output" / ".digest-build").read_text().startswith("digest\n")


def test_a_busy_site_fails_fast_with_the_holders_pid(tmp_path: Path) -> None:
    site = many_notes(tmp_path / "site", 3)
    assert cli(site, "build", "-q").code == 0
    before = tree_hash(site / "output")
    with holding_lock(site):
        run = cli(site, "build", "--wait", "0")
    assert run.code == 75, run
    assert ".digest-cache/build.lock: error: another build of this site is running " \
           f"(pid {os.getpid()})" in run.err
    assert "hint: wait for it to finish" in run.err
    assert tree_hash(site / "output") == before


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    site = many_notes(tmp_path / "site", 3)
    with holding_lock(site):
        proc = subprocess.Popen([sys.executable, "-m", "digest", "--site", str(site), "build"],
                                env=child_env(), cwd=site, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        line = proc.stderr.readline()  # blocks until the build says it waits
        assert "another build of this site is running" in line and "waiting" in line
        assert proc.poll() is None and not (site / "output").exists()
    out, err = proc.communicate(timeout=300)  # hang guard only
    assert proc.returncode == 0, err
    assert "Built 3 articles" in out
    assert (site / "output" / "index.html").is_file()


def test_a_lock_left_by_a_dead_process_does_not_block(tmp_path: Path) -> None:
    site = many_notes(tmp_path / "site", 3)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    (site / LOCK).parent.mkdir()
    (site / LOCK).write_text(dead.stdout)  # its pid, but no process holds the flock
    run = run_digest(site, "build", "-q", "--wait", "0")
    assert run.code == 0, run
    assert (site / LOCK).read_text() == ""  # released: no pid left to mislead


def test_clean_refuses_while_a_build_runs(tmp_path: Path) -> None:
    site = many_notes(tmp_path / "site", 3)
    assert cli(site, "build", "-q").code == 0
    before = tree_hash(site / "output")
    with holding_lock(site):
        run = cli(site, "clean")
    assert run.code == 75, run
    assert f"another build of this site is running (pid {os.getpid()})" in run.err
    assert tree_hash(site / "output") == before
    run = cli(site, "clean")
    assert run.code == 0 and not (site / "output").exists(), run


def test_serve_waits_for_a_build_before_writing_the_cache(tmp_path: Path) -> None:
    site = many_notes(tmp_path / "site", 3)
    err = tmp_path / "serve.err"
    with holding_lock(site), err.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "digest", "--site", str(site), "serve",
                                 "--port", "0"], env=child_env(PYTHONUNBUFFERED="1"),
                                cwd=site, stdout=subprocess.DEVNULL, stderr=sink)
        try:
            hang_guard = time.monotonic() + 120
            while "waiting for it to finish" not in err.read_text():
                assert proc.poll() is None and time.monotonic() < hang_guard, err.read_text()
                time.sleep(0.05)
            assert not list((site / ".digest-cache").glob("*.pickle"))
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    try:
        hang_guard = time.monotonic() + 120
        while not list((site / ".digest-cache").glob("*.pickle")):  # serve's own build
            assert proc.poll() is None and time.monotonic() < hang_guard, err.read_text()
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()


def test_a_dead_pid_in_a_held_lock_is_not_shown(tmp_path: Path) -> None:
    site = many_notes(tmp_path / "site", 3)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    with holding_lock(site, pid=int(dead.stdout)):  # as if read before the holder wrote
        run = cli(site, "build", "--wait", "0")
    assert run.code == 75, run
    assert "another build of this site is running (pid unknown)" in run.err
