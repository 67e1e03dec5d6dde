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
from collections.abc import Mapping
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
    return name, web_address(m.group(2))


# A person as a mapping (Docsy, jekyll-seo-tag): the first of these keys that
# holds text is the name, the first address key the link.
_NAME_KEYS = ("name", "display_name", "title")
_ADDRESS_KEYS = ("link", "url", "website", "web", "homepage")


def mapped_person(item: Mapping[object, object]) -> tuple[str, str | None] | None:
    """(name shown, http(s) address or None) of ``{name: ..., link: ...}``; None
    when it names no one."""
    name = next((v for k in _NAME_KEYS if isinstance(v := item.get(k), str) and v.strip()),
                None)
    if name is None:
        return None
    address = next((v for k in _ADDRESS_KEYS if isinstance(v := item.get(k), str)), None)
    return " ".join(name.split()), web_address(address.strip()) if address else None


def web_address(url: str) -> str | None:
    """``url`` when it is an http(s) address with a host (never javascript: and
    the like, which would reach the JSON-LD), else None."""
    parts = urlsplit(url)
    ok = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return url if ok else None


def byline(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
