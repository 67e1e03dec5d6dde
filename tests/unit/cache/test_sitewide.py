"""digest.engine.enrichcache: the site-wide snapshot is used when it applies and never
trusted when it does not (damaged, forged shape, other namespace, other
articles): the enriched records are always those of a build without cache."""

from __future__ import annotations

import dataclasses
import pickle
from array import array
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.engine.cache import CACHE_DIR, BuildCache
from digest.engine.enrichcache import SITE_SECTION, enrich_cached
from digest.engine.snapshot import Keeper
from digest.site import enrich
from digest.site.recordcopy import evolve
from digest.site.records import Article
from digest.site.work import SERIAL
from tests.unit.enrich.test_update import World, tiny_world

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _private_key_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _world(tmp_path: Path) -> World:
    return tiny_world(tmp_path, seed=5)


def _build(site: Path, world: World, hashes: dict[str, str], ns: str = "ns") -> list[Article]:
    site.mkdir(exist_ok=True)
    cache = BuildCache(site, ns)
    cache.hashes = hashes
    records = tuple(evolve(a, {}) for a in world.arts)  # as assign_urls' copies
    out = list(enrich_cached(records, world.config, cache, NOW))
    cache.flush()
    return out


def _cold(tmp_path: Path, world: World) -> list[Article]:
    cache = BuildCache(tmp_path / "nowhere", "ns", enabled=False)
    return list(enrich_cached(tuple(world.arts), world.config, cache, NOW))


def _same(got: list[Article], want: list[Article]) -> None:
    assert [dataclasses.astuple(a) for a in got] == [dataclasses.astuple(a) for a in want]


def _recomputes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts full recomputations (enrich.site_values calls)."""
    calls: list[int] = []
    real = enrich.site_values

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(enrich, "site_values", counting)
    return calls


def _edit(world: World, hashes: dict[str, str]) -> None:
    art = world.arts[3]
    world.remake(3, evolve(art, {"body": f"{art.body} storm ferry storm"}))
    hashes[art.key] = "edited"


def test_an_edit_updates_the_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = _world(tmp_path)
    site = tmp_path / "site"
    hashes = {a.key: "v1" for a in world.arts}
    _build(site, world, hashes)
    calls = _recomputes(monkeypatch)
    _edit(world, hashes)
    _same(_build(site, world, hashes), _cold(tmp_path, world))
    assert calls == [1]  # the cold reference only: the build itself updated
    _same(_build(site, world, hashes), _cold(tmp_path, world))  # nothing changed
    assert calls == [1, 1]


def _forge(site: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite the snapshot, validly signed, with ``change`` applied."""
    cache = BuildCache(site, "ns")
    data = dict(cache.section(SITE_SECTION))
    change(data)
    cache.save(SITE_SECTION, data)
    cache.flush()


def _shorter(name: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[name] = data[name][:-1]
    return change


def _ids_out_of_range(data: dict[str, Any]) -> None:
    off, flat = data["vec_ids"]
    data["vec_ids"] = (off, array("Q", [10**9] * len(flat)))


def _rows_unpacked(data: dict[str, Any]) -> None:
    data["picks"] = list(data["picks"])


DAMAGE = {
    "format": lambda data: data.update(format=99),
    "missing field": lambda data: data.pop("floors"),
    "short list": _shorter("tags"),
    "short array": _shorter("stamps"),
    "rows not a pair": _rows_unpacked,
    "ids out of range": _ids_out_of_range,
    "not a dict": lambda data: (data.clear(), data.update(format=1, keys="x")),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_snapshot_is_never_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             damage: str) -> None:
    world = _world(tmp_path)
    site = tmp_path / "site"
    hashes = {a.key: "v1" for a in world.arts}
    _build(site, world, hashes)
    _forge(site, DAMAGE[damage])
    _edit(world, hashes)
    calls = _recomputes(monkeypatch)
    _same(_build(site, world, hashes), _cold(tmp_path, world))
    assert len(calls) == 2  # the build recomputed (and the cold reference)


def test_a_tampered_file_other_namespace_or_other_articles_recompute(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    world = _world(tmp_path)
    site = tmp_path / "site"
    hashes = {a.key: "v1" for a in world.arts}
    _build(site, world, hashes)
    path = site / CACHE_DIR / f"{SITE_SECTION}.pickle"
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))  # the signature no longer matches
    calls = _recomputes(monkeypatch)
    _edit(world, hashes)
    _same(_build(site, world, hashes), _cold(tmp_path, world))
    _same(_build(site, world, hashes, ns="other"), _cold(tmp_path, world))
    world.delete(0)  # another set of articles
    _same(_build(site, world, hashes), _cold(tmp_path, world))
    assert len(calls) == 6  # every build recomputed


def test_shared_urls_are_refused(tmp_path: Path) -> None:
    from digest.engine.update import Stale, edited_since

    world = _world(tmp_path)
    world.arts[1] = evolve(world.arts[1], {"url": world.arts[0].url})
    _, snap = enrich.site_values(tuple(world.arts), world.config, SERIAL, list(world.counted),
                                 world.terms, Keeper(world.tags))
    assert snap is not None
    with pytest.raises(Stale):
        edited_since(snap, world.arts, [a.key for a in world.arts], world.tags)
    assert pickle.loads(pickle.dumps(snap.to_data()))  # still a valid snapshot
