"""engine/access.py: the level a template's pages are fingerprinted at, read
from its source and what it pulls in; render/watch.py: what a render is seen
to read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

import jinja2
import pytest

from digest.engine.access import CARD, FULL, LINKS, SITE, TAINT, template_access
from digest.site.records import Article
from digest.site.render.watch import WatchedIndex, memo_piece, watching

LIST = "{% for a in articles %}<li>{{ a.title }} {{ a.date }}</li>{% endfor %}"


def env_of(**templates: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader(
        {name.replace("__", "."): body for name, body in templates.items()}))


def level(source: str, **others: str) -> int:
    return template_access(env_of(page__html=source, **others), "page.html").level


@pytest.mark.parametrize("source", [
    LIST,
    "{{ articles[0].title }} {{ articles[-1].date }} {{ articles[1:3] | length }}",
    "{{ articles | map(attribute='title') | join(', ') }}",
    "{{ (articles | sort(attribute='date.year'))[0].url }}",
    "{{ article.terms['topics'] }} {{ timeline(articles, 'x') }} {{ edition_url(article) }}",
])
def test_list_templates_are_card(source: str) -> None:
    assert level(source) == CARD


@pytest.mark.parametrize("source", [
    "{% for u in article.related %}{{ u }}{% endfor %}",
    "{{ articles | map(attribute='also_reported') | list }}",
    "{% for m in article['mentions'] %}{{ m.title }}{% endfor %}",
])
def test_templates_showing_links_between_articles_are_links(source: str) -> None:
    assert level(source) == LINKS


@pytest.mark.parametrize("source", [
    "{{ article.related }}{{ article.body }}",
    "{{ article.body }}",
    "{{ article['word_count'] }}",
    "{{ articles | sort(attribute='reading_minutes') | first }}",
    "{{ articles | map(attribute='body') | list }}",
    "{{ articles | selectattr('word_count', 'gt', 100) | list }}",
    "{{ content_of(article) }}",
    "{{ article_ld(article) }} ",
    "{{ article_meta(article) }}",
    # a name computed at render time could be any field
    "{% set f = 'bo' ~ 'dy' %}{{ article | attr(f) }}",
    "{% for k in keys %}{{ article[k] }}{% endfor %}",
    "{{ articles | map(attribute=field) | list }}",
])
def test_templates_that_may_read_the_body_are_full(source: str) -> None:
    assert level(source) == FULL


@pytest.mark.parametrize("source", [
    "{{ site_model.articles | length }}",
    "{{ article.__class__ }}",
    "{{ '{0.body}'.format(article) }}",
    "{% include name %}",
    "{% extends layout %}",
    "{% include 'missing.html' ignore missing %}",
])
def test_templates_that_may_reach_the_whole_site_are_site(source: str) -> None:
    assert level(source) == SITE


def test_level_follows_extends_includes_and_imports() -> None:
    body = "{% macro show(a) %}{{ a.body }}{% endmacro %}"
    assert level("{% extends 'base.html' %}", base__html="{{ content_of(article) }}") == FULL
    assert level("{% include ['a.html', 'b.html'] %}", a__html=LIST,
                 b__html="{{ article.word_count }}") == FULL
    assert level("{% from 'm.html' import show %}{{ show(article) }}", m__html=body) == FULL
    assert level("{% import 'm.html' as m %}", m__html=body) == FULL
    assert level("{% extends 'base.html' %}", base__html=LIST) == CARD
    # a cycle of templates is read once each
    assert level("{% include 'a.html' %}", a__html="{% include 'page.html' %}") == CARD


def test_now_is_noticed_and_results_are_kept() -> None:
    env = env_of(page__html="{{ now }}", other__html=LIST)
    assert template_access(env, "page.html").uses_now
    saved: dict[str, tuple[int, bool]] = {}
    assert not template_access(env, "other.html", saved).uses_now
    assert saved == {"other.html": (CARD, False)}
    # a saved result is taken as it is (the cache namespace covers the sources)
    fresh = env_of(page__html=LIST)
    assert template_access(fresh, "page.html", {"page.html": (SITE, True)}).level == SITE
    assert template_access(env_of(page__html=LIST), "page.html",
                           {"page.html": ("junk", 1)}).level == CARD  # type: ignore[dict-item]


def article(n: int) -> Article:
    return Article(path=PurePosixPath(f"content/a{n}.md"), kind="markdown", title=f"T{n}",
                   date=datetime(2024, 5, n, tzinfo=UTC), slug=f"a{n}", body="Body.",
                   url=f"/a{n}/")


def test_watching_by_url_and_repr() -> None:
    index = WatchedIndex({"/a1/": article(1), "/a2/": article(2)})
    with watching(("/a1/",)) as watch:
        assert "/a1/" in index and index["/a1/"].title == "T1"
    assert watch.need == CARD
    with watching(("/a1/",)) as watch:
        assert index.get("/a2/") is not None
    assert watch.need == SITE
    with watching(()) as watch:
        assert list(index) == ["/a1/", "/a2/"]
    assert watch.need == SITE
    with watching(("/a1/",)) as watch, memo_piece():
        assert "/a1/" in index  # inside a remembered piece: another page may show it
    assert watch.need == TAINT
    with watching(()) as watch:
        text = str(article(1))
    assert "Body." in text and watch.need == TAINT
    assert "Body." in repr(article(1))  # outside a render nothing is watched


def test_rendering_records_what_a_page_needed() -> None:
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "card.html": "{% for a in articles %}{{ a.title }}{% endfor %}",
        "lookup.html": "{{ by_url['/a2/'].title }}",
        "whole.html": "{{ articles[0] }}",
    }))
    from digest.engine.render import render_pages
    from digest.site.records import PageSpec, Site

    arts = (article(1), article(2))
    site = Site(articles=arts, pages=(), feeds=(), by_url={a.url: a for a in arts})
    pages = [PageSpec(path=f"{name}/index.html", url=f"/{name}/", template=f"{name}.html",
                      source="generated", context={"articles": arts})
             for name in ("card", "lookup", "whole")]
    needs: dict[str, int] = {}
    out = render_pages(site, env, pages, lambda a: "", now=datetime(2024, 6, 1, tzinfo=UTC),
                       needs=needs)
    assert out["lookup/index.html"] == b"T2"
    assert needs == {"lookup/index.html": SITE, "whole/index.html": TAINT}
