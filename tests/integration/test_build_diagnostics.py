"""Issue 21, section 3: mistakes that used to pass a build silently.

A misspelt front-matter key is a warning of `digest build` (and an error of
`--strict`), not only of `digest check`; the feed-id warning says what the
articles really share.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from digest.pipeline import BuildOptions, build
from tests.integration.conftest import cli, leftovers, make_site, note, tree_hash, write_files

CONFIG = ("title: T\nbase_url: https://news.example.org/\ntimezone: UTC\n"
          "taxonomies:\n  topics:\n    terms: [Trade, Energy]\n")
TYPO = "---\ntitle: Grain deal\ndate: 2024-11-05T10:00:00Z\ntopic: [Trade]\n---\n\nBody.\n"
CLIPPING = ("---\nyear: 2024\ntpoics: [Trade]\n---\nGrain deal signed in Minsk\n\n"
            "10:32, 20 November\n\nThe sides signed a grain deal, BelTA reports.\n")


def site_with(root: Path, files: dict[str, str]) -> Path:
    return make_site(root, {"content/ok.md": note("Fine", "2024-11-01", topics="[Energy]"),
                            **files}, config=CONFIG)


# ------------------------------------------------------------- misspelt front-matter keys

def test_build_warns_about_a_misspelt_key_with_the_right_one(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"content/grain.md": TYPO})
    run = cli(site, "build")
    assert run.code == 0, run
    assert re.search(r"^content/grain\.md:4: warning: unknown key 'topic'\n"
                     r"\s+hint: did you mean 'topics'\?", run.err, re.MULTILINE), run
    assert run.err.count("warning: unknown key") == 1, run


def test_strict_build_fails_on_a_misspelt_key_and_keeps_output(tmp_path: Path) -> None:
    site = site_with(tmp_path, {})
    assert cli(site, "build", "-q").code == 0
    before = tree_hash(site / "output")
    write_files(site, {"content/grain.md": TYPO})
    run = cli(site, "build", "--strict")
    assert run.code == 1, run
    assert re.search(r"^content/grain\.md:4: error: unknown key 'topic'\n"
                     r"\s+hint: did you mean 'topics'\?", run.err, re.MULTILINE), run
    assert tree_hash(site / "output") == before
    assert leftovers(site) == []


def test_a_clippings_front_matter_is_checked_too(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"content/grain.txt": CLIPPING})
    run = cli(site, "build")
    assert run.code == 0, run
    assert re.search(r"^content/grain\.txt:3: warning: unknown key 'tpoics'\n"
                     r"\s+hint: did you mean 'topics'\?", run.err, re.MULTILINE), run
    assert cli(site, "build", "--strict").code == 1


def test_warm_build_still_warns(tmp_path: Path) -> None:
    # The second build takes the article from the cache: the warning comes with it.
    site = site_with(tmp_path, {"content/grain.md": TYPO})
    assert "unknown key 'topic'" in cli(site, "build").err
    write_files(site, {"content/ok.md": note("Fine, edited", "2024-11-01", topics="[Energy]")})
    run = cli(site, "build")
    assert run.code == 0 and "content/grain.md:4: warning: unknown key 'topic'" in run.err, run


def test_deliberate_unknown_keys_stay_quiet_and_reach_the_theme(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"content/grain.md": note(
        "Grain deal", "2024-11-05T10:00:00Z", topics="[Trade]", mood="calm",
        desk="'Minsk bureau'")})
    run = cli(site, "build", "--strict")
    assert run.code == 0, run
    assert "unknown key" not in run.err, run
    result = build(site, BuildOptions(now=datetime(2024, 12, 1, tzinfo=UTC)))
    grain = next(a for a in result.site.articles if a.title == "Grain deal")
    assert dict(grain.extra) == {"mood": "calm", "desk": "Minsk bureau"}


def test_misspelt_key_keeps_its_value_for_the_theme(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"content/grain.md": TYPO})
    result = build(site, BuildOptions(now=datetime(2024, 12, 1, tzinfo=UTC)))
    grain = next(a for a in result.site.articles if a.title == "Grain deal")
    assert dict(grain.extra) == {"topic": ["Trade"]}
    assert [d.code for d in result.diagnostics if d.path == "content/grain.md"] == [
        "front-matter-unknown-key"]


def test_check_reports_a_misspelt_key_once(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"content/grain.md": TYPO, "content/grain2.txt": CLIPPING})
    run = cli(site, "check")
    assert run.out.count("unknown key 'topic'") == 1, run
    assert run.out.count("unknown key 'tpoics'") == 1, run


# ------------------------------------------------------------- feed ids derived alike

def test_notes_without_agency_sharing_a_minute_are_named_with_the_fix(tmp_path: Path) -> None:
    # Two notes dated by day only: both published at midnight, with no agency.
    site = site_with(tmp_path, {"content/a.md": note("Alpha", "2024-11-05"),
                                "content/b.md": note("Beta", "2024-11-05")})
    run = cli(site, "build")
    assert run.code == 0, run
    shared = "tag:news.example.org,2024-11-05:digest/0000"
    assert (f"content/b.md:1: warning: content/a.md and content/b.md have the same feed id "
            f"{shared}: both published in the minute 2024-11-05 00:00 UTC, with no agency "
            "and no source_url; content/b.md's gets a -2 suffix") in run.err, run
    assert f"hint: pin it in front matter: add `id: {shared}-2` to content/b.md" in run.err
    assert "share agency" not in run.err and "same agency" not in run.err
    strict = cli(site, "build", "--strict")
    assert strict.code == 1 and "content/b.md:1: error: content/a.md and" in strict.err


def test_the_suggested_id_keeps_the_feed_id_and_ends_the_warning(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"content/a.md": note("Alpha", "2024-11-05"),
                                "content/b.md": note("Beta", "2024-11-05")})
    assert cli(site, "build", "-q").code == 0
    before = (site / "output/feed.json").read_text(encoding="utf-8")
    shared = "tag:news.example.org,2024-11-05:digest/0000"
    write_files(site, {"content/b.md": note("Beta", "2024-11-05", id=f"'{shared}-2'")})
    run = cli(site, "build", "--strict")
    assert run.code == 0 and "feed id" not in run.err, run
    assert (site / "output/feed.json").read_text(encoding="utf-8") == before


def test_three_from_one_agency_name_every_file_and_pin(tmp_path: Path) -> None:
    when = "2024-11-05T10:32:00Z"
    site = site_with(tmp_path, {f"content/{n}.md": note(n.title(), when, source="BelTA")
                                for n in ("x", "y", "z")})
    run = cli(site, "build")
    shared = "tag:news.example.org,2024-11-05:belta/1032"
    assert ("content/y.md:1: warning: content/x.md, content/y.md and content/z.md have the "
            f"same feed id {shared}: all published in the minute 2024-11-05 10:32 UTC, from "
            "the same agency (BelTA) and no source_url; those of content/y.md and "
            "content/z.md get -2, -3... suffixes") in run.err, run
    assert (f"add `id: {shared}-2` to content/y.md and `id: {shared}-3` to content/z.md"
            in run.err), run


def test_no_warning_when_the_ids_differ(tmp_path: Path) -> None:
    when = "2024-11-05T10:32:00Z"
    site = site_with(tmp_path, {
        "content/a.md": note("A", when),
        "content/b.md": note("B", when, source="BelTA"),
        "content/c.md": note("C", when, source="BelTA", source_url="https://belta.example/c"),
        "content/d.md": note("D", when, source="BelTA", source_url="https://belta.example/d"),
        "content/e.md": note("E", when, id="'urn:digest:e'"),
        "content/f.md": note("F", "2024-11-05T10:33:00Z"),
    })
    run = cli(site, "build", "--strict")
    assert run.code == 0, run
    assert "feed id" not in run.err, run
