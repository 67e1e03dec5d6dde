"""Edge: one writer per site at a time (``.digest-cache/build.lock``).

A build cleans up the staging trees an interrupted build left beside
``output/``; two builds of one site at once would each delete the tree the
other is filling, and both would write the cache.  So ``digest build``,
``digest serve`` (around each of its builds, which update the cache) and
``digest clean`` hold an exclusive ``flock`` on a lock file for as long as
they touch ``output/`` or the cache.

Why flock: the kernel drops the lock when its holder dies, however it dies, so
a lock is never stale.  The file's content (the holder's pid) is only for the
message; it is emptied on release and never used to decide anything.  The file
is never deleted by its holder (that would let a waiter lock a file nobody else
can see); ``digest clean`` removes the cache folder with it, so a lock taken on
a file that is no longer at its path is dropped and taken again.

When ``.digest-cache`` is a symlink (never written through) the site folder
itself is locked, with no pid to show.  Where no lock can be taken at all
(a read-only site, a platform without flock) digest goes on without one: it
cannot write there anyway, and its own writes then report why.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from digest.errors import Diagnostic, DigestError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "build.lock"  # in .digest-cache/
BUSY_STATUS = 75  # exit status (sysexits' EX_TEMPFAIL: try again later)
POLL = 0.1  # seconds between attempts while waiting


class SiteBusy(DigestError):
    """Another digest process holds the site's lock (exit status BUSY_STATUS)."""

    exit_status = BUSY_STATUS


class SiteLock:
    """A held lock; :meth:`release` (or leaving the ``with`` block) frees it."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            os.ftruncate(fd, 0)  # the pid of a process that no longer holds it would mislead
        except OSError:
            pass  # a directory (see the module docstring), or the file is gone
        os.close(fd)  # closing drops the flock

    def __enter__(self) -> SiteLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_site(site_root: Path, *, wait: float | None,
              waiting: Callable[[str], None] | None = None) -> SiteLock:
    """Take the site's lock, waiting up to ``wait`` seconds (None: no limit).

    ``waiting`` is called once with a line to show when the lock is busy at
    first.  Raises :class:`SiteBusy` when it is still held after ``wait``.
    """
    if fcntl is None or not site_root.is_dir():
        return SiteLock(None)
    deadline = None if wait is None else time.monotonic() + wait
    told = False
    while True:
        fd, path = _open(site_root)
        if fd is None:
            return SiteLock(None)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held by another process (EWOULDBLOCK)
            os.close(fd)
            holder = _holder(path)
            if deadline is not None and time.monotonic() >= deadline:
                raise SiteBusy(_busy(holder, wait)) from None
            if not told and waiting is not None:
                waiting(f"digest: another build of this site is running ({holder}); "
                        "waiting for it to finish")
                told = True
            time.sleep(POLL)
            continue
        if path is not None and not _still_there(fd, path):
            os.close(fd)  # `digest clean` removed it meanwhile: lock the new one
            continue
        if path is not None:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        return SiteLock(fd)


def _open(site_root: Path) -> tuple[int | None, Path | None]:
    cache = site_root / ".digest-cache"
    try:
        if cache.is_symlink():
            return os.open(site_root, os.O_RDONLY), None
        cache.mkdir(exist_ok=True)
        ignore = cache / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")  # as the cache writes it
        path = cache / LOCK_FILE
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644), path
    except OSError:
        return None, None


def _still_there(fd: int, path: Path) -> bool:
    try:
        here, mine = os.stat(path, follow_symlinks=False), os.fstat(fd)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)


def _holder(path: Path | None) -> str:
    """"pid N" from the lock file (written by the holder), or "pid unknown"."""
    try:
        text = path.read_text(encoding="ascii").strip() if path else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    if not text.isdigit():
        return "pid unknown"
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:  # a dead holder's pid, read just before the new one wrote
        return "pid unknown"
    except (PermissionError, OverflowError, ValueError):
        pass  # alive under another user (or not a pid we can check): show it
    return f"pid {text}"


def _busy(holder: str, wait: float | None) -> Diagnostic:
    waited = f" (waited {wait:g} s)" if wait else ""
    return Diagnostic(
        severity="error", code="site-busy", path=f".digest-cache/{LOCK_FILE}",
        message=f"another build of this site is running ({holder}){waited}; "
                "nothing was changed",
        hint="wait for it to finish and build again, or stop that process; "
             "`digest build --wait SECONDS` waits longer (a lock whose process "
             "died is released by the system at once)")
