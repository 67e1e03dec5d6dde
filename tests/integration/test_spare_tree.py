"""Issue 6: the tree a build replaces is kept and recycled as the next staging tree.

digest.output.spare keeps the retired output tree in ``.digest-cache/spare-*`` and the
next build fixes only the files that differ before swapping it in.  These tests
check that it really is recycled (its folders come back as output/), that the
result is still exactly a cold build, and that a damaged, half-updated or
tampered spare is never trusted.  CLI only, like test_incremental.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.integration.conftest import tree_hash
from tests.integration.test_incremental import (
    CACHE,
    add_article,
    assert_same_tree,
    build,
    build_with_cold_reference,
    delete_article,
    digest,
    edit_body,
    edit_tags,
    edit_title,
    finish,
    make_incremental_site,
    rename_article,
)


def spares(site: Path) -> list[Path]:
    return sorted((site / CACHE).glob("spare-*"))


def only_spare(site: Path) -> Path:
    found = spares(site)
    assert len(found) == 1, f"expected exactly one spare tree, found {found}"
    return found[0]


def test_the_replaced_tree_is_kept_and_recycled(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site")
    build(site)
    first = os.stat(site / "output" / "2024").st_ino  # a folder of the first tree
    edit_title(site)
    build(site)
    # the first tree was not deleted: it waits in the cache as the spare
    assert os.stat(only_spare(site) / "2024").st_ino == first
    edit_body(site)
    want = build_with_cold_reference(site, tmp_path / "cold")
    # ...and the third build was written into it, not into a new tree
    assert os.stat(site / "output" / "2024").st_ino == first
    assert_same_tree(tree_hash(site / "output"), want)
    assert len(spares(site)) == 1
    assert not list(site.glob("output.*")), "staging or old trees left beside output/"


def test_recycled_builds_track_adds_deletes_and_renames(tmp_path: Path) -> None:
    """Each edit lands in the tree of the build before last, which has seen
    neither the previous edit nor this one: both must be applied to it."""
    site = make_incremental_site(tmp_path / "site")
    build(site)
    for n, edit in enumerate((add_article, delete_article, rename_article, edit_tags)):
        edit(site)
        want = build_with_cold_reference(site, tmp_path / f"cold-{n}")
        assert_same_tree(tree_hash(site / "output"), want)


def _two_builds(site: Path) -> Path:
    build(site)
    edit_title(site)
    build(site)
    return only_spare(site)


def test_a_tampered_spare_is_repaired(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site")
    spare = _two_builds(site)
    pages = sorted(p for p in spare.rglob("index.html") if p.parent != spare)
    assert len(pages) > 10
    pages[0].unlink()                                   # a file gone
    victim = pages[len(pages) // 2]
    victim.unlink()  # replaced, not edited: the live tree may share the inode
    victim.write_text("<p>planted</p>\n", encoding="utf-8")  # a file changed
    (spare / "planted.html").write_text("<p>not built by digest</p>\n", encoding="utf-8")
    (spare / "planted-folder").mkdir()
    (spare / "planted-folder" / "index.html").write_text("<p>x</p>\n", encoding="utf-8")
    edit_body(site)
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)


def test_a_half_updated_spare_is_not_adopted(tmp_path: Path) -> None:
    """A build killed while updating the spare leaves it without its stamp (the
    marker is cleared first): the next build must start from a fresh tree."""
    site = make_incremental_site(tmp_path / "site")
    spare = _two_builds(site)
    marker = spare / ".digest-build"
    marker.unlink()
    marker.write_text("digest\n\n", encoding="utf-8")
    (spare / "index.html").unlink()
    (spare / "index.html").write_text("<p>half written</p>\n", encoding="utf-8")
    edit_body(site)
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(site / "output"), want)
    assert spare not in spares(site), "the unusable spare was not removed"
    assert len(spares(site)) == 1


def test_the_live_tree_is_never_modified_in_place(tmp_path: Path) -> None:
    """While a build runs, output/ is never written: every file opened from it
    before the build still reads its old bytes after the swap (files shared by
    hard link with the spare are replaced, not rewritten).  Only a tree retired
    since (two builds later) may be rewritten in place."""
    site = make_incremental_site(tmp_path / "site")
    build(site)
    for edit in (edit_title, edit_body, add_article, edit_tags):
        out = site / "output"
        files = sorted(p for p in out.rglob("*") if p.is_file())
        before = {p: p.read_bytes() for p in files}
        fds = {p: os.open(p, os.O_RDONLY) for p in files}  # a server still sending them
        try:
            edit(site)
            build(site)
            changed = [p for p in files if not p.is_file() or p.read_bytes() != before[p]]
            assert changed, f"{edit.__name__} changed no file of output/"
            for path, fd in fds.items():
                assert os.pread(fd, len(before[path]) + 1, 0) == before[path], path
        finally:
            for fd in fds.values():
                os.close(fd)


def test_no_cache_keeps_no_spare(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site", articles=8)
    build(site, "--no-cache")
    edit_title(site)
    build(site, "--no-cache")
    assert spares(site) == []


def test_clean_removes_the_spare(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site", articles=8)
    _two_builds(site)
    finish(digest(site, "clean"))
    assert not (site / CACHE).exists()


def test_the_first_edit_after_a_cold_build_adopts_a_linked_copy(tmp_path: Path) -> None:
    """A cold build leaves no spare: the next build has one made while it works
    (record.LastBuild.prelink: hard links to every file of output/, in a
    forked process), adopts it and replaces only what changed."""
    from digest.output.record import last_build
    from digest.output.write import scan_output

    site = make_incremental_site(tmp_path / "site")
    build(site)
    output = site / "output"
    assert spares(site) == []
    last = last_build(site, output, True, jobs=2)
    assert last is not None and last.spare is None
    last.prelink()
    record = last.spare
    assert record is not None and record.stamp == last.stamp
    copy = site / CACHE / record.name
    assert copy.is_dir() and only_spare(site) == copy
    files = scan_output(output)
    assert last.spare_files == files == scan_output(copy)
    for rel in files:  # the same inodes: links, not copies
        assert os.stat(copy / rel).st_ino == os.stat(output / rel).st_ino, rel
    assert record.fingerprints == last.fingerprints
    last.close()  # no build adopted it: removed with the scans
    assert spares(site) == []

    first = os.stat(output / "2024").st_ino
    edit_body(site)
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(output), want)
    # the cold build's tree is now the spare, and the next edit lands in it
    assert os.stat(only_spare(site) / "2024").st_ino == first
    edit_title(site)
    want = build_with_cold_reference(site, tmp_path / "cold-2")
    assert_same_tree(tree_hash(output), want)
    assert os.stat(output / "2024").st_ino == first
    assert len(spares(site)) == 1


def test_a_linked_copy_vouches_only_for_files_still_as_recorded(tmp_path: Path) -> None:
    """The linked copy links the files the last build recorded, and the scan
    of output/ tells which of them are still as recorded: a page or a static
    file changed by hand since is in the copy (a link to the changed file)
    but not vouched for, so the first edit replaces it, and one the new site
    no longer has is removed."""
    from digest.output.record import UNKNOWN, last_build
    from digest.output.write import scan_output

    site = make_incremental_site(tmp_path / "site")
    build(site)
    output = site / "output"
    pages = sorted(rel for rel in scan_output(output) if rel.endswith("/index.html"))
    page = next(rel for rel in pages if "school-09" in rel)  # edit_body's article
    gone = next(rel for rel in pages if "ferry-05" in rel)  # deleted below
    static = next(rel for rel in scan_output(output) if rel.endswith(".css"))
    for rel in (page, gone, static):
        with (output / rel).open("a", encoding="utf-8") as fh:
            fh.write("<!-- changed by hand -->\n")
    last = last_build(site, output, True, jobs=2)
    assert last is not None and last.spare is None
    last.prelink()
    record = last.spare
    assert record is not None
    for rel in (page, gone, static):
        assert rel not in record.files and rel not in record.fingerprints, rel
        assert last.spare_files[rel] == UNKNOWN, rel
    untouched = next(rel for rel in pages if rel not in (page, gone))
    assert record.files[untouched] == last.spare_files[untouched] == scan_output(output)[untouched]
    last.close()
    assert spares(site) == []

    edit_body(site)
    (site / "content/2024/ferry-05.md").unlink()
    want = build_with_cold_reference(site, tmp_path / "cold")
    assert_same_tree(tree_hash(output), want)
    assert not (output / gone).exists()
    assert "changed by hand" not in (output / static).read_text(encoding="utf-8")
    assert len(spares(site)) == 1  # the cold build's tree, adopted and retired


def test_a_failed_or_noop_build_leaves_no_linked_copy(tmp_path: Path) -> None:
    site = make_incremental_site(tmp_path / "site", articles=8)
    build(site)
    before = tree_hash(site / "output")
    build(site)  # nothing changed: the no-op check answers before any linking
    assert spares(site) == []
    (site / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n",
                                               encoding="utf-8")
    proc = digest(site, "build", "-q", "--no-search")
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert spares(site) == [], "a failed build left its linked copy in the cache"
    assert tree_hash(site / "output") == before
