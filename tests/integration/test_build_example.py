"""Issue 2: the output tree of a build, checked against `digest list --json`.

The repository's example site is copied to a temporary folder and built once
in a fresh process; small temporary sites cover pagination and file rules.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.integration.conftest import (
    ARTICLE_URL,
    Run,
    article_links,
    cli,
    copy_example_site,
    h1_text,
    main_links,
    make_site,
    note,
    output_files,
    paged_article_links,
    parse_html,
    run_digest,
)
from tests.tools.feeds import parse_feed

SUMMARY = re.compile(r"^Built (\d+) articles, (\d+) pages, (\d+) feeds \((\d+) files\) "
                     r"into output/ in (\d+\.\d\d) s$", re.MULTILINE)


class Example:
    def __init__(self, root: Path, build: Run, listed: list[dict], with_drafts: list[dict]):
        from digest.site.config import load_config

        self.config = load_config(root)
        self.root = root
        self.out = root / "output"
        self.build = build
        self.listed = listed
        self.with_drafts = with_drafts

    def page(self, url: str) -> str:
        return (self.out / url.lstrip("/") / "index.html").read_text(encoding="utf-8")

    def doc(self, url: str):  # noqa: ANN201 - lxml element
        return parse_html(self.out / url.lstrip("/") / "index.html")

    def paged_links(self, url: str) -> list[str]:
        """Article links of a paginated list, following page/2/, page/3/..."""
        return paged_article_links(self.out, url, self.config.per_page)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    root = copy_example_site(tmp_path_factory.mktemp("example") / "site")
    build = run_digest(root, "build", "-v")
    assert build.code == 0, build
    listed = run_digest(root, "list", "--json")
    assert listed.code == 0, listed
    drafts = run_digest(root, "list", "--json", "--drafts")
    assert drafts.code == 0, drafts
    return Example(root, build, json.loads(listed.out), json.loads(drafts.out))


# ------------------------------------------------------------------ the tree

def test_home_pages_list_every_article_once(example: Example) -> None:
    ordered = sorted(example.listed, key=lambda a: (-datetime.fromisoformat(a["date"])
                                                    .timestamp(), a["url"]))
    assert ordered[0]["url"] in article_links(example.doc("/"))
    links = example.paged_links("/")
    assert sorted(links) == sorted(a["url"] for a in ordered)  # every one, exactly once
    # after the first page the list runs newest first
    rest = article_links(example.doc("/page/2/")) if (example.out / "page/2").is_dir() else []
    assert rest == [a["url"] for a in ordered if a["url"] in rest]


def test_every_listed_article_has_its_page(example: Example) -> None:
    assert len(example.listed) >= 10
    for art in example.listed:
        assert art["url"].startswith("/") and art["url"].endswith("/"), art["url"]
        page = example.out / art["url"].lstrip("/") / "index.html"
        assert page.is_file(), f"{art['path']} -> {art['url']} has no page"
        assert h1_text(parse_html(page)) == " ".join(art["title"].split()), art["url"]


def test_no_page_without_a_listed_article(example: Example) -> None:
    """Dated pages under output/<year>/ are exactly the listed articles."""
    urls = {a["url"] for a in example.listed}
    pages = {"/" + str(p.parent.relative_to(example.out).as_posix()) + "/"
             for p in example.out.glob("2*/**/index.html")}
    assert {u for u in pages if ARTICLE_URL.match(u)} == urls


def test_drafts_are_absent(example: Example) -> None:
    drafts = [a for a in example.with_drafts if a["draft"]]
    assert drafts, "the example site should contain a draft"
    assert not any(a["draft"] for a in example.listed)
    listed_paths = {a["path"] for a in example.listed}
    feeds = (example.out / "feed.xml").read_text(encoding="utf-8")
    home = (example.out / "index.html").read_text(encoding="utf-8")
    for draft in drafts:
        assert draft["path"] not in listed_paths
        assert not (example.out / draft["url"].lstrip("/")).exists(), draft["url"]
        assert draft["url"] not in feeds and draft["url"] not in home
        assert html.escape(draft["title"], quote=False) not in home


def test_subfolders_and_both_source_kinds_are_read(example: Example) -> None:
    paths = [a["path"] for a in example.listed]
    assert any(p.startswith("content/2024/11/") for p in paths)
    assert any(p.startswith("content/2024/12/") for p in paths)
    kinds = {a["kind"] for a in example.listed}
    assert kinds == {"markdown", "clipping"}


def test_tag_pages_and_overview(example: Example) -> None:
    overview = example.doc("/tags/")
    tagged: dict[str, set[str]] = {}
    for art in example.listed:
        for label in art["terms"].get("tags", []):
            tagged.setdefault(label, set()).add(art["url"])
    assert tagged, "the example articles carry tags"
    links = {h for h in main_links(overview) if re.fullmatch(r"/tags/[^/]+/", h)}
    assert len(links) == len(tagged)
    for url in links:
        page = example.doc(url)
        label = h1_text(page)
        assert label in tagged, label
        links = example.paged_links(url)
        assert len(links) == len(set(links))
        assert set(links) == tagged[label], url
        assert (example.out / url.lstrip("/") / "feed.xml").is_file()
        assert (example.out / url.lstrip("/") / "atom.xml").is_file()


def test_pages_link_to_their_feeds(example: Example) -> None:
    for path in example.out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text:
            continue  # an old address (aliases): it sends the reader on at once
        if path.name == "email.html":
            continue  # an edition as mail: mail clients have no use for feed links
        assert re.search(r'<link rel="alternate" type="application/rss\+xml"[^>]*'
                         r'href="/feed.xml"', text), path
        assert re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*'
                         r'href="/atom.xml"', text), path
    term = example.page("/tags/energy/")
    assert 'href="/tags/energy/feed.xml"' in term and 'rel="alternate"' in term


# ------------------------------------------------------------------ feeds (basic)

@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_site_feeds_parse_back(example: Example, name: str) -> None:
    parsed = parse_feed(example.out / name)
    expected = sorted(example.listed, key=lambda a: (-datetime.fromisoformat(a["date"])
                                                     .timestamp(), a["url"]))[:20]
    assert len(parsed.entries) == len(expected)
    links = [e.link for e in parsed.entries]
    assert all(link.startswith(("http://", "https://")) for link in links), links
    assert [link.split("/", 3)[3] for link in links] == [a["url"][1:] for a in expected]
    stamps = [e.get("published_parsed") or e.get("updated_parsed") for e in parsed.entries]
    assert all(stamps) and stamps == sorted(stamps, reverse=True)
    raw = (example.out / name).read_text(encoding="utf-8")
    if name == "feed.xml":
        dates = re.findall(r"<pubDate>([^<]+)</pubDate>", raw)
        assert dates and all(re.search(r" [+-]\d{4}$", d) for d in dates), dates
    else:
        dates = re.findall(r"<(?:updated|published)>([^<]+)</", raw)
        assert dates and all(datetime.fromisoformat(d).utcoffset() is not None for d in dates)


# ------------------------------------------------------------------ list --json, summary

def test_list_json_fields(example: Example) -> None:
    for art in example.listed:
        for key in ("path", "url", "title", "date", "terms", "summary", "source"):
            assert key in art, key
        assert art["path"].startswith("content/")
        assert datetime.fromisoformat(art["date"]).utcoffset() is not None, art["date"]
        assert isinstance(art["terms"], dict)
        assert all(isinstance(v, list) for v in art["terms"].values())
        assert isinstance(art["summary"], str) and art["summary"]
    assert any(a["source"] for a in example.listed)


def test_summary_line_matches_the_tree(example: Example) -> None:
    match = SUMMARY.search(example.build.out)
    assert match, example.build
    articles, pages, feeds, files = map(int, match.groups()[:4])
    assert articles == len(example.listed)
    written = [f for f in output_files(example.root) if f != ".digest-build"]
    assert files == len(written)
    # web pages: an edition's email.html is mail (digest email sends it), not a page
    assert pages == sum(f.endswith(".html") and not f.endswith("/email.html") for f in written)
    assert any(f.endswith("/email.html") for f in written)
    assert feeds == sum(f.rsplit("/", 1)[-1] in ("feed.xml", "atom.xml", "feed.json")
                        for f in written)
    for stage in ("config", "parse", "render"):  # -v: stage timings
        assert re.search(rf"^\s+{stage}\s+\d+\.\d+ s$", example.build.err, re.MULTILINE), stage


# ------------------------------------------------------------------ small sites

def test_tag_pagination(tmp_path: Path) -> None:
    files = {f"content/harbour-report-number-{i}.md": note(
                 f"Harbour report number {i}", f"2024-06-0{i}T10:00:00+00:00", tags="[harbour]")
             for i in range(1, 6)}
    site = make_site(tmp_path / "s", files, config="per_page: 2\n")
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    out = site / "output"
    pages = [out / "tags/harbour/index.html", out / "tags/harbour/page/2/index.html",
             out / "tags/harbour/page/3/index.html"]
    assert all(p.is_file() for p in pages)
    assert not (out / "tags/harbour/page/4").exists()
    assert not (out / "tags/harbour/page/1").exists()
    seen = paged_article_links(out, "/tags/harbour/", per_page=2)
    assert len(article_links(parse_html(pages[0]))) == 2
    numbers = [re.search(r"number-(\d)/$", u).group(1) for u in seen]
    assert numbers == ["5", "4", "3", "2", "1"]  # newest first, each exactly once
    second = parse_html(pages[1])
    assert second.xpath("//a[@rel='prev']/@href") == ["/tags/harbour/"]
    assert second.xpath("//a[@rel='next']/@href") == ["/tags/harbour/page/3/"]
    home = paged_article_links(out, "/", per_page=2)  # the home page paginates too
    assert sorted(home) == sorted(seen) and (out / "page/2/index.html").is_file()
    overview = parse_html(out / "tags/index.html")
    assert "/tags/harbour/" in main_links(overview)


def test_ignored_names_and_subfolders(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {
        "content/deep/er/still/kept.md": note("Kept in a deep folder", "2024-02-01"),
        "content/_partial.md": note("Underscore file", "2024-02-02"),
        "content/.hidden.md": note("Hidden file", "2024-02-03"),
        "content/.git/stuff.md": note("Hidden folder", "2024-02-04"),
        "content/notes.md~": note("Editor backup", "2024-02-05"),
        "content/readme.rst": "not an article",
        "content/_drafts/kept_too.md": note("Underscore folder is read", "2024-02-06"),
    })
    run = cli(site, "list", "--json")
    assert run.code == 0, run
    titles = sorted(a["title"] for a in json.loads(run.out))
    assert titles == ["Kept in a deep folder", "Underscore folder is read"]
    build = cli(site, "build", "-q")
    assert build.code == 0, build
    assert (site / "output/2024/02/01/kept/index.html").is_file()  # slug from the file name
    text = "".join(p.read_text(encoding="utf-8") for p in (site / "output").rglob("*.html"))
    for absent in ("Underscore file", "Hidden file", "Hidden folder", "Editor backup"):
        assert absent not in text


def test_quiet_build_prints_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Quiet", "2024-01-01")})
    run = cli(site, "build", "-q")
    assert run.code == 0 and run.out == "" and run.err == "", run
