"""Promise 2: after a successful build output/ holds exactly what the sources
produce: no stale files, byte-identical across machines, TZ and locales.

Checklist 20 (TZ/LANG), 28 (deleted/renamed content disappears; leftovers of a
killed run are cleaned), 30 (two builds of one input are identical; feed dates
come from the newest item, never the clock).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.hardening.corpus import hostile_files
from tests.integration.conftest import (
    child_env,
    cli,
    leftovers,
    make_site,
    note,
    output_files,
    run_digest,
    tree_hash,
    write_files,
)


def test_deleted_and_renamed_content_disappears(built_site: Path) -> None:
    first = set(output_files(built_site))
    old = next(p for p in first if p.startswith("2024/05/02/"))
    src = next((built_site / "content").glob("ferry*.md"))
    src.rename(src.with_name("lake-ferry.md"))
    (built_site / "content/2024").joinpath(
        "farmers-market-moves-to-the-square.md").unlink()
    assert cli(built_site, "build", "-q").code == 0
    now = set(output_files(built_site))
    assert old not in now and "2024/05/02/lake-ferry/index.html" in now
    assert not [p for p in now if p.startswith("2024/05/03/")]
    assert not [p for p in now if "farmers" in p or "economy" in p]
    # a fresh build of the same sources in a new folder gives the same tree
    fresh = built_site.parent / "fresh"
    shutil.copytree(built_site / "content", fresh / "content")
    assert cli(fresh, "build", "-q").code == 0
    assert tree_hash(fresh / "output") == tree_hash(built_site / "output")


def test_leftovers_of_a_killed_run_are_removed(built_site: Path) -> None:
    marker = ".digest-build"
    for name in ("output.tmp-deadbeef0000", "output.old-deadbeef0001"):
        write_files(built_site, {f"{name}/{marker}": "digest\n", f"{name}/x.html": "x"})
    write_files(built_site, {"output.tmp-foreign/keep.txt": "not ours",
                             "content/new.md": note("New", "2024-05-06")})
    assert cli(built_site, "build", "-q").code == 0
    assert leftovers(built_site) == ["output.tmp-foreign"]  # without the marker: kept


def test_tampered_output_is_repaired_by_the_next_build(built_site: Path) -> None:
    """A no-change rebuild must still leave output/ exactly as the sources produce it."""
    good = tree_hash(built_site / "output")
    (built_site / "output/index.html").unlink()
    (built_site / "output/robots.txt").write_text("changed by hand\n")
    (built_site / "output/stray.html").write_text("stale\n")
    assert cli(built_site, "build", "-q").code == 0
    assert tree_hash(built_site / "output") == good


def _hostile_build(root: Path, **machine: str) -> dict[str, str]:
    site = make_site(root, {k: v for k, v in hostile_files().items() if "python" not in k})
    write_files(site, {"content/more.md": note("Ünïcödé — «quotes» 東京", "2024-12-20 23:59",
                                               tags="[Émile, émile, Zürich]"),
                       "content/dawn.md": note("Dawn", "2024-12-21T00:00:01+14:00")})
    run = run_digest(site, "build", "-q", "--no-search", env=child_env(**machine))
    assert run.code == 0, run
    return tree_hash(site / "output")


def test_hostile_site_is_identical_under_any_tz_locale_and_hash_seed(tmp_path: Path) -> None:
    a = _hostile_build(tmp_path / "a", TZ="UTC", LANG="C.UTF-8", LC_ALL="C.UTF-8",
                       PYTHONHASHSEED="1")
    b = _hostile_build(tmp_path / "b", TZ="Pacific/Kiritimati", LANG="C", LC_ALL="C",
                       PYTHONHASHSEED="2")
    c = _hostile_build(tmp_path / "c", TZ="America/St_Johns", LANG="tr_TR.UTF-8",
                       LC_ALL="tr_TR.UTF-8", PYTHONHASHSEED="3", PYTHONUTF8="0")
    assert len(a) > 20
    assert sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k)) == []
    assert sorted(k for k in a.keys() | c.keys() if a.get(k) != c.get(k)) == []


def test_feed_dates_come_from_the_newest_item_not_the_clock(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s", {"content/a.md": note("A", "2021-06-01T08:00:00Z"),
                                      "content/b.md": note("B", "2021-06-02T09:30:00Z")})
    one = run_digest(site, "build", "-q", "--no-search",
                     env=child_env(SOURCE_DATE_EPOCH="1700000000"))
    first = tree_hash(site / "output")
    two = run_digest(site, "build", "-q", "--no-search",
                     env=child_env(SOURCE_DATE_EPOCH="1700000000"))
    assert one.code == two.code == 0
    assert tree_hash(site / "output") == first
    rss = (site / "output/feed.xml").read_text(encoding="utf-8")
    assert "<lastBuildDate>Wed, 02 Jun 2021 09:30:00 +0000</lastBuildDate>" in rss
