"""Hugo's ``figure`` and ``youtube`` shortcodes, rendered as their HTML.

A shortcode standing on a line of its own (``{{< figure src="/img/a.jpg"
caption="The pier" >}}``) is a block of the body: a markdown-it block rule
turns it into HTML built here, every value escaped, links checked as
markdown-it checks links (no ``javascript:``).  Nothing is evaluated: the
arguments are text.  Anywhere else, or inside code, a shortcode is text
(render/templating.py reports the ones digest cannot render).

``youtube`` becomes a link to the video on youtube-nocookie.com, not an
iframe: the site's Content-Security-Policy (netlify.toml, workflow/netlify.py)
has no ``frame-src``, so ``default-src 'self'`` would block a YouTube frame and
readers would see an empty box.  No thumbnail either: loading one from
YouTube's servers on every page view would tell them who reads the page.

Pure: functions of the text.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

# {{< name args >}} or {{% name args %}}, the whole construct
SHORTCODE = re.compile(r"\{\{([<%])\s*([A-Za-z][\w-]*)(.{0,2000}?)\s*([>%])\}\}", re.S)
RENDERED = frozenset({"figure", "youtube"})
_ARG = re.compile(r'\s*(?:([A-Za-z_][\w-]*)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+)')
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{6,20}")


def parse_args(text: str) -> tuple[list[str], dict[str, str]] | None:
    """Hugo's shortcode arguments: positional and ``name="value"``; None when
    ``text`` is not a list of them."""
    positional: list[str] = []
    named: dict[str, str] = {}
    pos, text = 0, text.rstrip()
    while pos < len(text):
        m = _ARG.match(text, pos)
        if not m or m.end() == pos:
            return None
        value = m.group(2)
        if value[0] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif value[0] == "`":
            value = value[1:-1]
        if m.group(1):
            named[m.group(1).lower()] = value
        else:
            positional.append(value)
        pos = m.end()
    return positional, named


def shortcode_html(text: str, md: Any) -> str | None:
    """The HTML of a ``figure`` or ``youtube`` shortcode ``text``, or None when
    it is not one digest renders (or its arguments are unusable)."""
    m = SHORTCODE.fullmatch(text.strip())
    if not m or (m.group(1) == "<") != (m.group(4) == ">") or m.group(2) not in RENDERED:
        return None
    args = parse_args(m.group(3))
    if args is None:
        return None
    positional, named = args
    if m.group(2) == "figure":
        return _figure(named, md)
    video = named.get("id") or (positional[0] if positional else "")
    if not _VIDEO_ID.fullmatch(video):
        return None
    title = named.get("title") or "Watch the video on YouTube"
    return (f'<p class="video"><a href="https://www.youtube-nocookie.com/embed/{video}">'
            f"{escape(title)}</a></p>\n")


def _figure(named: dict[str, str], md: Any) -> str | None:
    src = named.get("src", "").strip()
    if not src or not md.validateLink(src):
        return None
    alt = named.get("alt") or named.get("caption") or named.get("title") or ""
    img = f'<img src="{escape(md.normalizeLink(src))}" alt="{escape(alt)}">'
    link = named.get("link", "").strip()
    if link and md.validateLink(link):
        img = f'<a href="{escape(md.normalizeLink(link))}">{img}</a>'
    caption = "".join(
        f'<span class="{part}">{escape(named[part])}</span>'
        for part in ("title", "caption", "attr") if named.get(part))
    caption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{img}{caption}</figure>\n"


def _shortcode_block(state: Any, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False  # an indented code block
    pos = state.bMarks[start] + state.tShift[start]
    if not state.src.startswith(("{{<", "{{%"), pos):
        return False
    html = shortcode_html(state.src[pos:state.eMarks[start]], state.md)
    if html is None:
        return False
    if silent:
        return True
    token = state.push("shortcode", "", 0)
    token.content = html
    token.map = [start, start + 1]
    state.line = start + 1
    return True


def use_shortcodes(md: Any) -> None:
    """Add the block rule and its renderer to ``md``."""
    md.block.ruler.before("paragraph", "shortcode", _shortcode_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.add_render_rule("shortcode", lambda _self, tokens, idx, *_: tokens[idx].content)
