"""Memoised pieces of pages: the ``memo`` filter, the helpers the default
theme memoises with, and that each renders exactly what it replaced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pytest
from markupsafe import Markup

from digest import theme
from digest.site.config import parse_config
from digest.site.render.templates import make_environment, meta_elements, per_datetime, url_section

CONFIG = parse_config({"base_url": "https://news.example.org/", "title": "T & Co"})


def env_with(templates: dict[str, str]) -> tuple[jinja2.Environment, list[object]]:
    """An environment of the given templates, with a ``tick(x)`` global that
    records each time a macro body really runs."""
    env = make_environment(jinja2.DictLoader(templates), CONFIG)
    runs: list[object] = []
    env.globals["tick"] = lambda x: runs.append(x) or ""
    return env, runs


class Story:
    def __init__(self, title: str) -> None:
        self.title = title


def test_memo_renders_once_per_arguments_and_returns_the_same_markup() -> None:
    env, runs = env_with({"p.html": (
        "{% macro _li(s) %}{{ tick(s.title) }}<li>{{ s.title }}</li>{% endmacro %}"
        "{% for s in stories %}{{ _li | memo(s) }}{% endfor %}|{{ _li(stories[0]) }}")})
    a, b = Story("a < b"), Story("c")
    page = env.get_template("p.html")
    first = page.render(stories=[a, b, a])
    assert first == "<li>a &lt; b</li><li>c</li><li>a &lt; b</li>|<li>a &lt; b</li>"
    assert runs == ["a < b", "c", "a < b"]  # the last one: the direct call
    # a second page (a new module and macro object) still hits
    assert page.render(stories=[b, a]).startswith("<li>c</li><li>a &lt; b</li>")
    assert runs == ["a < b", "c", "a < b", "c"]  # only the direct call ran again


def test_memo_keys_objects_by_identity_and_strings_by_value() -> None:
    env, runs = env_with({"p.html": (
        "{% macro _m(x) %}{{ tick(x) }}[{{ x }}]{% endmacro %}"
        "{% for x in xs %}{{ _m | memo(x) }}{% endfor %}")})
    same = "".join(["ab", "c"])  # equal to "abc", another object
    out = env.get_template("p.html").render(xs=[[1], [1], 1, True, "abc", same])
    assert out == "[[1]][[1]][1][True][abc][abc]"
    assert runs == [[1], [1], 1, True, "abc"]  # equal lists, 1 and True: apart


def test_memo_never_mixes_macros_of_different_templates() -> None:
    env, _ = env_with({
        "a.html": "{% macro _m(x) %}A{{ x }}{% endmacro %}{{ _m | memo(x) }}",
        "b.html": "{% macro _m(x) %}B{{ x }}{% endmacro %}{{ _m | memo(x) }}",
    })
    assert env.get_template("a.html").render(x="1") == "A1"
    assert env.get_template("b.html").render(x="1") == "B1"


def test_memo_escapes_as_the_calling_template_does() -> None:
    env, _ = env_with({
        "p.html": "{% macro _m(x) %}{{ x }}{% endmacro %}{{ _m | memo(x) }}",
        "p.txt": "{% macro _m(x) %}{{ x }}{% endmacro %}{{ _m | memo(x) }}",
    })
    assert env.get_template("p.html").render(x="<b>") == "&lt;b&gt;"
    assert env.get_template("p.txt").render(x="<b>") == "<b>"


def test_memo_calls_a_plain_callable_every_time() -> None:
    env, runs = env_with({"p.html": "{{ tick | memo(1) }}{{ tick | memo(1) }}"})
    env.get_template("p.html").render()
    assert runs == [1, 1]


@pytest.mark.parametrize("url", ["/", "/topics/", "/topics/energy/", "/topics/energy/page/2/",
                                 "/topicsx/", "/topic/", "/editions/", "/editions/2024-05-01/",
                                 "/search/", "/404.html", "/2024/05/01/a/", "/2024/"])
def test_url_section_answers_every_navigation_comparison_alike(url: str) -> None:
    here = url_section(url)
    for link in ("/", "/topics/", "/editions/", "/search/", "/2024/", "/404.html/"):
        assert (here == link) == (url == link), (url, link)
        if link != "/":  # the navigation asks "below?" of "/<slug>/" links only
            assert here.startswith(link) == url.startswith(link), (url, link)


def test_meta_elements_writes_what_the_template_loop_wrote() -> None:
    env = make_environment(jinja2.DictLoader({"loop.html": (
        "{% for attr, name, content in rows %}\n"
        '<meta {{ attr }}="{{ name }}" content="{{ content }}">\n'
        "{% endfor %}\n")}), CONFIG)
    rows = [("property", "og:title", 'A "quoted" <b>title</b> & more'),
            ("property", "og:title", "again"),
            (Markup("na&amp;me"), "x", Markup("<i>safe</i>")),
            ("na&amp;me", "x", 42), ["property", "og:title", Markup("<i>safe</i>")],
            ("property", "og:title", "<i>safe</i>")]
    expected = env.get_template("loop.html").render(rows=rows)
    for _ in range(2):  # the second time from the cached heads
        assert meta_elements(rows) == expected
    assert meta_elements([]) == ""


def test_per_datetime_tells_equal_instants_apart() -> None:
    utc = datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    local = utc.astimezone(timezone(timedelta(hours=-4)))
    assert utc == local
    iso = per_datetime(datetime.isoformat)
    assert [iso(utc), iso(local), iso(utc)] == [utc.isoformat(), local.isoformat(),
                                                utc.isoformat()]
    # equal wall clock and zone, another instant (fold): not shared either
    ny = ZoneInfo("America/New_York")
    first = datetime(2024, 11, 3, 1, 30, tzinfo=ny)
    second = first.replace(fold=1)
    assert first == second
    assert iso(first) != iso(second)
    # anything else is passed through
    assert per_datetime(str)(5) == "5"


def test_memoised_macro_is_called_like_the_macro_and_renders_once() -> None:
    env, runs = env_with({
        "_m.html": ("{% macro _card(s) %}{{ tick(s.title) }}<li>{{ s.title }}</li>{% endmacro %}"
                    "{% set card = _card | memoised %}"),
        "p.html": ('{% from "_m.html" import card %}'
                   "{% for s in stories %}{{ card(s) }}{% endfor %}{{ card(s=stories[0]) }}"),
    })
    a = Story("a & b")
    out = env.get_template("p.html").render(stories=[a, a])
    assert out == "<li>a &amp; b</li>" * 3
    assert runs == ["a & b", "a & b"]  # once remembered, once with a keyword argument


def test_a_theme_can_override_the_memoised_article_item(tmp_path: Path) -> None:
    site = tmp_path
    custom = site / "themes" / "mine" / "templates"
    custom.mkdir(parents=True)
    (custom / "_macros.html").write_text(
        '{% macro article_item(article) %}<li class="mine">{{ article.title }}</li>{% endmacro %}'
        '{% macro pagination(pager) %}{% endmacro %}')
    env = make_environment(theme.make_loader(theme.theme_dirs(site, "mine")), CONFIG)
    page = env.from_string('{% from "_macros.html" import article_item %}'
                           "{{ article_item(a) }}{{ article_item(a) }}")
    assert page.render(a=Story("x")) == '<li class="mine">x</li>' * 2


def test_forget_pieces_starts_over_and_frees_the_records() -> None:
    """`digest serve` keeps one environment for its previews across builds:
    each new build forgets the pieces (and the records) of the last one."""
    import gc
    import weakref

    from digest.site.render.templates import forget_pieces

    env, runs = env_with({"p.html": (
        "{% macro _li(s) %}{{ tick(s.title) }}<li>{{ s.title }}</li>{% endmacro %}"
        "{{ _li | memo(story) }}")})
    old = Story("old build")
    page = env.get_template("p.html")
    assert page.render(story=old) == "<li>old build</li>"
    assert page.render(story=old) == "<li>old build</li>" and runs == ["old build"]
    kept = weakref.ref(old)
    forget_pieces(env)
    del old
    gc.collect()
    assert kept() is None  # the remembered piece no longer keeps the record alive
    assert page.render(story=Story("new build")) == "<li>new build</li>"
    assert runs == ["old build", "new build"]
