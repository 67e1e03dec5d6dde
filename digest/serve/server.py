"""HTTP server for `digest serve`: answers only from the in-memory site.

Security rules (reliability.md items 32-34):
- The mapping is the whole universe: there is no disk fallback, so no request
  can reach a file outside the built site, whatever its encoding.  The path is
  still validated: it is percent-decoded exactly once, and ``.``/``..``
  segments, backslashes, control characters (``%00``), invalid UTF-8 and
  over-long targets are 400; anything not in the mapping is 404
  (getzola/zola#2257 and 11ty/dev-server#152 were prefix checks on disk paths).
- A path ending in ``/`` means that folder's ``index.html`` in the mapping; there
  are no directory listings.
- The Host header must name a loopback host or the bound host, so a DNS
  rebinding page cannot read the preview (webpack/webpack-dev-server#887); the
  reload endpoints also refuse foreign ``Origin`` headers.
HTML responses get the reload script (and the error overlay) injected; every
response is ``Cache-Control: no-store``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import socketserver
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, quote, unquote_to_bytes, urlsplit

from digest.serve import overlay, progress
from digest.serve.builder import Site, SiteState, Snapshot

MAX_TARGET = 2048  # longer request targets are refused (400) before any decoding
KEEPALIVE_SECONDS = 15.0  # SSE comment interval: detects closed tabs, keeps proxies quiet
LONG_POLL_SECONDS = 25.0
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})

TEXT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css",
    ".js": "text/javascript", ".mjs": "text/javascript", ".txt": "text/plain",
    ".csv": "text/csv", ".md": "text/markdown", ".xsl": "text/xsl",
    ".json": "application/json", ".map": "application/json",
    ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml",
}
BINARY_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
    ".pdf": "application/pdf", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
    ".webm": "video/webm", ".gz": "application/gzip", ".zip": "application/zip",
}


class BadRequest(Exception):
    """The request target is malformed (answered with 400)."""


class NotFound(Exception):
    """The request target is well-formed but names nothing servable (404)."""


def request_key(target: str) -> str:
    """Map a request-target to a site key (``""`` or ``"a/"`` for folders).

    Decodes percent-escapes exactly once (``%252e`` stays ``%2e``, a literal
    that names nothing).  Raises BadRequest or NotFound.
    """
    if len(target) > MAX_TARGET:
        raise BadRequest("request target too long")
    if not target.startswith("/"):
        raise BadRequest("only origin-form request targets are served")
    path = target.split("?", 1)[0].split("#", 1)[0]
    try:
        text = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("request path is not UTF-8") from None
    if "\\" in text or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise BadRequest("backslash or control character in path")
    segments = text.split("/")[1:]
    if any(seg in (".", "..") for seg in segments):
        raise BadRequest("dot segment in path")
    if "" in segments[:-1]:  # '//etc/passwd', 'a//b': never a site path
        raise NotFound(text)
    return "/".join(segments)


def _page_key(target: str) -> str | None:
    """The site key of the page a live-reload script runs in (None: unknown)."""
    try:
        key = request_key(target)
    except (BadRequest, NotFound):
        return None
    return key + "index.html" if key == "" or key.endswith("/") else key


def locate(site: Site, key: str) -> tuple[str, str]:
    """("file", key) | ("redirect", location) | ("missing", "") for a site mapping."""
    if key == "" or key.endswith("/"):
        index = key + "index.html"
        return ("file", index) if index in site else ("missing", "")
    if key in site:
        return "file", key
    if key + "/index.html" in site:
        return "redirect", "/" + quote(key, safe="/") + "/"
    return "missing", ""


def content_type(key: str, body: bytes = b"") -> str:
    """Content-Type by extension; feeds are told apart by their root element."""
    name = key.rsplit("/", 1)[-1].lower()
    ext = name[name.rfind("."):] if "." in name else ""
    if ext in (".xml", ".rss", ".atom"):
        head = body[:512].lower()
        if b"<rss" in head or ext == ".rss":
            return "application/rss+xml; charset=utf-8"
        if b"<feed" in head or ext == ".atom":
            return "application/atom+xml; charset=utf-8"
        return "application/xml; charset=utf-8"
    if ext == ".json" and b"jsonfeed.org/version" in body[:512]:
        return "application/feed+json; charset=utf-8"
    if ext in TEXT_TYPES:
        return TEXT_TYPES[ext] + "; charset=utf-8"
    return BINARY_TYPES.get(ext, "application/octet-stream")


def host_allowed(host_header: str | None, bound_host: str) -> bool:
    """True if the Host (or Origin netloc) names loopback, the bound host, or (when
    bound to all interfaces) an IP literal.  Names are what DNS rebinding needs."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return False
        name, rest = host[1:end], host[end + 1:]
    else:
        name, sep, port = host.partition(":")
        rest = sep + port
    if rest and not (rest.startswith(":") and rest[1:].isdigit()):
        return False
    bound = bound_host.strip("[]").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost") or (name and name == bound):
        return True
    try:
        addr = ipaddress.ip_address(name)
    except ValueError:
        return False
    return addr.is_loopback or bound in WILDCARD_HOSTS


class DevServer(ThreadingHTTPServer):
    """Threaded server over a :class:`SiteState`; closes every connection on shutdown."""

    # One thread per connection (a browser holds an event stream open and
    # opens several more), daemon threads: close_connections() unblocks them at
    # shutdown, and one stuck writing to a frozen client cannot hold up exit.
    daemon_threads = True
    # socketserver's listen backlog is 5: a burst of 200 connections (a big
    # page's assets in several tabs, a link checker) lost most of them to
    # refused or retried SYNs.  128 is the usual kernel default (somaxconn).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: SiteState, *,
                 debug: bool = False) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.debug = debug
        self.bound_host = address[0]
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        files = resources.files("digest.serve")
        self.scripts = {overlay.SCRIPT_PATH: files.joinpath("livereload.js").read_bytes(),
                        progress.SCRIPT_PATH: files.joinpath("progress.js").read_bytes()}
        super().__init__(address, DevRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind() calls socket.getfqdn(), a reverse DNS lookup
        # that can stall startup for seconds; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # type: ignore[no-untyped-def]
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Unblock every handler thread (idle keep-alive reads, event streams)."""
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """From another thread: stop serve_forever, close connections, join threads."""
        self.shutdown()
        self.close()

    def close(self) -> None:
        self.state.close()
        self.close_connections()
        self.server_close()


class DevRequestHandler(BaseHTTPRequestHandler):
    server: DevServer
    protocol_version = "HTTP/1.1"
    server_version = "digest-serve"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are dropped after a minute

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if self.server.debug:
            sys.stderr.write(f"serve: {self.address_string()} {format % args}\n")

    def do_HEAD(self) -> None:  # noqa: N802 - http.server naming
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.server.bound_host):
            self._plain(HTTPStatus.BAD_REQUEST, "Host not allowed\n", head)
            return
        route = self.path.split("?", 1)[0]
        if route.startswith("/__digest/"):
            self._internal(route, head)
            return
        snap = self.server.state.snapshot()
        try:
            key = request_key(self.path)
        except BadRequest:
            self._plain(HTTPStatus.BAD_REQUEST, "Bad request\n", head)
            return
        except NotFound:
            self._not_found(snap, head)
            return
        if snap.site is None:
            self._no_site(snap, key, head)
            return
        kind, where = locate(snap.site, key)
        if kind == "file":
            self._send_page(HTTPStatus.OK, where, snap.site[where], snap, head)
        elif kind == "redirect":
            query = self.path.partition("?")[2]
            self._redirect(where + ("?" + query if query else ""), head)
        else:
            self._not_found(snap, head)

    # -- responses -------------------------------------------------------------

    def _send(self, status: int, ctype: str, body: bytes, head: bool,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _plain(self, status: int, text: str, head: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode("utf-8"), head)

    def _redirect(self, location: str, head: bool) -> None:
        self._send(HTTPStatus.MOVED_PERMANENTLY, "text/plain; charset=utf-8",
                   b"moved\n", head, {"Location": location})

    def _send_page(self, status: int, key: str, body: bytes, snap: Snapshot,
                   head: bool) -> None:
        ctype = content_type(key, body)
        if ctype.startswith("text/html"):
            body = overlay.inject(body, snap.token, snap.errors, have_site=snap.site is not None)
        self._send(status, ctype, body, head)

    def _not_found(self, snap: Snapshot, head: bool) -> None:
        if snap.site is not None and "404.html" in snap.site:
            self._send_page(HTTPStatus.NOT_FOUND, "404.html", snap.site["404.html"], snap, head)
        elif snap.site is None and snap.errors:
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8",
                       overlay.error_page(snap.errors, snap.token), head)
        else:
            self._plain(HTTPStatus.NOT_FOUND, "Not found\n", head)

    def _no_site(self, snap: Snapshot, key: str, head: bool) -> None:
        """Before the first good build: pages show its progress or its error,
        assets are 503 (still building) or 404."""
        if not snap.errors:  # the first build is still running
            if progress.is_page(key):
                body = progress.page(self.server.state.progress(), snap.token)
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", body,
                           head, {"Retry-After": "1"})
            else:
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                           b"building the site\n", head, {"Retry-After": "1"})
        elif key == "" or key.endswith(("/", ".html", ".htm")):
            body = overlay.error_page(snap.errors, snap.token)
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, "text/html; charset=utf-8", body, head)
        else:
            self._plain(HTTPStatus.NOT_FOUND, "Not found\n", head)

    # -- /__digest/ ------------------------------------------------------------

    def _internal(self, route: str, head: bool) -> None:
        if route in self.server.scripts:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8",
                       self.server.scripts[route], head)
            return
        if route not in (overlay.EVENTS_PATH, overlay.POLL_PATH, progress.STATUS_PATH):
            self._plain(HTTPStatus.NOT_FOUND, "Not found\n", head)
            return
        origin = self.headers.get("Origin")
        if origin is not None and not self._origin_allowed(origin):
            self._plain(HTTPStatus.FORBIDDEN, "Origin not allowed\n", head)
            return
        if route == progress.STATUS_PATH:
            ready = self.server.state.snapshot().site is not None
            status = progress.READY if ready else progress.describe(self.server.state.progress())
            self._plain(HTTPStatus.OK, status + "\n", head)
            return
        query = parse_qs(urlsplit(self.path).query)
        since = query.get("epoch", [""])[0]
        page = _page_key(query.get("page", [""])[0])
        if head:
            self._plain(HTTPStatus.OK, "", head)
        elif route == overlay.EVENTS_PATH:
            self._event_stream(since, page)
        else:
            token = self.server.state.wait_change(since, LONG_POLL_SECONDS)
            if token is None:
                self._plain(HTTPStatus.SERVICE_UNAVAILABLE, "shutting down\n", head)
            elif self.server.state.unchanged_since(since, page):
                self._plain(HTTPStatus.OK, f"{token} quiet", head)
            else:
                self._plain(HTTPStatus.OK, token, head)

    def _origin_allowed(self, origin: str) -> bool:
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and host_allowed(
            parts.netloc, self.server.bound_host)

    def _event_stream(self, since: str, page: str | None = None) -> None:
        """Server-Sent Events: an ``epoch`` event (reload) whenever the token
        changes, or ``quiet`` (take the token, no reload) when the tab's page is
        the same in the new site (a fast preview followed by the exact build)."""
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        state = self.server.state
        known = since
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                current = state.snapshot().token
                if current != known:
                    event = "quiet" if state.unchanged_since(known, page) else "epoch"
                    self.wfile.write(f"event: {event}\ndata: {current}\n\n".encode())
                    known = current
                self.wfile.flush()
                token = state.wait_change(known, KEEPALIVE_SECONDS)
                if token is None:
                    return
                if token == known:
                    self.wfile.write(b": keepalive\n\n")
        except OSError:  # the tab went away, or the server is shutting down
            return
