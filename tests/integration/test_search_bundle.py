"""digest.searchbundle: Pagefind's bundle made the same bytes for the same pages.

Pagefind 1.x writes a filter's values (and its list of filters) in hash-map
order, different from run to run; these tests run the real binary several
times over pages with many filter values and compare the bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from pathlib import Path

import cbor2
import pytest

from digest.search import find_pagefind
from digest.searchbundle import SIGNATURE, BundleShapeError, make_canonical

AGENCIES = [f"Agency {chr(65 + i)}" for i in range(12)]
TOPICS = ["Energy", "Trade", "Transport", "Security", "Health", "Farming", "Culture"]


def _site(root: Path) -> Path:
    for n in range(40):
        folder = root / f"a{n:02d}"
        folder.mkdir(parents=True)
        topics = "".join(f'<span data-pagefind-filter="topics">{TOPICS[(n + k) % 7]}</span> '
                         for k in range(2))
        (folder / "index.html").write_text(
            f"<!doctype html><html lang='en'><head><title>Story {n}</title></head><body>"
            f"<article data-pagefind-body><h1>Story {n}</h1>"
            f"<p data-pagefind-filter='source'>{AGENCIES[n % 12]}</p>"
            f"<p data-pagefind-filter='month'>2024-0{1 + n % 3}</p>"
            f"<p>Report number {n} on grain and rail.</p><p>{topics}</p></article>"
            "</body></html>", "utf-8")
    return root


def _bundle(exe: Path, site: Path, out: Path) -> dict[str, str]:
    subprocess.run([str(exe), "--site", str(site), "--output-path", str(out)],
                   check=True, capture_output=True)
    make_canonical(out)
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def _decoded(path: Path) -> object:
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(SIGNATURE)
    return cbor2.loads(raw[len(SIGNATURE):])


@pytest.fixture(scope="module")
def exe() -> Path:
    found = find_pagefind()
    assert found, "pagefind[bin] is part of the test extra"
    return found


def test_repeated_runs_give_the_same_bytes(exe: Path, tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    runs = [_bundle(exe, site, tmp_path / f"out{i}") for i in range(4)]
    assert all(run == runs[0] for run in runs[1:])
    out = tmp_path / "out0"
    entry = json.loads((out / "pagefind-entry.json").read_text("utf-8"))
    meta_hash = entry["languages"]["en"]["hash"]
    meta = _decoded(out / f"pagefind.{meta_hash}.pf_meta")
    filters = meta[3]
    assert [name for name, _ in filters] == ["month", "source", "topics"]
    for name, file_hash in filters:
        path = out / "filter" / f"{file_hash}.pf_filter"
        payload = gzip.decompress(path.read_bytes())[len(SIGNATURE):]
        assert file_hash == "en_" + hashlib.sha1(payload).hexdigest()[:7]  # noqa: S324
        values = [value for value, _pages in _decoded(path)[1]]
        assert values == sorted(values)
    sources = dict(_decoded(out / "filter" / f"{filters[1][1]}.pf_filter")[1])
    assert sorted(sources) == AGENCIES and sum(len(p) for p in sources.values()) == 40
    # nothing left under the names Pagefind gave (the search page's filters,
    # read by Pagefind's own script from these files, are tested in Chromium
    # in test_search.py)
    assert len(list((out / "filter").iterdir())) == 3
    assert len(list(out.glob("pagefind.*.pf_meta"))) == 1


def test_an_unknown_shape_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.mkdir()
    (out / "pagefind-entry.json").write_text(
        json.dumps({"version": "9", "languages": {"en": {"hash": "en_abc"}}}), "utf-8")
    (out / "pagefind.en_abc.pf_meta").write_bytes(
        gzip.compress(SIGNATURE + cbor2.dumps(["9", [], []]), mtime=0))
    with pytest.raises(BundleShapeError, match="no filter list"):
        make_canonical(out)
    (out / "pagefind.en_abc.pf_meta").write_bytes(gzip.compress(b"something else"))
    with pytest.raises(BundleShapeError, match="signature"):
        make_canonical(out)
