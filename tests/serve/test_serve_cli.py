"""`digest serve` as a real subprocess: startup, base_url, port in use, Ctrl-C."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_site(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    for n, title in enumerate(("Alpha story", "Beta story")):
        (root / "content" / f"story-{n}.md").write_text(
            f"---\ntitle: {title}\nslug: story-{n}\ndate: 2024-12-20T10:32:00+03:00\n---\n\n"
            f"Text of {title}.\n", encoding="utf-8")
    return root


class Serve:
    """A running `digest serve` subprocess with its output in files."""

    def __init__(self, site: Path, *args: str, port: int | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.out = site.parent / f"serve-{self.port}.out"
        self.err = site.parent / f"serve-{self.port}.err"
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1735000000", "PYTHONUNBUFFERED": "1",
               "PYTHONPATH": str(REPO), **(env or {})}
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "digest", "--site", str(site), "serve",
                 "--port", str(self.port), *args],
                cwd=REPO, env=env, stdout=out, stderr=err)

    def stdout(self) -> str:
        return self.out.read_text()

    def stderr(self) -> str:
        return self.err.read_text()

    def first_build_done(self) -> bool:
        return "built in" in self.stdout() or "build failed" in self.stderr()

    def wait_ready(self, timeout: float = 30.0, built: bool = True) -> None:
        """Until it listens and, with ``built``, its first build has ended
        (until then pages show the build's progress)."""
        deadline = time.monotonic() + timeout
        while "Serving at" not in self.stdout() or (built and not self.first_build_done()):
            assert self.proc.poll() is None, f"serve exited: {self.stderr()}"
            assert time.monotonic() < deadline, f"serve not ready: {self.stderr()}"
            time.sleep(0.05)

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": host} if host else {}
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body

    def interrupt(self, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout)


@contextlib.contextmanager
def serving(site: Path, *args: str, built: bool = True,
            env: dict[str, str] | None = None) -> Iterator[Serve]:
    srv = Serve(site, *args, env=env)
    try:
        srv.wait_ready(built=built)
        yield srv
    finally:
        if srv.proc.poll() is None:
            srv.proc.send_signal(signal.SIGINT)
            try:
                srv.proc.wait(10)
            except subprocess.TimeoutExpired:
                srv.proc.kill()
                srv.proc.wait()


def test_serves_from_memory_with_its_own_base_url(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with serving(site) as srv:
        assert srv.url in srv.stdout()
        status, headers, body = srv.get("/")
        assert status == 200, srv.stderr()
        assert headers["cache-control"] == "no-store"
        assert b"/__digest/livereload.js" in body
        assert srv.url.encode() in body  # canonical/feed links use the server's address
        status, headers, body = srv.get("/2024/12/20/story-0/")
        assert status == 200 and b"Alpha story" in body
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert srv.get("/2024/12/20/story-0")[0] == 301
        status, headers, body = srv.get("/static/style.css")
        assert status == 200 and headers["content-type"] == "text/css; charset=utf-8"
        assert b"livereload" not in body
        status, headers, feed = srv.get("/feed.xml")
        assert status == 200 and headers["content-type"].startswith("application/rss+xml")
        assert srv.url.encode() in feed and b"livereload" not in feed
        status, _, body = srv.get("/no/such/page/")
        assert status == 404 and b"Page not found" in body  # the theme's 404.html
        assert srv.get("/static/")[0] == 404  # no directory listing
        assert srv.get("/%2e%2e/%2e%2e/etc/passwd")[0] in (400, 404)
        assert srv.get("/", host="evil.example")[0] == 400
        assert srv.interrupt() == 0
    assert not (site / "output").exists()
    # no output/, no temp dirs; only the build cache (shared with `digest build`)
    assert sorted(p.name for p in site.iterdir()) == [".digest-cache", "content"]


def test_ctrl_c_stops_cleanly_with_an_open_event_stream(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with serving(site) as srv:
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        sock.sendall(b"GET /__digest/events?epoch=x HTTP/1.1\r\nHost: localhost\r\n\r\n")
        received = b""
        while b"event: epoch" not in received:  # epoch "x" is stale: announced at once
            chunk = sock.recv(4096)
            assert chunk, received
            received += chunk
        started = time.monotonic()
        assert srv.interrupt() == 0
        assert time.monotonic() - started < 5
        sock.close()
        assert "Traceback" not in srv.stderr()


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        srv = Serve(site, port=port)
        assert srv.proc.wait(30) == 1
    assert f"port {port} is in use; try --port {port + 1}" in srv.stderr()
    assert "Traceback" not in srv.stderr()


def test_first_build_failure_serves_an_error_page(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "digest.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with serving(site) as srv:
        status, _, body = srv.get("/")
        assert status == 500
        assert b"digest-error-overlay" in body and b"digest.yaml" in body
        assert "digest.yaml" in srv.stderr()
        (site / "digest.yaml").write_text("title: Fixed digest\n", encoding="utf-8")
        deadline = time.monotonic() + 10
        while srv.get("/")[0] != 200:
            assert time.monotonic() < deadline, srv.stderr()
            time.sleep(0.05)
        assert b"Fixed digest" in srv.get("/")[2]


def test_host_flag_warns(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with serving(site, "--host", "0.0.0.0") as srv:
        assert "preview only" in srv.stderr()
        assert srv.get("/")[0] == 200


def _fetch_whole(port: int, start: threading.Barrier) -> bytes:
    """One connection, opened together with the others: the whole response, or b""."""
    start.wait()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:  # hang guard
            sock.sendall(b"GET /static/style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Connection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    except OSError:
        return b""
    return data


def _complete(response: bytes) -> bool:
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1.1 200 "):
        return False
    length = [int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
              if line.lower().startswith(b"content-length:")]
    return length == [len(body)] and len(body) > 0


def test_a_burst_of_200_connections_is_answered_in_full(tmp_path: Path) -> None:
    """The listen backlog (128, not socketserver's 5) and a thread per
    connection: 200 connections opened at once all get their response."""
    site = make_site(tmp_path / "site")
    with serving(site) as srv:
        start = threading.Barrier(200)
        with ThreadPoolExecutor(max_workers=200) as pool:
            answers = list(pool.map(lambda _: _fetch_whole(srv.port, start), range(200)))
        complete = sum(_complete(a) for a in answers)
        assert complete == 200, f"{complete}/200 complete responses; {srv.stderr()}"
        assert srv.interrupt() == 0
