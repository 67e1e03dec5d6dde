"""Existing posts built as they are: Pelican, Hugo (TOML), Jekyll, and their quirks.

Small hand-written fixtures pin each form down exactly; the generated sites
(tests/workflow/gen_sites.py, 300 posts per format) show that whole archives
build with one page per post.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from digest import cli
from tests.workflow import gen_sites

EPOCH = 1735000000  # 2024-12-24


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def listing(site: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> dict[str, dict]:
    capsys.readouterr()
    assert cli.main(["--site", str(site), "list", *flags]) == 0
    return {a["path"]: a for a in json.loads(capsys.readouterr().out)}


def checked(site: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = cli.main(["--site", str(site), "check", "--format", "json", *flags])
    return code, json.loads(capsys.readouterr().out)


# --------------------------------------------------------------------------- forms

def test_pelican_metadata_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write(tmp_path, {
        "content/talks.md": "Title: Minsk talks resume\nDate: 2016-3-21 9:05\n"
                            "Category: Politics\nTags: gas, Union State\nSlug: minsk-talks\n"
                            "Author: Desk\nSummary: Talks resume.\n\nBody text.\n",
        "content/old.markdown": "Title: An older post\nDate: 2015-12-1\n\nText.\n",
        "content/lead.md": "\nTitle: Header after a blank line\nDate: 2016-01-02\n\nText.\n",
        "content/draft.md": "Title: Not yet\nDate: 2016-01-03\nStatus: draft\n\nText.\n",
    })
    arts = listing(site, capsys)
    talks = arts["content/talks.md"]
    assert talks["date"] == "2016-03-21T09:05:00+00:00"
    assert talks["url"] == "/2016/03/21/minsk-talks/"
    assert talks["terms"]["sections"] == ["Politics"]
    assert talks["terms"]["tags"] == ["gas", "Union State"]
    assert talks["summary"] == "Talks resume." and talks["author"] == "Desk"
    assert arts["content/old.markdown"]["date"] == "2015-12-01T00:00:00+00:00"
    assert arts["content/lead.md"]["title"] == "Header after a blank line"
    assert "content/draft.md" not in arts  # Status: draft is a draft
    assert "content/draft.md" in listing(site, capsys, "--drafts")


def test_hugo_toml_front_matter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write(tmp_path, {
        "digest.yaml": "timezone: Europe/Minsk\n",
        "content/posts/a.md": '+++\ntitle = "Gas deal"\ndate = 2019-03-01T10:00:00-08:00\n'
                              'draft = false\ntags = ["gas", "oil"]\n'
                              'categories = ["Economy"]\n+++\n\nBody.\n',
        "content/posts/local.md": '+++\ntitle = "Local time"\ndate = 2019-03-02T10:00:00\n'
                                  "+++\nBody.\n",
        "content/posts/day.md": '\n+++\ntitle = "Only a day"\ndate = 2019-03-03\n+++\nBody.\n',
        "content/posts/wip.md": '+++\ntitle = "Work in progress"\ndate = 2019-03-04\n'
                                "draft = true\n+++\nBody.\n",
    })
    arts = listing(site, capsys)
    assert arts["content/posts/a.md"]["date"] == "2019-03-01T10:00:00-08:00"
    assert arts["content/posts/a.md"]["terms"]["sections"] == ["Economy"]
    assert arts["content/posts/a.md"]["terms"]["tags"] == ["gas", "oil"]
    assert arts["content/posts/local.md"]["date"] == "2019-03-02T10:00:00+03:00"  # site zone
    assert arts["content/posts/day.md"]["date"] == "2019-03-03T00:00:00+03:00"
    assert "content/posts/wip.md" not in arts


def test_jekyll_posts_take_date_and_slug_from_the_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write(tmp_path, {
        "_config.yml": "title: old\n",
        "_posts/2016-03-21-minsk-talks.md": "---\nlayout: post\ntitle: Minsk talks\n---\nA.\n",
        "_posts/2016-3-5-no-padding.markdown": "---\ntitle: No padding\n---\nB.\n",
        "_posts/2019-03-01-string-date.md": "---\ntitle: String date\n"
                                            "date: 2019-03-01 10:00:00 -0800\n---\nC.\n",
        "_posts/2019-03-02-named.md": "---\ntitle: Named\nslug: other-slug\n"
                                      "date: 2019-03-03\n---\nD.\n",
        "_posts/_drafts-note.md": "not an article: names starting with _ are skipped\n",
    })
    arts = listing(site, capsys, "--content", "_posts")
    assert arts["_posts/2016-03-21-minsk-talks.md"]["url"] == "/2016/03/21/minsk-talks/"
    assert arts["_posts/2016-3-5-no-padding.markdown"]["url"] == "/2016/03/05/no-padding/"
    assert arts["_posts/2019-03-01-string-date.md"]["date"] == "2019-03-01T10:00:00-08:00"
    assert arts["_posts/2019-03-02-named.md"]["url"] == "/2019/03/03/other-slug/"  # fields win
    assert len(arts) == 4


def test_content_dir_setting_builds_posts_where_they_are(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write(tmp_path, {"digest.yaml": "content_dir: _posts\n",
                            "_posts/2020-01-02-hello.md": "---\ntitle: Hello\n---\nHi.\n"})
    assert cli.main(["--site", str(site), "build", "-q"]) == 0
    assert (site / "output" / "2020" / "01" / "02" / "hello" / "index.html").is_file()


def test_template_syntax_is_literal_text_and_checked_once_per_kind(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write(tmp_path, {
        "content/a.md": "---\ntitle: A\ndate: 2020-01-02\n---\n\n"
                        "{% include figure.html src=\"x.jpg\" %}\n\n"
                        "Posted on {{ page.date | date: \"%B\" }} at {{ site.baseurl }}.\n",
        "content/b.md": "+++\ntitle = \"B\"\ndate = 2020-01-03\n+++\n\n"
                        "{{< figure src=\"/img/a.jpg\" >}}\n\n{{% note %}}Hi{{% /note %}}\n\n"
                        "{% if x %}never run{% endif %}\n",
        "content/c.md": "Title: C\nDate: 2020-1-4\n\n{% raw %}{{ x }}{% endraw %}\n",
    })
    assert cli.main(["--site", str(site), "build", "-q"]) == 0
    a = html.unescape((site / "output/2020/01/02/a/index.html").read_text(encoding="utf-8"))
    assert '{% include figure.html src="x.jpg" %}' in a
    assert "at ." in a  # {{ site.baseurl }}: the base path, empty at the root
    b = html.unescape((site / "output/2020/01/03/b/index.html").read_text(encoding="utf-8"))
    assert '<figure><img src="/img/a.jpg"' in b and "{% if x %}never run{% endif %}" in b
    c = html.unescape((site / "output/2020/01/04/c/index.html").read_text(encoding="utf-8"))
    assert "{{ x }}" in c and "raw" not in c
    code, report = checked(site, capsys)
    assert code == 0
    kinds = [d for d in report["diagnostics"] if d["code"] == "template-syntax"]
    assert len(kinds) == 3  # Liquid tags, Liquid output, Hugo shortcodes: once each
    assert {(d["path"], d["line"]) for d in kinds} == {
        ("content/a.md", 6), ("content/a.md", 8), ("content/b.md", 8)}


# --------------------------------------------------------------------------- whole archives

@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[Path]]]:
    root = tmp_path_factory.mktemp("migration")
    return root, gen_sites.generate(root, 300)


def test_generator_is_deterministic(tmp_path: Path,
                                    generated: tuple[Path, dict[str, list[Path]]]) -> None:
    root, posts = generated
    gen_sites.generate(tmp_path, 300)
    for paths in posts.values():
        for path in paths[::37]:
            rel = path.relative_to(root)
            assert (tmp_path / rel).read_bytes() == path.read_bytes(), rel


def article_pages(output: Path) -> list[Path]:
    return [p for p in output.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html")
            if p.parent.name != "page"]


@pytest.mark.parametrize(("name", "content"), [
    ("pelican", "content"), ("hugo", "content"), ("jekyll", "_posts")])
def test_generated_archive_builds_one_page_per_post(
        name: str, content: str, generated: tuple[Path, dict[str, list[Path]]],
        capsys: pytest.CaptureFixture[str]) -> None:
    root, posts = generated
    site = root / name
    capsys.readouterr()
    assert cli.main(["--site", str(site), "build", "--content", content]) == 0
    out, err = capsys.readouterr()
    assert f"Built {len(posts[name])} articles" in out
    assert "error" not in err
    pages = article_pages(site / "output")
    assert len(pages) == len(posts[name]) == 300
    assert len({p.parent.name for p in pages}) == 300  # every slug once


@pytest.mark.parametrize(("name", "content", "kinds"), [
    ("pelican", "content", set()),
    ("hugo", "content", {"Hugo shortcodes"}),
    ("jekyll", "_posts", {"Liquid tags"})])  # {{ site.baseurl }} is resolved
def test_generated_archive_checks_without_errors(
        name: str, content: str, kinds: set[str],
        generated: tuple[Path, dict[str, list[Path]]],
        capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = generated
    code, report = checked(root / name, capsys, "--content", content)
    assert code == 0 and report["errors"] == 0 and report["files"] == 300
    found = [d["message"].split(" (")[0] for d in report["diagnostics"]
             if d["code"] == "template-syntax"]
    assert sorted(found) == sorted(kinds)  # once per kind, however many posts use it
    assert report["warnings"] == len(kinds)
