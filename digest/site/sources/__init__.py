"""Source readers: files -> Article records.  Explicit dispatch by suffix."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from digest.errors import Diagnostic, SourceError, source_error
from digest.site.config import SiteConfig
from digest.site.records import Article, Mention, SourceDoc

# Control characters XML 1.0 forbids (NUL is already an encoding error) and the
# UTF-8 forms of U+FFFE/U+FFFF: a cheap test on the raw bytes, so the common
# clean file costs one scan.
_ILLEGAL_CONTROLS = bytes([*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _has_illegal_bytes(raw: bytes) -> bool:
    # Deleting the control bytes with bytes.translate runs at memory speed; the
    # alternation regex this replaces tried both branches at every byte (0.3 s
    # of the parse stage at 10,000 files).  "in" finds U+FFFE/U+FFFF by memchr.
    return (len(raw.translate(None, _ILLEGAL_CONTROLS)) != len(raw)
            or b"\xef\xbf\xbe" in raw or b"\xef\xbf\xbf" in raw)


def parse_source(doc: SourceDoc, config: SiteConfig, *, now: datetime,
                 warnings: list[Diagnostic] | None = None) -> Article:
    """Parse one content file.  Raises SourceError naming the file and line.

    ``now`` is the build's reference instant (SOURCE_DATE_EPOCH or the clock);
    clippings without a year infer it from ``now``.  Problems that do not stop
    the file (a front-matter key that looks misspelt) are appended to
    ``warnings`` when it is given.
    """
    suffix = doc.rel_path.suffix.lower()
    if suffix in (".md", ".markdown"):
        from digest.site.sources.markdown_doc import parse_markdown

        return parse_markdown(doc, config, warnings)
    if suffix == ".txt":
        from digest.site.sources.clipping import parse_clipping

        return parse_clipping(doc, config, now=now, warnings=warnings)
    raise source_error(str(doc.rel_path), f"unsupported file type '{suffix}'",
                       hint="use .md for notes or .txt for clippings")


def clean_article(doc: SourceDoc, article: Article) -> tuple[Article, list[Diagnostic]]:
    """Strip characters XML forbids from every text field, with a warning per file.

    One pasted control character would make the page and every feed carrying the
    article unreadable (readers reject the whole feed), so they are removed at
    the source, once, and reported with their lines.
    """
    if not _has_illegal_bytes(doc.raw):
        return article, []
    from digest.site.sources.text import strip_xml_illegal

    lines = strip_xml_illegal(doc.raw.decode("utf-8", "replace"))[1]

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return strip_xml_illegal(value)[0]
        if isinstance(value, tuple):
            return tuple(clean(v) for v in value)
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, Mention):
            return dataclasses.replace(value, title=clean(value.title))
        return value

    changes = {f.name: clean(getattr(article, f.name)) for f in dataclasses.fields(article)
               if f.name not in ("path", "date", "updated")}
    warning = Diagnostic(
        severity="warning", code="control-characters", path=str(doc.rel_path),
        line=lines[0] if lines else None,
        message="removed control characters that HTML and XML cannot carry (line"
                + ("s " if len(lines) > 1 else " ") + ", ".join(map(str, lines[:10])) + ")",
        hint="they usually come from copying text out of a PDF or a web page; "
             "delete them in your editor to silence this warning")
    return dataclasses.replace(article, **changes), [warning]


def parse_doc(doc: SourceDoc, config: SiteConfig, now: datetime
              ) -> tuple[Article | None, list[Diagnostic]]:
    """One file parsed and cleaned: (article, its warnings), or (None, its errors).

    Problems come back as data, not raised, so that every bad file of a site is
    reported in one run (and so that a worker process can send them back).
    Warnings travel with the article, so a cached article reports a misspelt
    key as a freshly parsed one does."""
    warnings: list[Diagnostic] = []
    try:
        article, cleaned = clean_article(doc, parse_source(doc, config, now=now,
                                                           warnings=warnings))
    except SourceError as exc:
        return None, exc.diagnostics
    return article, warnings + cleaned


def settle(errors: list[Diagnostic], keep_going: bool, diags: list[Diagnostic]) -> None:
    """Raise the sources' errors together; under --keep-going the bad files are
    skipped instead, with a warning each."""
    if errors and not keep_going:
        raise SourceError(errors)
    for err in errors:
        diags.append(Diagnostic(severity="warning", code=err.code, message=err.message
                                + " (skipped: --keep-going)", path=err.path, line=err.line,
                                hint=err.hint))
