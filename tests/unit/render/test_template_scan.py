"""render/template_scan.py: template syntax is found outside code, never evaluated."""

from __future__ import annotations

import time

from digest.site.render.template_scan import find_constructs
from tests.tools import HANG_GUARD


def kinds(body: str) -> list[tuple[str, int]]:
    return [(c.kind, c.line) for c in find_constructs(body)]


def test_finds_each_kind_with_its_line() -> None:
    body = ("Intro {{ page.title }}\n"
            "{% include figure.html %}\n"
            "text\n"
            '{{< figure src="a.jpg" >}}\n'
            "{{% notice %}}\n")
    assert kinds(body) == [
        ("liquid-output", 1), ("liquid-tag", 2), ("hugo-shortcode", 4), ("hugo-shortcode", 5)]
    assert [c.alone for c in find_constructs(body)] == [False, True, True, True]


def test_multiline_construct_reports_its_first_line() -> None:
    assert kinds("a\n{% if x\n   %}\n{{ y }}") == [("liquid-tag", 2), ("liquid-output", 4)]


def test_plain_text_has_none() -> None:
    assert kinds("No {braces} here, {single} only.\n") == []


def test_fenced_code_is_skipped() -> None:
    body = "```jinja\n{{ example }}\n```\n~~~~\n{% raw %}\n~~~~\nreal {{ x }}\n"
    assert kinds(body) == [("liquid-output", 7)]


def test_code_spans_and_indented_code_are_skipped() -> None:
    body = ("Use `{{ site.url }}` or ``a ` {% tag %}`` here.\n\n"
            "    {{ indented example }}\n\n"
            "- a list item\n\n"
            "      {{ code in the item }}\n\n"
            "> quoted `{% x %}` and {% real %}\n")
    assert [c.text for c in find_constructs(body)] == ["{% real %}"]


def test_unclosed_or_escaped_backticks_are_text() -> None:
    body = "A lone ` then {{ one }}\n\nand \\`{{ two }}\\`\n"
    assert [c.text for c in find_constructs(body)] == ["{{ one }}", "{{ two }}"]


def test_a_span_does_not_cross_paragraphs() -> None:
    body = "open ` here\n\n{{ shown }} and ` there\n"
    assert [c.text for c in find_constructs(body)] == ["{{ shown }}"]


def test_unclosed_braces_are_fast() -> None:
    start = time.perf_counter()
    assert kinds("{{" * 50_000) == []
    assert kinds("`x`\n" + "{{" * 50_000) == []
    assert time.perf_counter() - start < HANG_GUARD
