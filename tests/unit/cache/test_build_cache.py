"""The signed build cache (digest/engine/cache.py): round trips, namespaces, shards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.engine.cache import SHARDS, BuildCache


@pytest.fixture(autouse=True)
def _private_key_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _fresh(site: Path, ns: str = "ns1") -> BuildCache:
    return BuildCache(site, ns)


def test_a_section_round_trips(tmp_path: Path) -> None:
    cache = _fresh(tmp_path)
    cache.save("enrich", {"key": "k", "fields": [1, 2, 3]})
    cache.flush()
    assert _fresh(tmp_path).section("enrich") == {"key": "k", "fields": [1, 2, 3]}
    assert _fresh(tmp_path, "ns2").section("enrich") == {}  # another namespace: stale


def test_sharded_sections_round_trip_and_rewrite_only_changed_shards(tmp_path: Path) -> None:
    count = SHARDS["bodies"]
    data = {f"key-{i}": f"<p>body {i}</p>" for i in range(200)}
    cache = _fresh(tmp_path)
    cache.save("bodies", dict(data))
    cache.flush()
    files = sorted((tmp_path / ".digest-cache").glob("bodies-*.pickle"))
    assert len(files) == count
    before = {p.name: os.stat(p).st_ino for p in files}

    again = _fresh(tmp_path)
    loaded = again.section("bodies")
    assert loaded == data
    loaded["key-7"] = "<p>changed</p>"  # one entry changes, in place as render does
    again.save("bodies", loaded)
    again.flush()
    after = {p.name: os.stat(p).st_ino for p in
             sorted((tmp_path / ".digest-cache").glob("bodies-*.pickle"))}
    rewritten = [name for name in after if after[name] != before[name]]
    assert len(rewritten) == 1, rewritten  # files are replaced by rename: new inode
    assert _fresh(tmp_path).section("bodies")["key-7"] == "<p>changed</p>"


def test_a_section_stored_whole_before_it_was_sharded_is_removed(tmp_path: Path) -> None:
    """``local`` and ``inputs`` were one file each; now in shards, the old
    whole file is never read again and goes with the first write."""
    assert SHARDS["local"] == SHARDS["inputs"] == 8
    cache = _fresh(tmp_path)
    cache.dir.mkdir()
    cache._write_file("local", cache.namespace, {"old": 1})  # as an older digest wrote it
    stale = tmp_path / ".digest-cache" / "local.pickle"
    assert stale.is_file()
    assert _fresh(tmp_path).section("local") == {}  # read from the shards only
    cache.save("local", {"content/a.md": ("tag", ("fields",))})
    cache.flush()
    assert not stale.exists()
    assert len(list((tmp_path / ".digest-cache").glob("local-*.pickle"))) == 8
    assert _fresh(tmp_path).section("local") == {"content/a.md": ("tag", ("fields",))}


def test_a_damaged_shard_loses_only_its_entries(tmp_path: Path) -> None:
    data = {f"key-{i}": i for i in range(100)}
    cache = _fresh(tmp_path)
    cache.save("articles", data)
    cache.flush()
    victim = sorted((tmp_path / ".digest-cache").glob("articles-*.pickle"))[3]
    victim.write_bytes(b"\0" * 64)
    reread = _fresh(tmp_path)
    loaded = reread.section("articles")
    assert 0 < len(loaded) < len(data)
    assert all(data[k] == v for k, v in loaded.items())
    assert reread.problems and victim.stem in reread.problems[0]


def test_term_counts_are_reused_from_the_cache(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """enrichcache.term_counts counts an article's words once; the next build
    (another process: a cache read from disk) takes them from the ``terms``
    section, and counts again only the article whose text changed."""
    from dataclasses import replace
    from datetime import UTC, datetime
    from pathlib import PurePosixPath

    from digest.engine import enrichcache
    from digest.site.enrich import textvec
    from digest.site.records import Article

    arts = tuple(Article(path=PurePosixPath(f"content/{i}.md"), kind="markdown",
                         title=f"Story {i}", date=datetime(2024, 1, 1, tzinfo=UTC),
                         slug=f"s{i}", body=f"The ferry number {i} sails at dawn.")
                 for i in range(5))
    cache = _fresh(tmp_path)
    first = enrichcache.term_counts(arts, cache)
    cache.flush()
    counted: list[str] = []
    real = textvec.count_terms
    monkeypatch.setattr(textvec, "count_terms",
                        lambda title, body: counted.append(title) or real(title, body))
    edited = (*arts[:2], replace(arts[2], body="The ferry stays in port."), *arts[3:])
    again = enrichcache.term_counts(edited, _fresh(tmp_path))
    assert counted == ["Story 2"]
    assert [tuple(t) for t, _ in again[:2]] == [tuple(t) for t, _ in first[:2]]
    assert "port" in again[2][0]
