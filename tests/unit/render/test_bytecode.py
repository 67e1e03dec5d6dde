"""Compiled templates kept in a cache section (render/templates.SectionBytecode)."""

from __future__ import annotations

import jinja2

from digest.site.config import parse_config
from digest.site.render.templates import SectionBytecode, make_environment

CONFIG = parse_config({"base_url": "https://news.example.org/"})


def test_templates_compile_once_and_follow_their_source() -> None:
    store: dict[str, bytes] = {}
    first = SectionBytecode(store)
    sources = {"page.html": "<p>{{ x }}</p>"}
    env = make_environment(jinja2.DictLoader(sources), CONFIG, first)
    assert env.get_template("page.html").render(x=1) == "<p>1</p>"
    assert first.changed and len(store) == 1
    # a later build: taken from the store, nothing new to keep
    again = SectionBytecode(dict(store))
    env = make_environment(jinja2.DictLoader(sources), CONFIG, again)
    assert env.get_template("page.html").render(x=2) == "<p>2</p>"
    assert not again.changed
    # the source changed: Jinja's checksum drops the old code
    edited = SectionBytecode(dict(store))
    env = make_environment(jinja2.DictLoader({"page.html": "<b>{{ x }}</b>"}), CONFIG, edited)
    assert env.get_template("page.html").render(x=3) == "<b>3</b>"
    assert edited.changed
    # garbage in the store is ignored, not run
    broken = SectionBytecode({key: b"junk" for key in store})
    env = make_environment(jinja2.DictLoader(sources), CONFIG, broken)
    assert env.get_template("page.html").render(x=4) == "<p>4</p>"
