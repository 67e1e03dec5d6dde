"""Front-matter keys of pages without a date (About, contact): where they live
and whether the navigation lists them.

A Markdown file with no date in any accepted key and none in its file name is
a *page*, not news (Pelican's ``content/pages/``, Hugo's undated content).  Its
keys, as the generators write them:

- ``url:`` (Hugo, Pelican) or ``permalink:`` (Jekyll): its address, a path on
  this site (``/about/``, ``pages/about.html``); else ``/<slug>/``;
- ``menu: true``, ``nav: true``, Hugo's ``menu: main`` (or a list or mapping
  naming ``main``): listed in the site navigation;
- ``weight:`` (Hugo; or ``menu: {main: {weight: 2}}``): the navigation's order,
  lowest first, then by title.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from digest.errors import Diagnostic

# An undated page's Article.date while it travels with the articles (parse
# cache, workers): build.split_undated takes pages out before anything reads it.
UNDATED = datetime(1970, 1, 1, tzinfo=UTC)
PAGE_KEYS = frozenset({"url", "permalink", "menu", "nav", "weight"})
_UNSAFE = re.compile(r"[\s?#%\\&<>\"'\x00-\x1f\x7f]")


class PageSettings(NamedTuple):
    url: str | None  # site path, or None for /<slug>/
    menu: bool
    weight: int


def page_settings(fields: Mapping[str, Any], key_lines: Mapping[str, int], path: str
                  ) -> tuple[PageSettings, list[Diagnostic]]:
    """The page's settings from its front matter, and the problems (errors)."""
    problems: list[Diagnostic] = []

    def bad(key: str, message: str, hint: str) -> None:
        problems.append(Diagnostic(severity="error", code="front-matter-field", path=path,
                                   line=key_lines.get(key, 1), message=message, hint=hint))

    url = None
    for key in ("url", "permalink"):
        value = fields.get(key)
        if value is None:
            continue
        text = value.strip() if isinstance(value, str) else ""
        where = "/" + text.lstrip("/")
        if not text or "://" in text or text.startswith("//") or _UNSAFE.search(where) \
                or any(part in (".", "..") for part in where.split("/")):
            bad(key, f"{key}: {value!r} is not a path on this site",
                f"write the page's address, e.g. {key}: /about/")
            continue
        if not where.endswith(("/", ".html", ".htm")):
            where += "/"
        if where == "/":
            bad(key, f"{key}: / is the home page's address",
                f"give the page its own address, e.g. {key}: /about/")
            continue
        url = url or where
    menu, weight = _menu(fields.get("menu")), 0
    if menu is None:
        bad("menu", f"menu: {fields.get('menu')!r} is not understood",
            "write menu: true (or Hugo's menu: main) to list the page in the navigation")
        menu = False
    nav = _flag(fields.get("nav"))
    if nav is not None and not isinstance(nav, bool):
        bad("nav", f"nav must be true or false, not {nav!r}", "write nav: true")
    menu = menu or nav is True
    given = fields.get("weight", _menu_weight(fields.get("menu")))
    if isinstance(given, str) and given.strip().lstrip("-").isdigit():
        given = int(given)  # Pelican's metadata are text: Weight: 2
    if given is not None:
        if isinstance(given, bool) or not isinstance(given, int):
            bad("weight", f"weight must be a whole number, not {given!r}",
                "write weight: 10 (lower comes first in the navigation)")
        else:
            weight = given
    return PageSettings(url, menu, weight), problems


def _menu(value: Any) -> bool | None:
    """True/False from the forms ``menu:`` takes; None when not understood."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):  # Hugo's menu name; Pelican's text "true"
        return value.strip().lower() in ("main", "true", "yes")
    if isinstance(value, list):
        return any(isinstance(v, str) and v.strip().lower() == "main" for v in value)
    if isinstance(value, dict):
        return "main" in value
    return None


def _flag(value: Any) -> Any:
    """true/false, also as Pelican's text metadata give them."""
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return value.strip().lower() in ("true", "yes")
    return value


def _menu_weight(value: Any) -> Any:
    """Hugo's ``menu: {main: {weight: 2}}``."""
    if isinstance(value, dict) and isinstance(value.get("main"), dict):
        return value["main"].get("weight")
    return None
