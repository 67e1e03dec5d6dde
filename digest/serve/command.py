"""`digest serve`: build in memory, serve on localhost, rebuild and reload on save.

Wiring only: a :class:`~digest.serve.server.DevServer` reads a
:class:`~digest.serve.builder.SiteState`; a :class:`~digest.serve.builder.SiteBuilder`
thread fills it from ``pipeline.build``; a :class:`~digest.serve.watch.Watcher`
asks the builder for a rebuild after each settled burst of saves.  Nothing is
written to disk: output/ is never touched (mkdocs/mkdocs: commands/serve.py
builds elsewhere for the same reason; getzola/zola#1473 clobbered the real one).
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from digest import theme, usage
from digest.cli import options_from
from digest.engine.fast import FastEngine
from digest.errors import Diagnostic, DigestError
from digest.output.lock import lock_site
from digest.pipeline import BuildResult, build, build_now
from digest.serve.builder import SiteBuilder, SiteState
from digest.serve.notices import WarningLog
from digest.serve.preview import preview_pages
from digest.serve.progress import NEXT
from digest.serve.search import ServeIndex
from digest.serve.server import WILDCARD_HOSTS, DevServer
from digest.serve.watch import Change, ChangeKind, Watcher
from digest.site.config import load_config
from digest.site.render.templates import forget_pieces, make_environment


def _say(text: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    print(text, file=stream, flush=True)


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    if host in WILDCARD_HOSTS:
        return "127.0.0.1"
    host = host.strip("[]")
    return f"[{host}]" if ":" in host else host


def _bind(host: str, port: int, state: SiteState, debug: bool) -> DevServer | None:
    try:
        return DevServer((host.strip("[]"), port), state, debug=debug)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _say(f"digest: port {port} is in use; try --port {port + 1}", err=True)
        elif exc.errno == errno.EACCES:
            _say(f"digest: not allowed to listen on port {port}; try --port 8000", err=True)
        else:
            _say(f"digest: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        return None


def _initial_dirs(site_root: Path, content: str | None) -> tuple[str, str]:
    """content_dir/output_dir to watch before the first build (digest.yaml may be broken)."""
    try:
        config = load_config(site_root)
    except DigestError:
        return content or "content", "output"
    return content or config.content_dir, config.output_dir


def _report(ok: bool, seconds: float, errors: list[Diagnostic]) -> None:
    if ok:
        _say(f"[{_stamp()}] built in {seconds:.2f} s")
        return
    for diag in errors:
        _say(diag.format(), err=True)
    _say(f"[{_stamp()}] build failed; open pages show the error (over the last good "
         "version, if any) until a save fixes it", err=True)


def _report_preview(seconds: float) -> None:
    _say(f"[{_stamp()}] preview of the edited page in {seconds:.2f} s; rebuilding the rest")


def _describe(batch: list[Change]) -> str:
    paths = sorted({c.path for c in batch})
    more = f" (+{len(paths) - 1} more)" if len(paths) > 1 else ""
    return f"[{_stamp()}] changed: {paths[0]}{more}"


def run(args: argparse.Namespace) -> int:
    """Handler for ``digest serve``; returns the exit status."""
    site_root = Path(args.site)
    if not site_root.is_dir():
        _say(f"digest: site folder {args.site!r} does not exist", err=True)
        return 1
    usage.content_folder(site_root, args.content)  # before the port is taken
    state = SiteState()
    server = _bind(args.host, args.port, state, args.debug)
    if server is None:
        return 1
    url = f"http://{_url_host(args.host)}:{server.port}/"
    if not _is_loopback(args.host):
        _say(f"warning: listening on {args.host}: other machines can reach this server. "
             "digest serve is for preview only; publish with `digest build`.", err=True)
    # One process: the server's threads make forking workers unsafe, and the
    # incremental build (cache + the previous site in memory) keeps rebuilds fast.
    options = options_from(args, base_url=url, jobs=1,
                           search=False if getattr(args, "no_search", False) else None)
    engine = FastEngine()  # keeps the cache loaded between rebuilds
    content_dir, output_dir = _initial_dirs(site_root, args.content)
    holder: dict[str, Watcher] = {}

    last: dict[str, object] = {}
    warnings = WarningLog()
    # The search index follows each good build (serve/search.py).
    searching = ServeIndex(site_root, state, tell=lambda line: _say(f"[{_stamp()}] {line}"),
                           warn=lambda line: _say(line, err=True))

    def build_site() -> Mapping[str, bytes]:
        state.set_progress("config")
        # The cache is shared with `digest build`: one of them at a time (digest.output.lock).
        with lock_site(site_root, wait=None, waiting=lambda line: _say(line, err=True)):
            try:
                # Pages whose fingerprint did not change are taken from the last good site.
                engine.reuse(last.get("fingerprints"), None, last.get("rendered"))
                result = build(site_root, options, engine=engine,
                               progress=lambda stage: at_stage(NEXT[stage]), counts=at_count)
            finally:
                hold.off()  # the first build only
            if result.cache is not None:
                result.cache.flush()
        last.update(fingerprints=result.fingerprints, rendered=result.rendered, result=result)
        for line in warnings.report(result.diagnostics):  # only what changed (notices.py)
            _say(line, err=True)
        if "w" in holder:
            holder["w"].update(result.config.content_dir, result.config.output_dir)
        searching.ready(result)
        return result.rendered

    def preview_site(reasons: list[object]) -> Mapping[str, bytes] | None:
        """The last site with the edited articles' pages re-rendered (serve/preview.py)."""
        changes = [c for c in reasons if isinstance(c, Change)]
        if not changes or any(c.kind is not ChangeKind.CONTENT for c in changes):
            last.pop("env", None)  # settings or theme changed: a new environment
            return None
        result = last.get("result")
        current = state.snapshot()
        if not isinstance(result, BuildResult) or current.site is None or current.errors:
            return None
        if "env" not in last:
            dirs = theme.theme_dirs(site_root, result.config.theme)
            last["env"] = make_environment(theme.make_loader(dirs), result.config)
        elif last.get("env_for") is not result:
            forget_pieces(last["env"])  # a new build: its own records, its own pieces
        last["env_for"] = result
        pages = preview_pages(result, last["env"], site_root, [c.path for c in changes],
                              build_now(options))
        return None if pages is None else {**current.site, **pages}

    builder = SiteBuilder(build_site, state, on_done=_report, debug=args.debug,
                          preview=preview_site, on_preview=_report_preview,
                          after=searching.update)
    hold = _Hold(os.environ.get(HOLD_ENV), lambda: builder.stopping)

    def at_stage(stage: str) -> None:
        state.set_progress(stage)
        if stage == "enrich":
            hold.here()  # nothing was parsed (all cached): hold between stages instead

    def at_count(stage: str, done: int, total: int) -> None:
        state.set_progress(stage, done, total)
        if done:
            hold.here()

    def on_changes(batch: list[Change]) -> None:
        _say(_describe(batch))
        builder.request(batch)

    watcher = Watcher(site_root, on_changes, dirs=(content_dir, output_dir), poll=args.poll,
                      warn=lambda text: _say(text, err=True))
    return _serve(server, builder, watcher, holder, url)


HOLD_ENV = "DIGEST_SERVE_TEST_HOLD"


class _Hold:
    """A test hook, off unless ``DIGEST_SERVE_TEST_HOLD`` names a file: the first
    build then stops once, after parsing its first file (or, when every file
    comes from the cache, after the parse stage), until that file exists.  A
    test can thus look at the progress page with no race against the build,
    and decide when the build goes on.  Only `digest serve` reads it."""

    def __init__(self, path: str | None, stopping: Callable[[], bool]) -> None:
        self._path = path
        self._stopping = stopping

    def off(self) -> None:
        self._path = None

    def here(self) -> None:
        path, self._path = self._path, None  # once
        if path is None:
            return
        _say(f"holding the first build until {path} exists ({HOLD_ENV})")
        while not os.path.exists(path) and not self._stopping():
            time.sleep(0.02)


def _serve(server: DevServer, builder: SiteBuilder, watcher: Watcher,
           holder: dict[str, Watcher], url: str) -> int:
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        watcher.start()
        holder["w"] = watcher
        mode = " (polling for changes)" if watcher.polling else ""
        # Listening already: pages show the first build's progress (serve/progress.py)
        # until it ends, instead of connections waiting (or refused) all along.
        _say(f"Serving at {url}{mode}; building the site; press Ctrl-C to stop")
        builder.request()
        builder.start()
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        # Ctrl-C during the first build need not wait for it (nothing to keep);
        # later, the running build ends first (it may be writing the cache).
        builder.stop(timeout=30.0 if builder.builds else 1.0)
        server.close()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    _say("digest: server stopped")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
