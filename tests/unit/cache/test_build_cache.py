"""The signed build cache (digest/cache.py): round trips, namespaces, shards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.cache import SHARDS, BuildCache


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
