"""Edge: put a RenderedSite on disk atomically.

Procedure (reliability.md, "Output swap"): write everything into
``output.tmp-<id>/`` beside ``output/`` with a marker file, then rename
``output`` -> ``output.old-<id>``, the staging dir -> ``output``, and delete the
old tree.  Any failure before the swap leaves ``output/`` exactly as it was and
removes the staging dir.  Never delete-then-rename.
"""

from __future__ import annotations

import errno
import os
import shutil
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digest.errors import Diagnostic, OutputError
from digest.output.paths import MARKER, check_relpaths, path_conflicts
from digest.output.placement import make_folders, make_top_folder, spread_tree
from digest.output.spare import (
    Recycle,
    SpareRecord,
    adopt,
    link_file,
    read_marker_stamp,
    retire,
    stale_spares,
    update_tree,
)

if TYPE_CHECKING:
    from digest.output.staging import Staging


def clean_leftovers(output: Path, keep: Path | None = None) -> None:
    """Remove staging/old trees of an interrupted run (only ones carrying our marker).

    A run killed between the two renames of the swap leaves no ``output`` but an
    ``output.old-*``: that is the previous site, so it is put back, not deleted.
    ``keep``: this run's own staging tree (see :class:`Staging`).
    """
    if not output.exists() and not output.is_symlink():
        olds = sorted((s for s in output.parent.glob(f"{output.name}.old-*")
                       if (s / MARKER).exists()), key=lambda s: s.stat().st_mtime)
        if olds:
            os.replace(olds[-1], output)
    for sibling in output.parent.glob(f"{output.name}.tmp-*"):
        if sibling == keep:
            continue
        if (sibling / MARKER).exists() or not any(sibling.iterdir()):
            shutil.rmtree(sibling, ignore_errors=True)
    for sibling in output.parent.glob(f"{output.name}.old-*"):
        if (sibling / MARKER).exists():
            shutil.rmtree(sibling, ignore_errors=True)


def scan_output(output: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``output``: relative path -> (size, mtime in ns).

    Recorded after a build and compared before the next one, so a file edited,
    deleted or added in output/ by hand is noticed (and repaired) instead of
    trusted.
    """
    found: dict[str, tuple[int, int]] = {}
    stack: list[tuple[str | Path, str]] = [(output, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, rel + "/"))  # a str: no Path per folder
            else:
                st = entry.stat(follow_symlinks=False)
                found[rel] = (st.st_size, st.st_mtime_ns)
    return found


def read_stamp(output: Path) -> str:
    """The input key recorded by the build that wrote ``output`` ("" if none)."""
    return read_marker_stamp(output, MARKER)


@dataclass
class WriteReport:
    """What ``write_site`` did: the new tree's files and the kept spare, if any."""

    files: dict[str, tuple[int, int]]  # path -> (size, mtime ns), marker included
    spare: SpareRecord | None = None   # the replaced tree, kept for the next build
    recycled: bool = False             # this build was written into the last spare


def write_site(rendered: Mapping[str, bytes], output: Path, stamp: str = "",
               cleanup: list[threading.Thread] | None = None,
               recycle: Recycle | None = None, staged: Staging | None = None) -> WriteReport:
    """Write ``rendered`` so that ``output`` holds exactly it.

    Raises OutputError (with the OS reason) and leaves ``output`` untouched on failure.
    With ``cleanup`` given, the previous tree (already swapped out) is deleted on
    a thread appended to it, which the caller joins before exiting; an
    interrupted deletion is finished by the next build (``clean_leftovers``).
    With ``recycle`` (digest.output.spare), the staging tree starts from the spare the
    last build kept, and the replaced tree is kept instead of deleted.
    With ``staged`` (a :class:`digest.output.staging.Staging` for ``output`` that the
    build already filled in part), its files are part of the site even where
    ``rendered`` left them out (their bytes are only on disk), ``rendered`` is
    written into the same tree, and the tree is removed on failure.
    """
    if staged is not None and staged.output != output.absolute():
        staged.discard()
        raise ValueError(f"staging tree of {staged.output} used for {output}")
    conflicts = path_conflicts([*rendered, *(staged.written if staged else ())])
    if conflicts:
        if staged is not None:
            staged.discard()
        raise OutputError([Diagnostic(
            severity="error", code="url-collision", path=other,
            message=f"'{file}' would be both a file and the folder of '{other}'",
            hint="give the article a `slug:` that is not the name of a generated file "
                 "(feed.xml, index.html, 404.html, sitemap.xml...)") for file, other in conflicts])
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(output, keep=staged.path if staged else None)
    token = staged.token if staged else uuid.uuid4().hex[:12]
    staging = output.parent / f"{output.name}.tmp-{token}"
    check_relpaths(rendered)
    report = WriteReport(files={})
    try:
        if staged is not None:
            staged.finish()
            # What was handed over is final (the feeds stay in ``rendered``
            # too, for the feed check): only the rest is written now, files
            # that have a source on disk (the search index's cached bundles)
            # as links to it, not copies.
            link_source = getattr(rendered, "link_source", None)
            rest = [rel for rel in rendered if rel not in staged.written]
            linked = {rel: source for rel in rest
                      if link_source and (source := link_source(rel)) is not None}
            staged.put({rel: rendered[rel] for rel in rest if rel not in linked})
            staged.finish()
            staged.close()
            if staged.failed:  # the bytes handed over are gone with it: report
                raise staged.failed
            report.files = dict(staged.written)
            report.files.update(link_all(staging, linked))
            recycle = None  # nothing to adopt; the replaced tree is deleted
        spare = adopt(recycle, staging, MARKER) if recycle else None
        if spare is not None:
            try:
                report.files = _fill_adopted(staging, rendered, recycle, spare)
                report.recycled = True
            except OSError:
                # Whatever the spare held, a fresh tree is always right.
                shutil.rmtree(staging, ignore_errors=True)
                spare = None
        if spare is None and staged is None:
            staging.mkdir()
            spread_tree(staging)  # see digest.output.placement
            mark(staging, "")
            _fill_fresh(staging, rendered)
            report.files = scan_output(staging)
        # The marker says "digest made this folder" and which inputs it reflects;
        # written last, so a half-filled tree never carries a stamp.
        mark(staging, stamp)
        st = os.stat(staging / MARKER)
        report.files[MARKER] = (st.st_size, st.st_mtime_ns)
        report.spare = _swap(staging, output, token, cleanup, recycle)
    except OSError as exc:
        if staged is not None:
            staged.discard()  # stops its writer threads before the tree goes
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(Diagnostic(
            severity="error", code="write", path=str(getattr(exc, "filename", "") or output),
            message=f"could not write the site: {exc.strerror or exc}; output/ was left as it was",
            hint="check free disk space and permissions, then build again")) from None
    except BaseException:
        # SIGINT/SIGTERM (KeyboardInterrupt/SystemExit) mid-write: keep output/ as it was.
        if staged is not None:
            staged.discard()  # never waits long for a writer stuck in the kernel
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def mark(tree: Path, stamp: str) -> None:
    """Write the marker file; an empty ``stamp`` says: not a finished tree."""
    marker = tree / MARKER
    marker.unlink(missing_ok=True)  # replaced, not rewritten: never edit a file in place
    marker.write_text(f"digest\n{stamp}\n", encoding="utf-8")


def _fill_adopted(staging: Path, rendered: Mapping[str, bytes], recycle: Recycle,
                  spare: SpareRecord) -> dict[str, tuple[int, int]]:
    # A scan taken where the spare waited holds for it here: renaming the tree
    # changes no file in it, and only this build touches it meanwhile.
    present = dict(recycle.spare_files) if recycle.spare_files is not None \
        else scan_output(staging)
    mark(staging, "")  # from here on the tree is half-made: no stamp
    return update_tree(staging, rendered, recycle.fingerprints, spare, present, MARKER)


def _fill_fresh(staging: Path, rendered: Mapping[str, bytes]) -> None:
    paths = sorted(rendered)
    make_folders(str(staging), paths)
    link_source = getattr(rendered, "link_source", None)
    for rel in paths:
        target = staging / rel
        source = link_source(rel) if link_source else None
        if source is not None and link_file(source, target):
            continue  # unchanged since the last build: share the old file's bytes
        with open(target, "wb") as fh:
            fh.write(rendered[rel])


def link_all(staging: Path, files: Mapping[str, Path]) -> dict[str, tuple[int, int]]:
    """Hard-link each file's source into ``staging``, a tree that already
    holds others and maybe some of their folders (a copy where links fail).
    Path -> (size, mtime ns)."""
    root = os.fspath(staging) + os.sep
    folders = sorted({rel.rpartition("/")[0] for rel in files} - {""})
    for top in sorted({folder.split("/")[0] for folder in folders}):
        if not os.path.isdir(root + top):
            make_top_folder(os.fspath(staging), top)  # see digest.output.placement
    for folder in folders:
        os.makedirs(root + folder, exist_ok=True)
    made: dict[str, tuple[int, int]] = {}
    for rel, source in files.items():
        if not link_file(source, Path(root + rel)):
            shutil.copyfile(source, root + rel)
        st = os.stat(root + rel)
        made[rel] = (st.st_size, st.st_mtime_ns)
    return made


RENAME_ATTEMPTS = 5  # Windows: a virus scanner or indexer briefly holding a file


def _rename(src: Path, dst: Path) -> None:
    """os.replace, retried a bounded number of times on EPERM/EACCES/EBUSY (Windows
    reports a transiently open file that way); the last error is raised."""
    for attempt in range(RENAME_ATTEMPTS):
        try:
            os.replace(src, dst)
            return
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EACCES, errno.EBUSY) \
                    or attempt == RENAME_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * 2 ** attempt)


def _swap(staging: Path, output: Path, token: str,
          cleanup: list[threading.Thread] | None = None,
          recycle: Recycle | None = None) -> SpareRecord | None:
    """Rename staging over output; returns the record of the replaced tree when
    it was kept as the next spare (else it is deleted)."""
    old = output.parent / f"{output.name}.old-{token}"
    had_old = output.exists()
    try:
        if had_old:
            _rename(output, old)
        _rename(staging, output)
    except BaseException:  # OSError, or a signal between the two renames
        if old.exists() and not output.exists():
            os.replace(old, output)  # roll back
        raise
    kept = retire(recycle, old) if had_old and recycle else None
    doomed = [old] if had_old and kept is None else []
    if recycle:
        doomed += stale_spares(recycle.home, kept.name if kept else None)
    if doomed:
        if cleanup is None:
            for tree in doomed:
                shutil.rmtree(tree, ignore_errors=True)
        else:
            # Deleting ~one folder per page is slow on some file systems; the
            # new site is already in place, so let it overlap the rest.
            worker = threading.Thread(target=_remove_all, args=(doomed,),
                                      name="digest-cleanup")
            worker.start()
            cleanup.append(worker)
    return kept


def _remove_all(trees: list[Path]) -> None:
    for tree in trees:
        shutil.rmtree(tree, ignore_errors=True)
