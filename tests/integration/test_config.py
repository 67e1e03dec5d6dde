"""digest.yaml as seen from a build: settings take effect, mistakes are reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.integration.conftest import (
    article_links,
    cli,
    make_site,
    note,
    parse_html,
    small_site,
)
from tests.tools.feeds import parse_feed


def test_no_digest_yaml_means_defaults(site: Path) -> None:
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    feed = parse_feed(site / "output/feed.xml")
    assert feed.feed.title == "digest"
    assert feed.entries[0].link.startswith("http://localhost:8000/")


def test_settings_take_effect(tmp_path: Path) -> None:
    site = small_site(tmp_path / "s", config=(
        "title: Lakeside News\n"
        "description: What happens by the lake\n"
        "base_url: https://lake.example.org\n"  # the missing slash is added
        "per_page: 1\n"
        "feed_size: 2\n"
        "permalink: /news/{year}/{slug}/\n"
    ))
    run = cli(site, "build", "-q")
    assert run.code == 0, run
    out = site / "output"
    home = parse_html(out / "index.html")
    assert "Lakeside News" in home.xpath("//title")[0].text_content()
    assert article_links(home) == []  # the pattern changed: no dated URLs any more
    assert "/news/2024/old-bridge-closes-for-repairs/" in home.xpath("//main//a/@href")
    assert (out / "news/2024/old-bridge-closes-for-repairs/index.html").is_file()
    page2 = parse_html(out / "page/2/index.html")  # per_page: 1 paginates three articles
    assert [h for h in page2.xpath("//main//a/@href") if h.startswith("/news/")] != []
    feed = parse_feed(out / "feed.xml")
    assert feed.feed.title == "Lakeside News"
    assert len(feed.entries) == 2
    assert feed.entries[0].link == "https://lake.example.org/news/2024/old-bridge-closes-for-repairs/"


def test_site_timezone_decides_the_permalink_day(tmp_path: Path) -> None:
    files = {"content/late-night-session.md": note("Late night session",
                                                   "2024-03-01T22:30:00+00:00")}
    utc = make_site(tmp_path / "utc", files)
    minsk = make_site(tmp_path / "minsk", files, config="timezone: Europe/Minsk\n")
    urls = [json.loads(cli(s, "list", "--json").out)[0]["url"] for s in (utc, minsk)]
    assert urls == ["/2024/03/01/late-night-session/", "/2024/03/02/late-night-session/"]


def test_dates_without_offset_use_the_site_timezone(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("Morning briefing",
                                                           "2024-07-01 09:30")},
                     config="timezone: Asia/Tokyo\n")
    listed = json.loads(cli(site, "list", "--json").out)
    assert listed[0]["date"] == "2024-07-01T09:30:00+09:00"


@pytest.mark.parametrize(("yaml_text", "pattern"), [
    ("per_page: 0\n", r"digest\.yaml:1: error: 'per_page' must be at least 1"),
    ("raw_html: maybe\n", r"digest\.yaml:1: error: 'raw_html' must be true or false"),
    ("permalink: /{year}/{title}/\n", r"digest\.yaml:1: error: permalink .* must .*\{slug\}"),
    ("permalink: /{year}/{hour}/{slug}/\n", r"digest\.yaml:1: error: permalink uses unknown "
                                             r"fields \['hour'\]"),
    ("- title\n- base_url\n", r"digest\.yaml:1: error: digest\.yaml must be a mapping"),
    ("title: A\noutput_dri: public\n", r"digest\.yaml:2: error: unknown setting 'output_dri'\n"
                                        r"\s+hint: did you mean 'output_dir'\?"),
    ("colour: blue\n", r"unknown setting 'colour'\n\s+hint: valid keys: .*base_url"),
])
def test_single_config_mistakes(site: Path, yaml_text: str, pattern: str) -> None:
    (site / "digest.yaml").write_text(yaml_text, encoding="utf-8")
    run = cli(site, "build")
    assert run.code == 1, run
    assert re.search(pattern, run.err), run
    assert "hint:" in run.err or "must be a mapping" in run.err
    assert not (site / "output").exists()


def test_config_errors_are_all_listed_for_list_too(site: Path) -> None:
    (site / "digest.yaml").write_text("per_page: -2\ntimezone: Nowhere/City\n", encoding="utf-8")
    run = cli(site, "list", "--json")
    assert run.code == 1 and run.out == "", run
    assert "digest.yaml:1:" in run.err and "digest.yaml:2:" in run.err
    assert "digest: 2 errors" in run.err


def test_empty_digest_yaml_is_fine(site: Path) -> None:
    (site / "digest.yaml").write_text("# nothing set yet\n", encoding="utf-8")
    assert cli(site, "build", "-q").code == 0


def test_content_flag_overrides_content_dir(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {
        "content/a.md": note("From content", "2024-01-05"),
        "notes/b.md": note("From notes", "2024-01-06"),
    })
    listed = json.loads(cli(site, "list", "--json", "--content", "notes").out)
    assert [a["title"] for a in listed] == ["From notes"]
    assert listed[0]["path"] == "notes/b.md"
