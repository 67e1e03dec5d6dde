"""URLs and output paths: permalinks, term URLs, collision detection."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import replace
from pathlib import PurePosixPath

from digest.errors import Diagnostic, OutputCollisionError
from digest.site.config import SiteConfig
from digest.site.model.languages import place
from digest.site.records import Article
from digest.site.slugs import slugify


def permalink(article: Article, config: SiteConfig, slug: str | None = None) -> str:
    """The article's URL path from the permalink pattern, dated in the site time zone."""
    local = article.date.astimezone(config.tz)
    return config.permalink.format(
        year=f"{local.year:04d}", month=f"{local.month:02d}", day=f"{local.day:02d}",
        slug=article.slug if slug is None else slug)


def assign_urls(articles: Iterable[Article], config: SiteConfig,
                among: Iterable[PurePosixPath | str] | None = None) -> tuple[Article, ...]:
    """Return the articles with ``url``, ``lang`` and ``translations`` set
    (recordcopy: a copy without __init__; languages: model/languages.py).
    ``among``: the paths of every article of the site, when ``articles`` are
    not all of them."""
    return place(tuple(articles), config, lambda a, slug: permalink(a, config, slug), among)


def drop_colliding(articles: tuple[Article, ...]
                   ) -> tuple[tuple[Article, ...], list[Diagnostic]]:
    """``--keep-going``: the articles without those whose URLs collide (every
    one of a colliding group: which one the curator meant is not known), and a
    warning for each file dropped, naming the others."""
    groups: dict[str, list[Article]] = {}
    for art in articles:
        groups.setdefault(collision_key(output_path(art.url)), []).append(art)
    dropped = {id(a) for group in groups.values() if len(group) > 1 for a in group}
    if not dropped:
        return _drop_shared_aliases(articles)
    diags = []
    for group in groups.values():
        if len(group) < 2:
            continue
        paths = sorted(str(a.path) for a in group)
        for path in paths:
            others = ", ".join(p for p in paths if p != path)
            diags.append(Diagnostic(
                severity="warning", code="url-collision", path=path,
                message=f"its URL {group[0].url} is also that of {others} "
                        "(skipped: --keep-going)",
                hint="give one of them a different `slug:` in its front matter"))
    kept, more = _drop_shared_aliases(tuple(a for a in articles if id(a) not in dropped))
    return kept, sorted(diags + more, key=lambda d: d.path or "")


def _drop_shared_aliases(articles: tuple[Article, ...]
                         ) -> tuple[tuple[Article, ...], list[Diagnostic]]:
    """``--keep-going``: an old address (``aliases``, ``redirect_from``) that two
    sources claim, or that is another source's own address, is dropped from
    every source claiming it (no redirect is made there; the sources are
    built), with a warning each.  Jekyll keeps one of the two redirects
    without saying which; digest does not choose."""
    own = {collision_key(output_path(a.url)) for a in articles}
    claims: dict[str, list[Article]] = {}
    for art in articles:
        for alias in art.aliases:
            claims.setdefault(collision_key(output_path(alias)), []).append(art)
    shared = {key for key, group in claims.items() if len(group) > 1 or key in own}
    if not shared:
        return articles, []
    diags, out = [], []
    for art in articles:
        lost = [a for a in art.aliases if collision_key(output_path(a)) in shared]
        if not lost:
            out.append(art)
            continue
        for alias in lost:
            others = sorted({str(o.path) for o in claims[collision_key(output_path(alias))]
                             if o is not art})
            whose = ", ".join(others) if others else "a page of the site"
            diags.append(Diagnostic(
                severity="warning", code="url-collision", path=str(art.path),
                message=f"its old address {alias} is also claimed by {whose}: no redirect "
                        "is made there (skipped: --keep-going)",
                hint="keep the old address in one file's aliases/redirect_from only"))
        out.append(replace(art, aliases=tuple(a for a in art.aliases if a not in lost)))
    return tuple(out), diags


def term_slug(label: str, config: SiteConfig, taxonomy: str) -> str:
    """Slug of a term: the vocabulary's explicit slug, else slugify(label)."""
    tax = config.taxonomy(taxonomy)
    if tax is not None:
        for term in tax.terms:
            if term.label == label:
                return term.slug
    return slugify(label) or "term"


def term_url(taxonomy: str, label: str, config: SiteConfig) -> str:
    return f"/{taxonomy}/{term_slug(label, config, taxonomy)}/"


def output_path(url: str) -> str:
    """Map a URL path to the file written: ``/a/b/`` -> ``a/b/index.html``."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        return path + "index.html"
    return path


def collision_key(path: str) -> str:
    """Two output paths that one file system may treat as the same file share a key.

    Case-insensitive file systems (macOS, Windows; Netlify's CDN is not, but a
    curator's laptop is) and NFC/NFD forms of the same letters collide.
    """
    if path.isascii():  # most paths: NFC changes nothing, casefold is lower()
        return path.lower()
    return unicodedata.normalize("NFC", path).casefold()


def check_collisions(owners: Iterable[tuple[str, str]]) -> None:
    """Raise OutputCollisionError when two sources produce the same output path.

    ``owners`` yields (output path, source description).  Every source involved
    in every collision is listed.
    """
    seen: dict[str, list[tuple[str, str]]] = {}
    for path, source in owners:
        seen.setdefault(collision_key(path), []).append((path, source))
    # A file and a folder of the same name cannot both exist: `/feed.xml/` (an
    # article with slug "feed.xml") would need feed.xml to be a folder.  Every
    # path under a folder k sorts at or after k + "/" and before k + "0" ("0"
    # follows "/"), so one bisection per path finds whether any is a folder of
    # another; walking every path's parent folders cost a fifth of assembling
    # 10,000 articles.
    keys = sorted(seen)
    for key in keys:
        below = bisect_left(keys, key + "/")
        if below < len(keys) and keys[below].startswith(key + "/"):
            seen[key].append(seen[keys[below]][0])
    diags = []
    for entries in seen.values():
        sources = sorted({s for _, s in entries})
        if len(entries) < 2:
            continue
        paths = sorted({p for p, _ in entries})
        diags.append(Diagnostic(
            severity="error", code="url-collision", path=sources[0],
            message=f"{len(entries)} sources would write {' / '.join(paths)}: "
                    + ", ".join(sources),
            hint="give one of them a different `slug:` in its front matter"))
    if diags:
        raise OutputCollisionError(sorted(diags, key=lambda d: d.path or ""))
