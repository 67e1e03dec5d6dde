"""digest.site.sources.migrate: template syntax is found, never evaluated."""

from __future__ import annotations

import time

from digest.site.sources.migrate import find_template_constructs
from tests.tools import HANG_GUARD


def test_finds_each_kind_with_its_line() -> None:
    body = ("Intro {{ page.title }}\n"
            "{% include figure.html %}\n"
            "text\n"
            '{{< figure src="a.jpg" >}}\n'
            "{{% notice %}}\n")
    assert find_template_constructs(body) == [
        ("liquid-output", 1), ("liquid-tag", 2), ("hugo-shortcode", 4), ("hugo-shortcode", 5)]


def test_multiline_construct_reports_its_first_line() -> None:
    assert find_template_constructs("a\n{% if x\n   %}\n{{ y }}") == [
        ("liquid-tag", 2), ("liquid-output", 4)]


def test_plain_text_has_none() -> None:
    assert find_template_constructs("No {braces} here, {single} only.\n") == []


def test_fenced_code_is_skipped() -> None:
    body = "```jinja\n{{ example }}\n```\n~~~~\n{% raw %}\n~~~~\nreal {{ x }}\n"
    assert find_template_constructs(body) == [("liquid-output", 7)]


def test_unclosed_braces_are_fast() -> None:
    start = time.perf_counter()
    assert find_template_constructs("{{" * 50_000) == []
    assert time.perf_counter() - start < HANG_GUARD
