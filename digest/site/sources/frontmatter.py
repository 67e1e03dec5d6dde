"""Split a content file into front matter and body.

Three header styles are recognised at the top of a file (a leading blank line
is tolerated): YAML between ``---`` fences (Jekyll, Hugo, Eleventy), TOML
between ``+++`` fences (Hugo) and a Pelican ``Key: value`` header ended by a
blank line.  YAML goes through the hardened loader in ``yaml_safe``: content is data,
never code (reliability.md, item 4).

Pure: takes text, returns a :class:`FrontMatter` or raises SourceError with the
*file* line of the problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from digest.errors import Diagnostic, SourceError, source_error
from digest.site.sources.yaml_fast import load_simple
from digest.site.sources.yaml_safe import load_yaml

MAX_FRONT_MATTER = 64 * 1024  # bytes; bounds parse time and memory (reliability.md, item 4)

# format -> (fence, opening line, closing line)
_FENCES = {
    "yaml": ("---", re.compile(r"---[ \t]*\n"), re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)),
    "toml": ("+++", re.compile(r"\+\+\+[ \t]*\n"), re.compile(r"^\+\+\+[ \t]*$", re.M)),
}
_LEADING_BLANK = re.compile(r"(?:[ \t]*\n)*")

# Pelican: only recognised when the first line is one of its known keys, so a
# note that happens to begin "Note: ..." stays body text.
PELICAN_KEYS = frozenset({
    "title", "date", "modified", "tags", "category", "slug", "summary", "author",
    "authors", "status", "source", "lang", "translation", "save_as", "url", "template",
})
# Pelican's statuses -> draft.  "hidden" and "skip" pages are not listed (or
# not written) by Pelican: digest builds them only with --drafts, so an
# imported site shows no page it did not show before.
_PELICAN_STATUS = {"published": False, "draft": True, "hidden": True, "skip": True}
_PELICAN_LINE = re.compile(r"([A-Za-z][\w -]*):(?:[ \t]+(.*)|[ \t]*)$")
_TOML_KEY = re.compile(r"""\s*(?:\[+\s*)?("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)""")


@dataclass(frozen=True)
class FrontMatter:
    """The parsed header of a content file and the body after it."""

    data: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where ``body`` starts
    format: str | None  # "yaml" | "toml" | "pelican" | None (no front matter)
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key -> file line


def split(text: str, path: str, warnings: list[Diagnostic] | None = None) -> FrontMatter:
    """Split decoded ``text`` (LF line ends, no BOM) into front matter and body.

    Raises SourceError for an unclosed fence, a YAML/TOML syntax error, front
    matter that is not a mapping, unsafe YAML (tags, anchors, aliases), front
    matter over 64 KiB, duplicate keys and silently coerced scalars.  With
    ``warnings``, a YAML key given twice with the same value is a warning there.
    """
    lead = _LEADING_BLANK.match(text)
    start = lead.end() if lead else 0
    fence_line = text.count("\n", 0, start) + 1
    for fmt, (_, opener, _) in _FENCES.items():
        m = opener.match(text, start)
        if m:
            return _fenced(text, path, m.end(), fence_line, fmt, warnings)
    pelican = _pelican(text, path, start, fence_line)
    if pelican is not None:
        return pelican
    return FrontMatter(data={}, body=text, body_line=1, format=None, key_lines={})


def _fenced(text: str, path: str, begin: int, fence_line: int, fmt: str,  # noqa: PLR0913
            warnings: list[Diagnostic] | None = None) -> FrontMatter:
    """Parse a ``---``/``+++`` block whose first content line starts at ``begin``."""
    fence, _, closer = _FENCES[fmt]
    close = closer.search(text, begin)
    if close is None:
        raise source_error(
            path, f"front matter opened with {fence} on line {fence_line} is never closed",
            line=fence_line, code="front-matter-unclosed",
            hint=f"add a line containing only {fence} after the last front matter line "
                 "(or remove the opening one if the file has no front matter)")
    block = text[begin:close.start()]
    if len(block) > MAX_FRONT_MATTER or len(block.encode("utf-8", "surrogatepass")) \
            > MAX_FRONT_MATTER:
        raise source_error(
            path, f"front matter is larger than {MAX_FRONT_MATTER // 1024} KiB",
            line=fence_line, code="front-matter-size",
            hint="keep only metadata in the front matter and move long text to the body")
    nl = text.find("\n", close.end())
    body = "" if nl < 0 else text[nl + 1:]
    body_line = text.count("\n", 0, close.start()) + 2
    first = fence_line + 1  # file line of the block's first line
    if fmt == "yaml":
        # Plain front matter (nearly all of it) skips libyaml; anything else,
        # and every error, takes the hardened loader (see yaml_fast).
        data, key_lines = load_simple(block, first) or load_yaml(block, path, first, warnings)
    else:
        data, key_lines = _load_toml(block, path, first)
    return FrontMatter(data=data, body=body, body_line=body_line, format=fmt,
                       key_lines=key_lines)


def _load_toml(block: str, path: str, first: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Hugo ``+++`` front matter via stdlib tomllib (typed, no coercion surprises)."""
    try:
        data = tomllib.loads(block)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+), column (\d+)", str(exc))
        line = first + int(m.group(1)) - 1 if m else first
        msg = re.sub(r"\s*\(at .*\)$", "", str(exc))
        raise source_error(
            path, f"front matter is not valid TOML: {msg}", line=line,
            column=int(m.group(2)) if m else None, code="front-matter-toml",
            hint='TOML needs quoted strings: title = "My headline"') from None
    except RecursionError:
        raise source_error(path, "front matter is nested too deeply", line=first,
                           code="front-matter-toml") from None
    key_lines: dict[str, int] = {}
    for i, line in enumerate(block.split("\n")):
        m = _TOML_KEY.match(line)
        if m and not line.lstrip().startswith("#"):
            key = m.group(1).strip("\"'")
            if key in data and key not in key_lines:
                key_lines[key] = first + i
    return data, key_lines


def _pelican(text: str, path: str, start: int, first_line: int) -> FrontMatter | None:
    """Read a Pelican ``Key: value`` header, or return None when there is none."""
    nl = text.find("\n", start)
    m = _PELICAN_LINE.match(text[start:] if nl < 0 else text[start:nl])
    if not m or m.group(1).strip().lower() not in PELICAN_KEYS:
        return None
    end = text.find("\n\n", start)
    header = text[start:].rstrip("\n") if end < 0 else text[start:end]
    if len(header) > MAX_FRONT_MATTER:
        raise source_error(
            path, f"metadata header is larger than {MAX_FRONT_MATTER // 1024} KiB",
            line=first_line, code="front-matter-size",
            hint="end the 'Key: value' header with a blank line before the text")
    lines = header.split("\n")
    entries: list[tuple[str, str, int]] = []
    for i, line in enumerate(lines):
        m = _PELICAN_LINE.match(line)
        if m:
            entries.append((m.group(1).strip().lower(), (m.group(2) or "").strip(),
                            first_line + i))
        elif line[:1] in (" ", "\t") and line.strip() and entries:
            # Python-Markdown "meta" continuation line: part of the previous value.
            key, value, ln = entries[-1]
            entries[-1] = (key, f"{value} {line.strip()}".strip(), ln)
        else:
            return None  # not a metadata header after all: treat the file as body
    data, key_lines = _pelican_data(entries, path)
    if end < 0:
        return FrontMatter(data=data, body="", body_line=first_line + len(lines),
                           format="pelican", key_lines=key_lines)
    body_line = text.count("\n", 0, end) + 3
    return FrontMatter(data=data, body=text[end + 2:], body_line=body_line,
                       format="pelican", key_lines=key_lines)


def _pelican_data(entries: list[tuple[str, str, int]],
                  path: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Normalise Pelican metadata to digest's keys; duplicate keys are errors."""
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    problems: list[Diagnostic] = []
    for key, value, line in entries:
        name = {"modified": "updated"}.get(key, key)
        if key == "status" and value.lower() in _PELICAN_STATUS:
            name = "draft"
        if name in key_lines:
            problems.append(Diagnostic(
                severity="error", code="front-matter-duplicate", path=path, line=line,
                message=f"{key} given twice at lines {key_lines[name]} and {line}",
                hint="keep one of them"))
            continue
        key_lines[name] = line
        if name in ("tags", "authors"):  # Pelican separates both with commas
            data[name] = [t.strip() for t in value.split(",") if t.strip()]
        elif name == "draft" and key == "status":  # a literal `draft:` is judged later
            data[name] = _PELICAN_STATUS[value.lower()]
        else:
            data[name] = value
    if problems:
        raise SourceError(problems)
    return data, key_lines
