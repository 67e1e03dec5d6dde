"""The served site and the thread that rebuilds it.

:class:`SiteState` is the one reference the HTTP server reads: the last good
rendered site (output path -> bytes), the current build error (if any) and an
*epoch* that changes whenever either of them does.  Both are replaced together
under one lock, so a request sees either the old site or the new one, never a
mixture, and a browser told "the epoch changed" always finds the finished site
(getzola/zola#2626 served half-written builds; we never write to disk at all).

:class:`SiteBuilder` runs builds one at a time on its own thread.  Requests
arriving while a build runs only set a dirty flag, so any number of changes
during a build cause exactly one follow-up build (the MkDocs ``_build_loop``
pattern).  A failed build keeps the last good site and records the error
(mkdocs/mkdocs#3166: the dev server must survive mistakes).

Files made after a build, from it, are served beside its pages: the search
index (digest.serve.search), published by :meth:`SiteState.publish_files`
once ready, so that a page reload never waits for it.  The builder makes
them (its ``after`` step) only when no other build is pending.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from digest.errors import Diagnostic, DigestError

Site = Mapping[str, bytes]
Progress = tuple[str, int | None, int | None]  # stage, done, total (serve/progress.py)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one request sees: site (None before the first good build), error, epoch token."""

    site: Site | None
    errors: tuple[Diagnostic, ...]
    token: str


class SiteState:
    """Last good site + current error + epoch, swapped atomically under one lock."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._site: Site | None = None
        self._extra: dict[str, bytes] = {}  # served with every site (publish_files)
        self._errors: tuple[Diagnostic, ...] = ()
        self._epoch = 0
        self._closed = False
        # epoch -> the site keys that epoch changed (None: every page, e.g. an
        # error overlay appeared or went away), for the last HISTORY epochs.
        self._changes: dict[int, frozenset[str] | None] = {}
        # A restarted server starts again at epoch 0; the boot id makes its
        # tokens differ from the old server's, so reconnecting tabs reload.
        self._boot = uuid.uuid4().hex[:8]
        # What the running build is doing (stage, done, total): shown while
        # there is no site yet.  Not an epoch change: no tab reloads for it.
        self._progress: Progress = ("config", None, None)

    def _token(self) -> str:
        return f"{self._boot}.{self._epoch}"

    def snapshot(self) -> Snapshot:
        with self._cond:
            return Snapshot(self._site, self._errors, self._token())

    def set_progress(self, stage: str, done: int | None = None,
                     total: int | None = None) -> None:
        with self._cond:
            self._progress = (stage, done, total)

    def progress(self) -> Progress:
        with self._cond:
            return self._progress

    @property
    def epoch(self) -> int:
        with self._cond:
            return self._epoch

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def publish_site(self, site: Site) -> None:
        """A good build: serve it, clear the error, bump the epoch."""
        new = dict(site)
        with self._cond:
            new.update(self._extra)
            old = self._site
            changed = None if old is None or self._errors else _changed_keys(old, new)
            self._site = new
            self._errors = ()
            self._bump(changed)

    def publish_files(self, files: Mapping[str, bytes], also: Iterable[str] = ()) -> None:
        """Serve ``files`` beside the site's pages from now on, in place of the
        last ones given (all of them at once: the search index's bundles and
        their list).  When any served file changes, tabs showing ``also`` (or
        those files) reload.  Before the first site: kept for it, no epoch."""
        extra = dict(files)
        with self._cond:
            old = self._site
            self._extra, before = extra, self._extra
            if old is None:
                return
            new = {k: v for k, v in old.items() if k not in before}
            new.update(extra)
            changed = _changed_keys(old, new)
            if not changed:
                return
            self._site = new
            self._bump(None if self._errors else changed | frozenset(also))

    def _bump(self, changed: frozenset[str] | None) -> None:
        self._epoch += 1
        self._changes[self._epoch] = changed
        self._changes.pop(self._epoch - HISTORY, None)
        self._cond.notify_all()

    def unchanged_since(self, token: str, key: str | None) -> bool:
        """True when nothing a tab showing ``key`` (served at ``token``) sees has
        changed since: it may take the current token without reloading."""
        boot, _, number = token.partition(".")
        if key is None or boot != self._boot or not number.isdigit():
            return False
        with self._cond:
            since = int(number)
            if self._site is None or key not in self._site:
                return False  # a missing page shows 404.html: always reload
            if since > self._epoch or self._epoch - since >= HISTORY:
                return False
            for epoch in range(since + 1, self._epoch + 1):
                changed = self._changes.get(epoch)
                if changed is None or key in changed:
                    return False
            return True

    def publish_error(self, errors: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        """A failed build: keep the site, show the error, bump the epoch."""
        with self._cond:
            self._errors = tuple(errors)
            self._bump(None)  # the overlay shows on every page

    def wait_change(self, token: str, timeout: float) -> str | None:
        """Block until the token differs from ``token`` or ``timeout`` passes.

        Returns the current token, or None once the state is closed (shutdown).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._closed and self._token() == token:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return None if self._closed else self._token()

    def close(self) -> None:
        """Wake every waiting request so that shutdown does not hang on open tabs."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


HISTORY = 32  # epochs of change sets kept for tabs that fell behind


def _changed_keys(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> frozenset[str]:
    """Keys whose bytes differ (unchanged pages usually are the very same object)."""
    return frozenset(k for k in old.keys() | new.keys()
                     if old.get(k) is not new.get(k) and old.get(k) != new.get(k))


def diagnostics_of(exc: BaseException, debug: bool = False) -> list[Diagnostic]:
    """The diagnostics to show for a failed build (unexpected errors included)."""
    if isinstance(exc, DigestError) and exc.diagnostics:
        return list(exc.diagnostics)
    message = f"{type(exc).__name__}: {exc}"
    hint = "this is probably a bug in digest; run with --debug for the traceback"
    if debug:
        hint = "".join(traceback.format_exception(exc)).rstrip()
    return [Diagnostic(severity="error", code="internal", message=message, hint=hint)]


class SiteBuilder:
    """Runs ``build()`` one at a time; publishes results into a :class:`SiteState`.

    ``build`` returns the rendered mapping or raises (DigestError for user
    mistakes; anything else is reported as an internal error, the server stays up).
    ``on_done(ok, seconds, errors)`` is called after every build (terminal output).
    """

    def __init__(self, build: Callable[[], Site], state: SiteState, *,
                 on_done: Callable[[bool, float, list[Diagnostic]], None] | None = None,
                 debug: bool = False,
                 preview: Callable[[list[object]], Site | None] | None = None,
                 on_preview: Callable[[float], None] | None = None,
                 after: Callable[[Callable[[], bool]], None] | None = None) -> None:
        self._build = build
        # after(stop) follows a good build unless another is pending (the
        # search index); it publishes what it makes itself and reports its
        # own errors.  stop() says that a build was requested since (or the
        # builder is stopping): it should leave the rest for later.
        self._after = after
        # preview(reasons) -> a site to serve at once, or None (digest.serve.preview)
        self._preview = preview
        self._on_preview = on_preview
        self._pending: list[object] = []
        self.state = state
        self._on_done = on_done
        self._debug = debug
        self._cond = threading.Condition()
        self._dirty = False
        self._building = False
        self._stopped = False
        self._thread: threading.Thread | None = None
        self.builds = 0  # completed builds, good or bad

    def build_once(self) -> bool:
        """Build now on the calling thread; publish the site or the error. True if good."""
        started = time.perf_counter()
        errors: list[Diagnostic] = []
        try:
            site = self._build()
        except Exception as exc:  # noqa: BLE001 - the server must outlive any build failure
            errors = diagnostics_of(exc, self._debug)
            self.state.publish_error(errors)
        else:
            self.state.publish_site(site)
        self.builds += 1
        if self._on_done:
            self._on_done(not errors, time.perf_counter() - started, errors)
        return not errors

    def request(self, reason: object = None) -> None:
        """Ask for a rebuild; coalesces with any request not yet started."""
        with self._cond:
            self._dirty = True
            if isinstance(reason, list):
                self._pending.extend(reason)
            self._cond.notify_all()

    def _try_preview(self, reasons: list[object]) -> None:
        """Serve a quick preview of the change, if it has one, before the build."""
        if self._preview is None or not reasons:
            return
        started = time.perf_counter()
        try:
            site = self._preview(reasons)
        except Exception:  # noqa: BLE001 - a preview is optional; the build reports errors
            return
        if site is not None:
            self.state.publish_site(site)
            if self._on_preview:
                self._on_preview(time.perf_counter() - started)

    def _interrupted(self) -> bool:
        """Whether a build was requested, or the builder is stopping (after()'s stop)."""
        with self._cond:
            return self._dirty or self._stopped

    @property
    def stopping(self) -> bool:
        with self._cond:
            return self._stopped

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="digest-builder", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._dirty and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                self._dirty = False
                self._building = True
                reasons, self._pending = self._pending, []
            try:
                self._try_preview(reasons)
                if self.build_once():
                    self._run_after()
            finally:
                with self._cond:
                    self._building = False
                    self._cond.notify_all()

    def _run_after(self) -> None:
        with self._cond:
            if self._after is None or self._dirty or self._stopped:
                return  # the next build's turn
        try:
            self._after(self._interrupted)
        except Exception:  # noqa: BLE001 - the server must outlive it; after() reports
            if self._debug:
                traceback.print_exc()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no build is running or pending; True if idle in time."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._dirty or self._building:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current build (if any) finishes; join the thread."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
