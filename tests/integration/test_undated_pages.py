"""Issue 25 rule 8: pages without a date (About, corrections policy, contact).

Fixtures in each generator's shape (written here, not copied from real
sites): a Pelican page in content/pages/ with its metadata header, a Hugo page
bundle with ``menu: main`` and ``weight``, a Jekyll page with ``permalink:``.
Each gets its own URL and a sitemap entry, the navigation when asked, and no
place in feeds, editions, archives, term pages, related links or search.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest

from digest.engine import PlainEngine
from digest.pipeline import BuildOptions, build
from tests.integration.conftest import cli, make_site, note, write_files
from tests.integration.engines import edits_stay_exact, files_of
from tests.tools.vnu import validate_html

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
CONFIG = "title: Lake Desk\nbase_url: https://news.example.org/\n"
PELICAN = ("Title: About the desk\nSlug: about\nSummary: Who writes this digest.\n\n"
           "We follow the lake towns.  Our *ferry* coverage is daily.\n")
HUGO = ("---\ntitle: Contact\nmenu: main\nweight: 1\ntags: [ferry]\naliases: [/contact-us/]\n---\n\n"
        "Write to the desk about the ferry.\n")
JEKYLL = ("---\nlayout: page\ntitle: Corrections policy\npermalink: /policies/corrections/\n"
          "nav: true\nweight: 5\n---\n\nWe correct ferry errors openly.\n")
ARTICLES = {
    "content/ferry-runs.md": note("Ferry runs again", "2024-05-02", "The ferry runs again.",
                                  tags="[ferry]"),
    "content/ferry-late.md": note("Ferry runs late", "2024-05-03", "The ferry runs late again.",
                                  tags="[ferry]"),
}
PAGES = {"content/pages/about.md": PELICAN, "content/contact/index.md": HUGO,
         "content/corrections.md": JEKYLL}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {**ARTICLES, **PAGES}, config=CONFIG)


def plain(site: Path, **options: object) -> dict[str, bytes]:
    opts = BuildOptions(now=NOW, search=False, jobs=1, **options)  # type: ignore[arg-type]
    return files_of(build(site, opts, engine=PlainEngine()))


def nav_links(html: bytes) -> list[tuple[str, str]]:
    doc = lxml.html.fromstring(html)
    return [(a.get("href"), a.text_content()) for a in doc.xpath("//nav[@class='site-nav']//a")]


def test_each_generators_page_gets_its_own_url(site: Path) -> None:
    files = plain(site)
    about = lxml.html.fromstring(files["about/index.html"])
    assert about.xpath("//h1")[0].text_content() == "About the desk"
    assert about.xpath("//meta[@name='description']")[0].get("content") == \
        "Who writes this digest."
    assert "<em>ferry</em>" in files["about/index.html"].decode()
    assert b"Write to the desk" in files["contact/index.html"]  # the bundle's folder name
    assert b"We correct ferry errors" in files["policies/corrections/index.html"]
    assert not any(p.startswith("1970/") for p in files)  # no trace of a placeholder date


def test_pages_are_in_the_sitemap_and_nowhere_articles_are(site: Path) -> None:
    files = plain(site)
    sitemap = files["sitemap.xml"].decode()
    for url in ("/about/", "/contact/", "/policies/corrections/"):
        assert f"https://news.example.org{url}</loc>" in sitemap
    for name in ("feed.xml", "atom.xml", "feed.json", "tags/ferry/feed.xml"):
        if name.endswith(".json"):
            assert b"about" not in files[name]
        else:
            titles = [e.title for e in feedparser.parse(files[name]).entries]
            assert sorted(titles) == ["Ferry runs again", "Ferry runs late"], name
    shown = ("Contact", "About the desk", "Corrections policy", "We correct")
    for path, body in files.items():
        if path.endswith(".html") and path not in ("about/index.html", "contact/index.html",
                                                   "policies/corrections/index.html"):
            main = lxml.html.fromstring(body).xpath("//main")
            text = main[0].text_content() if main else ""
            assert not any(s in text for s in shown), path  # home, editions, archives, terms
    assert b"news-sitemap" in files["robots.txt"] and b"/about/" not in files["news-sitemap.xml"]
    assert b"data-pagefind-body" not in files["about/index.html"]  # search leaves it out


def test_a_pages_old_address_redirects_to_it(site: Path) -> None:
    files = plain(site)
    old = lxml.html.fromstring(files["contact-us/index.html"])
    assert old.xpath("//link[@rel='canonical']/@href") == ["https://news.example.org/contact/"]
    assert b"/contact-us/ /contact/ 301" in files["_redirects"]
    assert "/contact-us/" not in files["sitemap.xml"].decode()


def test_navigation_lists_pages_that_ask_by_weight_then_title(site: Path) -> None:
    files = plain(site)
    links = nav_links(files["index.html"])
    pages = [link for link in links if link[0] in ("/contact/", "/policies/corrections/",
                                                   "/about/")]
    assert pages == [("/contact/", "Contact"), ("/policies/corrections/", "Corrections policy")]
    assert nav_links(files["contact/index.html"]) == links  # the same bar on every page
    current = lxml.html.fromstring(files["contact/index.html"]).xpath(
        "//nav//a[@aria-current='page']")
    assert [a.get("href") for a in current] == ["/contact/"]


def test_page_html_is_valid(site: Path, tmp_path: Path) -> None:
    files = plain(site)
    out = tmp_path / "out"
    write_files(out, {p: files[p] for p in ("about/index.html", "contact/index.html")})
    assert validate_html([out / "about/index.html", out / "contact/index.html"]) == []


def test_drafts_rule_applies_to_pages(site: Path) -> None:
    write_files(site, {"content/pages/about.md": PELICAN.replace("\n\n", "\nStatus: draft\n\n",
                                                                 1)})
    assert "about/index.html" not in plain(site)
    assert "about/index.html" in plain(site, drafts=True)


def test_a_page_at_an_articles_address_is_a_collision(site: Path) -> None:
    write_files(site, {"content/corrections.md": JEKYLL.replace(
        "/policies/corrections/", "/2024/05/02/ferry-runs/")})
    run = cli(site, "build")
    assert run.code == 1, run
    assert "content/corrections.md" in run.err and "content/ferry-runs.md" in run.err
    assert "url-collision" in run.err or "would write" in run.err
    kept = cli(site, "build", "--keep-going")
    assert kept.code == 0, kept
    assert "content/corrections.md: warning: its URL /2024/05/02/ferry-runs/" in kept.err
    assert not (site / "output/2024/05/02/ferry-runs/index.html").exists()


def test_bad_page_keys_are_reported_at_their_line(site: Path) -> None:
    write_files(site, {"content/contact/index.md": HUGO.replace("weight: 1", "weight: first")
                       .replace("menu: main", "url: https://elsewhere.example/")})
    run = cli(site, "build")
    assert run.code == 1
    assert "content/contact/index.md:3: error: url: 'https://elsewhere.example/' is not a path" \
        in run.err
    assert "content/contact/index.md:4: error: weight must be a whole number" in run.err


def test_a_clipping_without_a_date_is_still_an_error(site: Path) -> None:
    write_files(site, {"content/wire.txt": "Ferry fares rise\n\nFares rise by a tenth.\n"})
    run = cli(site, "build")
    assert run.code == 1 and "content/wire.txt" in run.err


def test_list_and_check_take_pages_in_their_stride(site: Path) -> None:
    listed = cli(site, "list")
    assert listed.code == 0, listed
    assert "Ferry runs again" in listed.out and "1970" not in listed.out
    write_files(site, {"content/contact/index.md": HUGO + "\nSee [the ferry](/2024/05/02/"
                       "ferry-runs/) and [the old one](/2023/01/01/gone/).\n"})
    checked = cli(site, "check", "--format", "json")
    assert "Traceback" not in checked.err, checked
    broken = [(d["path"], d["line"], d["message"]) for d in json.loads(checked.out)[
        "diagnostics"] if d["code"] == "broken-link"]
    # a page's links are checked as an article's are
    assert broken == [("content/contact/index.md", 11,
                       "link to /2023/01/01/gone/ leads to no page of the site")]


def test_incremental_builds_equal_cold_ones_after_page_edits(site: Path) -> None:
    options = BuildOptions(now=NOW, search=False, jobs=1)
    got = edits_stay_exact(site, options, [
        {"content/pages/about.md": PELICAN.replace("daily", "hourly")},
        {"content/contact/index.md": HUGO.replace("weight: 1", "weight: 9")},
        {"content/pages/about.md": PELICAN.replace("daily", "hourly").replace(
            "Slug: about\n", "Slug: about\nMenu: true\nWeight: 7\n")},
    ])
    assert b"hourly" in got["about/index.html"]
    links = [h for h, _ in nav_links(got["index.html"])]
    # weights 5 (corrections), 7 (about, Pelican's text metadata), 9 (contact)
    assert [h for h in links if h in ("/about/", "/contact/", "/policies/corrections/")] == \
        ["/policies/corrections/", "/about/", "/contact/"]
