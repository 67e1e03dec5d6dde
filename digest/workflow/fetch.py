"""Edge: fetching feeds over HTTP for ``digest import`` (stdlib urllib).

One request per feed, with a timeout, at most ``MAX_REDIRECTS`` redirects
(http and https only), gzip, a size limit enforced while reading (also on
the decompressed bytes: a small gzip bomb stays small) and conditional
headers from the last run, so an unchanged feed costs a 304 and no parsing.
Every failure is a :class:`FetchError` saying what happened and what to do.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from digest import __version__

USER_AGENT = f"digest/{__version__} (+https://pypi.org/project/digest-news/)"
MAX_REDIRECTS = 5
MAX_BYTES = 16 * 1024 * 1024  # far above any real feed; bounds memory and time
_CHUNK = 64 * 1024
SLOW_FACTOR = 5  # a whole download may take this many timeouts


class FetchError(Exception):
    """A feed could not be fetched: ``message`` says what, ``hint`` what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Response:
    """A fetched feed: ``body`` is None when the server said 304 Not Modified."""

    url: str  # after redirects
    body: bytes | None
    content_type: str = ""
    validators: dict[str, str] = field(default_factory=dict)  # etag, last_modified


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS
    max_repeats = 2

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, PLR0913
        # urllib would follow ftp: too; a feed moves only between web addresses.
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchError(f"redirected to {newurl!r}, which is not a web address",
                             "ask the publisher for the feed's current http(s) address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float, validators: dict[str, str] | None = None) -> Response:
    """GET ``url``; raise FetchError on anything but a usable answer."""
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT, "Accept-Encoding": "gzip",
        "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
                  "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"})
    for key, header in (("etag", "If-None-Match"), ("last_modified", "If-Modified-Since")):
        value = (validators or {}).get(key)
        if value and value.isprintable():  # kept from a file: never a header injection
            request.add_header(header, value)
    opener = urllib.request.build_opener(_Redirects)
    try:
        with opener.open(request, timeout=timeout) as answer:
            body = _read(answer, answer.headers.get("Content-Encoding", ""),
                         time.monotonic() + SLOW_FACTOR * timeout, timeout)
            found = {key: answer.headers[header] for key, header in
                     (("etag", "ETag"), ("last_modified", "Last-Modified"))
                     if answer.headers.get(header)}
            return Response(url=answer.geturl(), body=body,
                            content_type=answer.headers.get("Content-Type", ""),
                            validators=found)
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Response(url=url, body=None, validators=dict(validators or {}))
        raise _http_error(exc) from None
    except FetchError:
        raise
    except (TimeoutError, socket.timeout):
        raise _timed_out(timeout) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise _timed_out(timeout) from None
        raise FetchError(f"cannot connect: {exc.reason}",
                         "check the address and your connection; try again later") from None
    except (OSError, ValueError) as exc:  # reset connection, bad URL, broken gzip
        raise FetchError(f"the download failed: {exc}", "try again later") from None


def _read(answer, encoding: str, deadline: float, timeout: float) -> bytes:  # noqa: ANN001
    # The socket timeout bounds each wait; the deadline bounds a server that
    # trickles a byte at a time, each just in time.
    gzipped = encoding.strip().lower() in ("gzip", "x-gzip")
    inflate = zlib.decompressobj(wbits=31) if gzipped else None
    parts: list[bytes] = []
    size = 0
    while chunk := answer.read(_CHUNK):
        if time.monotonic() > deadline:
            raise _timed_out(timeout)
        if inflate is not None:
            chunk = inflate.decompress(chunk, MAX_BYTES + 1 - size)
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(f"the feed is larger than {MAX_BYTES / 2**20:g} MiB",
                             "this is not a news feed digest can import; check the address")
        parts.append(chunk)
    if inflate is not None and not inflate.eof:
        raise FetchError("the gzip-compressed answer is cut short",
                         "try again later; the server or the connection broke off")
    return b"".join(parts)


def _timed_out(timeout: float) -> FetchError:
    return FetchError(f"no answer within {timeout:g} seconds",
                      "try again later, or allow more time with --timeout SECONDS")


def _http_error(exc: urllib.error.HTTPError) -> FetchError:
    if exc.code in (301, 302, 303, 307, 308):
        return FetchError(f"more than {MAX_REDIRECTS} redirects (or a redirect loop)",
                          "open the address in a browser to see where it leads, and "
                          "use the final address")
    if exc.code in (404, 410):
        return FetchError(f"HTTP {exc.code} {exc.reason}: the feed is not there",
                          "check the address; the publisher may have moved the feed "
                          "(look for a feed link on its site)")
    if exc.code in (401, 403):
        return FetchError(f"HTTP {exc.code} {exc.reason}: access refused",
                          "the feed may need a subscription or block unknown clients")
    if exc.code >= 500:
        return FetchError(f"HTTP {exc.code} {exc.reason}: the server failed",
                          "a problem on the publisher's side; try again later")
    return FetchError(f"HTTP {exc.code} {exc.reason}", "check the address")
