"""Edge: the search index's folders on disk (digest.search, digest.searchrun).

Each month has a folder of its pages in the index's home
(``pages/<month>/``: hard links to the pages on disk, files for pages that
exist only in memory), which Pagefind reads.  It is kept from build to
build: an edit replaces the pages whose indexed part changed (by the digest
of digest.searchdigest, recorded with each file's size and mtime), not the
month's 400-500 links and folders (0.23 s of an edit's 1.3 s search stage
at 10,000 articles, where creating a file just after many were deleted is
slow).  Pagefind writes each bundle into a scratch folder; :func:`place_bundle`
names it by its files (:func:`bundle_name`) and moves it into the cache.

A month indexed again starts from its last bundle's page fragments
(:func:`reusable`, :func:`seed_fragments`): Pagefind names a fragment by a
hash of its content and does not write one whose file is there already, and
compressing the fragments was a fifth of a month's run (0.6 s to 0.5 s for
the 535 pages of a month, one of them edited).  Those no page has any more
are removed once the run is done (digest.searchbundle.make_canonical).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from digest.output.write import scan_output
from digest.searchfiles import PageSource

PAGES_DIR = "pages"  # home/pages/<month>/: the pages Pagefind reads

FileRecord = Mapping[str, list]  # path -> [digest, size, mtime ns] of a month's folder


def sync_pages(folder: Path, paths: list[str], source: PageSource,
               digests: Mapping[str, str] | None,
               record: FileRecord) -> dict[str, tuple[int, int]]:
    """Make ``folder`` hold exactly the month's ``paths``: a file still as
    recorded (size, mtime) with the page's current digest is kept, any
    other file there is removed (a page that moved, a file left by a build
    stopped halfway), the rest linked or written anew.  Returns path ->
    (size, mtime ns) of its files."""
    if digests is None:
        shutil.rmtree(folder, ignore_errors=True)
    present = scan_output(folder)  # {} without it
    root = os.fspath(folder) + os.sep
    wanted = set(paths)
    for rel in present:
        if rel not in wanted:
            os.unlink(root + rel)
    files: dict[str, tuple[int, int]] = {}
    for rel in paths:
        have = present.get(rel)
        was = record.get(rel)
        if have is not None and digests is not None and isinstance(was, list) \
                and len(was) == 3 and was[0] == digests.get(rel) and tuple(was[1:]) == have:
            files[rel] = have
            continue
        target = root + rel
        if have is not None:
            os.unlink(target)  # a link may share its file with output/: never edited
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
        page = source(rel)
        if isinstance(page, bytes):
            with open(target, "wb") as fh:
                fh.write(page)
        else:
            try:
                os.link(page, target)  # never edited: Pagefind only reads it
            except OSError:
                shutil.copyfile(page, target)
        st = os.stat(target)
        files[rel] = (st.st_size, st.st_mtime_ns)
    return files


def bundle_name(bundle: Path) -> str:
    """A digest of the bundle's files, their names and bytes: the name of its
    folder (``<month>-<name>``), so that the same index has the same name
    however it was made (a first build, an edit, an early run), and a
    browser never keeps an older bundle's files under a newer one's name."""
    digest = hashlib.sha256()
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(bundle).as_posix()}\n{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


def place_bundle(work: Path, home: Path, month: str) -> tuple[str, list[str]]:
    """Move the bundle made in ``work`` into ``home``, in a folder named
    ``<month>-<name>`` (:func:`bundle_name`): (that folder's name, its files).
    ``work`` is gone afterwards, whatever happened."""
    try:
        name = f"{month}-{bundle_name(work / 'bundle')}"
        final = home / name
        shutil.rmtree(final, ignore_errors=True)  # a half-made one (a build stopped)
        os.rename(work / "bundle", final)  # a folder onto a name just freed
        return name, sorted(str(p.relative_to(final).as_posix()) for p in final.rglob("*")
                            if p.is_file())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def reusable(bundle: Path, version: str) -> Path | None:
    """``bundle`` (a month's last bundle) when Pagefind ``version`` made it:
    a fragment's name then stands for its bytes (see :func:`seed_fragments`)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return bundle if isinstance(entry, dict) and entry.get("version") == version else None


def seed_fragments(bundle: Path, target: Path) -> None:
    """Hard-link the page fragments of ``bundle`` into the bundle folder
    ``target`` that Pagefind is about to write: the pages it finds unchanged
    keep them.  Pagefind does not write a fragment whose file is there (the
    links share their files with output/: tests/integration/test_search.py
    checks that they keep their inode and time), and a file of another
    Pagefind never comes here (:func:`reusable`).  When anything fails, none
    is left (Pagefind then writes them all)."""
    folder = target / "fragment"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for entry in os.scandir(bundle / "fragment"):
            if entry.name.endswith(".pf_fragment") and entry.is_file(follow_symlinks=False):
                os.link(entry.path, folder / entry.name)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
