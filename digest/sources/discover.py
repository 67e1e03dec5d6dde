"""Edge: find content files, read their bytes, in a stable order.

Rules (documented in the README):
- article suffixes are ``.md``, ``.markdown`` and ``.txt`` (clippings);
- files whose name starts with ``_`` or ``.`` are not articles, nor are editor
  leftovers (``x~``, ``.x.swp``, ``#x#``, vim's ``4913``);
- folders starting with ``.`` are skipped; folders starting with ``_`` (Jekyll's
  ``_posts``) are read;
- symlinks are followed only when their target stays inside the content folder,
  otherwise skipped with a warning (the target is never read); symlinked folders
  are never followed, so loops cannot hang the build.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from digest.errors import Diagnostic
from digest.records import SourceDoc

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
MAX_BYTES = 8 * 1024 * 1024  # far above any real article; bounds memory and parse time


def is_ignored_name(name: str) -> bool:
    """Editor temp files and hidden/underscore files: never articles, never rebuild triggers."""
    return (
        name.startswith((".", "_", "#"))
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp"))
        or name == "4913"
        or name in {"Thumbs.db", "desktop.ini"}
    )


def find_sources(site_root: Path, content_dir: str
                 ) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """The article files under ``site_root/content_dir`` (POSIX path relative to the
    site, path), sorted, without reading them; plus warnings and errors."""
    root = (site_root / content_dir)
    diags: list[Diagnostic] = []
    if not root.is_dir():
        diags.append(Diagnostic(
            severity="error", code="no-content", path=content_dir,
            message=f"content folder '{content_dir}' does not exist",
            hint="create it and add Markdown (.md) or clipping (.txt) files, "
                 "or set content_dir in digest.yaml"))
        return [], diags
    real_root = root.resolve()
    real_site = site_root.resolve()
    if not real_root.is_relative_to(real_site):
        # content_dir: /etc, ../.., or a symlink out of the site: never read it.
        diags.append(Diagnostic(
            severity="error", code="content-outside", path=content_dir,
            message=f"content folder '{content_dir}' is outside the site folder",
            hint="content_dir (or --content) must name a folder inside the site, "
                 "e.g. content_dir: content"))
        return [], diags
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            if (here / d).is_symlink():
                diags.append(_skipped(site_root, here / d, "a symlinked folder"))
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in filenames:
            if is_ignored_name(name) or not name.lower().endswith(ARTICLE_SUFFIXES):
                continue
            path = here / name
            if path.is_symlink() and (problem := _symlink_problem(path, real_root)):
                diags.append(_skipped(site_root, path, problem))
                continue
            rel = path.relative_to(site_root).as_posix()
            found.append((rel, path))
    found.sort()
    return found, diags


def discover(site_root: Path, content_dir: str) -> tuple[list[SourceDoc], list[Diagnostic]]:
    """Read every article file under ``site_root/content_dir``, sorted by POSIX path.

    Returns the documents and warnings (skipped symlinks, oversized files are
    errors).  A missing content folder yields no documents and an error.
    """
    found, diags = find_sources(site_root, content_dir)
    return _read(found, diags), diags


def file_signature(info: os.stat_result) -> tuple[int, int, int, int]:
    """What changes whenever a file's bytes may have: size, mtime, ctime, inode."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _read(found: list[tuple[str, Path]], diags: list[Diagnostic]) -> list[SourceDoc]:
    """Read regular files up to MAX_BYTES; anything else becomes a diagnostic."""
    docs = []
    for rel, path in found:
        try:
            info = path.stat()
        except OSError as exc:
            diags.append(_unreadable(rel, exc))
            continue
        if not stat.S_ISREG(info.st_mode):
            # a FIFO or device named x.md would block or never end: never open it
            diags.append(Diagnostic(
                severity="warning", code="not-a-file", path=rel,
                message="skipped: not a regular file (a pipe, socket or device)",
                hint="remove it from the content folder"))
            continue
        if info.st_size > MAX_BYTES:
            diags.append(Diagnostic(
                severity="error", code="too-large", path=rel,
                message=f"file is {info.st_size // (1024 * 1024)} MiB; articles are limited to "
                        f"{MAX_BYTES // (1024 * 1024)} MiB",
                hint="split it into several articles or move it out of content/"))
            continue
        try:
            raw = path.read_bytes()
        except OSError as exc:
            diags.append(_unreadable(rel, exc))
            continue
        docs.append(SourceDoc(rel_path=PurePosixPath(rel), raw=raw,
                              stat=file_signature(info)))
    return docs


def _symlink_problem(path: Path, real_root: Path) -> str | None:
    """Why a symlinked file must be skipped (its target is never read), or None."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop (RuntimeError before 3.13)
        return "a broken or looping symlink"
    if not target.is_relative_to(real_root) or not target.is_file():
        return "a symlink leaving the content folder"
    return None


def _unreadable(rel: str, exc: OSError) -> Diagnostic:
    return Diagnostic(
        severity="error", code="unreadable", path=rel,
        message=f"cannot read the file: {exc.strerror or exc}",
        hint="check its permissions (chmod u+r), or move it out of the content folder")


def _skipped(site_root: Path, path: Path, what: str) -> Diagnostic:
    return Diagnostic(
        severity="warning", code="symlink-skipped",
        path=path.relative_to(site_root).as_posix(),
        message=f"skipped {what}",
        hint="copy the file into the content folder instead of linking to it")
