"""Issue 23: the cache refuses what it cannot store, loudly.

A value whose type the cache's unpickler refuses is refused when it is
written (digest/engine/cache.py, _CheckedPickler): an error with ``strict`` (the
tests), a "cache-type" warning naming the section and the type in a build,
whose section is then not written (the next build reads nothing stale).  A
section that cannot be read is a warning, once.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import pytest

from digest.engine.cache import STRICT_ENV, BuildCache, CacheTypeError
from digest.engine.cachepickle import dumps as _dumps
from digest.engine.cachepickle import loads as _loads
from digest.site.recordcopy import values
from digest.site.records import Article

NOW = datetime(2024, 12, 24, tzinfo=UTC)


@dataclass(frozen=True)
class Stranger:
    """A type the cache does not know."""

    value: int = 1


@pytest.fixture(autouse=True)
def _private_key_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def test_the_tests_run_strict() -> None:
    assert BuildCache(Path("/nonexistent"), "ns", enabled=False).strict


@pytest.mark.parametrize("section", ["templates", "local"])  # whole, and in shards
def test_an_unknown_type_raises_in_strict_mode_naming_section_and_type(
        tmp_path: Path, section: str) -> None:
    cache = BuildCache(tmp_path, "ns", strict=True)
    cache.save(section, {"content/a.md": ("tag", (Stranger(),))})
    with pytest.raises(CacheTypeError) as caught:
        cache.flush()
    text = str(caught.value)
    assert repr(section) in text and "Stranger" in text
    assert caught.value.diagnostics[0].code == "cache-type"
    assert not list((tmp_path / ".digest-cache").glob(f"{section}*.pickle"))


def test_what_the_loader_refuses_is_refused_when_written() -> None:
    for value in (Stranger(), [lambda: 1], {"k": pickle.loads}, (Path("x"),),
                  {1: Ellipsis}, [Path]):
        with pytest.raises(Exception) as caught:
            _dumps(value)
        assert type(caught.value).__name__ == "Refused", value
    # ... and what it accepts round-trips through it.
    art = Article(path=PurePosixPath("content/a.md"), kind="markdown", title="T",
                  date=datetime(2024, 5, 1, 9, tzinfo=ZoneInfo("Europe/Berlin")),
                  slug="t", body="Body.")
    value = {"a": (frozenset({1}), {2}, NOW, NOW.date(), PurePosixPath("x"))}
    assert _loads(_dumps(value)) == value
    assert values(_loads(_dumps(art))) == values(art)  # Article: eq=False


def test_a_zoneinfo_date_survives_the_cache(tmp_path: Path) -> None:
    """An article dated in the site's zone (no offset written) has a ZoneInfo:
    it used to pickle through getattr, which the loader refuses (a shard read
    back empty, silently)."""
    stamp = datetime(2024, 5, 1, 9, tzinfo=ZoneInfo("Europe/Berlin"))
    cache = BuildCache(tmp_path, "ns")
    cache.save("articles", {"content/a.md": stamp})
    cache.flush()
    again = BuildCache(tmp_path, "ns")
    assert again.section("articles") == {"content/a.md": stamp}
    assert not again.problems and not again.warnings


def test_in_a_build_it_is_a_warning_and_the_section_is_not_written(
        tmp_path: Path) -> None:
    cache = BuildCache(tmp_path, "ns", strict=False)
    cache.save("local", {"content/a.md": ("old", ())})
    cache.flush()
    assert list((tmp_path / ".digest-cache").glob("local-*.pickle"))

    diags: list = []
    cache = BuildCache(tmp_path, "ns", strict=False)
    cache.report_to(diags)
    assert cache.section("local") == {"content/a.md": ("old", ())}
    cache.save("local", {"content/a.md": ("new", (Stranger(),))})
    cache.save("bodies", {"k": "<p>fine</p>"})
    cache.flush()
    assert [d.code for d in diags] == ["cache-type"]
    assert diags[0].severity == "warning" and "'local'" in diags[0].message
    assert "Stranger" in diags[0].message and "report" in (diags[0].hint or "")
    assert not list((tmp_path / ".digest-cache").glob("local-*.pickle"))  # nothing stale
    later = BuildCache(tmp_path, "ns")
    assert later.section("local") == {}
    assert later.section("bodies") == {"k": "<p>fine</p>"}  # the others are written
    assert not later.warnings


def test_a_refusal_in_the_early_flush_comes_back(tmp_path: Path) -> None:
    diags: list = []
    cache = BuildCache(tmp_path, "ns", strict=False)
    cache.report_to(diags)
    cache.save("terms", {"t": Stranger()})
    cache.flush_early(jobs=2)  # forked
    cache.flush()
    assert [d.code for d in diags] == ["cache-type"] and "'terms'" in diags[0].message

    cache = BuildCache(tmp_path, "ns", strict=True)
    cache.save("terms", {"t": Stranger()})
    cache.flush_early(jobs=2)
    with pytest.raises(CacheTypeError, match="Stranger"):
        cache.flush()


def test_a_corrupt_shard_is_a_warning_once(tmp_path: Path) -> None:
    data = {f"key-{i}": i for i in range(100)}
    cache = BuildCache(tmp_path, "ns")
    cache.save("articles", dict(data))
    cache.save("templates", {"t": 1})
    cache.flush()
    victim = sorted((tmp_path / ".digest-cache").glob("articles-*.pickle"))[3]
    victim.write_bytes(b"\0" * 64)
    (tmp_path / ".digest-cache" / "templates.pickle").write_bytes(b"junk")

    diags: list = []
    cache = BuildCache(tmp_path, "ns")
    loaded = cache.section("articles")  # read before the build's list is known
    cache.report_to(diags)
    assert cache.section("templates") == {}
    assert [d.code for d in diags] == ["cache-unreadable"] * 2
    assert victim.stem in diags[0].path and "templates" in diags[1].path
    cache.flush()  # nothing saved: the damaged files go anyway

    diags = []
    cache = BuildCache(tmp_path, "ns")
    cache.report_to(diags)
    assert cache.section("articles") == loaded and cache.section("templates") == {}
    assert diags == []


def test_a_corrupt_shard_of_a_saved_section_is_rewritten(tmp_path: Path) -> None:
    data = {f"key-{i}": i for i in range(100)}
    cache = BuildCache(tmp_path, "ns")
    cache.save("articles", dict(data))
    cache.flush()
    victim = sorted((tmp_path / ".digest-cache").glob("articles-*.pickle"))[3]
    victim.write_bytes(b"\0" * 64)
    cache = BuildCache(tmp_path, "ns")
    assert len(cache.section("articles")) < len(data) and cache.warnings
    cache.save("articles", dict(data))  # the build parsed them again
    cache.flush()
    again = BuildCache(tmp_path, "ns")
    assert again.section("articles") == data and not again.warnings


def test_strict_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STRICT_ENV)
    assert not BuildCache(Path("/nonexistent"), "ns", enabled=False).strict
    assert BuildCache(Path("/nonexistent"), "ns", enabled=False, strict=True).strict


# --------------------------------------------------------------------------- in a build

def _site(root: Path) -> Path:
    from tests.integration.conftest import note, write_files

    write_files(root, {
        "digest.yaml": "title: T\nbase_url: https://t.example.org/\ntimezone: Europe/Berlin\n"
                       "search: false\n",
        **{f"content/n{i}.md": note(f"Ferry story {i}", f"2024-0{1 + i}-02 08:00",
                                    f"The ferry crossing {i} pauses for winter.")
           for i in range(4)}})  # dates without an offset: ZoneInfo, cached
    return root


def _build(site: Path):  # noqa: ANN202
    from digest.pipeline import BuildOptions, build

    result = build(site, BuildOptions(now=NOW, jobs=1, search=False))
    result.cache.flush()  # as the CLI does, before it prints the diagnostics
    return result


def _cache_codes(result) -> list[str]:  # noqa: ANN001
    return [d.code for d in result.diagnostics if d.code.startswith("cache-")]


def test_a_build_warns_of_a_section_it_cannot_store_and_keeps_nothing_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STRICT_ENV)  # a user's build
    site = _site(tmp_path / "site")
    real = BuildCache.save

    def save(self: BuildCache, name: str, data: object) -> None:
        if name == "local":
            data = {**data, "content/zz.md": ("tag", (Stranger(),))}  # type: ignore[dict-item]
        real(self, name, data)

    monkeypatch.setattr(BuildCache, "save", save)
    first = _build(site)
    assert _cache_codes(first) == ["cache-type"]
    diag = next(d for d in first.diagnostics if d.code == "cache-type")
    assert diag.severity == "warning" and "'local'" in diag.message and "Stranger" in diag.message
    assert not list((site / ".digest-cache").glob("local*.pickle"))
    assert list((site / ".digest-cache").glob("articles-*.pickle"))  # the rest is cached

    monkeypatch.setattr(BuildCache, "save", real)
    second = _build(site)
    assert _cache_codes(second) == []
    assert dict(second.rendered) == dict(first.rendered)
    assert BuildCache(site, second.cache.namespace).section("articles")  # ZoneInfo dates


def test_a_build_warns_once_of_a_damaged_shard(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    first = _build(site)
    assert _cache_codes(first) == []
    shards = [p for p in sorted((site / ".digest-cache").glob("articles-*.pickle"))]
    shards[0].write_bytes(b"\0" * 80)
    second = _build(site)
    assert _cache_codes(second) == ["cache-unreadable"]
    assert shards[0].stem in (next(d for d in second.diagnostics
                                  if d.code == "cache-unreadable").path or "")
    third = _build(site)
    assert _cache_codes(third) == []
    assert dict(third.rendered) == dict(first.rendered)


def test_a_cache_from_records_of_another_shape_is_stale_without_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A digest whose Article had other fields (an upgrade, or another commit
    under the same version) wrote these files: they would fail to unpickle
    ("an Article has 38 fields, not 37"), one warning per shard; they are
    skipped as stale instead, as a cache from another namespace is."""
    import digest.engine.cache as cache_module

    article = datetime(2024, 5, 1, 9, tzinfo=UTC)
    cache = BuildCache(tmp_path, "ns")
    cache.save("articles", {"a": article})
    cache.save("templates", {"t": 1})
    cache.flush()
    diags: list = []
    fresh = BuildCache(tmp_path, "ns")
    fresh.report_to(diags)
    assert fresh.section("articles") == {"a": article} and diags == []

    monkeypatch.setattr(cache_module, "_SCHEMA", b"digest-cache:other-records\n")
    diags = []
    other = BuildCache(tmp_path, "ns")
    other.report_to(diags)
    assert other.section("articles") == {} and other.section("templates") == {}
    assert diags == [] and other.problems == []
