"""The build checks its own output: every feed and sitemap must parse back.

XML feeds and sitemaps must be well-formed; the JSON Feed must be JSON with the
keys JSON Feed 1.1 requires (version, title, items; each item an ``id``
string and ``content_html`` or ``content_text``).  Any failure is an error:
a feed reader that meets a broken feed drops the subscription.

Feed ids derived from the same facts (see ``render.feeds``) get a ``-n``
suffix whose order a file rename can change; each such group is a warning.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.parsers import expat

from digest.errors import Diagnostic, DigestError
from digest.model import NEWS_SITEMAP, SITEMAP
from digest.records import Site
from digest.render.feeds import JSON_FEED_VERSION, id_collisions


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


def check_feeds(rendered: Mapping[str, bytes], site: Site) -> list[Diagnostic]:
    """Parse every feed and sitemap made in this build back; raise DigestError if
    one is broken.

    Returns warnings (feed ids that are not rename-proof)."""
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
    return [Diagnostic(
        severity="warning", code="feed-id-ambiguous", path=group[0],
        message=f"{len(group)} articles share agency and minute, so their feed ids are "
                f"numbered by time and file name: {', '.join(group)}",
        hint="add a unique `id:` line to the front matter of all but the first, "
             "so renaming a file never re-announces it in feed readers")
            for group in id_collisions(site.articles)]
