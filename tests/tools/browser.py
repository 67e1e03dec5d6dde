"""Headless Debian chromium through Playwright, and a static server for built pages.

Playwright's own browser download (``playwright install``) cannot work here;
we always launch the system chromium that ``.ci/install-system-deps`` installs.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import sync_playwright

from tests.tools import ToolMissing

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    """Path of the Debian chromium binary; raises ToolMissing when absent."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        raise ToolMissing("chromium (Debian package)")
    return path


@contextlib.contextmanager
def launch_browser() -> Iterator[Browser]:
    """Start headless chromium under Playwright; yields a ``Browser``.

    Usage::

        with launch_browser() as browser:
            page = browser.new_page()
    """
    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve_directory(path: str | Path) -> tuple[str, Callable[[], None]]:
    """Serve ``path`` statically on 127.0.0.1 at a random port, in a thread.

    Returns ``(base_url, stop)``; ``base_url`` ends with ``/``. Call ``stop()``
    when done (idempotent). For tests only.
    """
    root = Path(path).resolve()
    if not root.is_dir():
        raise NotADirectoryError(root)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"serve:{root}", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{port}/", stop


@contextlib.contextmanager
def served(path: str | Path) -> Iterator[str]:
    """Context-manager form of :func:`serve_directory`; yields the base URL."""
    url, stop = serve_directory(path)
    try:
        yield url
    finally:
        stop()
