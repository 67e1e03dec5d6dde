"""Feed checks: strict XML well-formedness (lxml) plus feedparser without bozo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import feedparser
from lxml import etree


def _read(source: bytes | str | Path) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, Path):
        return source.read_bytes()
    # A str is a path if such a file exists, else the feed text itself.
    if "<" not in source and Path(source).is_file():
        return Path(source).read_bytes()
    return source.encode("utf-8")


def parse_feed(source: bytes | str | Path) -> Any:
    """Parse an RSS/Atom feed (bytes, text, or a path) and return feedparser's result.

    Raises AssertionError when the XML is not well-formed or feedparser flags it bozo.
    """
    data = _read(source)
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise AssertionError(f"feed is not well-formed XML: {exc}") from exc
    parsed = feedparser.parse(data)
    assert not parsed.bozo, f"feedparser flagged the feed: {parsed.get('bozo_exception')!r}"
    return parsed
