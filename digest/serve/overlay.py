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

_BOX = ("position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:80vh;overflow:auto;"
        "margin:0;padding:1em 1.5em;background:#2b0d0d;color:#ffe9e9;"
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
        "border-bottom:4px solid #e5484d;box-shadow:0 4px 24px rgba(0,0,0,.5);text-align:left")
_BUTTON = ("float:right;font:inherit;background:none;color:inherit;"
           "border:1px solid currentColor;border-radius:4px;cursor:pointer")


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
        parts = ['<li style="margin:.6em 0">']
        if where:
            parts.append(f'<strong class="digest-error-where">{html.escape(where)}</strong>: ')
        parts.append(f'<span class="digest-error-message">{html.escape(diag.message)}</span>')
        if diag.hint:
            parts.append('<pre style="margin:.2em 0 0 1.5em;white-space:pre-wrap;opacity:.8">'
                         f"hint: {html.escape(diag.hint)}</pre>")
        parts.append("</li>")
        items.append("".join(parts))
    return (f'<div id="{OVERLAY_ID}" role="alert" style="{_BOX}">'
            f'<button type="button" data-digest-dismiss style="{_BUTTON}">close</button>'
            f'<p style="margin:0;font-weight:bold">{html.escape(title)}</p>'
            f'<p style="margin:0;opacity:.8">{html.escape(note)}</p>'
            f'<ul style="margin:.5em 0 0;padding-left:1.2em">{"".join(items)}</ul></div>')


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
