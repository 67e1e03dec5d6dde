"""Helpers for the default-theme tests: build the example site, serve it with the
production headers of netlify.toml, and watch a page for CSP violations."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
import tomllib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.output.write import write_site
from digest.pipeline import BuildOptions, build
from digest.search import build_index, page_source
from tests.tools import REPO_ROOT
from tests.tools.axe import axe_script

if TYPE_CHECKING:
    from playwright.sync_api import Page

# The pinned build instant of the integration tests (2024-12-24T00:26:40Z).
NOW = datetime.fromtimestamp(1735000000, tz=UTC)


def build_example(dest: Path, *, search: bool = False) -> Path:
    """Build the repository's example site in memory and write it to ``dest``.

    Returns the output folder.  With ``search`` the Pagefind index is built too.
    """
    result = build(REPO_ROOT, BuildOptions(now=NOW))
    if not search:
        write_site(result.rendered, dest)
        return dest
    index = build_index(result.site.articles, page_source(result.rendered), None)
    try:
        write_site(index.site(result.rendered), dest)
    finally:
        index.close()
    return dest


def netlify_config() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "netlify.toml").read_text(encoding="utf-8"))


def site_headers() -> dict[str, str]:
    """The headers netlify.toml sends with every response (its ``/*`` rule)."""
    for rule in netlify_config().get("headers", []):
        if rule.get("for") == "/*":
            return dict(rule["values"])
    raise AssertionError("netlify.toml has no [[headers]] rule for '/*'")


def html_pages(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.html") if "pagefind" not in p.parts)


class _Handler(http.server.SimpleHTTPRequestHandler):
    extra_headers: Mapping[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


# Pagefind's index files have their own extension; serve them as Netlify does.
_Handler.extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                           ".pagefind": "application/octet-stream",
                           ".pf_meta": "application/octet-stream",
                           ".pf_fragment": "application/octet-stream",
                           ".pf_index": "application/octet-stream",
                           ".js": "text/javascript", ".wasm": "application/wasm"}


@contextlib.contextmanager
def serve_with_headers(root: Path, headers: Mapping[str, str]) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 adding ``headers`` to every response; yields the
    base URL (no trailing slash)."""
    handler_cls = type("Handler", (_Handler,), {"extra_headers": dict(headers)})
    handler = functools.partial(handler_cls, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class CspWatch:
    """Collects CSP violations of a page: console errors and securitypolicyviolation
    events (the listener is installed before any page script runs)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.add_init_script(
            "window.__cspViolations = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI"
            " + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));")

    def _on_console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        events = self.page.evaluate("window.__cspViolations || []")
        return [*events, *self.console]


def inject_axe(page: Page) -> None:
    """Load axe-core into a page served with a strict CSP (a <script> tag would be
    refused): evaluated through the DevTools protocol, which CSP does not govern."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script().read_text(encoding="utf-8") + "\n;void 0")
