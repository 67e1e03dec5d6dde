"""Issue 7: every page of the example site is valid HTML (Nu HTML Checker), the
theme satisfies the Content-Security-Policy of netlify.toml by construction (no
inline scripts, styles or event handlers), and netlify.toml is complete."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from digest.site.render.timeline import describe, timeline_svg, weekly_counts
from tests.integration.theme_support import build_example, html_pages, netlify_config
from tests.tools import REPO_ROOT
from tests.tools.vnu import validate_html

THEME = REPO_ROOT / "themes" / "default"


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("valid") / "output")


def test_every_page_is_valid_html(output: Path) -> None:
    pages = html_pages(output)
    assert len(pages) > 40, "the example site should have many pages"
    kinds = {p.relative_to(output).parts[0] for p in pages}
    assert {"index.html", "404.html", "topics", "search"} <= kinds
    errors = validate_html(pages)
    assert not errors, "\n".join(e.replace(str(output), "output") for e in errors)


def _inline_code(doc: lxml.html.HtmlElement) -> list[str]:
    """What a CSP without 'unsafe-inline' would block in one document."""
    found = [f"<{el.tag}> with a style attribute" for el in doc.xpath("//*[@style]")]
    found += ["<style> element" for _ in doc.xpath("//style")]
    found += [f"event handler {a} on <{el.tag}>" for el in doc.xpath("//*")
              for a in el.attrib if a.lower().startswith("on")]
    for script in doc.xpath("//script"):
        if (script.get("type") or "").lower() in ("application/ld+json", "application/json"):
            continue  # data blocks: never executed
        src = script.get("src") or ""
        if not src or (script.text or "").strip():
            found.append("inline <script>")
        elif not src.startswith("/"):
            found.append(f"script from another origin: {src}")
    found += [f"stylesheet from another origin: {href}"
              for href in doc.xpath("//link[@rel='stylesheet']/@href") if not href.startswith("/")]
    found += [f"javascript: URL {href}" for href in doc.xpath("//@href")
              if href.strip().lower().startswith("javascript:")]
    return found


def test_no_inline_scripts_styles_or_handlers(output: Path) -> None:
    problems = []
    for path in html_pages(output):
        if path.name == "email.html":
            continue  # an edition as mail: inline styles are what mail clients read
        doc = lxml.html.document_fromstring(path.read_text(encoding="utf-8"))
        problems += [f"{path.relative_to(output)}: {p}" for p in _inline_code(doc)]
    assert not problems, "\n".join(problems[:40])


def test_inline_code_check_catches_what_csp_blocks() -> None:
    bad = lxml.html.document_fromstring(
        '<html><head><style>p{}</style><script>x()</script>'
        '<script type="application/ld+json">{}</script></head><body>'
        '<p style="color:red" onclick="y()"><a href="javascript:z()">z</a></p></body></html>')
    found = " | ".join(_inline_code(bad))
    for what in ("style attribute", "<style>", "onclick", "inline <script>", "javascript:"):
        assert what in found
    assert found.count("inline <script>") == 1  # the JSON-LD data block is allowed


def test_pages_link_the_theme_assets(output: Path) -> None:
    home = (output / "index.html").read_text(encoding="utf-8")
    css = re.search(r'<link rel="stylesheet" href="(/[^"]+\.css)"', home)
    assert css, "the home page links no stylesheet"
    assert (output / css.group(1).lstrip("/")).is_file()
    search = (output / "search" / "index.html").read_text(encoding="utf-8")
    script = re.search(r'<script type="module" src="(/[^"]+\.js)"', search)
    assert script and (output / script.group(1).lstrip("/")).is_file()


def test_stylesheet_has_dark_mode_and_system_fonts_only() -> None:
    css = (THEME / "static" / "style.css").read_text(encoding="utf-8")
    assert "@media (prefers-color-scheme: dark)" in css
    assert "@import" not in css and "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), "no remote resources"
    # one breakpoint-free base plus at least one wide-screen refinement
    assert re.search(r"@media \(min-width: [\d.]+rem\)", css)


def test_templates_have_no_inline_code() -> None:
    for path in sorted((THEME / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        if path.name == "email.html":  # the mail's CSS, inlined at render (no script there)
            assert "<script" not in text and not re.search(r"\son[a-z]+=", text)
            continue
        assert "<style" not in text, f"{path.name}: <style>"
        assert not re.search(r"\sstyle=", text), f"{path.name}: style attribute"
        assert not re.search(r"\son[a-z]+=", text), f"{path.name}: event handler attribute"
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or "ld+json" in tag, f"{path.name}: inline {tag}"


# ------------------------------------------------------------------ netlify.toml

def test_netlify_build_settings() -> None:
    config = netlify_config()
    build = config["build"]
    assert build["publish"] == "output"
    assert re.fullmatch(r"pip install (\.|'\.\[search\]') && digest build", build["command"])
    assert build["environment"]["PYTHON_VERSION"] == "3.11"


def test_netlify_security_headers() -> None:
    rules = {rule["for"]: rule["values"] for rule in netlify_config()["headers"]}
    site = rules["/*"]
    assert site["X-Content-Type-Options"] == "nosniff"
    assert site["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer",
                                       "same-origin", "strict-origin")
    csp = dict((part.split(None, 1) + [""])[:2]
               for part in (p.strip() for p in site["Content-Security-Policy"].split(";")) if part)
    assert csp["default-src"] == "'self'"
    assert "'unsafe-inline'" not in site["Content-Security-Policy"]
    assert "'unsafe-eval'" not in csp["script-src"].split()
    assert csp["script-src"].split() == ["'self'", "'wasm-unsafe-eval'"]  # Pagefind's wasm
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"


def test_netlify_cache_headers() -> None:
    rules = {rule["for"]: rule["values"] for rule in netlify_config()["headers"]}
    for path in ("/pagefind/:shard/index/*", "/pagefind/:shard/fragment/*"):  # hashed names
        assert rules[path]["Cache-Control"] == "public, max-age=31536000, immutable"
    static = rules["/static/*"]["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", static).group(1))
    assert 0 < max_age <= 86400, "unfingerprinted assets get a moderate cache"


# ---------------------------------------------------------------- topic timeline

MINSK = ZoneInfo("Europe/Minsk")


def _arts(*stamps: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(date=datetime.fromisoformat(s)) for s in stamps]


def test_weekly_counts_fill_gaps_and_use_the_site_time_zone() -> None:
    # Sunday 22:30 UTC is already Monday in Minsk (UTC+3): the next week there.
    arts = _arts("2024-11-03T22:30:00+00:00", "2024-11-05T10:00:00+03:00",
                 "2024-11-20T10:00:00+03:00")
    weeks = weekly_counts([a.date for a in arts], MINSK)
    assert [(d.isoformat(), c) for d, c in weeks] == [
        ("2024-11-04", 2), ("2024-11-11", 0), ("2024-11-18", 1)]
    in_utc = weekly_counts([a.date for a in arts], UTC)
    assert in_utc[0][0].isoformat() == "2024-10-28"
    assert weekly_counts([], MINSK) == []


def test_timeline_svg_markup_and_description() -> None:
    arts = _arts("2024-12-20T10:00:00+03:00", "2024-12-19T10:00:00+03:00",
                 "2024-11-05T10:00:00+03:00")
    svg = timeline_svg(arts, MINSK, label="Energy & <Gas>")
    doc = lxml.html.fragment_fromstring(svg)
    assert doc.tag == "svg" and doc.get("role") == "img"
    title_id, desc_id = doc.get("aria-labelledby").split()
    title = doc.xpath(f"//*[@id='{title_id}']")[0].text
    assert title == "Articles per week about Energy & <Gas>"
    desc = doc.xpath(f"//*[@id='{desc_id}']")[0].text
    assert desc.startswith("3 articles about Energy & <Gas> over 7 weeks")
    assert "busiest week, starting 16 December 2024, had 2 articles" in desc
    assert len(doc.xpath("//rect[@class='timeline-bar']")) == 2
    assert len(doc.xpath("//rect[@class='timeline-empty']")) == 5
    assert "style=" not in svg and "<script" not in svg
    assert "&lt;Gas&gt;" in svg  # escaped


def test_timeline_edge_cases() -> None:
    assert timeline_svg([], MINSK) == ""
    one_week = _arts("2024-12-16T10:00:00+03:00", "2024-12-18T10:00:00+03:00")
    assert timeline_svg(one_week, MINSK, min_weeks=2) == ""
    assert "all in the week of 16 December 2024" in timeline_svg(one_week, MINSK)
    assert describe([], "Energy") == "No articles about Energy yet."
    start = datetime(2020, 1, 6, 12, tzinfo=UTC)
    long = [SimpleNamespace(date=start + timedelta(weeks=w)) for w in range(0, 400, 3)]
    svg = timeline_svg(long, UTC)
    assert "earlier weeks are not shown" in svg
    assert svg.count("<rect") == 156
    assert "busiest week: 1 article" in svg


def test_topic_pages_show_the_timeline(output: Path) -> None:
    shown = 0
    for page in sorted(output.glob("topics/*/index.html")):
        text = page.read_text(encoding="utf-8")
        if '<svg class="timeline"' in text:
            shown += 1
            assert '<figure class="timeline-figure">' in text
    assert shown >= 1


def test_bodies_from_other_generators_stay_valid(tmp_path: Path) -> None:
    # issue 25: heading ids (one clashing with the page's own "main"), explicit
    # ids, footnotes and comments, on the article page that shows them
    from digest.pipeline import BuildOptions, build
    from tests.integration.conftest import make_site, note

    body = ("Intro.[^1] <!-- editor's note -->\n\n## Main\n\n## Main\n\n"
            "## Background {#old-anchor}\n\n{#kept}\n## Later\n\n"
            "[^1]: The ministry said so.\n")
    site = make_site(tmp_path / "site", {"content/talks.md": note("Talks", "2024-12-20",
                                                                  body)})
    result = build(site, BuildOptions(now=datetime(2024, 12, 24, tzinfo=UTC)))
    html = result.rendered["2024/12/20/talks/index.html"].decode()
    page = tmp_path / "talks.html"
    page.write_text(html, encoding="utf-8")
    assert 'id="main-2"' in html and 'id="main-3"' in html and 'id="old-anchor"' in html
    assert "editor" not in html and 'id="fn1"' in html
    assert validate_html([page]) == []
