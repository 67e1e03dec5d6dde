"""The fast preview of digest serve (digest/serve/preview.py), with the real pipeline.

An edited article's page is re-rendered against the last build at once; any
change that would move or add pages, or that does not parse, is left to the
full build (None).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import theme
from digest.pipeline import BuildOptions, build
from digest.serve.preview import preview_pages
from digest.site.render.templates import make_environment

NOW = datetime(2025, 1, 1, tzinfo=UTC)
OPTIONS = BuildOptions(now=NOW, cache=False, search=False, jobs=1)


def note(title: str, date: str, body: str, **extra: str) -> str:
    fields = "".join(f"{k}: {v}\n" for k, v in extra.items())
    return f"---\ntitle: {title}\ndate: {date}\n{fields}---\n\n{body}\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "digest.yaml").write_text("title: Preview digest\n", encoding="utf-8")
    (root / "content" / "ferry.md").write_text(note(
        "Ferry resumes", "2024-12-20T10:00:00+00:00",
        "The ferry crossing resumes after the storm.", tags="[transport]"), encoding="utf-8")
    (root / "content" / "market.md").write_text(note(
        "Market opens", "2024-12-19T09:00:00+00:00",
        "The winter market opens on the square.", tags="[economy]"), encoding="utf-8")
    return root


def preview(site: Path, *changed: str) -> dict[str, bytes] | None:
    last = build(site, OPTIONS)
    env = make_environment(theme.make_loader(theme.theme_dirs(site, last.config.theme)),
                           last.config)
    return preview_pages(last, env, site, [str(site / c) for c in changed], NOW)


def test_an_edited_article_page_is_rendered_as_the_full_build_renders_it(site: Path) -> None:
    path = site / "content" / "ferry.md"
    last = build(site, OPTIONS)
    env = make_environment(theme.make_loader(theme.theme_dirs(site, last.config.theme)),
                           last.config)
    path.write_text(note("Ferry resumes at dawn", "2024-12-20T10:00:00+00:00",
                         "The ferry crossing resumes after the storm.\n\nA new paragraph.",
                         tags="[transport, weather]"), encoding="utf-8")
    pages = preview_pages(last, env, site, [str(path)], NOW)
    assert pages is not None and list(pages) == ["2024/12/20/ferry/index.html"]
    html = pages["2024/12/20/ferry/index.html"]
    assert b"Ferry resumes at dawn" in html and b"A new paragraph." in html
    assert b"/tags/weather/" in html  # the new tag is linked (its page comes with the build)
    # Nothing site-wide changed here, so the exact build renders the very same page.
    assert build(site, OPTIONS).rendered["2024/12/20/ferry/index.html"] == html


def _write(site: Path, name: str, text: str) -> str:
    (site / "content" / name).write_text(text, encoding="utf-8")
    return name


CASES = {
    "a new date moves the article (URL, lists, editions)": lambda s: _write(
        s, "ferry.md", note("Ferry resumes", "2024-12-22T10:00:00+00:00", "Moved.")),
    "does not parse: the full build reports it": lambda s: _write(
        s, "ferry.md", "---\ntitle: [\n---\n"),
    "now a draft: leaves the site": lambda s: _write(
        s, "ferry.md", note("Ferry resumes", "2024-12-20T10:00:00+00:00", "D.", draft="true")),
    "now scheduled: leaves the site": lambda s: _write(
        s, "ferry.md", note("Ferry resumes", "2025-06-01T10:00:00+00:00", "Later.")),
    "deleted": lambda s: (s / "content/ferry.md").unlink() or "ferry.md",
    "a new article": lambda s: _write(
        s, "new.md", note("New", "2024-12-20T11:00:00+00:00", "New.")),
}


@pytest.mark.parametrize("why", sorted(CASES))
def test_changes_that_move_pages_wait_for_the_full_build(site: Path, why: str) -> None:
    last = build(site, OPTIONS)
    env = make_environment(theme.make_loader(theme.theme_dirs(site, last.config.theme)),
                           last.config)
    name = CASES[why](site)
    assert preview_pages(last, env, site, [str(site / "content" / name)], NOW) is None, why


def test_files_outside_the_content_folder_are_never_previewed(site: Path) -> None:
    assert preview(site, "digest.yaml") is None
    assert preview(site, "content/.ferry.md.swp") is None


def test_a_term_spelt_in_another_case_keeps_the_label_of_the_last_build(site: Path) -> None:
    path = site / "content" / "ferry.md"
    last = build(site, OPTIONS)
    env = make_environment(theme.make_loader(theme.theme_dirs(site, last.config.theme)),
                           last.config)
    # market.md (older) writes "economy": the exact build shows that spelling
    path.write_text(note("Ferry resumes", "2024-12-20T10:00:00+00:00",
                         "The ferry crossing resumes after the storm.",
                         tags="[transport, ECONOMY]"), encoding="utf-8")
    pages = preview_pages(last, env, site, [str(path)], NOW)
    assert pages is not None
    html = pages["2024/12/20/ferry/index.html"]
    assert b">economy<" in html and b"ECONOMY" not in html
    assert build(site, OPTIONS).rendered["2024/12/20/ferry/index.html"] == html


def test_an_edited_translation_is_previewed_in_its_language(tmp_path: Path) -> None:
    """The preview places the article among the last build's paths (its
    language, its /<lang>/ URL) and keeps its translations (model/languages.py)."""
    root = tmp_path / "site"
    for rel, text in {"en/ferry.md": note("Ferry resumes", "2024-12-20T10:00:00+00:00",
                                          "The ferry crossing resumes."),
                      "de/ferry.md": note("Die Fähre fährt", "2024-12-20T10:00:00+00:00",
                                          "Die Fähre fährt wieder.")}.items():
        (root / "content" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / rel).write_text(text, encoding="utf-8")
    last = build(root, OPTIONS)
    env = make_environment(theme.make_loader(theme.theme_dirs(root, last.config.theme)),
                           last.config)
    path = root / "content" / "de" / "ferry.md"
    path.write_text(note("Die Fähre fährt wieder", "2024-12-20T10:00:00+00:00", "Ab heute."),
                    encoding="utf-8")
    pages = preview_pages(last, env, root, [str(path)], NOW)
    assert pages is not None and list(pages) == ["de/2024/12/20/ferry/index.html"]
    html = pages["de/2024/12/20/ferry/index.html"].decode()
    assert '<html lang="de">' in html and "Die Fähre fährt wieder" in html
    assert 'hreflang="en" lang="en">English</a>' in html
    assert build(root, OPTIONS).rendered["de/2024/12/20/ferry/index.html"] == html.encode()


def test_a_preview_resolves_links_by_name_as_the_full_build_does(site: Path) -> None:
    # issue 25: {% post_url %} and {{< ref >}} name other articles and pages
    (site / "content" / "about.md").write_text("---\ntitle: About\n---\n\nThe desk.\n",
                                               encoding="utf-8")
    last = build(site, OPTIONS)
    env = make_environment(theme.make_loader(theme.theme_dirs(site, last.config.theme)),
                           last.config)
    path = site / "content" / "ferry.md"
    path.write_text(note("Ferry resumes", "2024-12-20T10:00:00+00:00",
                         'See the [market]({{< ref "market.md" >}}) and [us]({% link about.md %}).',
                         tags="[transport]"), encoding="utf-8")
    pages = preview_pages(last, env, site, [str(path)], NOW)
    assert pages is not None
    # (the exact build may also relate them: the preview keeps the last build's links)
    body = b'<p>See the <a href="/2024/12/19/market/">market</a> and <a href="/about/">us</a>.'
    assert body in pages["2024/12/20/ferry/index.html"]
    assert body in build(site, OPTIONS).rendered["2024/12/20/ferry/index.html"]
