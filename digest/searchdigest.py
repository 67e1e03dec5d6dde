"""Edge: what Pagefind reads of each article page, as a token (digest.search).

A month's bundle is keyed by a token per page that stands for the part of
the page Pagefind indexes, so that an edit which only moves related links
(ignored by the index) on other months' pages rebuilds nothing there.  Equal
tokens mean equal indexed parts; a token is either

- the digest of that part (:func:`indexed_digest`), or
- ``LAZY`` + the page's fingerprint (the engine's digest of everything its
  bytes depend on): "what Pagefind reads of the page with these bytes".
  A page seen for the first time gets one (every page, on a first build),
  which costs nothing, where a digest parses the page (0.3 ms each: 3 s of
  CPU over 10,000 pages, on a first build that already keeps both cores busy).

:class:`PageDigests` tells each page's token, parsing a page only when its
fingerprint changed since the last build's record (see its docstring).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import lxml.etree
import lxml.html

from digest.searchfiles import PageSource

LAZY = "f:"  # starts a token naming a page's fingerprint (hex digests never do)
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
    """The token of what Pagefind indexes of each page (module docstring),
    parsing a page only where the last build's record cannot tell:

    - a page whose fingerprint (``fingerprints``) is the one recorded keeps
      its token: it is the same bytes, wherever its file is (output/ and the
      spare tree take turns, digest.output.spare, so an unchanged page may
      be another file than the one recorded), and no file is even looked at;
    - a page with a fingerprint and no record gets the LAZY token of it;
    - a page whose fingerprint changed is digested, and keeps its recorded
      token when that stands for the same indexed part: a digest equal to
      it, or a LAZY token whose page digests alike (the bytes Pagefind
      indexed, which ``before_page`` reads from the month's folder of pages
      the first time; the digest is then recorded beside the token);
    - without a fingerprint, a file still as recorded (size and mtime);
    - a page given as the same bytes as in ``memo`` (digest serve keeps the
      last index's pages in memory)."""

    def __init__(self, source: PageSource, before: object,  # noqa: PLR0913
                 memo: dict[str, tuple[bytes, str]] | None = None,
                 fingerprints: Mapping[str, str] | None = None,
                 before_page: Callable[[str, str], bytes | None] | None = None) -> None:
        self.source = source
        self.before = before if isinstance(before, dict) else {}
        self.fingerprints = fingerprints or {}
        # (path, its recorded token) -> the bytes that token stands for, or None
        self.before_page = before_page or (lambda rel, token: None)
        # path -> (fingerprint, token), (fingerprint, LAZY token, its digest once
        # known), or (size, mtime ns, token) for a file
        self.now: dict[str, tuple] = {}
        self.last = memo or {}
        self.keep = memo is not None  # (a build's pages must not outlive their writing)
        self.memo: dict[str, tuple[bytes, str]] = {}  # path -> (bytes, hash)
        self.read = 0  # pages digested (not known from a record or the memo)
        self.of: dict[str, str] = {}  # path -> token, of the pages asked for

    def __call__(self, rel: str) -> str:
        found = self.of.get(rel)
        if found is None:
            found = self.of[rel] = self._find(rel)
        return found

    def _find(self, rel: str) -> str:
        was = self.before.get(rel)
        mark = self.fingerprints.get(rel)
        if mark is not None:
            # (fingerprint, token) or (fingerprint, token, digest of the indexed part)
            if not (isinstance(was, tuple) and len(was) in (2, 3) and isinstance(was[0], str)
                    and isinstance(was[1], str)):
                found, digest = LAZY + mark, None
            else:
                token = was[1]
                digest = was[2] if len(was) == 3 else None if token.startswith(LAZY) else token
                if was[0] != mark:
                    found, digest = self._changed(rel, token, digest)
                else:
                    found = token
            self.now[rel] = (mark, found) if digest in (None, found) else (mark, found, digest)
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

    def _changed(self, rel: str, token: str, digest: str | None) -> tuple[str, str]:
        """The token and digest of a page whose fingerprint changed since
        ``token`` (standing for the indexed part whose digest is ``digest``,
        when known) was recorded."""
        found = self._digest(rel)
        if digest is None:
            page = self.before_page(rel, token)
            if page is not None:
                self.read += 1
                digest = indexed_digest(page)
        # The same indexed part: the token, and with it the month's key, stays
        return (token, found) if found == digest else (found, found)

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


def indexed_before(folders: Path, months: Mapping[str, list[str]], sites: Mapping[str, object]
                   ) -> Callable[[str, str], bytes | None]:
    """PageDigests' ``before_page``: the bytes a page's recorded token stands
    for, from its month's folder of pages in ``folders`` (``sites``: month ->
    path -> [token, size, mtime ns] of that folder's files, digest.search),
    while the file there is the one recorded with that token; else None."""
    month_of: dict[str, str] = {}

    def page(rel: str, token: str) -> bytes | None:
        if not month_of:
            month_of.update((path, month) for month, paths in months.items() for path in paths)
        month = month_of.get(rel, "")
        record = sites.get(month)
        was = record.get(rel) if isinstance(record, dict) else None
        if not (isinstance(was, list) and len(was) == 3 and was[0] == token):
            return None
        try:
            with open(folders / month / rel, "rb") as fh:
                st = os.fstat(fh.fileno())
                if [st.st_size, st.st_mtime_ns] != was[1:]:
                    return None
                return fh.read()
        except OSError:
            return None

    return page
