"""Edge: the Pagefind search index of the site, in shards (``output/pagefind/``).

The index is split by the month of each article's date: one Pagefind bundle
per month in ``pagefind/<month>-<name>/``, ``name`` being a digest of the
bundle's files (searchfolders.bundle_name: the same index, the same name).  A
month's cached bundle is used while the month's *key* is the one recorded
with it: a digest of the month's article pages (their paths and a token for
the part of each that Pagefind indexes, digest.searchdigest), Pagefind's
version and this module's settings.  The pages' bytes would change more often: an edit moves
related links (data-pagefind-ignore) on pages of other months.  A digest of
the article's fields would skip the parse but miss what the theme does with
them; the rendered HTML is what Pagefind reads.  A page whose fingerprint
(the engine's digest of all its bytes depend on) is the one recorded keeps
the token recorded with it, a page seen for the first time gets one named
after its fingerprint, so only pages whose fingerprint changed are parsed
(``digest serve``, whose pages are in memory, also keeps the digest of each
page's bytes: ``memo``).  The search page's
script searches every bundle, reading their list from
``pagefind/shards.json`` (newest first), and merges the results in the
browser; the month filter and the newest-first sort
are Pagefind's, read from the attributes the theme puts on article pages.
An edit changes one month's key, so only that bundle is rebuilt (often
started while the site was still building, digest.searchahead); the others
come from ``.digest-cache/search/`` (``search-serve/`` for ``digest serve``;
listed in a signed cache section, so a bundle that came with the site is
never used) and, in a recycled output tree, are not even touched: their files
carry the bundle's name as fingerprint.

Only article pages are indexed (the theme marks their text with
data-pagefind-body).  Each bundle is made by the Pagefind binary
(``pagefind[bin]``, the ``search`` extra) over a folder holding the month's
pages (hard links where they are already on disk), kept from build to build
(digest.searchfolders).  Pagefind's Python
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
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from digest.searchdigest import PageDigests, indexed_before
from digest.searchfiles import (
    BundleFiles,
    PageSource,
    SearchError,
    SearchIndex,
    _error,
    page_source,
)
from digest.searchfolders import PAGES_DIR, place_bundle, reusable
from digest.searchrun import Made, Runs, Stopped
from digest.searchtool import find_pagefind, pagefind_version, search_available
from digest.site.model.urls import output_path

if TYPE_CHECKING:
    from digest.searchahead import Ahead

__all__ = ["SKIPPED_WARNING", "SearchError", "SearchIndex", "build_index", "find_pagefind",
           "page_source", "search_available"]

BUNDLE_DIR = "pagefind"
LIST_FILE = f"{BUNDLE_DIR}/shards.json"
# The cache section naming the bundles this user's builds made, and their
# folder: .digest-cache/search/pagefind/<shard>/... (digest serve: search-serve).
SECTION = "search"
SCHEME = "4"  # part of every key: bump when the bundles' making changes
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
    ahead: int = 0  # rebuilt shards made while the site was built (digest.searchahead)

    def line(self) -> str:
        early = f" ({self.ahead} started early)" if self.ahead else ""
        return (f"{len(self.rebuilt)} of {self.shards} shards rebuilt{early}, "
                f"{self.pages} pages indexed, {self.read} pages read")


def shard_pages(articles: Iterable) -> dict[str, list[str]]:
    """Month ("2024-05") -> output paths of its article pages, sorted."""
    months: dict[str, list[str]] = {}
    for art in articles:
        months.setdefault(art.date.strftime("%Y-%m"), []).append(output_path(art.url))
    return {month: sorted(paths) for month, paths in sorted(months.items())}


def build_index(articles: Iterable, source: PageSource, cache, *, jobs: int = 1,  # noqa: ANN001, PLR0913
                binary: Path | None = None, place: str = SECTION,
                memo: dict[str, tuple[bytes, str]] | None = None,
                fingerprints: Mapping[str, str] | None = None,
                ahead: Ahead | None = None,
                placed: Callable[[str, Path, list[str]], None] | None = None,
                should_stop: Callable[[], bool] | None = None) -> SearchIndex:
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
    ``ahead``: the bundles of edited months started while the site was built
    (digest.searchahead), taken where their key is the month's; closed here.
    ``placed(folder, source, files)``: told of each new bundle as soon as it
    is in the cache (``folder``: its place in output/, e.g. pagefind/<name>;
    ``source``: where its ``files`` are), e.g. to link them into a staging
    tree while the other months are indexed.
    ``should_stop()``: asked while Pagefind runs; once it says True, the runs are
    killed and :class:`digest.searchrun.Stopped` is raised, the months
    already indexed recorded in the cache (saved, not flushed), so that the
    next index starts from them (`digest serve` stops when an edit arrives).

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
    caching = cache is not None and cache.enabled and not cache.dir.is_symlink()
    if caching:
        home = cache.dir / place
        scratch = None
        section = cache.section(place)
    else:
        home = scratch = Path(tempfile.mkdtemp(prefix="digest-search-"))
        section = {}
    try:
        version, binary_record = pagefind_version(exe, section.get("binary"))
    except SearchError:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    known = section.get("shards", {})
    known = known if isinstance(known, dict) else {}
    bundles = section.get("bundles", {})
    bundles = bundles if isinstance(bundles, dict) else {}
    sites = section.get("sites", {})
    sites = sites if isinstance(sites, dict) else {}
    months = shard_pages(articles)
    hashes = PageDigests(source, section.get("pages", {}), memo, fingerprints,
                         before_page=indexed_before(home / PAGES_DIR, months, sites))
    report = SearchReport(version=version)
    (home / BUNDLE_DIR).mkdir(parents=True, exist_ok=True)
    # Months without a bundle in the cache (all of them on a first build) are
    # indexed at once, while their keys are computed here: a key needs the
    # token of every page (digest.searchdigest), which without fingerprints
    # (a build without its cache) means reading them all.  The others wait
    # for their key: their cached bundle holds while it is the one recorded.
    # month -> its bundle's folder in the cache, made when the month's key was
    # the one recorded with it (see _key; the name says what the folder holds)
    cached = {month: entry[1] for month, entry in bundles.items()
              if isinstance(entry, list) and len(entry) == 2 and entry[1] in known}
    early: dict[str, Made] = {}
    named: dict[str, str] = {}  # month -> its bundle's folder
    kept: dict[str, list[str]] = {}  # folder -> its files

    def take(month: str, made: Made) -> None:
        """A month's new bundle into the cache (and to ``placed``), as soon as
        its run ends: naming it reads all its files, which for a cold build's
        24 months was 0.4 s after the last run had ended."""
        work, pages, files = made
        name, kept[name] = place_bundle(work, home / BUNDLE_DIR, month)
        named[month] = name
        sites[month] = {rel: [hashes(rel), *have] for rel, have in files.items()}
        report.rebuilt.append(name)
        report.pages += pages
        if placed is not None:
            placed(f"{BUNDLE_DIR}/{name}", home / BUNDLE_DIR / name, kept[name])

    # started and waited for by this thread (see Runs)
    runs = Runs(exe, home, jobs, taken=take, should_stop=should_stop)
    wanted: dict[str, str] = {}  # month -> key
    try:
        # Largest months first: the last runs, which end the stage with a core
        # idle, are then the shortest.
        fresh = sorted((month for month in months if month not in cached),
                       key=lambda month: (-len(months[month]), month))
        for month in fresh:
            if ahead:
                ahead.drop(month)
            runs.add(month, months[month], source, None, {})
        for month, paths in months.items():
            wanted[month] = _key(version, paths, hashes)
            runs.poll()  # a month's key may take a while: keep Pagefind busy
        for month, key in wanted.items():
            if month in fresh:
                continue
            name = cached[month]
            if bundles[month][0] == key and _intact(home, name, known[name]):
                named[month], kept[name] = name, known[name]
                continue
            made = ahead.take(month, key) if ahead else None
            if made is not None:
                early[month] = made
                continue
            record = sites.get(month)
            runs.add(month, months[month], source, {rel: hashes(rel) for rel in months[month]},
                     record if isinstance(record, dict) else {},
                     reusable(home / BUNDLE_DIR / name, version))
        runs.results()
        while early:
            take(*early.popitem())
    except BaseException as exc:
        runs.close()  # no Pagefind left running
        if ahead:
            ahead.close()
        for work, _, _ in early.values():
            shutil.rmtree(work, ignore_errors=True)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        elif isinstance(exc, Stopped):  # what is done stays done: the months indexed so far
            bundles.update((m, [wanted.get(m, ""), name]) for m, name in named.items())
            known.update((name, kept[name]) for name in named.values())
            cache.save(place, {"shards": known, "bundles": bundles, "pages": hashes.now,
                               "binary": binary_record, "sites": sites})
        raise
    report.rebuilt.sort()
    if ahead:
        ahead.close()  # runs of months whose key was not theirs, or that had a bundle
        report.ahead = len(ahead.used)
    order = [named[m] for m in sorted(named, reverse=True)]  # newest first
    linked = BundleFiles({f"{BUNDLE_DIR}/{name}": (home / BUNDLE_DIR / name, kept[name])
                          for name in order})
    listing = json.dumps({"shards": [f"{name}/" for name in order]}, indent=1) + "\n"
    if caching:
        cache.save(place, {"shards": {name: kept[name] for name in order},
                           "bundles": {month: [wanted[month], named[month]] for month in wanted},
                           "pages": hashes.now, "binary": binary_record,
                           "sites": {month: sites.get(month, {}) for month in wanted}})
        _forget(home, set(order), set(wanted))
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


def _forget(home: Path, keep: set[str], months: set[str]) -> None:
    """Remove cached bundles this build no longer lists, the page folders of
    months without articles, and leftover scratch folders (output trees that
    still use a bundle hold their own links)."""
    for entry in (home / BUNDLE_DIR).iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
    if (home / PAGES_DIR).is_dir():
        for entry in (home / PAGES_DIR).iterdir():
            if entry.name not in months:
                shutil.rmtree(entry, ignore_errors=True)
    for entry in home.glob(".work-*"):
        shutil.rmtree(entry, ignore_errors=True)
