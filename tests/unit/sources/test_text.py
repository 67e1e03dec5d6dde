"""digest.site.sources.text: decoding policy and XML-illegal character stripping."""

from __future__ import annotations

import pytest

from digest.errors import SourceError
from digest.site.sources.text import decode, strip_xml_illegal


def _error(raw: bytes) -> SourceError:
    with pytest.raises(SourceError) as info:
        decode(raw, "content/a.md")
    return info.value


def test_plain_utf8_is_returned_unchanged() -> None:
    assert decode("Минск — talks\n".encode(), "a.md") == "Минск — talks\n"


def test_utf8_bom_is_removed() -> None:
    assert decode(b"\xef\xbb\xbf---\ntitle: x\n", "a.md") == "---\ntitle: x\n"


def test_crlf_and_cr_become_lf() -> None:
    assert decode(b"a\r\nb\rc\n", "a.md") == "a\nb\nc\n"


def test_nfd_is_normalised_to_nfc() -> None:
    assert decode("cafe\u0301".encode(), "a.md") == "caf\u00e9"


def test_cp1252_en_dash_names_byte_offset_and_line() -> None:
    err = _error(b"title\nline two \x96 here\n")
    diag = err.diagnostics[0]
    assert "not valid UTF-8 at byte 15 (line 2)" in diag.message
    assert diag.line == 2 and diag.path == "content/a.md"
    assert "Windows-1252" in (diag.hint or "")


def test_offset_counts_the_bom_and_cr_line_breaks() -> None:
    diag = _error(b"\xef\xbb\xbfa\rb\r\n\x93").diagnostics[0]
    assert "at byte 8 (line 3)" in diag.message


@pytest.mark.parametrize("raw", [
    "---\ntitle: x\n".encode("utf-16"),  # with BOM
    "---\ntitle: x\n".encode("utf-16-le"),  # without BOM
    "---\ntitle: x\n".encode("utf-16-be"),
])
def test_utf16_is_detected_and_named(raw: bytes) -> None:
    diag = _error(raw).diagnostics[0]
    assert "UTF-16" in diag.message
    assert "UTF-8" in (diag.hint or "")


def test_nul_byte_is_refused_as_binary() -> None:
    diag = _error(b"ok\nbad\x00byte").diagnostics[0]
    assert "NUL byte at byte 6 (line 2)" in diag.message


def test_binary_file_is_refused() -> None:
    diag = _error(b"\x89PNG\r\n\x1a\n\xff\xd8").diagnostics[0]
    assert "not valid UTF-8 at byte 0" in diag.message


def test_encoded_surrogate_is_refused() -> None:
    assert "not valid UTF-8" in _error(b"a\xed\xa0\x80b").diagnostics[0].message


def test_strip_xml_illegal_reports_lines() -> None:
    text = "ok\nbell\x07 here\ntab\tfine\n\x0bvt and \ufffe and \ud800\n"
    cleaned, lines = strip_xml_illegal(text)
    assert cleaned == "ok\nbell here\ntab\tfine\nvt and  and \n"
    assert lines == [2, 4]


def test_strip_xml_illegal_clean_text_is_untouched() -> None:
    assert strip_xml_illegal("a\tb\nc\r") == ("a\tb\nc\r", [])


def test_illegal_byte_test_matches_the_xml_rule() -> None:
    """sources._has_illegal_bytes: C0 controls but tab, LF and CR, and the
    UTF-8 forms of U+FFFE/U+FFFF; nothing else."""
    import re

    from digest.site.sources import _has_illegal_bytes

    rule = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
    samples = [bytes([b]) for b in range(256)] + [
        b"ok \t\r\n text", "\ufffe".encode(), "\uffff".encode(), "\ufffd".encode(),
        b"\xef\xbf", b"\xef\xbf\xbd", "é€😀".encode(), b"a\x7fb", b"\x00"]
    for raw in samples:
        assert _has_illegal_bytes(raw) == bool(rule.search(raw)), raw
