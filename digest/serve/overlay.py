"""What the dev server adds to HTML responses: the reload script and the error overlay.

Nothing here is ever written to output/: the server injects it into responses
only.  Every piece of text from a diagnostic is HTML-escaped (file names and
messages come from the user's files and may contain markup).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from digest.errors import Diagnostic

SCRIPT_PATH = "/__digest/livereload.js"
EVENTS_PATH = "/__digest/events"
POLL_PATH = "/__digest/poll"
OVERLAY_ID = "digest-error-overlay"

# The overlay lands inside pages styled by the site's theme, whose rules would
# reach into it (the default theme gives ``pre`` a pale background in light mode,
# which left the hint line unreadable).  So every element of the overlay carries
# its own complete style: ``all:revert`` first throws away whatever the theme's
# stylesheet says about that element (back to the browser's defaults, focus ring
# included), then explicit colours and fonts follow.  Inline style attributes
# beat any selector of the theme; the colour pairs keep WCAG AA contrast (> 7:1)
# in either colour scheme (15:1 and 12:1), because they never depend on it.
_BG = "#2b0d0d"
_FG = "#ffe9e9"
_SOFT = "#f4c7c7"  # secondary lines (note, hint)
_FONT = "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"
_TEXT = f"all:revert;color:{_FG};background:transparent;{_FONT};"
_STYLE = {
    "box": (f"all:revert;display:block;position:fixed;inset:0 0 auto 0;z-index:2147483647;"
            f"max-height:80vh;overflow:auto;box-sizing:border-box;margin:0;padding:1em 1.5em;"
            f"background:{_BG};color:{_FG};{_FONT};text-align:left;"
            "border:0;border-bottom:4px solid #e5484d;box-shadow:0 4px 24px rgba(0,0,0,.5);"
            "color-scheme:dark"),
    "button": (f"all:revert;float:right;{_FONT};background:{_BG};color:{_FG};"
               "border:1px solid currentColor;border-radius:4px;padding:0 .5em;cursor:pointer"),
    "title": f"{_TEXT}display:block;margin:0;font-weight:bold",
    "note": f"{_TEXT}display:block;margin:0;color:{_SOFT}",
    "list": f"{_TEXT}display:block;margin:.5em 0 0;padding:0 0 0 1.2em;list-style:disc",
    "item": f"{_TEXT}display:list-item;margin:.6em 0",
    "where": f"{_TEXT}font-weight:bold",
    "message": _TEXT,
    "hint": (f"{_TEXT}display:block;margin:.2em 0 0 1.5em;padding:0;white-space:pre-wrap;"
             f"color:{_SOFT}"),
}


def _where(diag: Diagnostic) -> str:
    if not diag.path:
        return ""
    where = diag.path
    if diag.line is not None:
        where += f":{diag.line}"
        if diag.column is not None:
            where += f":{diag.column}"
    return where


def overlay_html(errors: Iterable[Diagnostic], *, have_site: bool = True) -> str:
    """An HTML fragment listing the build errors (file:line, message, hint), escaped."""
    errors = list(errors)
    count = len(errors)
    title = f"Build failed ({count} error{'s' if count != 1 else ''})"
    note = ("showing the last good version; save a fix to reload" if have_site
            else "nothing to show yet; save a fix to reload")
    items = []
    for diag in errors:
        where = _where(diag)
        parts = [f'<li style="{_STYLE["item"]}">']
        if where:
            parts.append(f'<strong class="digest-error-where" style="{_STYLE["where"]}">'
                         f"{html.escape(where)}</strong>: ")
        parts.append(f'<span class="digest-error-message" style="{_STYLE["message"]}">'
                     f"{html.escape(diag.message)}</span>")
        if diag.hint:
            parts.append(f'<pre style="{_STYLE["hint"]}">hint: {html.escape(diag.hint)}</pre>')
        parts.append("</li>")
        items.append("".join(parts))
    return (f'<div id="{OVERLAY_ID}" role="alert" style="{_STYLE["box"]}">'
            f'<button type="button" data-digest-dismiss style="{_STYLE["button"]}">close</button>'
            f'<p style="{_STYLE["title"]}">{html.escape(title)}</p>'
            f'<p style="{_STYLE["note"]}">{html.escape(note)}</p>'
            f'<ul style="{_STYLE["list"]}">{"".join(items)}</ul></div>')


def script_tag(token: str) -> str:
    """The reload client, tagged with the epoch the page was served at."""
    return (f'<script src="{SCRIPT_PATH}" data-digest-epoch="{html.escape(token)}" '
            'defer></script>')


def inject(page: bytes, token: str, errors: Iterable[Diagnostic] = (),
           *, have_site: bool = True) -> bytes:
    """Insert the script (and overlay, if errors) before the last ``</body>``, else append."""
    errors = list(errors)
    extra = (overlay_html(errors, have_site=have_site) if errors else "") + script_tag(token)
    data = extra.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + data
    return page[:at] + data + page[at:]


def error_page(errors: Iterable[Diagnostic], token: str) -> bytes:
    """A whole page for when the very first build failed (no good site to show)."""
    shell = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
             "<title>digest: build failed</title></head><body></body></html>\n")
    return inject(shell.encode("utf-8"), token, errors, have_site=False)
