"""Theme mistakes explained in digest's words: a missing template (where digest
looked, the closest names) and an undefined name (the expression as written,
the names the value really has).  Every failed build leaves output/ as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.conftest import cli, leftovers, tree_hash, write_files

TEMPLATE = "themes/lakeside/templates/article.html"
PAGE = "(while rendering /2024/05/04/old-bridge-closes-for-repairs/ from " \
       "content/2024/old-bridge-closes-for-repairs.md)"


def fails(site: Path, template: str, name: str = "article.html", **files: str) -> str:
    """Build with ``template`` as the theme's ``name``; the error output."""
    before = tree_hash(site / "output")
    write_files(site, {"digest.yaml": "theme: lakeside\n",
                       f"themes/lakeside/templates/{name}": template, **files})
    run = cli(site, "build")
    assert run.code == 1, run
    assert "Traceback" not in run.err and run.err.endswith(
        "digest: 1 error; nothing was written\n"), run
    assert tree_hash(site / "output") == before and leftovers(site) == []
    return run.err


def test_missing_include_names_the_line_the_places_looked_and_the_closest_name(
        built_site: Path) -> None:
    err = fails(built_site, '{% extends "default/article.html" %}\n{% block main %}\n'
                            '{% include "_macro.html" %}\n{% endblock %}\n')
    assert (f"{TEMPLATE}:3: error: template '_macro.html' not found; looked in "
            "themes/lakeside/templates/ and the built-in default theme") in err
    assert "    hint: did you mean '_macros.html'?\n" in err


def test_misspelt_extends_suggests_the_builtin_name(built_site: Path) -> None:
    err = fails(built_site, '{% extends "defualt/article.html" %}\n')
    assert f"{TEMPLATE}:1: error: template 'defualt/article.html' not found" in err
    assert "hint: did you mean 'default/article.html'" in err


def test_missing_include_with_no_close_name_says_where_to_create_it(built_site: Path) -> None:
    err = fails(built_site, "<p>x</p>\n{% include 'sidebar-widget.html' %}\n",
                name="_footer.html",
                **{TEMPLATE: '{% extends "default/article.html" %}\n'
                             '{% block main %}{% include "_footer.html" %}{% endblock %}\n'})
    assert ("themes/lakeside/templates/_footer.html:2: error: template 'sidebar-widget.html' "
            "not found") in err
    assert ("hint: no template has a similar name: create "
            "themes/lakeside/templates/sidebar-widget.html, or fix the name") in err


def test_undefined_field_of_a_record_names_the_expression_and_the_field(
        built_site: Path) -> None:
    err = fails(built_site, '{% extends "default/article.html" %}\n{% block main %}\n'
                            "<h1>{{ article.source }}</h1>\n<h2>{{ article.titel }}</h2>\n"
                            "{% endblock %}\n")
    assert (f"{TEMPLATE}:4: error: 'article.titel' is undefined: Article has no field "
            f"'titel' {PAGE}\n    hint: did you mean article.title?\n") in err


def test_undefined_field_under_a_loop_variable_and_on_the_site(built_site: Path) -> None:
    err = fails(built_site, '{% extends "default/index.html" %}\n{% block main %}\n'
                            "{% for story in pager.items %}{{ story.sumary }}{% endfor %}\n"
                            "{% endblock %}\n", name="index.html")
    assert ("themes/lakeside/templates/index.html:3: error: 'story.sumary' is undefined: "
            "Article has no field 'sumary'") in err
    assert "hint: did you mean story.summary?" in err
    err = fails(built_site, '{% extends "default/article.html" %}\n'
                            "{% block title %}{{ site.titel }}{% endblock %}\n")
    assert f"{TEMPLATE}:2: error: 'site.titel' is undefined: SiteConfig has no field" in err
    assert "hint: did you mean site.title?" in err


def test_undefined_variable_suggests_a_variable_or_a_field(built_site: Path) -> None:
    err = fails(built_site, '{% extends "default/article.html" %}\n'
                            "{% block title %}{{ titel }}{% endblock %}\n")
    assert (f"{TEMPLATE}:2: error: 'titel' is undefined: no variable of this page has that "
            "name") in err
    assert "hint: did you mean article.title?" in err
    err = fails(built_site, '{% extends "default/article.html" %}\n'
                            "{% block title %}{{ artcle.title }}{% endblock %}\n")
    assert f"{TEMPLATE}:2: error: 'artcle' is undefined" in err
    assert "hint: did you mean article" in err
    err = fails(built_site, '{% extends "default/article.html" %}\n'
                            "{% block title %}{{ zzz }}{% endblock %}\n")
    hint = next(line for line in err.splitlines() if "hint:" in line)
    assert hint.startswith("    hint: this page has: article, ") and "site" in hint
    assert "lipsum" not in hint  # Jinja's own helpers are not listed


def test_undefined_key_of_extra_lists_the_keys_and_the_default_filter(
        built_site: Path) -> None:
    write_files(built_site, {"content/2024/old-bridge-closes-for-repairs.md": (
        "---\ntitle: Old bridge closes for repairs\ndate: 2024-05-04T08:00:00+02:00\n"
        "subtitle: Works until autumn\n---\n\nThe footbridge is closed until the autumn.\n")})
    err = fails(built_site, '{% extends "default/article.html" %}\n'
                            "{% block title %}{{ article.extra['subtitel'] }}{% endblock %}\n")
    assert (f"{TEMPLATE}:2: error: 'article.extra.subtitel' is undefined: article.extra has "
            "no key 'subtitel'") in err
    assert ("hint: did you mean article.extra.subtitle?; for a key only some have, write "
            "{{ article.extra.subtitel | default('') }}") in err


@pytest.mark.parametrize(("template", "code", "text"), [
    ('{% include "nope-at-all.html" %}\n', "template-missing", "'nope-at-all.html' not found"),
    ("{{ article.titel }}\n", "template-undefined", "'article.titel' is undefined"),
])
def test_check_reports_theme_mistakes_with_their_own_code(
        built_site: Path, template: str, code: str, text: str) -> None:
    write_files(built_site, {"digest.yaml": "theme: lakeside\n", TEMPLATE: template})
    run = cli(built_site, "check", "--format", "json")
    assert run.code == 1, run
    [diag] = [d for d in json.loads(run.out)["diagnostics"] if d["code"] == code]
    assert diag["path"] == TEMPLATE and diag["line"] == 1 and text in diag["message"]
