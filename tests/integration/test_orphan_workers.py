"""A build killed outright takes its worker processes with it (digest.engine.orphans).

A real build of 1,500 articles runs with its stdout on a pipe, as under
``digest build | tee log``; once it has forked workers it is SIGKILLed.  The
pipe must then reach end-of-file (no worker keeps it open) and no worker may
still be running.  Timeouts here only guard against a hang.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.integration.conftest import child_env, make_site, note

HANG_GUARD = 120.0  # seconds; never a measure of speed


def children_of(pid: int) -> set[int]:
    """Processes whose parent is ``pid``, from /proc."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # gone meanwhile
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.add(int(entry))
    return found


def running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (the container's init may
    not reap orphans, so an ended worker can linger as one)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_killed_build_leaves_no_workers_and_closes_its_stdout(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        f"content/n{i:04d}.md": note(f"Note number {i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                                     body="A paragraph of body text. " * 20)
        for i in range(1500)})
    proc = subprocess.Popen([sys.executable, "-m", "digest", "--site", str(site), "build",
                             "--no-cache", "--jobs", "3"],
                            env=child_env(), cwd=site, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + HANG_GUARD
        while not workers:
            assert proc.poll() is None, "the build ended before it forked workers"
            assert time.monotonic() < deadline, "no worker appeared"
            workers = children_of(proc.pid)
            time.sleep(0.01)
        proc.kill()
        proc.wait()
        eof = threading.Event()

        def drain() -> None:
            while proc.stdout.read(65536):
                pass
            eof.set()

        threading.Thread(target=drain, daemon=True).start()
        assert eof.wait(HANG_GUARD), "a worker still holds the build's stdout open"
        deadline = time.monotonic() + HANG_GUARD
        while any(running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if running(pid)]
    finally:
        try:  # whatever survived a failure is this test's to end
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stdout.close()


FORK_FROM_A_THREAD = """
import threading, time
from digest.engine.parallel import start

held = {}
thread = threading.Thread(target=lambda: held.update(later=start(lambda: time.sleep(600), 2)))
thread.start()
thread.join()  # the forking thread is gone; its worker must not be
print(held["later"]._proc.pid, flush=True)
time.sleep(600)
"""


def test_a_worker_forked_by_a_thread_outlives_the_thread_not_the_process() -> None:
    proc = subprocess.Popen([sys.executable, "-c", FORK_FROM_A_THREAD], env=child_env(),
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        worker = int(proc.stdout.readline())
        assert worker in children_of(proc.pid) and running(worker)
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + HANG_GUARD
        while running(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not running(worker)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.stdout.close()
