"""Issue 25, rules 6 and 7 through the real CLI: sites copied from Jekyll,
Hugo and Pelican (fixtures written for these tests)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.conftest import cli, make_site, note

PELICAN = "Title: {title}\nDate: 2020-05-01 10:00\n{extra}\nBody text.\n"


def listed(site: Path, *args: str) -> dict[str, dict]:
    run = cli(site, "list", "--json", *args)
    assert run.code == 0, run
    return {a["path"]: a for a in json.loads(run.out)}


def test_drafts_as_jekyll_and_pelican_mean_them(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/_posts/2019-05-01-kept.md": note("Kept", "2019-05-01"),
        "content/_posts/2019-05-02-unpublished.md": note(
            "Unpublished", "2019-05-02", published="false"),
        "content/hidden.md": PELICAN.format(title="Hidden", extra="Status: hidden\n"),
        "content/skipped.md": PELICAN.format(title="Skipped", extra="Status: skip\n"),
        "content/shown.md": PELICAN.format(title="Shown", extra="Status: published\n"),
    })
    assert sorted(listed(site)) == ["content/_posts/2019-05-01-kept.md", "content/shown.md"]
    assert len(listed(site, "--drafts")) == 5


def test_fields_as_hugo_jekyll_and_pelican_name_them(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/_posts/2019-05-01-ferry.md": note(
            "Ferry", "2019-05-01", last_modified_at="2019-05-03",
            description="The lake ferry runs again."),
        "content/notes.md": '+++\ntitle = "Notes"\ndate = 2020-10-12T09:00:00Z\n'
                            'lastmod = 2020-11-01T08:00:00Z\nimages = ["/img/a.png"]\n+++\nBody\n',
        "content/bridge.md": PELICAN.format(title="Bridge", extra="Modified: 2020-05-02\n"),
    })
    got = listed(site)
    ferry, notes = got["content/_posts/2019-05-01-ferry.md"], got["content/notes.md"]
    assert (ferry["updated"][:10], ferry["summary"]) == ("2019-05-03",
                                                         "The lake ferry runs again.")
    assert notes["updated"] == "2020-11-01T08:00:00+00:00"
    assert got["content/bridge.md"]["updated"][:10] == "2020-05-02"
    check = cli(site, "check")
    assert check.code == 0 and "unknown key" not in check.err + check.out, check
    built = cli(site, "build")
    assert built.code == 0, built
    page = (site / "output" / notes["url"].strip("/") / "index.html").read_text()
    assert "/img/a.png" in page  # the card image (og:image)


def test_slugs_as_pelican_and_jekyll_make_them(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/_posts/2019-05-01-5.0-release-process.md": note("Process", "2019-05-01"),
        "content/2020-ferry.md": PELICAN.format(title="Ferry runs again", extra=""),
    }, config="permalink: /{slug}/\n")
    urls = {a["url"] for a in listed(site).values()}
    assert urls == {"/5.0-release-process/", "/ferry-runs-again/"}
    built = cli(site, "build")
    assert built.code == 0, built
    assert (site / "output/5.0-release-process/index.html").is_file()


def test_files_digest_cannot_read_are_named(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/kept.md": note("Kept", "2019-05-01"),
        "content/about.rst": "About\n=====\n\nText.\n",
        "content/notes.org": "* Notes\n",
        "content/photo.jpg": b"\xff\xd8\xff",
    })
    for command in ("build", "check"):
        run = cli(site, command)
        assert run.code == 0, run
        shown = run.out + run.err
        assert "content/about.rst" in shown and "content/notes.org" in shown, run
        assert "photo.jpg" not in shown, run


def test_canonical_url_is_the_pages_canonical_link(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {
        "content/_posts/2019-05-01-moved.md": note(
            "Moved", "2019-05-01", canonical_url="https://old.example.org/moved/",
            image="/img/m.png"),
        "content/_posts/2019-05-02-own.md": note("Own", "2019-05-02"),
    }, config="base_url: https://news.example.org\npermalink: /{slug}/\n")
    assert cli(site, "build").code == 0
    moved = (site / "output/moved/index.html").read_text()
    own = (site / "output/own/index.html").read_text()
    assert '<link rel="canonical" href="https://old.example.org/moved/">' in moved
    assert '"url": "https://old.example.org/moved/"' in moved.replace('":"', '": "')
    assert "https://news.example.org/img/m.png" in moved  # the image stays this site's
    assert '<link rel="canonical" href="https://news.example.org/own/">' in own
    listed_keys = set(json.loads(cli(site, "list", "--json").out)[0])
    assert "canonical_url" not in listed_keys  # digest list --json keys unchanged
