"""Site themes: override or extend the built-in templates; static files merge."""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import cli, h1_text, parse_html, tree_hash, write_files

ARTICLE = "output/2024/05/04/old-bridge-closes-for-repairs/index.html"


def test_theme_extends_the_builtin_template(site: Path) -> None:
    write_files(site, {
        "digest.yaml": "theme: lakeside\n",
        "themes/lakeside/templates/article.html": (
            '{% extends "default/article.html" %}\n'
            "{% block title %}LAKESIDE · {{ article.title }}{% endblock %}\n"),
    })
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    doc = parse_html(site / ARTICLE)
    assert doc.xpath("//title")[0].text_content() == "LAKESIDE · Old bridge closes for repairs"
    assert h1_text(doc) == "Old bridge closes for repairs"  # the rest is the default's
    assert "The footbridge is closed until the autumn." in doc.text_content()
    # templates the theme does not have come from the built-in theme
    home = parse_html(site / "output/index.html")
    assert "LAKESIDE" not in home.xpath("//title")[0].text_content()
    assert "/2024/05/04/old-bridge-closes-for-repairs/" in home.xpath("//main//a/@href")


def test_theme_overrides_base_for_every_page(site: Path) -> None:
    write_files(site, {
        "digest.yaml": "theme: plain\n",
        "themes/plain/templates/base.html": (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><title>plain</title></head>\n"
            "<body><main>{% block main %}{% endblock %}</main>"
            "<footer>plain theme footer</footer></body></html>\n"),
    })
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    # every web page; an edition's email.html is mail, with a layout of its own
    pages = [p for p in (site / "output").rglob("*.html") if p.name != "email.html"]
    assert len(pages) > 5
    for page in pages:
        assert "plain theme footer" in page.read_text(encoding="utf-8"), page


def test_theme_static_files_merge_and_win(site: Path) -> None:
    from digest.theme import builtin_theme_dir

    write_files(site, {
        "digest.yaml": "theme: lakeside\n",
        "themes/lakeside/static/style.css": "body { color: teal; }\n",
        "themes/lakeside/static/img/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
        "themes/lakeside/static/.secret": "never copied\n",
    })
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    static = site / "output/static"
    assert (static / "style.css").read_text(encoding="utf-8") == "body { color: teal; }\n"
    assert (static / "img/logo.svg").is_file()
    assert not (static / ".secret").exists()
    builtin = builtin_theme_dir() / "static"
    for path in builtin.rglob("*"):  # every other built-in asset is still there
        if path.is_file() and not path.name.startswith("."):
            assert (static / path.relative_to(builtin)).is_file(), path


def test_missing_theme_is_a_clear_error(built_site: Path) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {"digest.yaml": "theme: harbour\n"})
    run = cli(built_site, "build")
    assert run.code == 1, run
    assert "theme 'harbour' not found" in run.err
    assert "themes/harbour/" in run.err
    assert "hint:" in run.err
    assert tree_hash(built_site / "output") == before


def test_unknown_theme_is_reported_with_the_other_setting_errors(built_site: Path) -> None:
    before = tree_hash(built_site / "output")
    write_files(built_site, {
        "digest.yaml": "title: Lakeside\ntheme: harbur\nper_page: 0\n",
        "themes/harbour/templates/.keep": "",
        "themes/lakeside/static/style.css": "body { color: teal; }\n",
    })
    for command in ("build", "check"):
        run = cli(built_site, command)
        assert run.code == 1, run
        said = run.err + run.out
        assert "digest.yaml:3: error: 'per_page' must be at least 1" in said, run
        assert "digest.yaml:2: error: theme 'harbur' not found" in said, run
        assert ("hint: did you mean 'theme: harbour'? themes available: "
                "default (built in), harbour, lakeside") in said, run
    assert tree_hash(built_site / "output") == before
    write_files(built_site, {"digest.yaml": "theme: fancy\n"})
    run = cli(built_site, "build")
    assert "digest.yaml:1: error: theme 'fancy' not found" in run.err, run
    assert "create themes/fancy/templates/" in run.err and "harbour, lakeside" in run.err


def test_default_theme_without_a_themes_folder(site: Path) -> None:
    assert not (site / "themes").exists()
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    assert (site / "output/static/style.css").is_file()


def test_content_is_never_template_source(site: Path) -> None:
    write_files(site, {"content/braces-site-title-in-a-title.md": (
        "---\ntitle: \"Braces {{ site.title }} in a title\"\ndate: 2024-05-08\n---\n\n"
        "Literal {{ 7 * 7 }} and {% if true %}tags{% endif %} stay as written.\n")})
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    text = parse_html(site / "output/2024/05/08/braces-site-title-in-a-title/index.html"
                      ).text_content()
    assert "Braces {{ site.title }} in a title" in text
    assert "Literal {{ 7 * 7 }} and {% if true %}tags{% endif %} stay as written." in text
    assert "49" not in text
