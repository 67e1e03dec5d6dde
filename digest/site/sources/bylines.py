"""Author fields as real sites write them -> a byline and a list of people.

Hugo and Jekyll themes accept ``author: [A, B]`` and ``authors: [...]``, and
some sites write an author as a Markdown link with an affiliation after it:
``[Ann Lee](https://example.org/ann) (Northwind)``.  digest shows the byline
as plain text ("Ann Lee (Northwind) and Bo Kim") and keeps each person's
name and address for the JSON-LD ``author`` list.

Pure: no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# [Name](url) then anything (the affiliation).  The address may hold one level
# of balanced parentheses, as Markdown allows (…/a_(b)).
_LINK = re.compile(r"\[([^\[\]]+)\]\(\s*((?:[^()\s]|\([^()\s]*\))+)\s*\)\s*(.*)", re.S)


def person(text: str) -> tuple[str, str | None]:
    """(name shown, http(s) address or None) of one author as written."""
    text = " ".join(text.split())
    m = _LINK.fullmatch(text)
    if not m:
        return text, None
    name = " ".join(f"{m.group(1).strip()} {m.group(3).strip()}".split())
    url = m.group(2)
    parts = urlsplit(url)
    ok = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return name, url if ok else None


def byline(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
