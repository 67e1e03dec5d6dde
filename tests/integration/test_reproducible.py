"""Issue 2: with SOURCE_DATE_EPOCH set, a build is a function of the site alone.

Each build runs in its own process with a different hash seed, time zone and
locale, so set ordering, the machine's zone and the locale cannot leak in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.conftest import (
    EPOCH,
    child_env,
    copy_example_site,
    make_site,
    note,
    run_digest,
    tree_hash,
)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    """The example site built three times in fresh copies, under different machines."""
    machines = [
        {"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "1"},
        {"TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "2"},
        {"TZ": "Pacific/Kiritimati", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "3"},
    ]
    trees = []
    for n, machine in enumerate(machines):
        site = copy_example_site(tmp_path_factory.mktemp(f"repro{n}") / "site")
        run = run_digest(site, "build", "-q", env=child_env(**machine))
        assert run.code == 0, run
        trees.append(tree_hash(site / "output"))
    return trees


def test_rebuild_is_byte_identical(builds: list[dict[str, str]]) -> None:
    first, second, _ = builds
    assert len(first) > 50
    differing = sorted(k for k in first.keys() | second.keys() if first.get(k) != second.get(k))
    assert differing == []


def test_machine_time_zone_and_locale_do_not_matter(builds: list[dict[str, str]]) -> None:
    utc, _, kiritimati = builds
    differing = sorted(k for k in utc.keys() | kiritimati.keys()
                       if utc.get(k) != kiritimati.get(k))
    assert differing == []


def test_rebuild_in_place_is_identical(tmp_path: Path) -> None:
    site = copy_example_site(tmp_path / "site")
    assert run_digest(site, "build", "-q").code == 0
    first = tree_hash(site / "output")
    assert run_digest(site, "build", "-q").code == 0
    assert tree_hash(site / "output") == first


def test_wall_clock_never_leaks_into_the_output(tmp_path: Path) -> None:
    """SOURCE_DATE_EPOCH is 2024; no trace of today (or yesterday/tomorrow, for zones)."""
    site = make_site(tmp_path / "s", {
        "content/a.md": note("Spring fair opens", "2024-04-10T09:00:00+02:00", tags="[fair]"),
        "content/b.md": note("Spring fair closes", "2024-04-14T18:00:00+02:00", tags="[fair]"),
        # a clipping without a year: the year comes from the build's "now"
        "content/clippings/fair.txt": ("Fair draws record crowds\n\n12:05, 13 April\n\n"
                                       "Organisers counted more visitors than ever before.\n"),
    })
    run = run_digest(site, "build", "-q")
    assert run.code == 0, run
    assert datetime.fromtimestamp(int(EPOCH), tz=UTC).year == 2024
    now = datetime.now(tz=UTC)
    patterns = []
    for day in (now - timedelta(days=1), now, now + timedelta(days=1)):
        patterns += [day.strftime("%Y-%m-%d"), day.strftime("%d %b %Y"),
                     f"{day.day} {day:%B} {day.year}", day.strftime("%Y/%m/%d")]
    assert now.year > 2024, "the machine clock is expected to be past the pinned epoch"
    found = []
    for path in (site / "output").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.name}: {p}" for p in patterns if p in text]
    assert found == []
    feed = (site / "output/feed.xml").read_text(encoding="utf-8")
    assert re.search(r"<lastBuildDate>[^<]*2024[^<]*</lastBuildDate>", feed), feed[:400]
    assert "/2024/04/13/fair-draws-record-crowds/" in feed  # year inferred from the epoch
