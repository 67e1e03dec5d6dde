"""Edge: recycle the output tree a build retires as the next build's staging tree.

The atomic swap (write.py) fills a staging folder and renames it over
``output/``.  Filling a fresh folder means one new folder and one new file per
page, and the retired tree must be deleted: about 30,000 inodes created and
30,000 removed per build on a 10,000-article site, even when one article
changed.  On some file systems that churn is the slowest part of a rebuild
(ext4 without a journal walks every recently deleted inode on each create,
which made a one-edit build spend seconds in the kernel).

So the retired tree is not deleted: it is moved to ``.digest-cache/spare-*``
with a record of what it holds (the build's stamp, each page's fingerprint,
each file's size and mtime).  The next build renames it to its staging folder,
fixes only the files that differ, removes the ones that are gone, and swaps it
in.  Output stays atomic: the live tree is never modified.  A file of the
spare is rewritten in place only when no other tree shares it (link count 1);
one that is a hard link shared with the live tree is replaced (unlink, then
create or link), never edited.

The record lives in the signed ``pages`` cache section; a spare whose marker
does not carry the recorded stamp, or whose files do not match the record,
is not trusted: mismatching files are rewritten, unknown ones removed.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.output.placement import folder_chain

PREFIX = "spare-"


@dataclass(frozen=True)
class SpareRecord:
    """What the last build knows about the tree it retired."""

    name: str                                # folder name inside the cache folder
    stamp: str                               # the marker stamp that tree carries
    fingerprints: Mapping[str, str]          # path -> fingerprint of its bytes
    files: Mapping[str, tuple[int, int]]     # path -> (size, mtime ns) as recorded

    def to_data(self) -> dict:
        return {"name": self.name, "stamp": self.stamp,
                "fingerprints": dict(self.fingerprints), "files": dict(self.files)}

    @staticmethod
    def from_data(data: object) -> SpareRecord | None:
        if not isinstance(data, dict):
            return None
        name, stamp = data.get("name"), data.get("stamp")
        fps, files = data.get("fingerprints"), data.get("files")
        if not (isinstance(name, str) and name.startswith(PREFIX) and "/" not in name
                and isinstance(stamp, str) and stamp and isinstance(fps, dict)
                and isinstance(files, dict)):
            return None
        return SpareRecord(name, stamp, fps, files)


@dataclass(frozen=True)
class Recycle:
    """How ``write_site`` may reuse and keep trees (None there: always a fresh tree).

    ``home`` is the cache folder; ``fingerprints`` are this build's (path ->
    fingerprint); ``spare`` the record of the tree waiting in ``home``, if any;
    ``retired_*`` what the tree being replaced now will be recorded as (its
    stamp, fingerprints and files), so it can become the next build's spare.
    ``spare_files``: a scan of the spare tree where it waits (path -> (size,
    mtime ns)), taken by this build before adopting it; None: scan it then.
    """

    home: Path
    fingerprints: Mapping[str, str]
    spare: SpareRecord | None
    spare_files: Mapping[str, tuple[int, int]] | None = None
    retired_stamp: str = ""
    retired_fingerprints: Mapping[str, str] | None = None
    retired_files: Mapping[str, tuple[int, int]] | None = None


def read_marker_stamp(tree: Path, marker: str) -> str:
    """The stamp (second line) of a tree's marker file, "" if none (write.read_stamp)."""
    try:
        lines = (tree / marker).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[1] if len(lines) > 1 else ""


def adopt(recycle: Recycle, staging: Path, marker: str) -> SpareRecord | None:
    """Move the recorded spare tree to ``staging``; None when there is none to use."""
    spare = recycle.spare
    if spare is None:
        return None
    tree = recycle.home / spare.name
    if tree.is_symlink() or not tree.is_dir() or read_marker_stamp(tree, marker) != spare.stamp:
        return None
    try:
        os.rename(tree, staging)
    except OSError:  # another file system, or a concurrent build took it
        return None
    return spare


def retire(recycle: Recycle, old: Path) -> SpareRecord | None:
    """Keep the tree the swap just replaced (at ``old``) as the next build's spare.

    Returns its record, or None when it could not be kept (the caller deletes it).
    """
    if recycle.retired_fingerprints is None or recycle.retired_files is None \
            or not recycle.retired_stamp:
        return None
    name = f"{PREFIX}{uuid.uuid4().hex[:12]}"
    try:
        recycle.home.mkdir(exist_ok=True)
        os.rename(old, recycle.home / name)
    except OSError:
        return None
    return SpareRecord(name, recycle.retired_stamp, dict(recycle.retired_fingerprints),
                       dict(recycle.retired_files))


def stale_spares(home: Path, keep: str | None) -> list[Path]:
    """Spare trees in ``home`` other than ``keep`` (left by interrupted or refused builds)."""
    try:
        return sorted(p for p in home.glob(f"{PREFIX}*")
                      if p.name != keep and p.is_dir() and not p.is_symlink())
    except OSError:
        return []


def update_tree(staging: Path, rendered: Mapping[str, bytes], fingerprints: Mapping[str, str],
                spare: SpareRecord, present: dict[str, tuple[int, int]],
                marker: str) -> dict[str, tuple[int, int]]:
    """Make the adopted tree at ``staging`` hold exactly ``rendered``.

    ``present`` is a scan of the tree (path -> (size, mtime ns)).  A file is
    kept when the record says it has this build's fingerprint and it is still
    as recorded; a file without fingerprint (sitemaps, static files) when its
    bytes are equal.  Returns the manifest of the finished tree (marker excluded).
    Raises OSError like any write; the caller then starts from a fresh tree.
    """
    present = dict(present)
    present.pop(marker, None)
    link_source = getattr(rendered, "link_source", None)
    root = os.fspath(staging) + os.sep  # plain strings: a Path per file costs seconds
    manifest: dict[str, tuple[int, int]] = {}
    replace: list[str] = []
    recorded_files, recorded_fps = spare.files, spare.fingerprints
    for rel in sorted(rendered):
        have = present.pop(rel, None)
        if have is not None and have == recorded_files.get(rel):
            fp = fingerprints.get(rel)
            if fp is not None and recorded_fps.get(rel) == fp:
                manifest[rel] = have
                continue
        replace.append(rel)
    # Gone first: a file that gives way to a folder of the same name (or the
    # reverse) is out of the way before anything is written.
    emptied: set[str] = set()
    for rel in sorted(present):
        os.unlink(root + rel)
        emptied.update(_parents(rel))
    for folder in sorted(emptied, key=lambda f: (-f.count("/"), f)):
        try:
            os.rmdir(root + folder)
        except OSError:
            pass  # still holds files: kept
    for rel in replace:
        target = root + rel
        data = None
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
        else:
            if stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
                # Only this tree has the file, and this tree is not live.  Equal
                # bytes (a page whose fingerprint changed but not its text, or
                # no fingerprint at all) are kept; others are rewritten in
                # place: reusing the inode avoids the file system's inode
                # allocator, the slow part of creating files on some of them.
                data = rendered[rel]
                if st.st_size != len(data) or _read(target) != data:
                    with open(target, "wb") as fh:
                        fh.write(data)
                    st = os.stat(target)
                manifest[rel] = (st.st_size, st.st_mtime_ns)
                continue
            os.unlink(target)  # shared (a hard link into output/): replace, never edit
        source = link_source(rel) if link_source else None
        if source is None or not link_file(source, Path(target)):
            with open(target, "wb") as fh:
                fh.write(rendered[rel] if data is None else data)
        st = os.stat(target)
        manifest[rel] = (st.st_size, st.st_mtime_ns)
    return manifest


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _parents(rel: str) -> list[str]:
    return folder_chain(rel.rpartition("/")[0])


def link_file(source: Path, target: Path) -> bool:
    """Hard-link ``source`` as ``target`` (never modified in place afterwards:
    see update_tree), or say it could not (another file system, no links)."""
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def link_copy(source: Path, target: Path, files: Mapping[str, tuple[int, int]]) -> bool:
    """Make ``target`` a tree of hard links to the ``files`` of ``source``.

    The spare for a build that has none (the first edit after a cold build):
    then, instead of a fresh tree of one new folder and file per page, the
    build adopts this copy and replaces only the files that changed.  Every
    file is shared with the live tree, so update_tree replaces them, never
    edits them.  Run in a process of its own while the build works (see
    record.LastBuild.prelink).  Returns False, with ``target`` removed,
    when the file system cannot link (or anything else fails): the build
    then writes a fresh tree as before.
    """
    from digest.output.placement import make_folders, spread_tree

    src, dst = os.fspath(source) + os.sep, os.fspath(target) + os.sep
    try:
        os.mkdir(target)
        spread_tree(target)  # placement as for a fresh tree (digest.output.placement)
        make_folders(dst, files)
        for rel in files:
            os.link(src + rel, dst + rel)
    except OSError:
        import shutil

        shutil.rmtree(target, ignore_errors=True)
        return False
    return True
