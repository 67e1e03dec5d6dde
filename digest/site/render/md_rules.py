"""markdown-it rules for bodies written for other generators (issue 25).

- HTML comments (``<!-- ... -->``) are dropped, also when raw HTML is off:
  markdown-it's own ``html_block``/``html_inline`` rules find them (run with
  ``html`` on for that one call) and their tokens render as nothing.
- ``{#id}`` after a heading's text (Hugo, kramdown, Pandoc) is read with
  mdit-py-plugins' attribute parser, as ``attrs_block_plugin`` reads it on
  the line before.
- Every heading gets an id: the explicit one, else the slug of its text made
  unique with ``-2``, ``-3`` in document order, so old anchors keep working.
- Attributes the attrs plugins may set are cut to an allow-list: content is
  data, and ``{onclick=...}`` or ``{href="javascript:..."}`` must not pass.

Pure: functions of the token stream.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import html_block
from markdown_it.rules_inline import html_inline
from mdit_py_plugins.attrs.parse import ParseError, parse

from digest.site.slugs import slug_words

COMMENT = "html_comment"
# Ids the default theme's page shell gives its own elements on article pages.
RESERVED_IDS = frozenset({"main"})
_ALLOWED = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
            "td": {"style"}, "th": {"style"}}
_ALIGN = re.compile(r"text-align:(?:left|right|center)")
_ID = re.compile(r"[^\s]{1,200}")
MAX_ATTRS = 1000  # characters of one inline {...} attribute block


class _HtmlOn:
    """``state.md`` as markdown-it's html rules see it for one call: html on."""

    def __init__(self, md: MarkdownIt) -> None:
        self.options = {**md.options, "html": True}


def _comment_block(state: Any, start: int, end: int, silent: bool) -> bool:
    pos = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("<!--", pos):
        return False
    md, state.md = state.md, _HtmlOn(state.md)
    try:
        found = html_block(state, start, end, silent)
    finally:
        state.md = md
    if found and not silent:
        state.tokens[-1].type = COMMENT
    return bool(found)


def _comment_inline(state: Any, silent: bool) -> bool:
    if not state.src.startswith("<!--", state.pos):
        return False
    md, state.md = state.md, _HtmlOn(state.md)
    try:
        found = html_inline(state, silent)
    finally:
        state.md = md
    if found and not silent:
        state.tokens[-1].type = COMMENT
    return bool(found)


# Liquid and Hugo constructs ({% ... %}, {{ ... }}) are shown as text (see
# render/templating.py), but the attrs parser reads "{%...%}" as a comment and
# would swallow them: its rules are not tried there.
_TEMPLATE = ("{%", "{{")


def _attrs_text(text: str) -> bool:
    """True when ``text`` is one whole attribute block, ``{#id .class k=v}``."""
    if text.startswith(_TEMPLATE):
        return False
    try:
        end, attrs = parse(text)
    except ParseError:
        return False
    return bool(attrs) and text[end:] in ("}", "")  # end: at or after the "}"


def _guard(ruler: Any, name: str, where: Any) -> None:
    """Run the attrs plugin's rule ``name`` only where ``where(state, ...)``."""
    for rule in ruler.__rules__:
        if rule.name == name:
            original = rule.fn

            def guarded(state: Any, *args: Any) -> bool:
                return bool(where(state, *args) and original(state, *args))

            ruler.at(name, guarded, {"alt": list(rule.alt)})
            return
    raise LookupError(f"markdown-it rule {name!r} not found: is attrs_plugin in use?")


def _block_is_attrs(state: Any, start: int, *_: Any) -> bool:
    pos = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith("{", pos):  # most lines: no slicing, no parsing
        return False
    return _attrs_text(state.src[pos:state.eMarks[start]].rstrip(" \t"))


def _inline_may_be_attrs(state: Any, *_: Any) -> bool:
    if state.src.startswith(_TEMPLATE, state.pos):
        return False
    try:
        # bounded: a paragraph of many "{" must not cost a scan to its end each
        end = min(state.posMax, state.pos + MAX_ATTRS)
        return bool(parse(state.src[state.pos:end])[1])  # "{}" stays text
    except ParseError:
        return False


def _heading_attrs(state: Any) -> None:
    """``## Title {#old-id}``: the attributes go to the heading, not its text."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or not tokens[i + 1].children:
            continue
        last = tokens[i + 1].children[-1]
        text = last.content.rstrip() if last.type == "text" else ""
        brace = text.rfind("{")
        if not text.endswith("}") or brace < 0:
            continue
        if not _attrs_text(text[brace:]):
            continue
        _, attrs = parse(text[brace:])
        last.content = text[:brace].rstrip()
        for key, value in attrs.items():
            token.attrSet(key, value)


def _heading_ids(state: Any) -> None:
    """An id on every heading: explicit ones kept, the others unique slugs."""
    tokens = state.tokens
    used = set(RESERVED_IDS) | {str(t.attrGet("id")) for t in tokens
                                if t.type == "heading_open" and t.attrGet("id")}
    for i, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or token.attrGet("id"):
            continue
        words = "".join(c.content for c in tokens[i + 1].children or ()
                        if c.type in ("text", "code_inline"))
        base = slug_words(words) or "section"
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        token.attrSet("id", slug)


def _allowed_attrs(state: Any) -> None:
    """Drop what the attrs plugins may set beyond ids and classes; links and
    images must still pass markdown-it's own link check."""
    md = state.md
    stack = list(state.tokens)
    while stack:
        token = stack.pop()
        if token.children:
            stack.extend(token.children)
        if not token.attrs:
            continue
        keep = {"id", "class"} | _ALLOWED.get(token.tag, set())
        for key, value in list(token.attrs.items()):
            value = str(value)
            bad = key not in keep or (key == "id" and not _ID.fullmatch(value)) or (
                key == "style" and not _ALIGN.fullmatch(value)) or (
                key in ("href", "src") and not md.validateLink(value))
            if bad:
                del token.attrs[key]


def use_site_rules(md: MarkdownIt) -> None:
    """Add this module's rules to ``md`` (after the attrs and footnote plugins)."""
    _guard(md.block.ruler, "attr", _block_is_attrs)
    _guard(md.inline.ruler, "attr", _inline_may_be_attrs)
    md.block.ruler.before("html_block", "html_comment", _comment_block,
                          {"alt": ["paragraph", "reference", "blockquote"]})
    md.inline.ruler.before("html_inline", "html_comment", _comment_inline)
    md.core.ruler.push("heading_attrs", _heading_attrs)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("allowed_attrs", _allowed_attrs)
    md.add_render_rule(COMMENT, lambda *args: "")
