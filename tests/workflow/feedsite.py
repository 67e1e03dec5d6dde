"""A small news wire on 127.0.0.1 for the `digest import` tests: feeds in
every format digest reads, and every way a feed can fail.

The texts are our own.  The server runs in a thread of the test process;
the slow route waits on an event (released at teardown), not on a clock.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RSS2 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Harbour Wire</title><link>https://harbour.example.org/</link>
<description>Port news</description>
<item>
  <title>NO</title>
  <link>https://harbour.example.org/news/ferry-strike?utm_source=rss</link>
  <guid isPermaLink="false">harbour-1001</guid>
  <pubDate>Mon, 23 Dec 2024 09:30:00 +0300</pubDate>
  <category>gas</category><category>Dock workers</category>
  <description>&lt;p&gt;Ferry crews &lt;b&gt;stopped work&lt;/b&gt; at dawn.&lt;/p&gt;&lt;script&gt;alert("x")&lt;/script&gt;&lt;img src="x" onerror="alert(2)"&gt;&lt;p&gt;Talks resume [later](javascript:alert(3)).&lt;/p&gt;</description>
</item>
<item>
  <title>: colon &amp;lt;b&amp;gt;first</title>
  <link>https://harbour.example.org/news/colon-first</link>
  <guid isPermaLink="false">harbour-1002</guid>
  <pubDate>Sun, 22 Dec 2024 18:00:00 +0300</pubDate>
  <description>Harbour master explains the new mooring fees.</description>
</item>
<item>
  <title>Old crane dismantled</title>
  <link>https://harbour.example.org/news/old-crane</link>
  <guid isPermaLink="false">harbour-0900</guid>
  <pubDate>Fri, 01 Nov 2024 08:00:00 +0300</pubDate>
  <description>The last steam crane left the quay on a barge.</description>
</item>
</channel></rss>
"""

RSS1 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://valley.example.org/rss">
  <title>Valley Bulletin</title><link>https://valley.example.org/</link>
  <description>Valley news</description>
  <items><rdf:Seq><rdf:li rdf:resource="https://valley.example.org/orchard"/></rdf:Seq></items>
</channel>
<item rdf:about="https://valley.example.org/orchard">
  <title>Orchard harvest beats forecast</title>
  <link>https://valley.example.org/orchard</link>
  <description>Apple growers picked a fifth more than last year.</description>
  <dc:date>2024-12-23T07:15:00+01:00</dc:date>
  <dc:subject>Trade</dc:subject>
</item>
</rdf:RDF>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Ridge Post</title><id>tag:ridge.example.org,2024:feed</id>
  <updated>2024-12-23T12:00:00-05:00</updated>
  <link href="https://ridge.example.org/"/>
  <entry>
    <title type="html">Snow closes &lt;em&gt;the&lt;/em&gt; mountain pass</title>
    <id>tag:ridge.example.org,2024-12-23:pass</id>
    <link href="https://ridge.example.org/pass"/>
    <published>2024-12-23T11:45:00-05:00</published>
    <updated>2024-12-23T11:50:00-05:00</updated>
    <category term="Transport"/>
    <summary type="html">&lt;p onclick="steal()"&gt;Ploughs are out; the pass stays shut overnight.&lt;/p&gt;</summary>
  </entry>
</feed>
"""

JSON_FEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1", "title": "Meadow Daily",
    "home_page_url": "https://meadow.example.org/",
    "items": [{"id": "meadow-77", "url": "https://meadow.example.org/bees",
               "title": "Beekeepers count <i>fewer</i> hives",
               "summary": "The spring count found fewer hives than in any year since 2010.",
               "date_published": "2024-12-23T06:00:00+02:00", "tags": ["farming"]}],
}, ensure_ascii=False)

# Cyrillic feeds in the legacy encodings their declarations name.  The
# windows-1251 one is served with a wrong HTTP charset (utf-8), as some
# servers do; the KOI8-R one with no charset at all.
CP1251 = """<?xml version="1.0" encoding="windows-1251"?>
<rss version="2.0"><channel><title>Лесной вестник</title>
<link>https://les.example.org/</link><description>Новости</description>
<item><title>Лесники высадили новую рощу</title>
<link>https://les.example.org/rosha</link><guid>les-5</guid>
<pubDate>Mon, 23 Dec 2024 10:00:00 +0300</pubDate>
<description>Сто молодых дубов появились у реки.</description></item>
</channel></rss>
""".encode("cp1251")

KOI8 = """<?xml version="1.0" encoding="KOI8-R"?>
<rss version="2.0"><channel><title>Речной листок</title>
<link>https://reka.example.org/</link><description>Новости реки</description>
<item><title>Паром вернулся на переправу</title>
<link>https://reka.example.org/parom</link><guid>reka-9</guid>
<pubDate>Mon, 23 Dec 2024 11:00:00 +0300</pubDate>
<description>Переправа снова работает по расписанию.</description></item>
</channel></rss>
""".encode("koi8-r")

# No declaration: only the HTTP charset says what the bytes are.
CP1251_UNDECLARED = CP1251.split(b"?>", 1)[1].replace("Лесной вестник".encode("cp1251"),
                                                       "Полевой вестник".encode("cp1251"))

# A relative link: resolved against the address the feed came from.
RELATIVE = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Town Crier</title><item><title>Bell tower repaired</title>
<link>/stories/bell-tower</link><pubDate>Mon, 23 Dec 2024 08:00:00 +0000</pubDate>
</item></channel></rss>"""

BROKEN = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Half</title><item><title>cut'
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Shop</title></head><body><p>Buy!</p></body></html>"

GZIPPED = RSS2.replace("Harbour Wire", "Packed Wire").replace("harbour", "packed")
ETAGGED = RSS2.replace("Harbour Wire", "Tagged Wire").replace("harbour", "tagged")
REDIRECTED = RSS2.replace("Harbour Wire", "Moved Wire").replace("harbour", "moved")


def opml(urls: list[tuple[str, str]]) -> str:
    outlines = "".join(f'<outline type="rss" text="{t}" title="{t}" xmlUrl="{u}"/>'
                       for u, t in urls)
    return (f'<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><head><title>My '
            f"feeds</title></head><body><outline text=\"News\">{outlines}</outline></body></opml>")


@dataclass
class Wire:
    """The running server: its base URL and what it was asked."""

    base: str
    requests: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def asked(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]


ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/rss2.xml": (200, "application/rss+xml; charset=utf-8", RSS2.encode()),
    "/rss1.rdf": (200, "application/rdf+xml", RSS1.encode()),
    "/atom.xml": (200, "application/atom+xml", ATOM.encode()),
    "/feed.json": (200, "application/feed+json", JSON_FEED.encode()),
    "/cp1251.xml": (200, "text/xml; charset=utf-8", CP1251),
    "/koi8.xml": (200, "text/xml", KOI8),
    "/cp1251-plain.xml": (200, "application/rss+xml; charset=windows-1251", CP1251_UNDECLARED),
    "/town/relative.xml": (200, "application/rss+xml", RELATIVE),
    "/broken.xml": (200, "application/rss+xml", BROKEN),
    "/page.html": (200, "text/html; charset=utf-8", HTML_PAGE),
    "/error.xml": (500, "text/plain", b"internal trouble"),
}


def _handler(wire: Wire) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep the test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path
            wire.requests.append({"path": path, "headers": dict(self.headers)})
            if path == "/slow.xml":
                wire.release.wait(30)  # past the client's timeout; released at teardown
                return self._send(200, "application/rss+xml", RSS2.encode())
            if path.startswith("/hop/"):
                left = int(path.rsplit("/", 1)[1])
                target = "/moved.xml" if left == 0 else f"/hop/{left - 1}"
                return self._send(302, "text/plain", b"", {"Location": target})
            if path == "/loop.xml":
                return self._send(302, "text/plain", b"", {"Location": "/loop.xml"})
            if path == "/moved.xml":
                return self._send(200, "application/rss+xml", REDIRECTED.encode())
            if path == "/gzip.xml":
                return self._send(200, "application/rss+xml", gzip.compress(GZIPPED.encode()),
                                  {"Content-Encoding": "gzip"})
            if path == "/etag.xml":
                if self.headers.get("If-None-Match") == '"v1"':
                    return self._send(304, "", b"", {"ETag": '"v1"'})
                return self._send(200, "application/rss+xml", ETAGGED.encode(),
                                  {"ETag": '"v1"', "Last-Modified": "Mon, 23 Dec 2024 "
                                   "12:00:00 GMT"})
            if path == "/list.opml":
                return self._send(200, "text/x-opml", opml([
                    (wire.url("/rss1.rdf"), "Valley"), (wire.url("/atom.xml"), "Ridge"),
                    (wire.url("/missing.xml"), "Gone")]).encode())
            status, kind, body = ROUTES.get(path, (404, "text/plain", b"no such feed"))
            return self._send(status, kind, body)

        def _send(self, status: int, kind: str, body: bytes,
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    return Handler


@contextmanager
def serve_wire() -> Iterator[Wire]:
    wire = Wire(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(wire))
    server.daemon_threads = True
    wire.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield wire
    finally:
        wire.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)
