"""A fast path for the plainest YAML front matter, with the hardened loader's results.

Almost every note's front matter is a flat mapping of one-line scalars and
lists of them (``title: "..."``, ``date: 2024-...``, ``tags:`` then ``- a``
lines).  Running libyaml on it twice (once to vet the events, once to compose)
and constructing through PyYAML was most of the parse stage.  This module
reads exactly that shape line by line and gives up (returns None) on anything
else, so everything unusual, and every error, still goes through
``yaml_safe.load_yaml``'s full checks with their messages.

Why it is safe: what the vetting pass refuses cannot occur in what is accepted
here.  Anchors, aliases and tags need ``&``, ``*`` or ``!``, which no accepted
line contains; nesting is at most two levels; documents, directives, flow and
block scalars, multi-line scalars, escapes and comments after a value are all
declined.  Scalars are typed by PyYAML's own resolver and built by the loader's
own constructors, and the same coercion rule (``yaml_safe._coercion``) decides;
any problem (a duplicate key, a coerced value, a non-text key) declines too, so
the slow path reports it.  tests/unit/sources/test_yaml_fast.py compares both
paths on generated input.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from digest.site.sources import yaml_safe

_TAG = yaml_safe._TAG
_STR, _TIMESTAMP, _NULL = _TAG + "str", _TAG + "timestamp", _TAG + "null"
_CONSTRUCT = {tag: yaml_safe._Constructor.yaml_constructors[tag]
              for tag in (_TAG + "bool", _TAG + "int", _TAG + "float")}
_TEXT_FIELDS = yaml_safe.TEXT_FIELDS

# Characters libyaml reads as printable non-break text, plus LF.  Excluded, so
# the slow path handles them: tabs, CR, C0/C1 controls, NEL and U+2028/2029
# (line breaks to YAML), U+FEFF, U+FFFE/U+FFFF and lone surrogates.
_PLAIN_TEXT = re.compile(
    "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
# A top-level key at column 0: ASCII word characters only, then ":" and a
# space or the end of the line.
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,63}):(?: +|$)")
_ITEM_LINE = re.compile(r"( *)- +")
# Plain scalars must not start with an indicator (or a space), so they can
# never begin a flow or block collection, a block scalar, a quoted scalar, an
# anchor, an alias, a tag, a directive or a reserved character.
_PLAIN_START = frozenset(" -?:,[]{}#&*!|>'\"%@`")

_resolve = Resolver().resolve
_IMPLICIT = (True, False)  # a plain scalar, as libyaml reports it
# First characters for which the resolver may give a plain scalar another tag
# than str ("" included): any other first character means text, without asking.
_TYPED_START = (frozenset(Resolver.yaml_implicit_resolvers)
                if None not in Resolver.yaml_implicit_resolvers else None)
_text_keys: dict[str, bool] = {}  # key -> resolves to str (a site uses a few keys)
_conv = yaml_safe._Constructor()


def load_simple(block: str, first: int) -> tuple[dict[str, Any], dict[str, int]] | None:
    """``load_yaml(block, ...)``'s result for plain front matter, else None."""
    if not _PLAIN_TEXT.fullmatch(block) or "&" in block or "*" in block or "!" in block:
        return None
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    items: list[Any] | None = None  # the open list of the last key without a value
    indent = -1  # its items' indentation, once one is seen
    key = ""
    for i, line in enumerate(block.split("\n")):
        if not line.strip(" ") or line[0] == "#":
            continue  # blank or a whole-line comment at column 0
        m = _KEY_LINE.match(line)
        if m is not None:
            if items:
                data[key] = items  # the list of the previous key is complete
            key = m.group(1)
            text_key = _text_keys.get(key)
            if text_key is None:
                text_key = _resolve(ScalarNode, key, _IMPLICIT) == _STR
                if len(_text_keys) < 1024:
                    _text_keys[key] = text_key
            if key in data or not text_key:
                return None  # a duplicate, or on/no/null as a key: reported by load_yaml
            key_lines[key] = first + i
            rest = line[m.end():].rstrip(" ")
            if rest:
                value = _scalar(rest, key, False)
                if value is _DECLINE:
                    return None
                data[key] = value
                items = None
            else:
                data[key] = None  # YAML's null, unless list items follow
                items, indent = [], -1
            continue
        m = _ITEM_LINE.match(line)
        if m is None or items is None or (indent >= 0 and len(m.group(1)) != indent):
            return None
        indent = len(m.group(1))
        value = _scalar(line[m.end():].rstrip(" "), key, True)
        if value is _DECLINE:
            return None
        items.append(value)
    if items:
        data[key] = items
    if not data:
        return None  # comments only: rare, the slow path knows
    return data, key_lines


_DECLINE = object()


def _scalar(text: str, key: str, in_list: bool) -> Any:
    """The value of a one-line scalar as the hardened loader builds it, or _DECLINE."""
    if not text:
        return _DECLINE  # "- " alone: a null list item
    first = text[0]
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner:
            return _DECLINE
        return inner
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            return _DECLINE
        return inner.replace("''", "'")
    if first in _PLAIN_START or ": " in text or " #" in text or text[-1] == ":":
        return _DECLINE
    if _TYPED_START is not None and first not in _TYPED_START:
        return text
    tag = _resolve(ScalarNode, text, _IMPLICIT)
    if tag == _STR or tag == _TIMESTAMP:  # timestamps stay text (see yaml_safe)
        return text
    if tag == _NULL:
        return None
    construct = _CONSTRUCT.get(tag)
    if construct is None:  # "<<" or "=": rare, the slow path knows
        return _DECLINE
    node = ScalarNode(tag, text)
    if yaml_safe._coercion(node, text_field=key in _TEXT_FIELDS, in_list=in_list):
        return _DECLINE  # reported, with its line, by load_yaml
    return construct(_conv, node)
