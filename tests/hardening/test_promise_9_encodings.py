"""Promise 9: non-UTF-8, UTF-16, NUL bytes and binary files in content/ give an
error with the file and byte offset, or are skipped when their suffix is not an
article suffix.  Checklist 7 (BOM accepted), 8 (cp1252, UTF-16, NUL, binary),
17 (editor leftovers and OS litter ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.conftest import cli, make_site, note

HEAD = b"---\ntitle: T\ndate: 2024-01-02\n---\n"

CASES = {
    "cp1252-en-dash": (HEAD + b"Talks \x96 day two\n", "a.md",
                       r"a\.md:5: error: not valid UTF-8 at byte {off} \(line 5\): byte 0x96",
                       r"Windows-1252"),
    "latin1-in-front-matter": (b"---\ntitle: Caf\xe9\ndate: 2024-01-02\n---\n", "a.md",
                               r"a\.md:2: error: not valid UTF-8 at byte {off} \(line 2\): "
                               r"byte 0xE9", r"UTF-8"),
    "utf16-le-bom": ("---\ntitle: T\n---\n".encode("utf-16"), "a.md",
                     r"a\.md:1: error: the file is encoded as UTF-16, not UTF-8", r"UTF-8"),
    "utf16-be-no-bom": ("---\ntitle: Talks resume\ndate: 2024-01-02\n---\nBody text\n"
                        .encode("utf-16-be"), "a.md",
                        r"a\.md:1: error: the file is encoded as UTF-16 \(no byte-order mark\)",
                        r"UTF-8"),
    "utf32": ("---\ntitle: T\n---\n".encode("utf-32"), "a.md",
              r"a\.md:1: error: the file is encoded as UTF-32", r"UTF-8"),
    "nul-byte": (HEAD + b"Body\x00text\n", "a.md",
                 r"a\.md:5: error: NUL byte at byte {off} \(line 5\): this looks like a binary "
                 r"file", r"move it out"),
    "binary-md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a.md",
                  r"a\.md:\d+: error: (NUL byte|not valid UTF-8|the file is encoded)", r""),
    "encoded-surrogate": (HEAD + b"\xed\xa0\x80\n", "a.md",
                          r"a\.md:5: error: not valid UTF-8 at byte {off}", r""),
    "overlong": (HEAD + b"\xc0\xaf\n", "a.md", r"a\.md:5: error: not valid UTF-8 at byte {off}",
                 r""),
    "truncated-at-end": (HEAD + b"caf\xc3", "a.md",
                         r"a\.md:5: error: not valid UTF-8 at byte {off}", r""),
    "cp1252-clipping": (b"Headline\n10:32, 20 December\nText \x93quoted\x94, BelTA reports.\n",
                        "c.txt", r"c\.txt:3: error: not valid UTF-8 at byte {off} \(line 3\): "
                                 r"byte 0x93", r"Windows-1252"),
    "crlf-offsets": (b"---\r\ntitle: T\r\ndate: 2024-01-02\r\n---\r\n\r\n\x96\r\n", "a.md",
                     r"a\.md:6: error: not valid UTF-8 at byte {off} \(line 6\)", r""),
}


def _first_bad_byte(raw: bytes) -> int:
    """Offset of the first NUL or undecodable byte, computed independently of digest."""
    nul = raw.find(b"\x00")
    try:
        raw.decode("utf-8")
        bad = len(raw)
    except UnicodeDecodeError as exc:
        bad = exc.start
    return min(bad, nul) if nul >= 0 else bad


@pytest.mark.parametrize("case", sorted(CASES))
def test_undecodable_content_names_file_and_byte(tmp_path: Path, case: str) -> None:
    raw, name, pattern, hint = CASES[case]
    # the first byte that is not UTF-8 text (or NUL): where the message must point
    off = _first_bad_byte(raw)
    pattern = pattern.replace("{off}", str(off))
    site = make_site(tmp_path / "s", {f"content/{name}": raw,
                                      "content/ok.md": note("Fine", "2024-01-02")})
    run = cli(site, "build")
    assert run.code == 1, run
    assert re.search(r"^content/" + pattern, run.err, re.MULTILINE), run
    assert re.search(r"hint: .*" + hint, run.err), run
    assert "Traceback" not in run.err and not (site / "output").exists()
    kept = cli(site, "build", "--keep-going", "-q", "--no-search")
    assert kept.code == 0 and f"content/{name}" in kept.err, kept  # skipped, named


def test_every_undecodable_file_is_reported_in_one_run(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {f"content/{case}.{CASES[case][1].split('.')[1]}":
                                      CASES[case][0] for case in CASES})
    run = cli(site, "build")
    assert run.code == 1
    assert f"digest: {len(CASES)} errors; nothing was written" in run.err, run


@pytest.mark.parametrize("bom_text", [
    b"\xef\xbb\xbf---\ntitle: Bom note\ndate: 2024-01-02\n---\nBody\n",
    b"\xef\xbb\xbf\r\n---\r\ntitle: Bom note\r\ndate: 2024-01-02\r\n---\r\nBody\r\n",
])
def test_utf8_bom_is_accepted(tmp_path: Path, bom_text: bytes) -> None:
    site = make_site(tmp_path / "s", {"content/bom.md": bom_text,
                                      "content/clip.txt": b"\xef\xbb\xbfBom clipping\n"
                                      b"10:32, 20 December\nText, BelTA reports.\n"})
    run = cli(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    page = (site / "output/2024/01/02/bom/index.html").read_text(encoding="utf-8")
    assert "Bom note" in page and "\ufeff" not in page


BINARY = bytes(range(256)) * 4


@pytest.mark.parametrize("name", [
    "photo.jpg", "doc.pdf", "data.json", "notes.docx", "archive.zip", "README", "x.MD.bak",
    ".DS_Store", "Thumbs.db", "desktop.ini", "._a.md", ".#a.md", "a.md~", ".a.md.swp",
    ".a.md.swx", "#a.md#", "4913", "_draft.md", ".hidden.md", "a.md.tmp",
])
def test_non_articles_and_editor_leftovers_are_ignored(tmp_path: Path, name: str) -> None:
    site = make_site(tmp_path / "s", {f"content/{name}": BINARY,
                                      f"content/sub/{name}": BINARY,
                                      "content/ok.md": note("Fine", "2024-01-02")})
    run = cli(site, "build", "--strict", "-q", "--no-search")
    assert run.code == 0, run
    assert name not in run.err


def test_hidden_folders_are_skipped(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/.git/objects/a.md": BINARY,
                                      "content/.obsidian/x.md": BINARY,
                                      "content/ok.md": note("Fine", "2024-01-02")})
    assert cli(site, "build", "--strict", "-q", "--no-search").code == 0


def test_uppercase_article_suffix_is_still_checked(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/A.MD": BINARY})
    run = cli(site, "build")
    assert run.code == 1 and "content/A.MD:" in run.err, run


@pytest.mark.parametrize(("raw", "pattern"), [
    (b"title: Caf\xe9 news\n", r"digest\.yaml:1: error: not valid UTF-8 at byte 10 \(line 1\)"),
    ("title: x\n".encode("utf-16"), r"digest\.yaml:1: error: the file is encoded as UTF-16"),
    (b"title: x\x00\n", r"digest\.yaml:1: error: NUL byte at byte 8"),
    (b"\xef\xbb\xbftitle: Bom site\n", None),
])
def test_digest_yaml_encoding(tmp_path: Path, raw: bytes, pattern: str | None) -> None:
    site = make_site(tmp_path / "s", {"content/ok.md": note("Fine", "2024-01-02"),
                                      "digest.yaml": raw})
    run = cli(site, "build", "-q", "--no-search")
    if pattern is None:
        assert run.code == 0, run
        return
    assert run.code == 1 and re.search(pattern, run.err), run
    assert "internal error" not in run.err
