"""Jekyll's and Hugo's static template constructs in bodies, resolved; the rest reported.

Content is data: nothing is evaluated.  A handful of constructs that only
*name* something known at build time are rewritten in the Markdown source,
once every URL is assigned (build.py, after enrichment):

- ``{% raw %}...{% endraw %}`` (Liquid): the tags go, what they hold stays
  as written (a ``figure`` line in it is escaped so it shows as text);
- ``{{ site.baseurl }}``, ``{{ site.url }}``, ``{{ '/x/' | relative_url }}``
  and ``| absolute_url``: the site's base path and address (base_url);
- ``{% post_url 2010-07-21-name %}`` and ``{% link _posts/2016-07-26-name.md %}``
  (Jekyll), ``{{< ref "x.md" >}}`` and ``{{< relref "x" >}}`` (Hugo): the URL
  of that article or page; a target that does not exist is an error naming
  the file and line (``--keep-going`` leaves the construct as text);
- Hugo's ``{{</* figure */>}}`` (a shortcode shown, not run): shown as text.

``figure`` and ``youtube`` shortcodes on a line of their own are rendered by a
markdown-it rule (render/shortcodes.py), which depends on the body alone.
Any other construct outside code stays as literal text and is reported: one
warning per kind, naming the first place and the files (``digest check``
shows the same).  Inside code (render/template_scan.py) nothing is touched.

Why a source rewrite for links and not a markdown-it rule: the result depends
on other articles' URLs, and a rewritten body is a new body, so the fast
engine's body cache (keyed by the Markdown) and page fingerprints (a body
changed after parsing is digested whole) follow a renamed target by
themselves; a rule would have to know the URLs inside the cached renderer.

Pure: bodies and URLs in, bodies and diagnostics out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from digest.errors import Diagnostic
from digest.site.config import SiteConfig
from digest.site.recordcopy import evolve
from digest.site.records import Article, Page
from digest.site.render.shortcodes import RENDERED, SHORTCODE, parse_args, shortcode_html
from digest.site.render.template_scan import Construct, find_constructs

KIND_NAMES = {"liquid-tag": "Liquid tags ({% ... %})",
              "liquid-output": "Liquid output tags ({{ ... }})",
              "hugo-shortcode": "Hugo shortcodes ({{< ... >}}, {{% ... %}})"}
_TAG = re.compile(r"\{%-?\s*(\w+)\s*(.*?)\s*-?%\}", re.S)
_OUTPUT = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_FILTERED = re.compile(r"""(['"])(.*?)\1\s*\|\s*(relative_url|absolute_url)""", re.S)
_SHOWN = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.S)  # Hugo: {{</* x */>}}
_SUFFIXES = ("", ".md", ".markdown", "/index.md", "/_index.md")


class Resolver:
    """Rewrites bodies for one build; collects what it could not resolve.

    ``targets``: every article and page a body may link (URLs assigned;
    records.Page too: only ``key``, ``path`` and ``url`` are read)."""

    def __init__(self, targets: Iterable[Article | Page], config: SiteConfig) -> None:
        self.config = config
        self.base = config.base_url.rstrip("/")
        self.base_path = urlsplit(config.base_url).path.rstrip("/")
        self.by_key: dict[str, str] = {}
        self.by_stem: dict[str, list[str]] = {}
        for art in targets:
            self.by_key[art.key] = art.url
            self.by_stem.setdefault(art.path.name.rsplit(".", 1)[0], []).append(art.key)
        self.places: dict[str, list[tuple[str, int]]] = {}
        self.errors: list[Diagnostic] = []

    # ------------------------------------------------------------------ bodies
    def articles(self, articles: tuple[Article, ...]) -> tuple[Article, ...]:
        """``articles`` with their bodies rewritten; an article whose body has
        nothing to rewrite is returned as it is (the same object)."""
        out = []
        for art in articles:
            body = self.body(art)
            out.append(art if body is art.body else evolve(art, {"body": body}))
        return tuple(out)

    def body(self, art: Article) -> str:
        """The article's Markdown with its constructs resolved (the same
        string when there is nothing to resolve)."""
        found = find_constructs(art.body)
        if not found:
            return art.body
        parts, pos, raw = [], 0, False
        opened = _closed_raws(found)
        for c in found:
            if _is_tag(c, "raw") and not raw and c.start not in opened:
                text = self._unknown(c, art)  # never closed: Jekyll refuses it too
            else:
                text = self._rewrite(c, art, raw)
            if _is_tag(c, "raw") and not raw and c.start in opened:
                raw = True
            elif _is_tag(c, "endraw") and raw:
                raw = False
            if text != c.text:
                parts += [art.body[pos:c.start], text]
                pos = c.end
        if not parts:
            return art.body
        return "".join(parts) + art.body[pos:]

    def _rewrite(self, c: Construct, art: Article, raw: bool) -> str:
        if raw:
            if _is_tag(c, "endraw"):
                return ""
            return "\\" + c.text if c.kind == "hugo-shortcode" and c.alone else c.text
        if _is_tag(c, "raw"):
            return ""
        shown = _SHOWN.fullmatch(c.text)
        if shown:
            return "\\{{" + shown.group(1) + shown.group(2) + shown.group(3) + "}}"
        if c.kind == "liquid-output":
            return self._output(c, art)
        if c.kind == "liquid-tag":
            m = _TAG.fullmatch(c.text)
            name = m.group(1) if m else ""
            if m and name in ("post_url", "link"):
                return self._link(c, art, name, m.group(2).strip().strip("'\""))
            return self._unknown(c, art)
        m = SHORTCODE.fullmatch(c.text)
        name = m.group(2) if m else ""
        if m and name in ("ref", "relref"):
            args = parse_args(m.group(3))
            target = (args[0][0] if args[0] else args[1].get("path", "")) if args else ""
            return self._link(c, art, name, target)
        if name in RENDERED and c.alone and shortcode_html(c.text, _md()) is not None:
            return c.text  # rendered by the markdown-it rule (render/shortcodes.py)
        return self._unknown(c, art)

    def _output(self, c: Construct, art: Article) -> str:
        m = _OUTPUT.fullmatch(c.text)
        expr = m.group(1) if m else ""
        if expr == "site.baseurl":
            return self.base_path
        if expr == "site.url":
            return self.base
        filtered = _FILTERED.fullmatch(expr)
        if filtered:
            path = "/" + filtered.group(2).lstrip("/")
            return (self.base_path if filtered.group(3) == "relative_url" else self.base) + path
        return self._unknown(c, art)

    # ------------------------------------------------------------------ links
    def _link(self, c: Construct, art: Article, how: str, target: str) -> str:
        path, _, anchor = target.partition("#")
        keys = self._find(how, path.strip())
        if len(keys) == 1:
            return self.by_key[keys[0]] + (f"#{anchor}" if anchor else "")
        line = art.body_line + c.line - 1
        what = "no article or page" if not keys else f"{len(keys)} files ({', '.join(keys)})"
        self.errors.append(Diagnostic(
            severity="error", code="template-link", path=art.key, line=line,
            message=f"{c.text} links to {what} of this site",
            hint="name the target's file as it is under the content folder (digest list "
                 "shows each article), or write a Markdown link: [text](/2024/05/01/slug/)"))
        return c.text

    def _find(self, how: str, path: str) -> list[str]:
        path = path.lstrip("/")
        if not path or ".." in path.split("/"):
            return []
        if how == "post_url":  # a post's name, folders optional: 2010-07-21-name
            name = PurePosixPath(path).name
            return sorted(k for k in self.by_stem.get(name, ())
                          if "/" not in path or k.rsplit(".", 1)[0].endswith("/" + path))
        content = self.config.content_dir.strip("/") + "/"
        for suffix in _SUFFIXES if how != "link" else ("",):
            whole = path + suffix
            if content + whole in self.by_key:
                return [content + whole]
            # (under the content folder, or the site's when it is the content
            # folder: --content _posts, and {% link _posts/x.md %})
            found = sorted(k for k in self.by_key if k == whole or k.endswith("/" + whole))
            if found:
                return found
        return []

    # ------------------------------------------------------------------ reports
    def _unknown(self, c: Construct, art: Article) -> str:
        self.places.setdefault(c.kind, []).append((art.key, art.body_line + c.line - 1))
        return c.text

    def report(self) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """(warnings: the constructs left as text, one per kind; errors: links
        to nothing), each in a stable order."""
        return template_summary(self.places), sorted(
            self.errors, key=lambda d: (d.path or "", d.line or 0, d.message))


def template_summary(found: dict[str, list[tuple[str, int]]]) -> list[Diagnostic]:
    """One warning per kind of template syntax, naming the first place and the files."""
    out = []
    for kind in sorted(found):
        places = sorted(found[kind])
        files = sorted({p for p, _ in places})
        others = [f for f in files if f != places[0][0]]
        more = f"; also in {', '.join(others[:5])}" + (" ..." if len(others) > 5 else "") \
            if others else ""
        out.append(Diagnostic(
            severity="warning", code="template-syntax",
            message=f"{KIND_NAMES.get(kind, kind)}: {len(places)} in {len(files)} "
                    f"file{'s' if len(files) != 1 else ''}, shown as literal text{more}",
            path=places[0][0], line=places[0][1],
            hint="digest never runs template code; it resolves post_url, link, ref, "
                 "relref, raw, site.baseurl/site.url and renders figure and youtube "
                 "(README, 'Moving an existing site'): rewrite the others as Markdown"))
    return out


def _closed_raws(found: list[Construct]) -> set[int]:
    """Where the ``{% raw %}`` tags that an ``{% endraw %}`` closes start."""
    closed, start = set(), None
    for c in found:
        if start is None and _is_tag(c, "raw"):
            start = c.start
        elif start is not None and _is_tag(c, "endraw"):
            closed.add(start)
            start = None
    return closed


def _is_tag(c: Construct, name: str) -> bool:
    if c.kind != "liquid-tag":
        return False
    m = _TAG.fullmatch(c.text)
    return bool(m and m.group(1) == name and not m.group(2))


def _md():  # noqa: ANN202 - the markdown-it parser, for its link checks
    from digest.site.render.markdown import parser

    return parser()
