"""Issue 25, rule 5: bodies written for Hugo and Jekyll render as their
authors meant (comments dropped, heading ids, footnotes), and content stays
data (no attribute the attrs plugins could set runs code)."""

from __future__ import annotations

import pytest

from digest.site.render.bodies import body_key
from digest.site.render.markdown import RENDERER_VERSION, render_markdown


@pytest.mark.parametrize("raw_html", [False, True])
def test_html_comments_are_dropped(raw_html: bool) -> None:
    body = ("Before.\n\n<!-- a note to the editor\n\nspanning paragraphs -->\n\n"
            "Inline <!-- hidden --> text.\n\n<!--more-->\n\nAfter.\n")
    html = render_markdown(body, raw_html=raw_html)
    assert html == "<p>Before.</p>\n<p>Inline  text.</p>\n<p>After.</p>\n"


def test_comments_in_code_stay_code() -> None:
    html = render_markdown("`<!-- x -->`\n\n```\n<!-- y -->\n```\n")
    assert html == ("<p><code>&lt;!-- x --&gt;</code></p>\n"
                    "<pre><code>&lt;!-- y --&gt;\n</code></pre>\n")


def test_other_raw_html_is_still_escaped() -> None:
    assert render_markdown("a <b>b</b> <!-- c --> <div>d</div>") == (
        "<p>a &lt;b&gt;b&lt;/b&gt;  &lt;div&gt;d&lt;/div&gt;</p>\n")
    # the comment ends the paragraph, as a comment block does in CommonMark
    assert render_markdown("<div>\n<!-- x -->\n</div>\n") == (
        "<p>&lt;div&gt;</p>\n<p>&lt;/div&gt;</p>\n")


def test_headings_get_stable_unique_ids() -> None:
    html = render_markdown("# Gas talks\n\n## Gas talks\n\n## Gas talks\n\n## Main\n\n"
                           "## Пошлины и квоты\n\n## ?!\n")
    assert html == ('<h1 id="gas-talks">Gas talks</h1>\n'
                    '<h2 id="gas-talks-2">Gas talks</h2>\n'
                    '<h2 id="gas-talks-3">Gas talks</h2>\n'
                    '<h2 id="main-2">Main</h2>\n'  # "main" is the page's own element
                    '<h2 id="пошлины-и-квоты">Пошлины и квоты</h2>\n'
                    '<h2 id="section">?!</h2>\n')


def test_explicit_heading_ids_are_kept_and_reserved() -> None:
    html = render_markdown("## Intro\n\n## Background {#intro}\n\n{#old}\n## Later\n")
    assert html == ('<h2 id="intro-2">Intro</h2>\n'
                    '<h2 id="intro">Background</h2>\n'
                    '<h2 id="old">Later</h2>\n')


@pytest.mark.parametrize("body", [
    '## Title {onclick="alert(1)"}\n',
    '{onclick="alert(1)" style="color:red"}\n## Title\n',
    '[link](https://example.org/){href="javascript:alert(1)" onmouseover="x"}\n',
    '![img](https://example.org/a.png){src="javascript:alert(1)"}\n',
    '`code`{onclick="x"}\n',
])
def test_attributes_are_limited_to_harmless_ones(body: str) -> None:
    html = render_markdown(body)
    assert "onclick" not in html and "onmouseover" not in html and "javascript" not in html
    assert "style" not in html


def test_footnotes() -> None:
    html = render_markdown("Gas prices rose.[^1]\n\n[^1]: Per the ministry.\n")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup>' in html
    assert '<li id="fn1" class="footnote-item"><p>Per the ministry. ' in html
    assert "[^1]" not in html


def test_the_body_cache_key_includes_the_renderer_version() -> None:
    assert RENDERER_VERSION >= 2
    assert body_key("x", False) != body_key("x", True)
    import hashlib
    old_scheme = hashlib.blake2b(b"False\x00x", digest_size=16).hexdigest()
    assert body_key("x", False) != old_scheme  # HTML cached before this change is not reused


def test_raw_html_keeps_heading_and_footnote_ids() -> None:
    html = render_markdown('## Talks\n\nSee.[^1] <span id="x" onclick="y">z</span>\n\n'
                           '[^1]: Note.\n', raw_html=True)
    assert '<h2 id="talks">Talks</h2>' in html and 'id="fnref1"' in html
    assert '<li id="fn1">' in html and '<span id="x">z</span>' in html
    assert "onclick" not in html


@pytest.mark.parametrize("line", [
    "{% if x %}never run{% endif %}", '{% include figure.html src="x.jpg" %}',
    "{% comment %}", "{{ site.baseurl }}", "{}"])
def test_template_constructs_are_not_read_as_attributes(line: str) -> None:
    # the attrs parser reads "{% ... %}" as a comment: it must stay text
    html = render_markdown(f"{line}\n\n## Title {line}\n\n`c`{line}\n")
    escaped = line.replace('"', "&quot;")
    assert html.count(escaped) == 3, html
