"""The build checks its own output: every feed and sitemap must parse back.

XML feeds and sitemaps must be well-formed; the JSON Feed must be JSON with the
keys JSON Feed 1.1 requires (version, title, items; each item an ``id``
string and ``content_html`` or ``content_text``).  Any failure is an error:
a feed reader that meets a broken feed drops the subscription.

Feed ids derived from the same facts (see ``render.feeds``) get a ``-n``
suffix whose order a file rename can change; each such group is a warning
naming the files, the shared id and the ``id:`` lines that pin it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC
from typing import Any
from xml.parsers import expat

from digest.errors import Diagnostic, DigestError
from digest.site.config import SiteConfig
from digest.site.model import NEWS_SITEMAP, SITEMAP
from digest.site.records import Article, Site
from digest.site.render.feeds import JSON_FEED_VERSION, derived_id, id_collisions


def json_feed_problems(data: Any) -> list[str]:
    """What a JSON Feed 1.1 document lacks (empty when it is valid enough)."""
    if not isinstance(data, dict):
        return ["the top level is not an object"]
    problems = []
    if data.get("version") != JSON_FEED_VERSION:
        problems.append(f"version is not {JSON_FEED_VERSION}")
    if not isinstance(data.get("title"), str):
        problems.append("title is missing")
    items = data.get("items")
    if not isinstance(items, list):
        return [*problems, "items is not a list"]
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"item {n} has no string id")
        elif not (isinstance(item.get("content_html"), str)
                  or isinstance(item.get("content_text"), str)):
            problems.append(f"item {n} has neither content_html nor content_text")
    return problems


def _xml_problem(data: bytes) -> str | None:
    try:
        expat.ParserCreate().Parse(data, True)
    except expat.ExpatError as exc:
        return f"not well-formed XML: {exc}"
    return None


def check_feeds(rendered: Mapping[str, bytes], site: Site, config: SiteConfig,
                collisions: list[tuple[str, ...]] | None = None) -> list[Diagnostic]:
    """Parse every feed and sitemap made in this build back; raise DigestError if
    one is broken.

    Returns warnings (feed ids that are not rename-proof): ``collisions``
    (feeds.id_collisions of ``site.articles``, when already made) or made here."""
    errors = []
    checks = [(f.path, f.format) for f in site.feeds]
    checks += [(p, "xml") for p in rendered
               if p in (SITEMAP, NEWS_SITEMAP) or (p.startswith("sitemap-") and "/" not in p)]
    # A file reused from the last build was checked when that build wrote it,
    # and is still as written (see incremental.with_reused).
    linked = getattr(rendered, "link_source", None)
    for path, fmt in checks:
        if linked is not None and linked(path) is not None:
            continue
        data = rendered[path]
        if fmt == "json":
            try:
                problems = json_feed_problems(json.loads(data))
            except ValueError as exc:
                problems = [f"not valid JSON: {exc}"]
        else:
            problem = _xml_problem(data)
            problems = [problem] if problem else []
        errors += [Diagnostic(
            severity="error", code="feed-invalid", path=path,
            message=f"generated file is broken: {problem}",
            hint="a title or body contains characters the format cannot carry; "
                 "please report this with the article that caused it") for problem in problems]
    if errors:
        raise DigestError(errors)
    by_key = {a.key: a for a in site.articles}
    return [_shared_id_warning([by_key[k] for k in group], config)
            for group in (id_collisions(site.articles) if collisions is None else collisions)]


def _shared_id_warning(members: list[Article], config: SiteConfig) -> Diagnostic:
    """Articles whose derived feed id is the same: the facts they share (a note
    names no agency, so it must not read as sharing one), the id, and the
    ``id:`` lines that pin the numbered ones where they are now."""
    first, rest = members[0], members[1:]
    shared = derived_id(first, config)
    sources = sorted({a.source or "" for a in members})
    if sources == [""]:
        agency = "with no agency"
    elif len(sources) == 1:
        agency = f"from the same agency ({sources[0]})"
    else:  # names that slugify alike ("BelTA", "Belta"), or none and one with no letters
        agency = "with agencies that read alike in the id (" + ", ".join(
            repr(s) if s else "none" for s in sources) + ")"
    url = "the same source_url" if first.source_url else "no source_url"
    if len(rest) == 1:
        numbered = f"{rest[0].key}'s gets a -2 suffix"
    else:
        numbered = f"those of {_names(rest)} get -2, -3... suffixes"
    pins = " and ".join(f"`id: {shared}-{n}` to {a.key}" for n, a in enumerate(rest, start=2))
    return Diagnostic(
        severity="warning", code="feed-id-ambiguous", path=rest[0].key, line=1,
        message=f"{_names(members)} have the same feed id {shared}: "
                f"{'both' if len(members) == 2 else 'all'} published in the minute "
                f"{first.date.astimezone(UTC):%Y-%m-%d %H:%M} UTC, {agency} and {url}; "
                f"{numbered} in order of time and file name, which renaming a file can change",
        hint=f"pin {'it' if len(rest) == 1 else 'them'} in front matter: add {pins} "
             "(`digest new` writes an `id:` for every new note)")


def _names(members: list[Article]) -> str:
    keys = [a.key for a in members]
    return ", ".join(keys[:-1]) + " and " + keys[-1]
