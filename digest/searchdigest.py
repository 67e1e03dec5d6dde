"""Edge: what Pagefind reads of each article page, as a digest (digest.search).

A month's bundle is keyed by the digests of its pages (:func:`indexed_digest`):
the part of a page Pagefind indexes, so that an edit which only moves related
links (ignored by the index) on other months' pages rebuilds nothing there.
:class:`PageDigests` reads a page only when the last build's record cannot
tell its digest (see its docstring).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

import lxml.etree
import lxml.html

from digest.searchfiles import PageSource

_META_ATTRS = ("data-pagefind-meta", "data-pagefind-filter", "data-pagefind-sort",
               "data-pagefind-default-meta")


def indexed_digest(page: bytes) -> str:
    """SHA-256 of what Pagefind reads of an article page: the page's language,
    its <title>, the data-pagefind-body element without its data-pagefind-ignore
    subtrees, and every element carrying a meta, filter or sort attribute (with
    its text: the byline's date is one, inside an ignored list).  Links outside
    this part (the related articles) can change without changing the key.  A
    page without a body element is hashed whole, as Pagefind then reads it all."""
    try:
        root = lxml.html.document_fromstring(page)
    except (lxml.etree.ParserError, ValueError):
        return hashlib.sha256(page).hexdigest()
    bodies = root.xpath("//*[@data-pagefind-body]")
    if not bodies:
        return hashlib.sha256(page).hexdigest()
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        for part in parts:
            text = "" if part is None else str(part)
            digest.update(f"{len(text)}:{text}".encode())  # lengths: no two splits alike

    add("lang", root.get("lang"), "title", root.findtext(".//title"))
    for element in root.xpath("//*[" + " or ".join(f"@{a}" for a in _META_ATTRS) + "]"):
        add("meta", element.tag, sorted(element.attrib.items()), element.text_content())
    for body in bodies:
        for ignored in body.xpath(".//*[@data-pagefind-ignore]"):
            if ignored.getparent() is not None:
                ignored.drop_tree()  # keeps the text after it (its tail), as Pagefind does
        add("body", lxml.html.tostring(body, encoding="unicode", method="html"))
    return digest.hexdigest()


class PageDigests:
    """Digest of what Pagefind indexes of each page (indexed_digest), read only
    for pages not known from the last build's record:

    - a page whose fingerprint (the engine's digest of everything its bytes
      depend on, ``fingerprints``) is the one recorded keeps its digest: it is
      the same bytes, wherever its file is (output/ and the spare tree take
      turns, digest.output.spare, so an unchanged page may be another file
      than the one recorded), and no file is even looked at;
    - without a fingerprint, a file still as recorded (size and mtime);
    - a page given as the same bytes as in ``memo`` (digest serve keeps the
      last index's pages in memory)."""

    def __init__(self, source: PageSource, before: object,  # noqa: PLR0913
                 memo: dict[str, tuple[bytes, str]] | None = None,
                 fingerprints: Mapping[str, str] | None = None) -> None:
        self.source = source
        self.before = before if isinstance(before, dict) else {}
        self.fingerprints = fingerprints or {}
        # path -> (fingerprint, hash), or (size, mtime ns, hash) for a file
        self.now: dict[str, tuple] = {}
        self.last = memo or {}
        self.keep = memo is not None  # (a build's pages must not outlive their writing)
        self.memo: dict[str, tuple[bytes, str]] = {}  # path -> (bytes, hash)
        self.read = 0  # pages digested (not known from a record or the memo)
        self.of: dict[str, str] = {}  # path -> digest, of the pages asked for

    def __call__(self, rel: str) -> str:
        found = self.of.get(rel)
        if found is None:
            found = self.of[rel] = self._find(rel)
        return found

    def _find(self, rel: str) -> str:
        was = self.before.get(rel)
        mark = self.fingerprints.get(rel)
        if mark is not None:
            if isinstance(was, tuple) and len(was) == 2 and was[0] == mark:
                found = was[1]
            else:
                found = self._digest(rel)
            self.now[rel] = (mark, found)
            return found
        page = self.source(rel)
        if isinstance(page, bytes):  # written later: its mtime is not known yet
            return self._digest(rel, page)
        st = os.stat(page)
        if isinstance(was, tuple) and len(was) == 3 and was[:2] == (st.st_size, st.st_mtime_ns):
            found = was[2]
        else:
            found = self._digest(rel, page)
        self.now[rel] = (st.st_size, st.st_mtime_ns, found)
        return found

    def _digest(self, rel: str, page: Path | bytes | None = None) -> str:
        page = self.source(rel) if page is None else page
        if isinstance(page, bytes):
            was = self.last.get(rel)
            if was is not None and (was[0] is page or was[0] == page):
                found = was[1]
            else:
                found = indexed_digest(page)
                self.read += 1
            if self.keep:
                self.memo[rel] = (page, found)
            return found
        self.read += 1
        return indexed_digest(page.read_bytes())
