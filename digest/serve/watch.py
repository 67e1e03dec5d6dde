"""File watching for `digest serve`: filtered, debounced batches of changes.

The only module that imports watchdog (architecture.md: it can be swapped, as
Lektor did in lektor/lektor#1136).  What we watch: the content folder and
``themes/`` recursively, and the site root itself non-recursively (for
``digest.yaml`` and for content/ or themes/ appearing).  Never output/, its
``output.tmp-*``/``output.old-*`` staging trees, ``.digest-cache`` or any dot
folder (``.git``), so a parallel ``digest build`` cannot trigger a rebuild loop.

Rules:
- only created/modified/deleted/moved count; watchdog >= 2.3 also reports
  opens and closes, which would rebuild on every read (lektor/lektor#1117);
- folder "modified" events are dropped: the file event inside already counts;
- editor leftovers never count: ``.x.swp``/``.swx``, ``x~``, vim's ``4913``,
  Emacs ``.#x`` and ``#x#``, dotfiles (theme partials like ``_macros.html`` do);
- a burst (save-all, ``git checkout``, a formatter) becomes one batch once the
  tree has been quiet for ``quiet`` seconds, or after ``max_wait`` at most;
- ``--poll`` uses PollingObserver (network shares, containers:
  mkdocs/mkdocs#2477); when the native observer cannot start (inotify limits,
  ENOSPC/EMFILE: gorakhargosh/watchdog#846) we warn and poll instead.
"""

from __future__ import annotations

import contextlib
import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

RELEVANT_EVENTS = frozenset({"created", "modified", "deleted", "moved"})
TEMP_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".swn", ".tmp", ".crswap",
                 "___jb_tmp___", "___jb_old___")
CONFIG_NAME = "digest.yaml"
THEMES_DIR = "themes"


class ChangeKind(enum.Enum):
    CONTENT = "content"
    THEME = "theme"
    CONFIG = "config"


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    path: str
    event: str  # created | modified | deleted | moved


def is_editor_temp(name: str) -> bool:
    """Editor swap/backup/lock files and dotfiles: never a reason to rebuild."""
    return (name.startswith((".", "#")) or name.endswith(TEMP_SUFFIXES)
            or name == "4913" or name in {"Thumbs.db", "desktop.ini"})


class WatchFilter:
    """Decides which paths matter, relative to the site's folders."""

    def __init__(self, site_root: Path, content_dir: str = "content",
                 output_dir: str = "output") -> None:
        self.site_root = site_root.resolve()
        self.content_root = (self.site_root / content_dir).resolve()
        self.themes_root = self.site_root / THEMES_DIR
        output = (self.site_root / output_dir).resolve()
        self.output_root = output
        self._output_prefixes = (output.name + ".tmp-", output.name + ".old-")

    def _ignored_dir(self, path: Path) -> bool:
        if path == self.output_root or path.is_relative_to(self.output_root):
            return True
        for parent in (path, *path.parents):
            if parent.parent == self.output_root.parent and parent.name.startswith(
                    self._output_prefixes):
                return True
        return False

    def classify(self, raw: str) -> ChangeKind | None:
        """The kind of change ``raw`` (an absolute path) is, or None to ignore it."""
        path = Path(raw)
        if self._ignored_dir(path):
            return None
        for root, kind in ((self.content_root, ChangeKind.CONTENT),
                           (self.themes_root, ChangeKind.THEME)):
            if path == root:
                return kind  # the folder itself appeared, vanished or moved
            if path.is_relative_to(root):
                parts = path.relative_to(root).parts
                if any(p.startswith(".") for p in parts[:-1]):  # .git, .digest-cache
                    return None
                return None if is_editor_temp(parts[-1]) else kind
        if path.parent == self.site_root and path.name == CONFIG_NAME:
            return ChangeKind.CONFIG
        return None

    def changes(self, event: FileSystemEvent) -> list[Change]:
        """The relevant changes one watchdog event stands for (often none)."""
        kind = event.event_type
        if kind not in RELEVANT_EVENTS or (event.is_directory and kind == "modified"):
            return []
        paths = [event.src_path]
        if kind == "moved" and getattr(event, "dest_path", ""):
            paths.append(event.dest_path)
        found = []
        for raw in paths:
            text = raw.decode() if isinstance(raw, bytes) else str(raw)
            what = self.classify(text)
            if what is not None:
                found.append(Change(what, text, kind))
        return found


class Debouncer:
    """Collects items; hands them over as one batch after ``quiet`` s of silence.

    A steady stream is still flushed ``max_wait`` s after its first item, so a
    process that never stops writing cannot starve the preview.
    """

    def __init__(self, callback: Callable[[list[Change]], None], *, quiet: float = 0.2,
                 max_wait: float = 3.0) -> None:
        self._callback = callback
        self.quiet = quiet
        self.max_wait = max_wait
        self._cond = threading.Condition()
        self._pending: list[Change] = []
        self._first = self._last = 0.0
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="digest-debounce", daemon=True)
        self._thread.start()

    def add(self, items: list[Change]) -> None:
        if not items:
            return
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._last = now
            self._pending.extend(items)
            self._cond.notify_all()

    def _take(self) -> list[Change] | None:
        """Wait for a settled batch; None when stopped."""
        with self._cond:
            while True:
                if self._stopped:
                    return None
                if not self._pending:
                    self._cond.wait()
                    continue
                due = min(self._last + self.quiet, self._first + self.max_wait)
                wait = due - time.monotonic()
                if wait <= 0:
                    batch, self._pending = self._pending, []
                    return batch
                self._cond.wait(wait)

    def _loop(self) -> None:
        while (batch := self._take()) is not None:
            self._callback(batch)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(5)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._watcher.debouncer.add(self._watcher.filter.changes(event))


class Watcher:
    """Watches a site; calls ``on_changes(batch)`` once per settled burst of changes."""

    native_observer: Callable[[], BaseObserver] = Observer  # tests substitute a failing one
    quiet = 0.2  # seconds of silence that end a burst
    max_wait = 3.0  # a burst is flushed this long after its first change at the latest

    def __init__(self, site_root: Path, on_changes: Callable[[list[Change]], None], *,
                 dirs: tuple[str, str] = ("content", "output"), poll: bool = False,
                 warn: Callable[[str], None] = print) -> None:
        """``dirs`` is (content_dir, output_dir) from the site config."""
        self.filter = WatchFilter(site_root, *dirs)
        self.debouncer = Debouncer(self._on_batch, quiet=self.quiet, max_wait=self.max_wait)
        self.polling = poll
        self._on_changes = on_changes
        self._warn = warn
        self._lock = threading.RLock()
        self._observer: BaseObserver | None = None
        self._watches: dict[tuple[Path, bool], object] = {}
        self._handler = _Handler(self)

    def _new_observer(self) -> BaseObserver:
        return PollingObserver(timeout=0.5) if self.polling else self.native_observer()

    def _wanted(self) -> set[tuple[Path, bool]]:
        wanted = {(self.filter.site_root, False)}
        for root in (self.filter.content_root, self.filter.themes_root):
            if root.is_dir():
                wanted.add((root, True))
        return wanted

    def _reconcile(self, force: frozenset[Path] = frozenset()) -> None:
        """Schedule the folders that exist now; drop watches no longer wanted."""
        assert self._observer is not None
        wanted = self._wanted()
        for key, watch in list(self._watches.items()):
            if key not in wanted or key[0] in force:
                self._observer.unschedule(watch)  # type: ignore[arg-type]
                del self._watches[key]
        for key in sorted(wanted - self._watches.keys()):
            self._watches[key] = self._observer.schedule(
                self._handler, str(key[0]), recursive=key[1])

    def start(self) -> None:
        """Start watching; falls back to polling (with a warning) if the OS refuses."""
        with self._lock:
            try:
                self._observer = self._new_observer()
                self._reconcile()
                self._observer.start()
            except OSError as exc:
                if self.polling:
                    raise
                self._fall_back(exc)

    def _fall_back(self, exc: OSError) -> None:
        self._warn(f"warning: cannot watch files natively ({exc}); polling instead, "
                   "which is slower (on Linux, raise fs.inotify.max_user_watches "
                   "and fs.inotify.max_user_instances)")
        self._stop_observer()
        self.polling = True
        self._observer = self._new_observer()
        self._reconcile()
        self._observer.start()

    def update(self, content_dir: str, output_dir: str,
               force: frozenset[Path] = frozenset()) -> None:
        """Follow a changed digest.yaml (content_dir/output_dir) or re-created folders."""
        with self._lock:
            self.filter = WatchFilter(self.filter.site_root, content_dir, output_dir)
            if self._observer is None:
                return
            try:
                self._reconcile(force)
            except OSError as exc:
                if self.polling:
                    self._warn(f"warning: cannot watch {exc.filename or 'a folder'}: {exc}")
                else:
                    self._fall_back(exc)

    def _on_batch(self, batch: list[Change]) -> None:
        roots = (self.filter.content_root, self.filter.themes_root)
        appeared = frozenset(Path(c.path) for c in batch if Path(c.path) in roots
                             and c.event in ("created", "moved"))
        if appeared:  # a folder re-created after deletion needs a fresh watch
            with self._lock, contextlib.suppress(OSError):
                if self._observer is not None:
                    self._reconcile(appeared)
        self._on_changes(batch)

    def _stop_observer(self) -> None:
        if self._observer is None:
            return
        observer, self._observer = self._observer, None
        self._watches.clear()
        with contextlib.suppress(OSError):
            observer.unschedule_all()
        if observer.is_alive():
            observer.stop()
            observer.join(5)

    def stop(self) -> None:
        """Stop the observer and the debouncer; join their threads."""
        with self._lock:
            self._stop_observer()
        self.debouncer.stop()
