"""Edge: the Pagefind search index of the site, in shards (``output/pagefind/``).

The index is split by the month of each article's date: one Pagefind bundle
per month in ``pagefind/<month>-<key>/``, where ``key`` is a digest of the
month's article pages (their paths and the digest of the part of each that
Pagefind indexes, digest.searchdigest), Pagefind's version and this
module's settings.  The pages' bytes would change more often: an edit moves
related links (data-pagefind-ignore) on pages of other months.  A digest of
the article's fields would skip the parse but miss what the theme does with
them; the rendered HTML is what Pagefind reads.  A page whose fingerprint
(the engine's digest of all its bytes depend on) is the one recorded keeps
the digest recorded with it, so only pages made anew are parsed (``digest
serve``, whose pages are in memory, also keeps the digest of each page's
bytes: ``memo``).  The search page's
script searches every bundle, reading their list from
``pagefind/shards.json`` (newest first), and merges the results in the
browser; the month filter and the newest-first sort
are Pagefind's, read from the attributes the theme puts on article pages.
An edit changes one month's key, so only that bundle is rebuilt; the others
come from ``.digest-cache/search/`` (``search-serve/`` for ``digest serve``;
listed in a signed cache section, so a bundle that came with the site is
never used) and, in a recycled output tree, are not even touched: their files
carry the bundle's key as fingerprint.

Only article pages are indexed (the theme marks their text with
data-pagefind-body).  Each bundle is made by the Pagefind binary
(``pagefind[bin]``, the ``search`` extra) over a scratch folder holding the
month's pages (hard links where they are already on disk).  Pagefind's Python
API would do the same but waits 0.1 s per message it answers, which for one
message per page is slower than the whole binary run.

The bundle files are returned as part of the site (``SearchIndex.site``) and
written with it by ``write_site``: a failed index fails the build before the
swap, and output/ stays as it was.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from digest.searchdigest import PageDigests
from digest.searchfiles import (
    BundleFiles,
    PageSource,
    SearchError,
    SearchIndex,
    _error,
    page_source,
)
from digest.site.model.urls import output_path

__all__ = ["SKIPPED_WARNING", "SearchError", "SearchIndex", "build_index", "find_pagefind",
           "page_source", "search_available"]

BUNDLE_DIR = "pagefind"
LIST_FILE = f"{BUNDLE_DIR}/shards.json"
# The cache section naming the bundles this user's builds made, and their
# folder: .digest-cache/search/pagefind/<shard>/... (digest serve: search-serve).
SECTION = "search"
SCHEME = "4"  # part of every key: bump when the bundles' making changes
TIMEOUT_S = 600
# the distribution is digest-news (``digest`` on the index is another project)
INSTALL_HINT = "pip install 'digest-news[search]'"
SKIPPED_WARNING = ("search index skipped: Pagefind or cbor2 is not installed "
                   f"({INSTALL_HINT})")


@dataclass(slots=True)
class SearchReport:
    seconds: float = 0.0  # wall time of the search stage
    shards: int = 0  # bundles in the index
    rebuilt: list[str] = field(default_factory=list)  # their folders made by this build
    pages: int = 0  # article pages indexed by this build (the rebuilt shards')
    read: int = 0  # pages whose indexed part was digested (new or changed files)
    version: str = ""  # Pagefind's version, e.g. "1.5.2"

    def line(self) -> str:
        return (f"{len(self.rebuilt)} of {self.shards} shards rebuilt, "
                f"{self.pages} pages indexed, {self.read} pages read")


def find_pagefind() -> Path | None:
    """Path of the Pagefind binary, or None when it is not installed."""
    env = os.environ.get("PAGEFIND_BINARY_PATH")
    if env:
        return Path(env) if Path(env).is_file() else None
    for module in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            found = __import__(module).get_executable()
        except (ImportError, FileNotFoundError):
            continue
        return Path(found)
    on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(on_path) if on_path else None


def search_available() -> bool:
    """Pagefind's binary, and cbor2 (digest.searchbundle), both of the search
    extra: a Pagefind found on PATH without the extra is not enough."""
    return find_pagefind() is not None and importlib.util.find_spec("cbor2") is not None


def pagefind_version(exe: Path) -> str:
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                             timeout=60, check=False, stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None
    found = re.search(r"(\d+\.\d+[\w.\-]*)", out)
    if not found:
        raise _error(f"could not run Pagefind ({exe}): no version in {out!r}")
    return found.group(1)


def shard_pages(articles: Iterable) -> dict[str, list[str]]:
    """Month ("2024-05") -> output paths of its article pages, sorted."""
    months: dict[str, list[str]] = {}
    for art in articles:
        months.setdefault(art.date.strftime("%Y-%m"), []).append(output_path(art.url))
    return {month: sorted(paths) for month, paths in sorted(months.items())}


def build_index(articles: Iterable, source: PageSource, cache, *, jobs: int = 1,  # noqa: ANN001, PLR0913
                binary: Path | None = None, place: str = SECTION,
                memo: dict[str, tuple[bytes, str]] | None = None,
                fingerprints: Mapping[str, str] | None = None) -> SearchIndex:
    """The sharded index of ``articles``, rebuilding only the shards whose keys
    are not in the cache.  ``source`` gives each page's bytes (or its file);
    ``cache``: the build's BuildCache, or None (every shard is built, in a
    scratch folder removed by :meth:`SearchIndex.close`).  ``place`` names
    the cache section and the folder of .digest-cache holding the bundles
    (``digest serve`` keeps its own: it does not describe output/).
    ``memo``: path -> (page bytes, digest) of the pages given as bytes, kept
    by the caller from one index to the next (updated here), so that an
    unchanged page is not read again.  ``fingerprints``: the build's page
    fingerprints (path -> digest of its inputs): a page whose fingerprint is
    the one recorded last time keeps its digest without being read.

    Raises SearchError when Pagefind is missing or fails.
    """
    started = time.perf_counter()
    exe = binary or find_pagefind()
    if exe is None:
        raise _error("Pagefind is not installed", hint=f"{INSTALL_HINT}, or build with "
                     "--no-search (or `search: false` in digest.yaml)")
    if importlib.util.find_spec("cbor2") is None:
        raise _error("cbor2 is not installed (it writes Pagefind's filter files in a "
                     "fixed order)", hint=f"{INSTALL_HINT}, or build with --no-search")
    version = pagefind_version(exe)
    caching = cache is not None and cache.enabled and not cache.dir.is_symlink()
    if caching:
        home = cache.dir / place
        scratch = None
        section = cache.section(place)
    else:
        home = scratch = Path(tempfile.mkdtemp(prefix="digest-search-"))
        section = {}
    known = section.get("shards", {})
    hashes = PageDigests(source, section.get("pages", {}), memo, fingerprints)
    report = SearchReport(version=version)
    months = shard_pages(articles)
    (home / BUNDLE_DIR).mkdir(parents=True, exist_ok=True)
    # Months without a bundle in the cache (all of them on a first build) are
    # indexed at once, while their keys are computed here: a key needs the
    # digest of every page (digest.searchdigest), which on a first build
    # reads all of them (4.9 s of a 15.8 s search stage at 10,000 articles,
    # which Pagefind's runs now overlap).  The others wait for their key: it
    # may name a cached bundle.
    cached_months = {name.rsplit("-", 1)[0] for name in known}
    pool = ThreadPoolExecutor(max(1, jobs))
    try:
        runs = {month: pool.submit(_index_pages, exe, home, paths, source)
                for month, paths in months.items() if month not in cached_months}
        wanted: dict[str, str] = {}  # month -> folder name
        for month, paths in months.items():
            wanted[month] = f"{month}-{_key(version, paths, hashes)}"
        kept = {name: files for name, files in known.items()
                if name in wanted.values() and _intact(home, name, files)}
        for month, name in wanted.items():
            if name not in kept and month not in runs:
                runs[month] = pool.submit(_index_pages, exe, home, months[month], source)
        for month, run in sorted(runs.items()):
            work, pages = run.result()
            name = wanted[month]
            kept[name] = _place(work, home, name)
            report.rebuilt.append(name)
            report.pages += pages
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # no Pagefind left running
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    pool.shutdown()
    order = [wanted[m] for m in sorted(wanted, reverse=True)]  # newest first
    linked = BundleFiles({f"{BUNDLE_DIR}/{name}": (home / BUNDLE_DIR / name, kept[name])
                          for name in order})
    listing = json.dumps({"shards": [f"{name}/" for name in order]}, indent=1) + "\n"
    if caching:
        cache.save(place, {"shards": {name: kept[name] for name in order},
                             "pages": hashes.now})
        _forget(home, set(order))
    if memo is not None:
        memo.clear()
        memo.update(hashes.memo)
    report.shards = len(order)
    report.read = hashes.read
    report.seconds = time.perf_counter() - started
    return SearchIndex(home, linked, {LIST_FILE: listing.encode()}, report, scratch)


def _key(version: str, paths: list[str], hashes: PageDigests) -> str:
    digest = hashlib.sha256(f"{SCHEME}\n{version}\n".encode())
    for rel in paths:
        digest.update(f"{rel}\n{hashes(rel)}\n".encode())
    return digest.hexdigest()[:16]


def _intact(home: Path, name: str, files: object) -> bool:
    folder = home / BUNDLE_DIR / name
    return isinstance(files, list) and bool(files) and folder.is_dir() \
        and not folder.is_symlink() and (folder / "pagefind.js").is_file()


def _index_pages(exe: Path, home: Path, paths: list[str],
                 source: PageSource) -> tuple[Path, int]:
    """Run Pagefind over a scratch tree of the shard's pages (links to the ones
    on disk, copies of new bytes) into ``<work>/bundle``, in a scratch folder
    ``work`` of ``home`` (:func:`_place` moves the bundle where it belongs).
    Returns (work, pages indexed).

    (Pointing Pagefind at the staging tree with a --glob of the shard's pages
    instead was no faster: it walks the whole tree for every shard.)
    """
    work = home / f".work-{uuid.uuid4().hex[:8]}"
    site, bundle = work / "site", work / "bundle"
    try:
        _copy_pages(site, paths, source)
        log = _run(exe, site, bundle)
        shutil.rmtree(site, ignore_errors=True)
        pages = _number(r"Indexed (\d+) pages?", log)
        if not pages:
            raise _error("Pagefind indexed no pages",
                         hint="the theme must mark the text of article pages with "
                              "data-pagefind-body")
        for unused in bundle.iterdir():  # the search page loads none of Pagefind's UIs
            if unused.name.startswith(UNUSED):
                unused.unlink()
        from digest.searchbundle import BundleShapeError, make_canonical  # needs cbor2

        try:
            make_canonical(bundle)  # filter values in a fixed order: the same bytes
        except (BundleShapeError, OSError) as exc:
            raise _error(f"Pagefind's bundle is not as digest expects ({exc})",
                         hint="install a Pagefind 1.x release (pip install "
                              "'pagefind[bin]>=1.1,<2'), or build with --no-search") from None
        return work, pages
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _place(work: Path, home: Path, name: str) -> list[str]:
    """Move the bundle made in ``work`` to ``home/pagefind/<name>/``; its files."""
    try:
        final = home / BUNDLE_DIR / name
        shutil.rmtree(final, ignore_errors=True)  # a half-made one (a build stopped)
        os.rename(work / "bundle", final)  # a folder onto a name just freed
        return sorted(str(p.relative_to(final).as_posix()) for p in final.rglob("*")
                      if p.is_file())
    finally:
        shutil.rmtree(work, ignore_errors=True)


UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
          "pagefind-highlight.")  # 0.6 MB per bundle the theme never loads


def _copy_pages(site: Path, paths: list[str], source: PageSource) -> None:
    for rel in paths:
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        page = source(rel)
        if isinstance(page, bytes):
            target.write_bytes(page)
            continue
        try:
            os.link(page, target)  # never edited: Pagefind only reads it
        except OSError:
            shutil.copyfile(page, target)


def _run(exe: Path, site: Path, bundle: Path) -> str:
    cmd = [str(exe), "--site", str(site), "--output-path", str(bundle)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S,
                              check=False, stdin=subprocess.DEVNULL,
                              env={**os.environ, "NO_COLOR": "1"})
    except OSError as exc:
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None
    except subprocess.TimeoutExpired:
        raise _error(f"Pagefind did not finish within {TIMEOUT_S} s") from None
    log = proc.stdout + proc.stderr
    if proc.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise _error(f"Pagefind failed (exit {proc.returncode}): {_tail(log)}")
    return log


def _forget(home: Path, keep: set[str]) -> None:
    """Remove cached bundles this build no longer lists, and leftover scratch
    folders (output trees that still use a bundle hold their own links)."""
    for entry in (home / BUNDLE_DIR).iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
    for entry in home.glob(".work-*"):
        shutil.rmtree(entry, ignore_errors=True)


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _tail(log: str, lines: int = 12) -> str:
    kept = [line for line in log.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "no output"
