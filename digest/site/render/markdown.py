"""Markdown -> HTML with one configured parser.

Content is data: raw HTML in Markdown is escaped (CommonMark preset with
``html`` off), and markdown-it's ``validateLink`` already drops ``javascript:``,
``vbscript:``, ``file:`` and non-image ``data:`` links.  With ``raw_html: true``
raw HTML is allowed through and then cleaned by an allow-list sanitizer (nh3).
HTML comments are always dropped; ``{#id}`` attributes, footnotes and heading
ids come from mdit-py-plugins and :mod:`digest.site.render.md_rules`; Hugo's
``figure`` and ``youtube`` shortcodes from :mod:`digest.site.render.shortcodes`.
"""


from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Part of the body cache's key (render/bodies.py): raise it whenever the
# parser's settings or rules change, so HTML rendered before is not reused.
RENDERER_VERSION = 3
_ABS_ATTR = re.compile(r'(\s(?:href|src))="/(?!/)')


@lru_cache(maxsize=2)
def _parser(raw_html: bool) -> MarkdownIt:
    # Imported here: an incremental build renders the few new bodies in a
    # worker process, and the main process need not pay for the import.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    from digest.site.render.md_rules import use_site_rules
    from digest.site.render.shortcodes import use_shortcodes

    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(attrs_plugin).use(attrs_block_plugin).use(footnote_plugin)
    use_site_rules(md)
    use_shortcodes(md)
    return md


def parser(raw_html: bool = False) -> MarkdownIt:
    """The configured parser (render/template_scan.py finds code blocks with it)."""
    return _parser(raw_html)


def render_markdown(text: str, *, raw_html: bool = False) -> str:
    """Render a Markdown body to an HTML fragment (safe to mark as Markup)."""
    html = _parser(raw_html).render(text)
    if raw_html:
        from digest.site.render.sanitize import sanitize_html

        html = sanitize_html(html)
    return html


def absolutize(html: str, base_url: str) -> str:
    """Make root-relative ``href``/``src`` absolute: feed readers ignore xml:base."""
    return _ABS_ATTR.sub(lambda m: f'{m.group(1)}="{base_url}', html)
