"""The build checks its own feeds: each one must parse back as XML/JSON."""

from __future__ import annotations

import json
from xml.parsers import expat

from digest.errors import Diagnostic, DigestError
from digest.records import Site


def check_feeds(rendered: dict[str, bytes], site: Site) -> list[Diagnostic]:
    """Parse every feed back; raise DigestError if one is not well-formed."""
    errors = []
    for feed in site.feeds:
        data = rendered[feed.path]
        try:
            if feed.format == "json":
                json.loads(data)
            else:
                parser = expat.ParserCreate()
                parser.Parse(data, True)
        except (expat.ExpatError, ValueError) as exc:
            errors.append(Diagnostic(
                severity="error", code="feed-invalid", path=feed.path,
                message=f"generated feed is not well-formed: {exc}",
                hint="a title or body contains characters XML cannot carry; "
                     "please report this with the article that caused it"))
    if errors:
        raise DigestError(errors)
    return []
