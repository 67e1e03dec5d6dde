"""Split a content file into front matter and body.

Three header styles are recognised at the top of a file (a leading blank line
is tolerated): YAML between ``---`` fences (Jekyll, Hugo, Eleventy), TOML
between ``+++`` fences (Hugo) and a Pelican ``Key: value`` header ended by a
blank line.  YAML goes through the hardened loader below: content is data,
never code (reliability.md, item 4).

Pure: takes text, returns a :class:`FrontMatter` or raises SourceError with the
*file* line of the problem.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from digest.errors import Diagnostic, SourceError, source_error

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


def split(text: str, path: str) -> FrontMatter:
    """Split decoded ``text`` (LF line ends, no BOM) into front matter and body.

    Raises SourceError for an unclosed fence, a YAML/TOML syntax error, front
    matter that is not a mapping, unsafe YAML (tags, anchors, aliases), front
    matter over 64 KiB, duplicate keys and silently coerced scalars.
    """
    lead = _LEADING_BLANK.match(text)
    start = lead.end() if lead else 0
    fence_line = text.count("\n", 0, start) + 1
    for fmt, (_, opener, _) in _FENCES.items():
        m = opener.match(text, start)
        if m:
            return _fenced(text, path, m.end(), fence_line, fmt)
    pelican = _pelican(text, path, start, fence_line)
    if pelican is not None:
        return pelican
    return FrontMatter(data={}, body=text, body_line=1, format=None, key_lines={})


def _fenced(text: str, path: str, begin: int, fence_line: int, fmt: str) -> FrontMatter:
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
        data, key_lines = _load_yaml(block, path, first)
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
        if key == "status" and value.lower() in ("draft", "published"):
            name = "draft"
        if name in key_lines:
            problems.append(Diagnostic(
                severity="error", code="front-matter-duplicate", path=path, line=line,
                message=f"{key} given twice at lines {key_lines[name]} and {line}",
                hint="keep one of them"))
            continue
        key_lines[name] = line
        if name == "tags":
            data[name] = [t.strip() for t in value.split(",") if t.strip()]
        elif name == "draft":
            data[name] = value.lower() == "draft"
        else:
            data[name] = value
    if problems:
        raise SourceError(problems)
    return data, key_lines


# --- hardened YAML -----------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
# JSON-like core tags only: !!python/*, !!binary, !!set, !!omap... are refused
# before anything is constructed (CVE-2017-18342; mkdocs/mkdocs#1696).
_ALLOWED_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "seq",
                                             "map"))
MAX_DEPTH = 32  # the composer recurses per level; 64 KiB of "[" would overflow it
_TEXT_KEY_TAGS = frozenset(_TAG + t for t in ("str", "merge", "value"))  # "<<", "=" stay text
_COERCING = frozenset(_TAG + t for t in ("bool", "int", "float"))
# Fields that must be text: an unquoted NO/on/2024/1.10 there is always a mistake.
TEXT_FIELDS = frozenset({"title", "summary", "author", "source", "slug", "id", "section"})


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor that records duplicate keys instead of keeping the last one."""

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[tuple[Any, int, int]] = []  # key, first line0, dup line0

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        # No flatten_mapping: "<<" is an ordinary key (merges need aliases anyway).
        mapping: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be text, not a list or mapping",
                    key_node.start_mark) from None
            line0 = key_node.start_mark.line
            if key in seen:
                self.duplicates.append((key, seen[key], line0))
            seen[key] = line0
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


# Timestamps stay strings: fields.py reads them in the site time zone (YAML
# would make a naive datetime of "2024-03-10 09:30:00").
for _name in ("timestamp", "value", "merge"):
    _Constructor.add_constructor(_TAG + _name, _Constructor.construct_yaml_str)


class _PyLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                yaml.composer.Composer, _Constructor, yaml.resolver.Resolver):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


_LOADER: type = _PyLoader
try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python loader above
    CParser = None
if CParser is not None:  # libyaml: same rules, C-speed scanning and parsing
    class _CLoader(CParser, _Constructor, yaml.resolver.Resolver):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Constructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _LOADER = _CLoader


def _load_yaml(block: str, path: str, first: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Load a YAML mapping; ``first`` is the file line of the block's first line."""
    loader = None
    try:
        _check_events(_LOADER, block, path, first)
        loader = _LOADER(block)
        node = loader.get_single_node()
        if node is None:  # empty or comments only
            return {}, {}
        if not isinstance(node, MappingNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a single value"
            raise source_error(
                path, f"front matter must be a mapping of keys to values, not {kind}",
                line=first + node.start_mark.line, code="front-matter-type",
                hint="write one 'key: value' per line, e.g. title: My headline")
        problems = _node_problems(node, path, first)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, block, path, first) from None
    except (UnicodeEncodeError, ValueError, KeyError, TypeError, OverflowError) as exc:
        # e.g. "!!int abc" or a lone surrogate: a value YAML cannot represent
        raise source_error(path, f"front matter value cannot be read: {exc}", line=first,
                           code="front-matter-yaml") from None
    finally:
        if loader is not None:
            loader.dispose()
    for key, line0, dup0 in loader.duplicates:
        problems.append(Diagnostic(
            severity="error", code="front-matter-duplicate", path=path, line=first + dup0,
            message=f"{key} given twice at lines {first + line0} and {first + dup0}",
            hint="YAML would silently keep the last one; delete one of them"))
    if problems:
        raise SourceError(problems)
    key_lines = {k.value: first + k.start_mark.line for k, _ in node.value
                 if isinstance(k, ScalarNode)}
    return data, key_lines


def _check_events(loader_cls: type, block: str, path: str, first: int) -> None:
    """Refuse anchors, aliases, non-core tags and deep nesting before composing,
    so an alias bomb or a !!python tag is never expanded or constructed."""
    depth = 0
    for ev in yaml.parse(block, Loader=loader_cls):
        line = first + ev.start_mark.line
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
            raise source_error(
                path, "YAML anchors and aliases (&name, *name) are not allowed in front matter",
                line=line, code="front-matter-unsafe",
                hint="write the value out in full; quote it if it starts with & or *")
        tag = getattr(ev, "tag", None)
        if tag not in (None, "!") and tag not in _ALLOWED_TAGS:
            raise source_error(
                path, f"YAML tag {tag} is not allowed in front matter", line=line,
                code="front-matter-unsafe",
                hint="front matter holds plain data only; remove the !tag or quote the value")
        if isinstance(ev, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise source_error(path, f"front matter is nested deeper than {MAX_DEPTH} "
                                   "levels", line=line, code="front-matter-yaml")
        elif isinstance(ev, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_error(exc: yaml.YAMLError, block: str, path: str, first: int) -> SourceError:
    """A YAML error as a SourceError at the file line, with a hint for common slips."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, column = first, None
    if mark is not None:
        line, column = first + mark.line, mark.column + 1
    elif isinstance(exc, yaml.reader.ReaderError):
        # libyaml counts bytes of the UTF-8 text, the Python reader characters
        line = first + (block[:exc.position].count("\n") if _LOADER is _PyLoader else
                        block.encode("utf-8", "replace")[:exc.position].count(b"\n"))
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"front matter is not valid YAML: {problem}" + (f" ({context})" if context else "")
    hint = ("check the indentation and quote values that contain ': ' or start with "
            "one of [ { * & ! | > % @ `")
    if "mapping values are not allowed" in problem:
        hint = 'a value contains ": "; quote it, e.g. title: "Minsk: talks resume"'
    elif mark is not None and "\t" in (block.split("\n")[mark.line:] or [""])[0]:
        hint = "indent with spaces, not tabs"
    elif isinstance(exc, yaml.reader.ReaderError):
        hint = "remove the control character (often pasted from a web page)"
    return source_error(path, message, line=line, column=column,
                        code="front-matter-yaml", hint=hint)


def _node_problems(root: MappingNode, path: str, first: int) -> list[Diagnostic]:
    """Silent YAML 1.1 coercions in top-level values and in top-level lists."""
    problems: list[Diagnostic] = []

    def report(node: Any, message: str, hint: str) -> None:
        problems.append(Diagnostic(severity="error", code="front-matter-coerced", path=path,
                                   line=first + node.start_mark.line, message=message,
                                   hint=hint))

    for key_node, value_node in root.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag not in _TEXT_KEY_TAGS:
            text = key_node.value if isinstance(key_node, ScalarNode) else "?"
            report(key_node, f"key {text} is not read as text",
                   f'quote it: "{text}": ... (YAML reads on/no/2024/~ as other types)')
            continue
        key = key_node.value
        items = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        for item in items:
            if isinstance(item, ScalarNode):
                why = _coercion(item, text_field=key in TEXT_FIELDS,
                                in_list=item is not value_node)
                if why:
                    quoted = '"' + item.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
                    where = f"{key}: {quoted}" if item is value_node else quoted
                    report(item, f"{key}: {item.value} is read as {why}; quote it: {where}",
                           "YAML 1.1 reads unquoted yes/no/on/off as booleans and "
                           "digits as numbers; quotes keep the text as written")
    return problems


def _coercion(node: ScalarNode, *, text_field: bool, in_list: bool) -> str | None:
    """What a plain scalar silently becomes, when that loses what was written."""
    tag = node.tag
    if node.style or tag not in _COERCING:  # quoted/block scalars keep their text
        return None
    if tag == _TAG + "bool":
        return "a boolean" if text_field or in_list else None
    if text_field:
        return "a number"
    try:
        conv = yaml.constructor.SafeConstructor()
        value = (conv.construct_yaml_int(node) if tag == _TAG + "int"
                 else conv.construct_yaml_float(node))
    except (ValueError, OverflowError):
        return "a number"
    plain = node.value.lower().lstrip("+").replace("_", "\0")  # 1_000 does not round-trip
    lossless = plain in (".inf", "-.inf", ".nan") or plain == repr(value)
    return None if lossless else f"the number {value!r}"
