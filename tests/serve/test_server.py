"""The dev server over a fixed in-memory site, driven through real sockets."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from digest.errors import Diagnostic
from digest.serve.builder import SiteState
from digest.serve.server import DevServer, content_type, host_allowed, request_key

SITE = {
    "index.html": b"<!DOCTYPE html><html><body><h1>Home</h1></body></html>",
    "404.html": b"<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>",
    "2024/12/20/slug/index.html": b"<html><body><h1>Article</h1></BODY></html>",
    "static/style.css": b"body{color:red}</body>",
    "static/app.js": b"console.log('</body>')",
    "feed.xml": b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"></rss>',
    "atom.xml": b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="x"></feed>',
    "feed.json": b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
    "logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "img/a.png": b"\x89PNG\r\n\x1a\n",
    "search.json": b"[]",
}


@pytest.fixture
def server() -> Iterator[DevServer]:
    state = SiteState()
    state.publish_site(SITE)
    srv = DevServer(("127.0.0.1", 0), state)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv
    finally:
        srv.stop()
        thread.join(5)
        assert not thread.is_alive()


def raw_request(port: int, target: str, host: str | None = "127.0.0.1",
                method: str = "GET", headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], bytes]:
    """Send a request line byte for byte (no client-side normalisation)."""
    lines = [f"{method} {target} HTTP/1.1"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines += ["Connection: close", "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall("\r\n".join(lines).encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        hdrs[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), hdrs, body


TRAVERSALS = [
    "/../etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2fetc%2fpasswd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/%252e%252e/",
    "/%252e%252e/%252e%252e/etc/passwd",
    "/..\\..\\x",
    "/%5c..%5c..%5cetc%5cpasswd",
    "//etc/passwd",
    "///etc/passwd",
    "/%00",
    "/index.html%00.css",
    "/static/..",
    "/static/../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/./index.html",
    "/%c0%ae%c0%ae/etc/passwd",  # overlong UTF-8 dot
    "/etc/passwd",
    "/proc/self/environ",
    "/" + "a" * 10_000,
    "/" + "../" * 3_000 + "etc/passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_never_escapes_the_mapping(server: DevServer, target: str) -> None:
    status, _, body = raw_request(server.port, target)
    assert status in (400, 404), (target, status)
    assert b"root:" not in body
    assert b"Article" not in body and b"<h1>Home" not in body


def test_symlink_like_and_absolute_paths_are_404(server: DevServer) -> None:
    for target in ("/static/style.css/", "/static/style.css/..%2f..%2findex.html",
                   "/2024/12/20/slug/index.html/x", "/C:/Windows/win.ini",
                   "/static/link", "/static/%2fetc%2fpasswd"):
        status, _, _ = raw_request(server.port, target)
        assert status in (400, 404), target


def test_no_directory_listing(server: DevServer) -> None:
    status, headers, body = raw_request(server.port, "/static/")
    assert status == 404
    assert b"style.css" not in body
    assert b"Page not found" in body  # the site's own 404.html
    assert headers["content-type"].startswith("text/html")


def test_directory_paths_map_to_index(server: DevServer) -> None:
    status, _, body = raw_request(server.port, "/2024/12/20/slug/")
    assert status == 200 and b"<h1>Article</h1>" in body
    status, _, body = raw_request(server.port, "/?utm=1")
    assert status == 200 and b"<h1>Home</h1>" in body
    status, headers, _ = raw_request(server.port, "/2024/12/20/slug?x=1")
    assert status == 301 and headers["location"] == "/2024/12/20/slug/?x=1"


def test_host_header_checked(server: DevServer) -> None:
    port = server.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        assert raw_request(port, "/", host=host)[0] == 200, host
    for host in ("evil.example", f"evil.example:{port}", "localhost.evil.example",
                 "127.0.0.1.nip.io", "localhost:80x", None):
        assert raw_request(port, "/", host=host)[0] == 400, host


def test_foreign_origin_refused_on_events(server: DevServer) -> None:
    status, _, _ = raw_request(server.port, "/__digest/poll?epoch=x",
                               headers={"Origin": "http://evil.example"})
    assert status == 403
    status, _, _ = raw_request(server.port, "/__digest/events?epoch=x",
                               headers={"Origin": "null"})
    assert status == 403


def test_injection_only_into_html(server: DevServer) -> None:
    status, headers, body = raw_request(server.port, "/2024/12/20/slug/")
    assert status == 200
    assert b'src="/__digest/livereload.js"' in body
    assert body.index(b"livereload.js") < body.index(b"</BODY>")
    assert int(headers["content-length"]) == len(body)
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    for target in ("/static/style.css", "/static/app.js", "/feed.xml", "/feed.json"):
        status, _, body = raw_request(server.port, target)
        assert status == 200 and b"livereload" not in body, target
        assert body == SITE[target[1:]]


def test_content_types(server: DevServer) -> None:
    expected = {
        "/static/style.css": "text/css; charset=utf-8",
        "/static/app.js": "text/javascript; charset=utf-8",
        "/feed.xml": "application/rss+xml; charset=utf-8",
        "/atom.xml": "application/atom+xml; charset=utf-8",
        "/feed.json": "application/feed+json; charset=utf-8",
        "/search.json": "application/json; charset=utf-8",
        "/logo.svg": "image/svg+xml; charset=utf-8",
        "/img/a.png": "image/png",
        "/__digest/livereload.js": "text/javascript; charset=utf-8",
    }
    for target, ctype in expected.items():
        status, headers, _ = raw_request(server.port, target)
        assert (status, headers["content-type"]) == (200, ctype), target


def test_head_has_headers_but_no_body(server: DevServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("HEAD", "/static/style.css")
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.getheader("Content-Length") == str(len(SITE["static/style.css"]))
    assert resp.read() == b""
    conn.request("GET", "/static/style.css")  # same keep-alive connection still works
    assert conn.getresponse().read() == SITE["static/style.css"]
    conn.close()


def test_error_overlay_is_escaped_and_injected(server: DevServer) -> None:
    diag = Diagnostic(severity="error", code="front-matter-yaml", path="content/<b>x</b>.md",
                      line=3, message="unclosed '[' <script>alert(1)</script>")
    server.state.publish_error([diag])
    status, _, body = raw_request(server.port, "/")
    assert status == 200 and b"<h1>Home</h1>" in body  # last good site still served
    assert b'id="digest-error-overlay"' in body
    assert b"content/&lt;b&gt;x&lt;/b&gt;.md:3" in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert b"<script>alert(1)" not in body
    status, _, body = raw_request(server.port, "/static/style.css")
    assert b"digest-error-overlay" not in body


def test_error_page_before_first_good_build() -> None:
    state = SiteState()
    state.publish_error([Diagnostic(severity="error", code="x", path="digest.yaml",
                                    line=1, message="bad config")])
    srv = DevServer(("127.0.0.1", 0), state)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        status, _, body = raw_request(srv.port, "/")
        assert status == 500
        assert b"digest.yaml:1" in body and b"bad config" in body
        assert b"livereload.js" in body
        assert raw_request(srv.port, "/static/style.css")[0] == 404
    finally:
        srv.stop()
        thread.join(5)


def test_long_poll_and_events_see_new_epoch(server: DevServer) -> None:
    token = server.state.snapshot().token
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    threading.Timer(0.2, server.state.publish_site, args=(SITE,)).start()
    started = time.monotonic()
    conn.request("GET", f"/__digest/poll?epoch={token}")
    resp = conn.getresponse()
    new = resp.read().decode()
    assert resp.status == 200 and new != token and time.monotonic() - started < 3
    conn.close()

    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"GET /__digest/events?epoch={new} HTTP/1.1\r\n"
                     f"Host: 127.0.0.1\r\n\r\n".encode())
        threading.Timer(0.2, server.state.publish_site, args=(SITE,)).start()
        data = b""
        while b"event: epoch" not in data:
            chunk = sock.recv(4096)
            assert chunk, data
            data += chunk
        assert b"text/event-stream" in data


def test_stop_does_not_hang_on_open_event_streams() -> None:
    state = SiteState()
    state.publish_site(SITE)
    srv = DevServer(("127.0.0.1", 0), state)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    socks = []
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        token = state.snapshot().token
        sock.sendall(f"GET /__digest/events?epoch={token} HTTP/1.1\r\nHost: localhost\r\n\r\n"
                     .encode())
        sock.recv(1024)
        socks.append(sock)
    idle = socket.create_connection(("127.0.0.1", srv.port), timeout=5)  # idle keep-alive
    started = time.monotonic()
    srv.stop()
    thread.join(5)
    assert time.monotonic() - started < 3
    for sock in [*socks, idle]:
        sock.close()


def test_request_key_unit() -> None:
    assert request_key("/") == ""
    assert request_key("/a/b/") == "a/b/"
    assert request_key("/caf%C3%A9/") == "café/"
    assert request_key("/%252e%252e/") == "%2e%2e/"  # decoded once: a literal name


def test_host_allowed_wildcard_bind_accepts_ip_literals_only() -> None:
    assert host_allowed("192.168.1.5:8000", "0.0.0.0")
    assert not host_allowed("192.168.1.5:8000", "127.0.0.1")
    assert not host_allowed("evil.example:8000", "0.0.0.0")
    assert host_allowed("preview.lan:8000", "preview.lan")


def test_content_type_unknown_is_octet_stream() -> None:
    assert content_type("a/b.unknownext") == "application/octet-stream"
    assert content_type("CNAME") == "application/octet-stream"
