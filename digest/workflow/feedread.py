"""Reading fetched bytes as a feed (RSS 2.0, RSS 1.0, Atom, JSON Feed) or an
OPML list of feeds, into plain records for ``digest import``.

XML feeds are parsed by feedparser.  JSON Feed is read with ``json``
(feedparser 6.0 does not read it) into the same records; OPML with lxml,
entities and network access off.  Feed text is untrusted: every string
leaving this module is plain text (see :func:`plain_text`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_XML_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\bencoding\s*=\s*["']""")
_BLOCKS = ("p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")
_SPACE = re.compile(r"\s+")
# Control characters are never text: in a terminal some of them are commands.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_JSON_FEED = "https://jsonfeed.org/version/"


class NotAFeed(Exception):
    """The bytes are no feed: ``message`` says what they are, ``hint`` what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Item:
    """One feed entry, every string plain text."""

    title: str
    link: str | None
    entry_id: str | None
    date: datetime | None  # with the offset the feed wrote
    summary: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    title: str
    items: tuple[Item, ...]


def clean(text: str) -> str:
    """Whitespace collapsed, control characters gone."""
    return _SPACE.sub(" ", _CONTROL.sub("", text)).strip()


def plain_text(html: str) -> str:
    """The words of an HTML fragment: tags, scripts and styles gone, entities
    decoded, whitespace collapsed.  What remains is text and is written as text."""
    if not html or ("<" not in html and "&" not in html):
        return clean(html or "")
    import lxml.html  # noqa: PLC0415 - only for feeds that hold markup

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # noqa: BLE001 - lxml's errors vary by input; unparsable = no text
        return ""
    for bad in list(root.iter("script", "style", "template", "noscript")):
        bad.drop_tree()
    for block in root.iter(*_BLOCKS):
        block.tail = " " + (block.tail or "")
    return clean(root.text_content())


def read_feed(body: bytes, content_type: str = "", base: str | None = None) -> Feed:
    """Parse one fetched document (``base``: its address, against which
    feedparser resolves relative links); raise NotAFeed when it is none."""
    start = body.lstrip()[:1]
    if start in (b"{", b"["):
        return _json_feed(body)
    import feedparser  # noqa: PLC0415

    headers = {"content-location": base} if base else {}
    if content_type and not _XML_ENCODING.match(body):
        # A document that declares its encoding knows it better than a server's
        # default charset (often a wrong utf-8 for a windows-1251 feed); without
        # a declaration the HTTP charset is all there is.
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers or None)
    problem = parsed.get("bozo_exception")
    if not parsed.version:
        if b"<html" in body[:2048].lower():
            raise NotAFeed("this is a web page, not a feed",
                           "open the page and use the address of its RSS or Atom link")
        raise NotAFeed("this is not an RSS, Atom or JSON feed"
                       + (f" ({problem})" if problem else ""),
                       "check the address; it should point at the feed itself")
    if problem is not None and _broken(problem):
        line = getattr(problem, "getLineNumber", lambda: None)()
        raise NotAFeed("the feed is not well-formed XML"
                       + (f" (line {line}: {problem.getMessage()})" if line else f" ({problem})"),
                       "the publisher's feed is broken; try again later or tell them")
    items = tuple(_item(entry) for entry in parsed.entries)
    return Feed(title=plain_text(parsed.feed.get("title", "")), items=items)


def _broken(problem: Exception) -> bool:
    import feedparser  # noqa: PLC0415

    # An encoding override (the server's charset was wrong, the document's
    # declaration was right) or a non-XML content type is no damage.
    return not isinstance(problem, feedparser.CharacterEncodingOverride
                          | feedparser.NonXMLContentType)


def _text(value: str, detail) -> str:  # noqa: ANN001 - feedparser's *_detail
    """Plain text of a feedparser string: markup reduced, text kept as text
    (a plain-text title "a <b> c" keeps its "<b>")."""
    if detail and detail.get("type") == "text/plain":
        return clean(value)
    return plain_text(value)


def _item(entry) -> Item:  # noqa: ANN001 - a feedparser entry
    summary, detail = entry.get("summary") or "", entry.get("summary_detail")
    if not summary and entry.get("content"):
        summary, detail = entry.content[0].get("value", ""), entry.content[0]
    link = entry.get("link")
    return Item(
        title=_text(entry.get("title", ""), entry.get("title_detail")),
        link=link.strip() if link else None,
        entry_id=(entry.get("id") or "").strip() or None,
        date=_date(entry.get("published") or entry.get("updated"),
                   entry.get("published_parsed") or entry.get("updated_parsed")),
        summary=_text(summary, detail),
        categories=tuple(c for c in (plain_text(t.get("term") or t.get("label") or "")
                                     for t in entry.get("tags", [])) if c))


def _date(raw: str | None, parsed) -> datetime | None:  # noqa: ANN001 - a struct_time
    """The entry's date with the offset the feed wrote (feedparser's own parsed
    date is in UTC, which would move every dateline to another zone)."""
    if raw:
        for reader in (parsedate_to_datetime, datetime.fromisoformat):
            try:
                value = reader(raw.strip())
            except (TypeError, ValueError, IndexError):
                continue
            if value is not None and value.tzinfo is not None:
                return value
    if parsed:
        return datetime(*parsed[:6], tzinfo=UTC)
    return None


def _json_feed(body: bytes) -> Feed:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotAFeed(f"this is not valid JSON ({exc})",
                       "the publisher's feed is broken; try again later or tell them") from None
    if not (isinstance(data, dict) and str(data.get("version", "")).startswith(_JSON_FEED)
            and isinstance(data.get("items"), list)):
        raise NotAFeed("this JSON is not a JSON Feed (no jsonfeed.org version and items)",
                       "check the address; it should point at the feed itself")
    items = []
    for entry in data["items"]:
        if not isinstance(entry, dict):
            continue
        text = _string(entry.get("summary")) or _string(entry.get("content_html")) \
            or _string(entry.get("content_text"))
        tags = entry.get("tags") if isinstance(entry.get("tags"), list) else []
        raw_date = _string(entry.get("date_published")) or _string(entry.get("date_modified"))
        items.append(Item(
            title=plain_text(_string(entry.get("title"))),
            link=_string(entry.get("url")).strip() or None,
            entry_id=_string(entry.get("id")).strip() or None,
            date=_date(raw_date, None), summary=plain_text(text),
            categories=tuple(c for c in (plain_text(_string(t)) for t in tags) if c)))
    return Feed(title=plain_text(_string(data.get("title"))), items=tuple(items))


def _string(value: object) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def opml_feeds(body: bytes) -> list[tuple[str, str | None]] | None:
    """(feed URL, outline title) of every feed an OPML document lists, in order;
    None when the bytes are not OPML."""
    if b"<opml" not in body[:4096].lower():
        return None
    from lxml import etree  # noqa: PLC0415

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise NotAFeed(f"the OPML list is not well-formed XML ({exc})",
                       "export the list again from your feed reader") from None
    if root.tag != "opml":
        return None
    found = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url:
            found.append((url, plain_text(outline.get("title") or outline.get("text") or "")
                          or None))
    return found
