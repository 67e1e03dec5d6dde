"""sources/page_fields.py: the keys of pages without a date, as each generator writes them."""

from __future__ import annotations

import pytest

from digest.site.sources.page_fields import PageSettings, page_settings


@pytest.mark.parametrize(("fields", "want"), [
    ({}, PageSettings(None, False, 0)),
    ({"menu": "main"}, PageSettings(None, True, 0)),                      # Hugo
    ({"menu": ["footer", "main"], "weight": 3}, PageSettings(None, True, 3)),
    ({"menu": {"main": {"weight": 2}}}, PageSettings(None, True, 2)),     # Hugo's mapping
    ({"menu": {"main": {"weight": 2}}, "weight": 5}, PageSettings(None, True, 5)),
    ({"menu": "footer"}, PageSettings(None, False, 0)),                   # another menu
    ({"nav": True, "permalink": "/about/"}, PageSettings("/about/", True, 0)),  # Jekyll
    ({"menu": "true", "weight": "2", "url": "pages/about.html"},          # Pelican's text
     PageSettings("/pages/about.html", True, 2)),
    ({"url": "contact"}, PageSettings("/contact/", False, 0)),
])
def test_settings(fields: dict, want: PageSettings) -> None:
    assert page_settings(fields, {}, "content/about.md") == (want, [])


@pytest.mark.parametrize(("fields", "key"), [
    ({"url": "https://elsewhere.example/about/"}, "url"),
    ({"permalink": "/../etc/"}, "permalink"),
    ({"url": "/"}, "url"),
    ({"menu": 3}, "menu"),
    ({"nav": "sometimes"}, "nav"),
    ({"weight": 1.5}, "weight"),
    ({"weight": True}, "weight"),
])
def test_problems_name_the_key_line(fields: dict, key: str) -> None:
    _, problems = page_settings(fields, {key: 7}, "content/about.md")
    assert [(p.path, p.line, p.severity) for p in problems] == [("content/about.md", 7, "error")]
    assert problems[0].message.startswith(key) and problems[0].hint
