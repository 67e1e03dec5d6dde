"""The hardened YAML loader for front matter: content is data, never code.

Only JSON-like core tags are accepted (``!!python/*`` and friends are refused
before anything is constructed), anchors and aliases are allowed up to a
bound on what they expand to (alias bombs are refused), nesting is bounded, duplicate keys are errors, and unquoted values
that YAML 1.1 would silently turn into booleans or numbers in text fields
(``title: NO``, ``version: 1.10``) are reported with how to quote them
(reliability.md, item 4).  Timestamps stay strings: ``sources.fields`` reads
them in the site's time zone.

Pure: ``load_yaml(block, path, first_line)`` takes the text between the fences.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from digest.errors import Diagnostic, SourceError, source_error

_TAG = "tag:yaml.org,2002:"
# JSON-like core tags only: !!python/*, !!binary, !!set, !!omap... are refused
# before anything is constructed (CVE-2017-18342; mkdocs/mkdocs#1696).
_ALLOWED_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "seq",
                                             "map"))
MAX_DEPTH = 32  # the composer recurses per level; 64 KiB of "[" would overflow it
MAX_EXPANDED = 10_000  # values front matter may hold once its aliases are written out
_TEXT_KEY_TAGS = frozenset(_TAG + t for t in ("str", "merge", "value"))  # "<<", "=" stay text
_COERCING = frozenset(_TAG + t for t in ("bool", "int", "float"))
# Fields that must be text: an unquoted NO/on/2024/1.10 there is always a mistake.
TEXT_FIELDS = frozenset({"title", "summary", "author", "source", "slug", "id", "section"})


class _Constructor(yaml.constructor.SafeConstructor):
    """SafeConstructor that records duplicate keys instead of keeping the last one."""

    def __init__(self) -> None:
        super().__init__()
        # key, first line0, dup line0, whether both values are written the same
        self.duplicates: list[tuple[Any, int, int, bool]] = []

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        # No flatten_mapping: "<<" is an ordinary key (merges need aliases anyway).
        mapping: dict[Any, Any] = {}
        seen: dict[Any, tuple[int, Any]] = {}
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
                first0, first_node = seen[key]
                self.duplicates.append((key, first0, line0, _same(first_node, value_node)))
            seen[key] = line0, value_node
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


def _same(a: Any, b: Any) -> bool:
    """Two YAML nodes that construct the same value (same tags, same scalars)."""
    if type(a) is not type(b) or a.tag != b.tag:
        return False
    if isinstance(a, ScalarNode):
        return bool(a.value == b.value)
    if len(a.value) != len(b.value):
        return False
    if isinstance(a, MappingNode):
        return all(_same(k1, k2) and _same(v1, v2)
                   for (k1, v1), (k2, v2) in zip(a.value, b.value, strict=True))
    return all(_same(x, y) for x, y in zip(a.value, b.value, strict=True))


def load_yaml(block: str, path: str, first: int, warnings: list[Diagnostic] | None = None
              ) -> tuple[dict[str, Any], dict[str, int]]:
    """Load a YAML mapping; ``first`` is the file line of the block's first line.

    With ``warnings``, a key given twice with the same value goes there (Ruby's
    parser, hence Jekyll, accepts it and nothing is lost); otherwise, and
    always when the values differ, it is an error."""
    loader = None
    try:
        if _may_hold_refused(block):
            _check_events_first(block, path, first)
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
    for key, line0, dup0, same in loader.duplicates:
        twice = f"{key} given twice at lines {first + line0} and {first + dup0}"
        if same and warnings is not None:
            warnings.append(Diagnostic(
                severity="warning", code="front-matter-duplicate", path=path,
                line=first + dup0, message=f"{twice}, with the same value",
                hint="delete one of them"))
            continue
        problems.append(Diagnostic(
            severity="error", code="front-matter-duplicate", path=path, line=first + dup0,
            message=twice, hint="YAML would silently keep the last one; delete one of them"))
    if problems:
        raise SourceError(problems)
    key_lines = {k.value: first + k.start_mark.line for k, _ in node.value
                 if isinstance(k, ScalarNode)}
    return data, key_lines


def _may_hold_refused(block: str) -> bool:
    """False when no event of ``block`` can be one _check_events refuses, so
    that parsing it a second time can be skipped.

    Anchors, aliases and tags need "&", "*" or "!".  Each level of nesting
    opens a collection of its own, which takes one of "[", "{", "-", "?" or
    ":" of its own: with no more of those than MAX_DEPTH, the depth is
    bounded.  A second document (a line starting "---", "..." or "%") is
    excluded too: the events pass reads every document and would report a
    syntax error in it first, where composing stops at "expected a single
    document"; within one document both meet every syntax error in the same
    order.
    """
    if "&" in block or "*" in block or "!" in block:
        return True
    if sum(map(block.count, "[{-?:")) > MAX_DEPTH:
        return True
    lines = "\n" + block
    return "\n---" in lines or "\n..." in lines or "\n%" in lines


def _check_events_first(block: str, path: str, first: int) -> None:
    """_check_events with the loader in use; when that loader fails on the
    block, the pure-Python parser decides whether a refused construct comes
    first.

    libyaml may stop a deep block itself before digest's own depth check sees
    an event (PyYAML 6.0.4 bundles a libyaml with a nesting limit, and its
    scanner reads a whole flow collection ahead), with its own wording.  The
    pure-Python parser has no such limit and reads ahead at most one line or
    1,024 characters, so rerunning the check with it gives digest's own
    message, at its line, whatever PyYAML is installed.  A block it accepts
    up to the failure keeps the original error.
    """
    try:
        _check_events(_LOADER, block, path, first)
    except yaml.YAMLError:
        if _LOADER is not _PyLoader:
            try:
                _check_events(_PyLoader, block, path, first)
            except yaml.YAMLError:
                pass
        raise


def _check_events(loader_cls: type, block: str, path: str, first: int) -> None:
    """Refuse non-core tags, deep nesting, an alias inside its own anchor and
    aliases that expand to more than MAX_EXPANDED values, before composing, so
    an alias bomb or a !!python tag is never expanded or constructed.

    Anchors and aliases themselves are fine (real front matter shares a list
    of tags that way): each anchor's size is counted as the events pass, each
    alias adds the size of what it repeats, and the count is bounded."""
    depth = 0
    expanded = 0  # values the data would hold with every alias written out
    sizes: dict[str, int] = {}  # anchor -> values under it, aliases expanded
    opened: list[tuple[str | None, int]] = []  # open collections: (anchor, count before)
    for ev in yaml.parse(block, Loader=loader_cls):
        line = first + ev.start_mark.line
        if isinstance(ev, yaml.AliasEvent):
            if any(anchor == ev.anchor for anchor, _ in opened):
                raise source_error(
                    path, f"YAML alias *{ev.anchor} refers to itself (inside &{ev.anchor})",
                    line=line, code="front-matter-unsafe",
                    hint="an alias repeats a value written before it; write this one out")
            if ev.anchor not in sizes:
                raise source_error(
                    path, f"YAML alias *{ev.anchor} has no anchor &{ev.anchor} before it",
                    line=line, code="front-matter-yaml",
                    hint=f"write &{ev.anchor} before the value it names, or the value itself")
            expanded += sizes[ev.anchor]
        elif isinstance(ev, yaml.ScalarEvent):
            expanded += 1
            if ev.anchor:
                sizes[ev.anchor] = 1
        elif isinstance(ev, yaml.CollectionStartEvent):
            expanded += 1
            opened.append((ev.anchor, expanded))
        elif isinstance(ev, yaml.CollectionEndEvent):
            anchor, before = opened.pop()
            if anchor:
                sizes[anchor] = expanded - before + 1
        if expanded > MAX_EXPANDED:
            raise source_error(
                path, f"front matter expands to more than {MAX_EXPANDED:,} values "
                "(YAML aliases repeating aliases)", line=line, code="front-matter-unsafe",
                hint="an alias repeats everything its anchor holds: write the values "
                     "out, or use fewer aliases")
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
