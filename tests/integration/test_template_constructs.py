"""Issue 25 rule 9: Jekyll's static Liquid and Hugo's common shortcodes, resolved.

Fixtures in each generator's shape, written here: a Jekyll ``_posts/`` post
using ``post_url``, ``link``, ``raw`` and ``site.baseurl``; a Hugo post with
``figure``, ``youtube``, ``ref`` and ``relref``.  What digest does not run
stays text and is reported at its file and line; inside code nothing is
touched or reported.  A body linking another article by name follows that
article when it is renamed, in an incremental build exactly as in a cold one.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from digest.engine import PlainEngine
from digest.pipeline import BuildOptions, build
from tests.integration.conftest import cli, make_site, write_files
from tests.integration.engines import edits_stay_exact, files_of
from tests.tools.vnu import validate_html

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
CONFIG = "title: Lake Desk\nbase_url: https://news.example.org/\n"
FERRY = "---\nlayout: post\ntitle: Ferry timetable\n---\n\nThe summer timetable.\n"
JEKYLL = """---
layout: post
title: Timetable links
---

The [timetable]({% post_url 2023-04-02-ferry-timetable %}) and the
[same]({% link _posts/2023-04-02-ferry-timetable.md %}).
![Logo]({{ site.baseurl }}/img/logo.png) from {{ site.url }}.

{% raw %}Written as {{ page.title }} in {% if x %} Liquid.{% endraw %}

Code: `{% post_url not-checked %}` and

```liquid
{% include never-run.html %}
```

{% include footer.html %}
"""
HUGO = """+++
title = "Pier reopens"
date = 2023-05-01T09:00:00Z
+++

The pier reopened.

{{< figure src="/img/pier.jpg" caption="The new pier" alt="A wooden pier" >}}

{{< youtube dQw4w9WgXcQ >}}

Earlier: [timetable]({{< ref "_posts/2023-04-02-ferry-timetable.md" >}}) and
[about]({{< relref "about" >}}).  {{< tweet user="x" id="1" >}}
"""
ABOUT = "---\ntitle: About\n---\n\nWe are the lake desk.\n"
FILES = {"content/_posts/2023-04-02-ferry-timetable.md": FERRY,
         "content/_posts/2023-04-03-timetable-links.md": JEKYLL,
         "content/posts/pier.md": HUGO, "content/about.md": ABOUT}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", FILES, config=CONFIG)


def plain(site: Path, **options: object) -> dict[str, bytes]:
    opts = BuildOptions(now=NOW, search=False, jobs=1, **options)  # type: ignore[arg-type]
    return files_of(build(site, opts, engine=PlainEngine()))


def body_of(page: bytes) -> str:
    (body,) = lxml.html.fromstring(page).xpath(
        "//div[contains(concat(' ', @class, ' '), ' body ')]")
    return lxml.html.tostring(body, encoding="unicode")


def test_jekyll_liquid_resolves(site: Path) -> None:
    body = html.unescape(body_of(plain(site)["2023/04/03/timetable-links/index.html"]))
    assert body.count('href="/2023/04/02/ferry-timetable/"') == 2  # post_url, link
    assert 'src="/img/logo.png"' in body and "from https://news.example.org." in body
    assert "Written as {{ page.title }} in {% if x %} Liquid." in body  # raw: as written
    assert "raw %}" not in body
    assert "<code>{% post_url not-checked %}</code>" in body  # code: untouched
    assert "{% include never-run.html %}" in body and "{% include footer.html %}" in body


def test_hugo_shortcodes_render(site: Path) -> None:
    files = plain(site)
    page = files["2023/05/01/pier/index.html"]
    doc = lxml.html.fromstring(page)
    (figure,) = doc.xpath("//div[@class='body']/figure")
    assert figure.xpath("img/@src") == ["/img/pier.jpg"]
    assert figure.xpath("img/@alt") == ["A wooden pier"]
    assert figure.xpath("string(figcaption)") == "The new pier"
    assert doc.xpath("//p[@class='video']/a/@href") == [
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"]
    assert not doc.xpath("//iframe")  # the site's CSP has no frame-src
    links = doc.xpath("//div[@class='body']//a/@href")
    assert "/2023/04/02/ferry-timetable/" in links and "/about/" in links
    assert '{{< tweet user="x" id="1" >}}' in html.unescape(body_of(page))
    # feeds carry the same HTML, made absolute
    feed = json.loads(files["feed.json"])
    pier = next(i for i in feed["items"] if i["title"] == "Pier reopens")
    assert 'src="https://news.example.org/img/pier.jpg"' in pier["content_html"]


def test_rendered_html_is_valid(site: Path, tmp_path: Path) -> None:
    files = plain(site)
    out = tmp_path / "out"
    names = ["2023/05/01/pier/index.html", "2023/04/03/timetable-links/index.html"]
    write_files(out, {n: files[n] for n in names})
    assert validate_html([out / n for n in names]) == []


def test_what_stays_text_is_reported_at_its_line(site: Path) -> None:
    run = cli(site, "build")
    assert run.code == 0, run
    assert ("content/_posts/2023-04-03-timetable-links.md:18: warning: Liquid tags "
            "({% ... %}): 1 in 1 file, shown as literal text") in run.err
    assert ("content/posts/pier.md:13: warning: Hugo shortcodes ({{< ... >}}, {{% ... %}}): "
            "1 in 1 file") in run.err
    assert "Liquid output" not in run.err  # site.url, site.baseurl and raw are resolved
    checked = cli(site, "check", "--format", "json")
    report = json.loads(checked.out)
    places = sorted((d["path"], d["line"]) for d in report["diagnostics"]
                    if d["code"] == "template-syntax")
    assert places == [("content/_posts/2023-04-03-timetable-links.md", 18),
                      ("content/posts/pier.md", 13)]


def test_a_link_to_nothing_is_an_error_at_its_line(site: Path) -> None:
    write_files(site, {"content/posts/pier.md": HUGO.replace('relref "about"',
                                                             'relref "abuot"')})
    run = cli(site, "build")
    assert run.code == 1
    assert ('content/posts/pier.md:13: error: {{< relref "abuot" >}} links to no article or '
            "page of this site") in run.err
    assert "write a Markdown link" in run.err
    kept = cli(site, "build", "--keep-going")
    assert kept.code == 0 and "(skipped: --keep-going)" in kept.err
    checked = json.loads(cli(site, "check", "--format", "json").out)
    assert [(d["severity"], d["line"]) for d in checked["diagnostics"]
            if d["code"] == "template-link"] == [("error", 13)]


def test_a_link_to_a_scheduled_article_gets_its_future_url(site: Path) -> None:
    write_files(site, {"content/posts/later.md": "---\ntitle: Later\ndate: 2030-01-01\n---\n\nX.\n",
                       "content/about.md": ABOUT + '\nSoon: [later]({{< ref "later" >}}).\n'})
    files = plain(site)
    assert "2030/01/01/later/index.html" not in files  # not published yet...
    assert 'href="/2030/01/01/later/"' in body_of(files["about/index.html"])  # ...not an error
    report = json.loads(cli(site, "check", "--format", "json").out)
    assert "template-link" not in {d["code"] for d in report["diagnostics"]}


def test_jekyll_links_resolve_with_posts_as_the_content_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path / "jekyll", {
        "_posts/2023-04-02-ferry-timetable.md": FERRY,
        "_posts/2023-04-03-links.md": "---\ntitle: Links\n---\n\n"
                                      "[a]({% link _posts/2023-04-02-ferry-timetable.md %}) "
                                      "[b]({% post_url 2023-04-02-ferry-timetable %})\n"},
        config=CONFIG + "content_dir: _posts\n")
    body = body_of(plain(site)["2023/04/03/links/index.html"])
    assert body.count('href="/2023/04/02/ferry-timetable/"') == 2


def test_renaming_a_linked_article_updates_its_linkers_incrementally(site: Path) -> None:
    old = "content/_posts/2023-04-02-ferry-timetable.md"
    new = "content/_posts/2023-04-02-lake-ferry-timetable.md"
    renamed = {old: None, new: FERRY,
               "content/_posts/2023-04-03-timetable-links.md": JEKYLL.replace(
                   "2023-04-02-ferry-timetable", "2023-04-02-lake-ferry-timetable"),
               "content/posts/pier.md": HUGO.replace("2023-04-02-ferry-timetable",
                                                     "2023-04-02-lake-ferry-timetable")}
    options = BuildOptions(now=NOW, search=False, jobs=1)
    got = edits_stay_exact(site, options, [
        renamed,
        # the target's URL changes while the linking files stay as they are
        {new: FERRY.replace("title: Ferry timetable", "title: Ferry timetable\n"
                            "slug: summer-ferry")},
        {"content/about.md": ABOUT.replace("title: About", "title: About\nurl: /desk/")},
    ])
    body = body_of(got["2023/04/03/timetable-links/index.html"])
    assert body.count('href="/2023/04/02/summer-ferry/"') == 2
    assert 'href="/desk/"' in body_of(got["2023/05/01/pier/index.html"])
