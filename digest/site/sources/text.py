"""Bytes -> text: one decoding policy for every content file.

Content is pasted from the web and saved by many editors, so this module is
strict about what it accepts (UTF-8 only, with or without BOM) and precise
about what it rejects: the error names the byte offset and line so the curator
can find the bad byte, and says which encoding the file probably is.

Pure: takes bytes, returns ``str`` or raises :class:`~digest.errors.SourceError`.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from digest.errors import source_error

_UTF8_BOM = b"\xef\xbb\xbf"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REENCODE_HINT = (
    "re-save the file as UTF-8 (most editors: 'Save with encoding' > UTF-8); "
    "if it is not a text file, move it out of the content folder"
)

# XML 1.0 forbids these code points; one of them makes feed readers reject a
# whole feed (miniflux/v2#546), so callers strip them and warn.  Tab, LF and CR
# are legal.  Surrogates can only appear in a ``str`` that did not come from
# decode() (decode() refuses encoded surrogates), but callers pass other text too.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _line_of(raw: bytes, offset: int) -> int:
    """1-based line of byte ``offset``, counting LF, CRLF and lone CR as breaks."""
    prefix = raw[:offset]
    return prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1


def _utf16_kind(raw: bytes) -> str | None:
    """Say whether ``raw`` looks like UTF-16/32 (BOM or NUL-byte pattern), else None."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    # Without a BOM, UTF-16 text in a Latin or Cyrillic script has a NUL in
    # nearly every other byte, always on the same side; binary data does not.
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / len(sample[0::2])
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if max(even, odd) > 0.4 and min(even, odd) < 0.05:
        return "UTF-16 (no byte-order mark)"
    return None


def _looks_like_cp1252(raw: bytes) -> bool:
    """True when ``raw`` is plausible Windows-1252 text (decodes, no control bytes)."""
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(text) is None


def decode(raw: bytes, path: str) -> str:
    """Decode a content file: UTF-8 (BOM optional) -> NFC text with LF line ends.

    Raises SourceError naming the byte offset (0-based) and line of the first
    undecodable byte, or saying the file is UTF-16/UTF-32 or binary (NUL bytes).
    """
    kind = _utf16_kind(raw)
    if kind:
        raise source_error(
            path, f"the file is encoded as {kind}, not UTF-8", line=1, code="encoding",
            hint="re-save it as UTF-8 (most editors: 'Save with encoding' > UTF-8)")
    nul = raw.find(b"\x00")
    if nul >= 0:
        # NUL is valid UTF-8 but never appears in text; it means a binary file.
        line = _line_of(raw, nul)
        raise source_error(
            path, f"NUL byte at byte {nul} (line {line}): this looks like a binary file",
            line=line, code="encoding", hint=_REENCODE_HINT)
    start = len(_UTF8_BOM) if raw.startswith(_UTF8_BOM) else 0
    try:
        text = raw[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        line = _line_of(raw, offset)
        bad = raw[offset]
        hint = _REENCODE_HINT
        if _looks_like_cp1252(raw):
            # The classic case: an en dash (0x96) or curly quote (0x93/0x94)
            # from Windows-1252.  Say so; it tells the curator what happened.
            hint = ("the file looks like Windows-1252 (there 0x96 is an en dash, "
                    "0x93/0x94 curly quotes); " + _REENCODE_HINT)
        raise source_error(
            path, f"not valid UTF-8 at byte {offset} (line {line}): byte 0x{bad:02X}",
            line=line, code="encoding", hint=hint) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # NFC so that the same headline typed on macOS (NFD) and Windows (NFC)
    # gives one slug and one term, not two.
    return unicodedata.normalize("NFC", text)


def strip_xml_illegal(s: str) -> tuple[str, list[int]]:
    """Remove characters XML 1.0 forbids; return the cleaned text and the 1-based
    lines (in ``s``) where something was removed, so callers can warn."""
    matches = [m.start() for m in _XML_ILLEGAL.finditer(s)]
    if not matches:
        return s, []
    breaks = [m.start() for m in re.finditer("\n", s[: matches[-1]])]
    lines = sorted({bisect.bisect_left(breaks, pos) + 1 for pos in matches})
    return _XML_ILLEGAL.sub("", s), lines
