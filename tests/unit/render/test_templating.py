"""render/templating.py and render/shortcodes.py: static constructs resolved, nothing run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

from digest.site.config import SiteConfig
from digest.site.records import Article
from digest.site.render.markdown import render_markdown
from digest.site.render.shortcodes import parse_args
from digest.site.render.templating import Resolver

CONFIG = SiteConfig(base_url="https://news.example.org/lake/")
WHEN = datetime(2024, 5, 1, tzinfo=UTC)


def art(path: str, url: str, body: str = "Text.") -> Article:
    return Article(path=PurePosixPath(path), kind="markdown", title="T", date=WHEN,
                   slug=url.strip("/").rsplit("/", 1)[-1] or "x", body=body, url=url,
                   body_line=5)


TARGETS = [art("content/_posts/2024-05-01-ferry.md", "/2024/05/01/ferry/"),
           art("content/posts/pier/index.md", "/2024/05/02/pier/"),
           art("content/a/2024-05-03-twin.md", "/2024/05/03/twin/"),
           art("content/b/2024-05-03-twin.md", "/2024/05/03/twin-2/")]


def resolve(body: str) -> tuple[str, Resolver]:
    resolver = Resolver(TARGETS, CONFIG)
    return resolver.body(art("content/x.md", "/x/", body)), resolver


def test_site_variables_and_url_filters() -> None:
    out, r = resolve("{{ site.baseurl }}/a {{site.url}} {{ '/b/' | relative_url }} "
                     '{{ "c.png" | absolute_url }} {{- site.baseurl -}}')
    assert out == ("/lake/a https://news.example.org/lake /lake/b/ "
                   "https://news.example.org/lake/c.png /lake")
    assert r.report() == ([], [])


def test_links_by_name_path_and_anchor() -> None:
    out, r = resolve('{% post_url 2024-05-01-ferry %} {% link _posts/2024-05-01-ferry.md %} '
                     '{{< ref "posts/pier" >}} {{< relref "pier/index.md#quay" >}} '
                     "{% post_url a/2024-05-03-twin %}")
    assert out == ("/2024/05/01/ferry/ /2024/05/01/ferry/ /2024/05/02/pier/ "
                   "/2024/05/02/pier/#quay /2024/05/03/twin/")
    assert r.report() == ([], [])


def test_ambiguous_or_missing_targets_are_errors_at_their_lines() -> None:
    body = "One\n\n{% post_url 2024-05-03-twin %}\n{{< ref ../secret >}}"
    out, r = resolve(body)
    assert out == body  # left as written
    warnings, errors = r.report()
    assert warnings == []
    assert [(e.line, e.code) for e in errors] == [(7, "template-link"), (8, "template-link")]
    assert "2 files (content/a/2024-05-03-twin.md, content/b/2024-05-03-twin.md)" in \
        errors[0].message


def test_raw_keeps_its_content_and_escapes_shortcode_lines() -> None:
    out, r = resolve('{%- raw -%}\n{{ page.title }} {% post_url nowhere %}\n\n'
                     '{{< figure src="/a.jpg" >}}\n{% endraw %}\nafter {{ site.url }}')
    assert out == ('\n{{ page.title }} {% post_url nowhere %}\n\n\\{{< figure src="/a.jpg" >}}'
                   "\n\nafter https://news.example.org/lake")
    assert r.report() == ([], [])
    assert "<figure>" not in render_markdown(out)


def test_an_unclosed_raw_is_text_and_reported() -> None:
    out, r = resolve("{% raw %}\n\n{{ site.url }} {% post_url 2024-05-01-ferry %}")
    assert out == "{% raw %}\n\nhttps://news.example.org/lake /2024/05/01/ferry/"
    warnings, errors = r.report()
    assert [(w.line, w.message.split(":")[0]) for w in warnings] == [
        (5, "Liquid tags ({% ... %})")] and errors == []


def test_hugo_shown_shortcode_is_text() -> None:
    out, r = resolve('{{</* figure src="/a.jpg" */>}}')
    assert out == '\\{{< figure src="/a.jpg" >}}' and r.report() == ([], [])
    assert render_markdown(out) == '<p>{{&lt; figure src=&quot;/a.jpg&quot; &gt;}}</p>\n'


def test_unknown_constructs_are_counted_per_kind_with_their_lines() -> None:
    out, r = resolve("{% include a.html %}\n\n{{ page.date }} `{{ in code }}`\n\n"
                     "{{< tweet 1 >}} and inline {{< figure src=\"/a.jpg\" >}}\n\n"
                     '{{< figure caption="no src" >}}')
    warnings, errors = r.report()
    assert errors == []
    assert [(w.path, w.line, w.message.split(":")[0]) for w in warnings] == [
        ("content/x.md", 9, "Hugo shortcodes ({{< ... >}}, {{% ... %}})"),
        ("content/x.md", 7, "Liquid output tags ({{ ... }})"),
        ("content/x.md", 5, "Liquid tags ({% ... %})")]
    assert "3 in 1 file" in warnings[0].message  # tweet, an inline figure, a figure without src


def test_a_body_without_constructs_is_the_same_object() -> None:
    a = art("content/y.md", "/y/", "Plain {braces} text.")
    assert Resolver(TARGETS, CONFIG).articles((a,))[0] is a


def test_figure_values_are_escaped_and_links_checked() -> None:
    html = render_markdown('{{< figure src="/a.jpg" title="<b>T</b>" caption="A & B" '
                           'link="https://example.org/x?a=1&b=2" alt="\\"q\\"" >}}')
    assert html == ('<figure><a href="https://example.org/x?a=1&amp;b=2"><img src="/a.jpg" '
                    'alt="&quot;q&quot;"></a><figcaption><span class="title">&lt;b&gt;T&lt;/b&gt;'
                    '</span><span class="caption">A &amp; B</span></figcaption></figure>\n')
    assert "<figure>" not in render_markdown('{{< figure src="javascript:alert(1)" >}}')
    assert "youtube" not in render_markdown("{{< youtube \"bad id!\" >}}").replace(
        "{{&lt; youtube", "")


def test_shortcode_arguments() -> None:
    assert parse_args(' "a b" c=d e="f \\"g\\"" h=`i j`') == (
        ["a b"], {"c": "d", "e": 'f "g"', "h": "i j"})
    assert parse_args(' "unclosed') is None
