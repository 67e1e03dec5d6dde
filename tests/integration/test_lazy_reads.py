"""Lazy reads: a source whose stat signature (size, mtime, ctime, inode) is the one
recorded with its cached article is not read again; any other is read and hashed.

Builds run in this process (``cli``) so that the "settled" margin can be
patched: normally a file changed less than ``SETTLE_NS`` before a build is
hashed again by the next build, which would hide the lazy path in tests that
edit and build within a second.  Also here: sitemap.xml is reused from the
last build exactly while no listed URL or lastmod changed.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.site.sources import discover as disc
from tests.integration.conftest import EPOCH, cli, make_site, note, tree_hash

BUILD = ("build", "-q", "--no-search")


def _site(root: Path) -> Path:
    return make_site(root, {
        f"content/{name}.md": note(f"{name.title()} story", f"2024-05-0{i + 1}T09:00:00+02:00",
                                   f"Body of the {name} story, told once.", tags="[lake]")
        for i, name in enumerate(("ferry", "market", "bridge", "storm"))
    }, config="base_url: https://lake.example.org/\nsearch: false\n")


def _build(site: Path) -> None:
    run = cli(site, *BUILD)
    assert run.code == 0, run


def _cold(site: Path, scratch: Path) -> dict[str, str]:
    """The output a fresh copy of the site's sources builds, without any cache."""
    shutil.copytree(site / "content", scratch / "content")
    shutil.copy2(site / "digest.yaml", scratch / "digest.yaml")
    run = cli(scratch, *BUILD, "--no-cache")
    assert run.code == 0, run
    return tree_hash(scratch / "output")


class _Reads:
    """Counts the source files discover opens."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, path: str, mode: str = "r", *args: object, **kw: object):  # noqa: ANN204
        self.paths.append(os.path.basename(path))
        return open(path, mode, *args, **kw)  # noqa: SIM115


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> _Reads:
    """Every signature counts as settled; reads of sources are recorded."""
    monkeypatch.setattr(disc, "SETTLE_NS", -10**18)
    reads = _Reads()
    monkeypatch.setattr(disc, "open", reads, raising=False)
    return reads


def test_untouched_files_are_not_read_again(tmp_path: Path, trusting: _Reads) -> None:
    site = _site(tmp_path / "site")
    _build(site)
    assert len(trusting.paths) == 4
    trusting.paths.clear()
    path = site / "content/market.md"
    path.write_text(path.read_text("utf-8").replace("told once", "told twice"), "utf-8")
    _build(site)
    assert trusting.paths == ["market.md"]
    assert tree_hash(site / "output") == _cold(site, tmp_path / "cold")


def test_same_size_edit_with_restored_mtime_is_seen_through_ctime(
        tmp_path: Path, trusting: _Reads) -> None:
    site = _site(tmp_path / "site")
    _build(site)
    path = site / "content/ferry.md"
    before = path.stat()
    text = path.read_text("utf-8")
    path.write_text(text.replace("Ferry story", "FERRY story"), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns
    trusting.paths.clear()
    _build(site)
    assert trusting.paths == ["ferry.md"]
    assert "FERRY story" in (site / "output/2024/05/01/ferry/index.html").read_text("utf-8")
    assert tree_hash(site / "output") == _cold(site, tmp_path / "cold")


def test_a_file_replaced_by_another_inode_is_read(tmp_path: Path, trusting: _Reads) -> None:
    """Editors that save by writing a new file and renaming it over the old one."""
    site = _site(tmp_path / "site")
    _build(site)
    path = site / "content/storm.md"
    before = path.stat()
    tmp = path.with_name(".storm.md.new")
    tmp.write_text(path.read_text("utf-8").replace("Storm story", "Gale  story"), "utf-8")
    os.utime(tmp, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(tmp, path)
    assert path.stat().st_ino != before.st_ino
    trusting.paths.clear()
    _build(site)
    assert trusting.paths == ["storm.md"]
    assert tree_hash(site / "output") == _cold(site, tmp_path / "cold")


@pytest.mark.parametrize("field", ["size", "mtime", "ctime", "inode"])
def test_each_part_of_the_signature_counts(tmp_path: Path, field: str) -> None:
    site = _site(tmp_path / "site")
    docs, _ = disc.discover(site, "content")
    info = os.stat(site / "content/bridge.md")
    signature = list(disc.file_signature(info))
    assert signature == [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
    known = {"content/bridge.md": tuple(signature)}
    items, _ = disc.discover_changed(site, "content", known)
    assert [type(i).__name__ for i in items].count("Unchanged") == 1
    signature[["size", "mtime", "ctime", "inode"].index(field)] += 1
    items, _ = disc.discover_changed(site, "content", {"content/bridge.md": tuple(signature)})
    assert all(not isinstance(i, disc.Unchanged) for i in items)
    assert [str(d.rel_path) for d in items] == [str(d.rel_path) for d in docs]


def test_a_freshly_changed_file_is_hashed_again_next_time(tmp_path: Path) -> None:
    """Within SETTLE_NS of its last change a file may change again without its
    signature changing (a coarse clock tick): its signature is not recorded."""
    site = _site(tmp_path / "site")
    docs, _ = disc.discover(site, "content")
    assert docs and all(doc.stat is None for doc in docs)  # just written
    old = os.stat(site / "content/ferry.md").st_mtime_ns - 10 * disc.SETTLE_NS
    for path in (site / "content").iterdir():
        os.utime(path, ns=(old, old))
    docs, _ = disc.discover(site, "content")
    assert all(doc.stat is None for doc in docs)  # ctime still says "just now"


def test_deleted_and_added_files_with_a_trusted_cache(tmp_path: Path,
                                                      trusting: _Reads) -> None:
    site = _site(tmp_path / "site")
    _build(site)
    (site / "content/bridge.md").unlink()
    (site / "content/quay.md").write_text(
        note("Quay story", "2024-05-07T09:00:00+02:00", "A new quay.", tags="[lake]"), "utf-8")
    trusting.paths.clear()
    _build(site)
    assert trusting.paths == ["quay.md"]
    assert tree_hash(site / "output") == _cold(site, tmp_path / "cold")


def _rebuild_in_memory(site: Path):  # noqa: ANN202 - a BuildResult
    """A build as `digest build` runs it after the last one (previous fingerprints,
    reuse from output/), without writing."""
    from digest.engine.fast import FastEngine
    from digest.output.record import last_build
    from digest.pipeline import BuildOptions, build

    last = last_build(site, site / "output", True)
    assert last is not None
    engine = FastEngine()
    engine.reuse(last.fingerprints, None, site / "output")
    return build(site, BuildOptions(search=False,
                                    now=datetime.fromtimestamp(int(EPOCH), tz=UTC)),
                 engine=engine)


def test_sitemap_is_reused_only_while_urls_and_lastmod_stay(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    _build(site)
    path = site / "content/market.md"
    path.write_text(path.read_text("utf-8").replace("told once", "told twice"), "utf-8")
    body_edit = _rebuild_in_memory(site)
    assert body_edit.rendered.link_source("sitemap.xml") is not None
    assert body_edit.rendered["sitemap.xml"] == (site / "output/sitemap.xml").read_bytes()
    path.write_text(path.read_text("utf-8").replace("2024-05-02T09:00", "2024-05-02T10:00"),
                    "utf-8")
    date_edit = _rebuild_in_memory(site)
    assert date_edit.rendered.link_source("sitemap.xml") is None
    assert b"2024-05-02T10:00:00+02:00" in date_edit.rendered["sitemap.xml"]
    _build(site)
    assert tree_hash(site / "output") == _cold(site, tmp_path / "cold")
