"""Links in Markdown bodies: extraction, URL normalisation, internal targets.

Links are read from markdown-it tokens (the parser the site is rendered
with), not with a regex, so link syntax inside code spans and fenced code is
never mistaken for a link, and reference-style links are resolved.

Pure: strings in, strings out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from markdown_it import MarkdownIt

# Query parameters that only say where a click came from; two links that
# differ only in these point at the same story.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")
_TRACKING = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "cmpid", "ocid", "smid", "spm",
})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in a body: its target as written and the file line it is on."""

    href: str
    line: int


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Same preset and extensions as digest.site.render.markdown, so the links seen
    # here are the links the rendered page has.
    md = MarkdownIt("commonmark", {"html": False})
    md.enable(["table", "strikethrough"])
    return md


def body_links(body: str, body_line: int = 1) -> list[Link]:
    """Every link (``[text](href)``, ``<autolink>``) in a Markdown body, in order.

    ``body_line`` is the file line the body starts on, so ``Link.line`` is a
    file line.  Images are not links: they are assets, not stories or pages.
    """
    if "[" not in body and "<" not in body:
        return []
    found: list[Link] = []
    for token in _parser().parse(body):
        if token.type != "inline" or not token.children:
            continue
        line = body_line + (token.map[0] if token.map else 0)
        for child in token.children:
            if child.type == "link_open":
                href = child.attrGet("href")
                if isinstance(href, str) and href:
                    found.append(Link(href=href, line=line))
    return found


def is_external(href: str) -> bool:
    return urlsplit(href).scheme.lower() in ("http", "https")


def normalize_url(url: str) -> str:
    """A key under which two spellings of one web address compare equal.

    Drops the scheme difference (http/https), a leading ``www.``, the default
    port, a trailing slash, the fragment and tracking parameters (``utm_*``,
    ``fbclid``, ``gclid``...); the host is lower-cased and the remaining
    query parameters sorted.  Only for comparing: never shown or linked.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    if port is not None and str(port) != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    path = parts.path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _is_tracking(k))
    key = f"//{host}{path}"
    return f"{key}?{urlencode(query)}" if query else key


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING or low.startswith(_TRACKING_PREFIXES)


def is_story_url(url: str) -> bool:
    """True when a URL names a page deeper than a site's home page.

    Links to a home page ("https://belta.by/") recur in many articles without
    being the same story, so duplicate-story checks skip them.
    """
    key = normalize_url(url)
    return "/" in key[2:] or "?" in key


def site_path(href: str, page_url: str, base_url: str) -> str | None:
    """The site path (``/2024/12/20/slug/``) a link points at, or None if it leaves the site.

    Root-relative (``/a/``), page-relative (``../b/``) and absolute links to the
    site's own host (``base_url``) are internal; mailto:, other hosts and bare
    fragments (``#notes``) are not.  Query and fragment are dropped.
    """
    try:
        parts = urlsplit(href)
        base = urlsplit(base_url)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        base_path = base.path if base.path.endswith("/") else base.path + "/"
        own = parts.scheme.lower() in ("http", "https", "") and (
            parts.hostname or "").removeprefix("www.") == (
            base.hostname or "").removeprefix("www.") and parts.path.startswith(base_path)
        return unquote("/" + parts.path[len(base_path):]) if own else None
    if not parts.path:
        return None  # "#section" or "?q": the page itself
    # markdown-it percent-encodes hrefs; output paths are the decoded slugs
    return unquote(urlsplit(urljoin(page_url, parts.path)).path)


def site_paths(output_files: Iterator[str] | list[str]) -> set[str]:
    """URL paths served for the rendered files: ``a/index.html`` serves ``/a/`` too."""
    paths: set[str] = {"/"}
    for rel in output_files:
        paths.add("/" + rel)
        if rel == "index.html" or rel.endswith("/index.html"):
            paths.add("/" + rel[: -len("index.html")])
    return paths


def path_exists(path: str, paths: set[str]) -> bool:
    """Whether a served path exists; ``/a/b`` finds ``/a/b/`` (hosts redirect it)."""
    return path in paths or (not path.endswith("/") and path + "/" in paths)
