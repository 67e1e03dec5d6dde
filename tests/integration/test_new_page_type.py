"""A newcomer's page type: a function in model/, a template, this test; no engine code.

The README promises that adding a page type touches neither digest/engine/ nor
digest/output/.  Here a "word count" page (every article with its title and
date, and how many words it has) is added the way a contributor would add it
to digest/site/model/ (one more PageSpec from assemble) with its template in
the site's theme, and the fast engine's incremental rebuilds after edits are
compared with the plain engine's cold build, byte for byte.  The page reads a
body-derived field (word_count) through its template: the fast engine's
template access levels must notice that on their own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.engine import PlainEngine
from digest.pipeline import BuildOptions, build
from digest.site import model
from digest.site.records import Article, PageSpec, Site
from tests.integration.conftest import note, write_files
from tests.integration.engines import edits_stay_exact, files_of

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
TEMPLATE = """<!doctype html><title>Words</title>
<ul>{% for a in articles %}<li>{{ a.title }} ({{ a.date.date() }}): {{ a.word_count }} words</li>
{% endfor %}</ul>
"""


def _with_word_page(assemble):  # noqa: ANN001, ANN202 - model.assemble and its wrapper
    """assemble, plus the new page type (as one more line in model/__init__.py would)."""

    def assemble_more(articles: tuple[Article, ...], config, *more) -> Site:  # noqa: ANN001
        site = assemble(articles, config, *more)
        ordered = model.sort_newest_first(articles)
        page = PageSpec(path="words/index.html", url="/words/", template="words.html",
                        source="generated: word counts", context={"articles": ordered})
        return Site(articles=site.articles, pages=(*site.pages, page), feeds=site.feeds,
                    by_url=site.by_url)

    return assemble_more


def test_a_new_page_type_needs_no_engine_code(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "assemble", _with_word_page(model.assemble))
    site = tmp_path / "site"
    write_files(site, {
        "digest.yaml": "base_url: https://news.example.org/\n",
        "themes/default/templates/words.html": TEMPLATE,
        "content/a.md": note("Grain exports resume", "2024-05-01", "Ships left the port."),
        "content/b.md": note("Rail link reopens", "2024-05-02", "Trains ran again today."),
    })
    options = BuildOptions(now=NOW, search=False, jobs=1)
    first = files_of(build(site, options, engine=PlainEngine()))
    assert b"Ships" not in first["words/index.html"]
    got = edits_stay_exact(site, options, [
        {"content/a.md": note("Grain exports resume", "2024-05-01",
                              "Ships left the port in the morning, loaded with wheat.")},
        {"content/b.md": note("Rail link reopens for freight", "2024-05-02",
                              "Trains ran again today.")},
        {"content/c.md": note("Port strike ends", "2024-05-03", "Dockers went back.")},
    ])
    assert b"Ships left the port in the morning" not in got["words/index.html"]
    assert b"10 words" in got["words/index.html"]  # the edited body's count, not a stale one
