"""Promise 4: content is data, never code.

Checklist 3 (python tags, sentinel), 4 (alias bomb, oversized front matter),
5 (silent coercions, duplicate keys), 6 (impossible dates, naive dates in the
site zone), 10 (raw HTML escaped / sanitised with nh3), 11 (dangerous links),
12 (hostile text in <title>, attributes, JSON-LD, feeds; template syntax never
evaluated), 24 (.txt templates), plus the hostile-corpus end-to-end build.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import feedparser
import lxml.html
import pytest

from tests.hardening.corpus import (
    HOSTILE_TITLE,
    SENTINEL,
    hostile_files,
    output_problems,
)
from tests.integration.conftest import cli, make_site, note, run_digest
from tests.tools import HANG_GUARD


def _no_sentinel(*roots: Path) -> None:
    for root in roots:
        assert not list(root.rglob(SENTINEL)), f"{SENTINEL} created under {root}"
    assert not (Path.cwd() / SENTINEL).exists()


@pytest.fixture(scope="module", params=["default", "raw_html"])
def hostile_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Path:
    """The hostile corpus built once per setting (in a child process, cwd = the site)."""
    config = "title: 'Hostile <b>&</b> site'\nraw_html: true\n" \
        if request.param == "raw_html" else None
    site = make_site(tmp_path_factory.mktemp(f"hostile-{request.param}") / "site",
                     hostile_files(), config=config)
    run = run_digest(site, "build", "--keep-going", "--no-search")
    assert run.code == 0, run
    assert "Traceback" not in run.err
    # the two files with !!python tags are refused, named, and skipped
    assert re.search(r"content/python-tag\.md:2: warning: YAML tag .*python/object/apply",
                     run.err), run
    assert re.search(r"content/python-name\.md:4: warning: YAML tag", run.err), run
    return site


def test_hostile_corpus_has_no_live_code(hostile_site: Path) -> None:
    out = hostile_site / "output"
    assert len(list(out.rglob("*.html"))) > 5
    assert output_problems(out) == []
    _no_sentinel(hostile_site.parent)


def test_hostile_title_is_literal_in_title_attributes_json_ld_and_feeds(hostile_site: Path
                                                                        ) -> None:
    out = hostile_site / "output"
    page = out / "2024/12/20/hostile/index.html"  # slug from the file name
    doc = lxml.html.fromstring(page.read_bytes())
    assert HOSTILE_TITLE in doc.findtext(".//title")
    assert doc.xpath("//h1")[0].text_content().strip() == HOSTILE_TITLE
    og = doc.xpath("//meta[@property='og:title']/@content")
    assert og == [HOSTILE_TITLE]
    ld = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    assert ld["headline"] == HOSTILE_TITLE
    for feed in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse((out / feed).read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        assert HOSTILE_TITLE in {e.title for e in parsed.entries}
    items = json.loads((out / "feed.json").read_bytes())["items"]
    assert HOSTILE_TITLE in {i["title"] for i in items}
    # the edition's mail: escaped markup in email.html, the words as written in
    # email.txt (a text/plain part never becomes markup)
    mail = lxml.html.fromstring((out / "editions/2024-12-20/email.html").read_bytes())
    assert HOSTILE_TITLE in [h.text_content().strip() for h in mail.xpath("//h3")]
    assert f"* {HOSTILE_TITLE}\n" in (out / "editions/2024-12-20/email.txt").read_text("utf-8")


def test_template_syntax_in_content_is_never_evaluated(hostile_site: Path) -> None:
    out = hostile_site / "output"
    texts = "\n".join(p.read_text(encoding="utf-8") for p in out.glob("2024/*/*/*/index.html"))
    assert "{{ config }}" in texts and "{% include &#34;../../../etc/passwd&#34; %}" in texts \
        or '{% include "../../../etc/passwd" %}' in texts
    assert "{{ 7*7 }}" in texts
    assert "root:x:0:0" not in texts  # the include was not performed
    assert "looploop" not in texts  # the for loop was not run
    _no_sentinel(hostile_site.parent)


def test_python_tag_in_digest_yaml_never_runs(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("A", "2024-01-02")},
                     config=f'title: !!python/object/apply:os.system ["touch {SENTINEL}"]\n')
    run = run_digest(site, "build")
    assert run.code == 1 and "digest.yaml:1: error: digest.yaml is not valid YAML" in run.err, run
    assert "Traceback" not in run.err
    _no_sentinel(tmp_path)


# ------------------------------------------------------------------ checklist 3-5

@pytest.mark.parametrize(("front", "line", "pattern"), [
    ('title: !!python/object/apply:os.system ["touch {s}"]', 2, r"YAML tag .* not allowed"),
    ("title: !!python/name:os.system", 2, r"YAML tag .* not allowed"),
    ("title: x\nextra: !!binary aGk=", 3, r"YAML tag .* not allowed"),
    ("title: !custom x", 2, r"YAML tag !custom is not allowed"),
    ("title: NO", 2, r"title: NO is read as a boolean; quote it: title: \"NO\""),
    ("title: on", 2, r"title: on is read as a boolean; quote it"),
    ("title: 2024", 2, r"title: 2024 is read as a number; quote it"),
    ("title: x\nversion: 1.10", 3, r"version: 1.10 is read as the number 1.1; quote it"),
    ("title: x\ntags: [yes, no]", 3, r"tags: yes is read as a boolean"),
    ("title: First\ntitle: Second", 3, r"title given twice at lines 2 and 3"),
    ("title: x\na: &a [1, *a]", 3, r"alias \*a refers to itself"),
])
def test_unsafe_or_coerced_yaml_is_an_error_naming_the_line(tmp_path: Path, front: str,
                                                             line: int, pattern: str) -> None:
    text = "---\n" + front.format(s=SENTINEL) + "\ndate: 2024-01-02\n---\nBody.\n"
    site = make_site(tmp_path / "s", {"content/bad.md": text})
    run = cli(site, "build")
    assert run.code == 1, run
    assert re.search(rf"^content/bad\.md:{line}(:\d+)?: error: .*{pattern}", run.err,
                     re.MULTILINE), run
    assert "hint:" in run.err
    assert not (site / "output").exists()
    _no_sentinel(tmp_path)


def test_no_page_ever_shows_a_coerced_false(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/bad.md": note("x", "2024-01-02").replace(
        'title: "x"', "title: NO"), "content/good.md": note("Good", "2024-01-03")})
    run = cli(site, "build", "--keep-going", "-q", "--no-search")
    assert run.code == 0 and "content/bad.md:2: warning: title: NO" in run.err, run
    for page in (site / "output").rglob("*.html"):
        assert ">False<" not in page.read_text(encoding="utf-8")


ALIAS_BOMB = "\n".join(["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
                       + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9)
                          + "]" for i in range(8)])


@pytest.mark.parametrize(("front", "pattern"), [
    (ALIAS_BOMB, r"expands to more than 10,000 values"),
    ("title: x\nsummary: \"" + "x" * (70 * 1024) + "\"", r"larger than 64 KiB"),
    ("title: x\nn: " + "[" * 5000 + "]" * 5000, r"nested deeper than 32 levels"),
    ("title: x\nn: " + "{a: " * 3000 + "1" + "}" * 3000, r"nested deeper than 32 levels"),
])
def test_yaml_bombs_are_refused_within_a_second(tmp_path: Path, front: str, pattern: str
                                                ) -> None:
    site = make_site(tmp_path / "s", {"content/bomb.md": f"---\n{front}\ndate: 2024-01-02\n---\n"})
    started = time.perf_counter()
    run = cli(site, "build")
    assert time.perf_counter() - started < HANG_GUARD
    assert run.code == 1 and re.search(rf"content/bomb\.md:\d+(:\d+)?: error: .*{pattern}",
                                       run.err), run


# ------------------------------------------------------------------ checklist 6

@pytest.mark.parametrize("value", ["2024-02-30", "yesterday", "2024-13-01", "20/12/2024",
                                   "2024-12-20 25:00"])
def test_impossible_dates_are_errors(tmp_path: Path, value: str) -> None:
    site = make_site(tmp_path / "s", {"content/d.md": f"---\ntitle: D\ndate: {value}\n---\n"})
    run = cli(site, "build")
    assert run.code == 1
    assert re.search(rf"content/d\.md:3: error: date: '{re.escape(value)}' is not a valid date",
                     run.err), run


def test_naive_dates_are_read_in_the_site_time_zone(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/late.md": note("Late", "2024-12-20 23:30")},
                     config="timezone: Pacific/Kiritimati\n")
    assert cli(site, "build", "-q", "--no-search").code == 0
    assert (site / "output/2024/12/20/late/index.html").is_file()
    feed = feedparser.parse((site / "output/atom.xml").read_bytes())
    assert feed.entries[0].published == "2024-12-20T23:30:00+14:00"


# ------------------------------------------------------------------ checklist 10-11

def _article_html(site: Path) -> str:
    page = next((site / "output").glob("20*/*/*/*/index.html"))
    main = lxml.html.fromstring(page.read_bytes()).xpath("//main")[0]
    return lxml.html.tostring(main, encoding="unicode")


RAW = ('<script>alert(1)</script><img src="x.png" onerror="alert(1)"><iframe src="x"></iframe>'
       '<b onclick="x()">bold</b> <a href="javascript:alert(1)">js</a>')


def test_raw_html_is_escaped_by_default(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/r.md": note("R", "2024-01-02", RAW)})
    assert cli(site, "build", "-q", "--no-search").code == 0
    html = _article_html(site)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<iframe" not in html and "<b " not in html


def test_raw_html_opt_in_goes_through_the_allow_list(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/r.md": note("R", "2024-01-02", RAW)},
                     config="raw_html: true\n")
    assert cli(site, "build", "-q", "--no-search").code == 0
    html = _article_html(site)
    assert "<b>bold</b>" in html and '<img src="x.png">' in html  # harmless markup kept
    for bad in ("<script", "alert(1)</", "onerror", "onclick", "<iframe", "javascript:"):
        assert bad not in html, bad


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JAVASCRIPT:alert(1)",
                                  "vbscript:msgbox(1)", "file:///etc/passwd",
                                  "data:text/html;base64,PHNjcmlwdD4="])
def test_dangerous_body_links_are_not_linked(tmp_path: Path, link: str) -> None:
    site = make_site(tmp_path / "s", {"content/l.md": note(
        "L", "2024-01-02", f"[a]({link}) <{link}> ![i]({link})\n\n[r]\n\n[r]: {link}\n")})
    assert cli(site, "build", "-q", "--no-search").code == 0
    doc = lxml.html.fromstring(_article_html(site))
    urls = doc.xpath("//@href | //@src")
    assert not [u for u in urls if u.lower().startswith(link.split(":", maxsplit=1)[0].lower())]


@pytest.mark.parametrize("field", ["source_url", "image"])
@pytest.mark.parametrize("link", ["javascript:alert(1)", "vbscript:x", "file:///etc/passwd",
                                  "data:text/html,x", " javascript:alert(1)"])
def test_dangerous_front_matter_urls_are_errors(tmp_path: Path, field: str, link: str) -> None:
    site = make_site(tmp_path / "s", {"content/u.md": note("U", "2024-01-02",
                                                          **{field: json.dumps(link)})})
    run = cli(site, "build")
    assert run.code == 1
    assert re.search(rf"content/u\.md:4: error: {field}", run.err), run


# ------------------------------------------------------------------ checklist 24

def test_builtin_theme_has_no_unescaped_text_templates() -> None:
    """.txt templates are not autoescaped; the built-in theme has none, and robots.txt
    is generated in Python from settings only."""
    from digest.theme import builtin_theme_dir

    templates = builtin_theme_dir() / "templates"
    assert [p.name for p in templates.rglob("*") if p.suffix not in (".html", ".xml")] == []


def test_autoescape_covers_html_and_xml() -> None:
    import jinja2

    from digest.site.config import SiteConfig
    from digest.site.render.templates import make_environment

    env = make_environment(jinja2.DictLoader({
        "a.html": "{{ x }}", "a.xml": "{{ x }}", "a.txt": "{{ x }}"}), SiteConfig())
    assert env.get_template("a.html").render(x="<i>") == "&lt;i&gt;"
    assert env.get_template("a.xml").render(x="<i>") == "&lt;i&gt;"
    assert env.get_template("a.txt").render(x="<i>") == "<i>"  # hence: no .txt templates


# ------------------------------------------------------------------ the build cache

def _cache_files(site: Path, section: str) -> list[Path]:
    """The files of a cache section (big sections are split into shards)."""
    cache = site / ".digest-cache"
    found = sorted(cache.glob(f"{section}-*.pickle")) or [cache / f"{section}.pickle"]
    assert all(p.is_file() for p in found), f"no cache files for {section}"
    return found


def _plant(site: Path, section: str, payload: object) -> None:
    import pickle

    from digest.engine.cache import _SCHEMA

    for path in _cache_files(site, section):
        # A cache file is a 32-byte signature (made with a key outside the site)
        # followed by the records' shape and the pickle; whoever plants a file
        # can copy the shape but cannot sign it.
        body = path.read_bytes()[32:]
        assert body.startswith(_SCHEMA)
        fmt, ns, _ = pickle.loads(body[len(_SCHEMA):])
        path.write_bytes(b"\0" * 32 + _SCHEMA + pickle.dumps((fmt, ns, payload), protocol=5))


class _Evil:
    def __reduce__(self):  # noqa: ANN204
        import os

        return (os.system, (f"touch {SENTINEL}",))


def test_a_planted_pickle_in_the_cache_never_runs(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("A", "2024-01-02")})
    assert cli(site, "build", "-q", "--no-search").code == 0
    for section in ("articles", "bodies"):
        _plant(site, section, {"x": _Evil()})
    (site / "content/a.md").write_text(note("A", "2024-01-02", "Changed."), encoding="utf-8")
    run = run_digest(site, "build", "-q", "--no-search")
    assert run.code == 0, run
    _no_sentinel(tmp_path)


def test_a_planted_cache_cannot_inject_markup(tmp_path: Path) -> None:
    import shutil

    site = make_site(tmp_path / "s", {"content/a.md": note("A", "2024-01-02", "Harmless.")})
    assert cli(site, "build", "-q", "--no-search").code == 0
    import pickle

    from digest.engine.cache import _SCHEMA

    bodies = {}
    for path in _cache_files(site, "bodies"):
        bodies.update(pickle.loads(path.read_bytes()[32 + len(_SCHEMA):])[2])
    assert bodies, "the build cached no bodies"
    _plant(site, "bodies", {k: "<script>alert('planted')</script>" for k in bodies})
    shutil.rmtree(site / "output")  # e.g. a fresh checkout that ships .digest-cache/
    assert cli(site, "build", "-q", "--no-search").code == 0
    assert output_problems(site / "output") == []
