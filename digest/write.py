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
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from digest.errors import Diagnostic, OutputError

MARKER = ".digest-build"


def check_output_dir(site_root: Path, output: Path, protected: list[Path]) -> None:
    """Refuse output folders digest must never replace (R in reliability.md)."""
    site = site_root.resolve()
    problem = None
    if output.is_symlink():
        problem = "is a symlink"
    else:
        target = output.resolve()
        if target == site or site.is_relative_to(target):
            problem = "is the site folder or one of its parents"
        elif target == Path(target.anchor) or target == Path.home().resolve():
            problem = "is the file-system root or your home folder"
        elif not target.is_relative_to(site):
            problem = "is outside the site folder"
        elif any(part.startswith("~") for part in output.relative_to(site_root).parts
                 if output.is_relative_to(site_root)):
            problem = "starts with '~', which digest does not expand"
        elif any(target == p.resolve() or p.resolve().is_relative_to(target)
                 or target.is_relative_to(p.resolve()) for p in protected):
            problem = "overlaps the content or theme folder"
        elif target.exists() and not target.is_dir():
            problem = "is a file"
        elif target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
            problem = "is a non-empty folder that digest did not create"
    if problem:
        raise OutputError(Diagnostic(
            severity="error", code="output-dir", path="digest.yaml",
            message=f"refusing to write the site to '{output}': it {problem}",
            hint="set output_dir in digest.yaml to a folder digest owns (default: output)"))


def clean_leftovers(output: Path) -> None:
    """Remove staging/old trees of an interrupted run (only ones carrying our marker).

    A run killed between the two renames of the swap leaves no ``output`` but an
    ``output.old-*``: that is the previous site, so it is put back, not deleted.
    """
    if not output.exists() and not output.is_symlink():
        olds = sorted((s for s in output.parent.glob(f"{output.name}.old-*")
                       if (s / MARKER).exists()), key=lambda s: s.stat().st_mtime)
        if olds:
            os.replace(olds[-1], output)
    for sibling in output.parent.glob(f"{output.name}.tmp-*"):
        if (sibling / MARKER).exists() or not any(sibling.iterdir()):
            shutil.rmtree(sibling, ignore_errors=True)
    for sibling in output.parent.glob(f"{output.name}.old-*"):
        if (sibling / MARKER).exists():
            shutil.rmtree(sibling, ignore_errors=True)


def safe_relpath(path: str) -> PurePosixPath:
    """Validate an output path: relative, no '..', no NUL, no backslash."""
    pure = PurePosixPath(path)
    if (pure.is_absolute() or not pure.parts or any(p in ("..", ".", "") for p in pure.parts)
            or "\x00" in path or "\\" in path):
        raise OutputError(f"refusing to write unsafe output path {path!r}")
    return pure


def path_conflicts(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(file, other) pairs where ``file`` is also a folder of ``other`` (``feed.xml``
    and ``feed.xml/index.html``), compared as a case-insensitive, NFC file system would."""
    def key(p: str) -> str:
        return unicodedata.normalize("NFC", p).casefold()

    files = {key(p): p for p in paths}
    conflicts = []
    for p in sorted(files.values()):
        parts = key(p).split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in files:
                conflicts.append((files[prefix], p))
    return conflicts


def scan_output(output: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``output``: relative path -> (size, mtime in ns).

    Recorded after a build and compared before the next one, so a file edited,
    deleted or added in output/ by hand is noticed (and repaired) instead of
    trusted.
    """
    found: dict[str, tuple[int, int]] = {}
    stack = [(output, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), rel + "/"))
            else:
                st = entry.stat(follow_symlinks=False)
                found[rel] = (st.st_size, st.st_mtime_ns)
    return found


def read_stamp(output: Path) -> str:
    """The input key recorded by the build that wrote ``output`` ("" if none)."""
    try:
        lines = (output / MARKER).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[1] if len(lines) > 1 else ""


def write_site(rendered: Mapping[str, bytes], output: Path, stamp: str = "",
               cleanup: list[threading.Thread] | None = None) -> int:
    """Write ``rendered`` so that ``output`` holds exactly it.  Returns files written.

    Raises OutputError (with the OS reason) and leaves ``output`` untouched on failure.
    With ``cleanup`` given, the previous tree (already swapped out) is deleted on
    a thread appended to it, which the caller joins before exiting; an
    interrupted deletion is finished by the next build (``clean_leftovers``).
    """
    conflicts = path_conflicts(rendered)
    if conflicts:
        raise OutputError([Diagnostic(
            severity="error", code="url-collision", path=other,
            message=f"'{file}' would be both a file and the folder of '{other}'",
            hint="give the article a `slug:` that is not the name of a generated file "
                 "(feed.xml, index.html, 404.html, sitemap.xml...)") for file, other in conflicts])
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(output)
    token = uuid.uuid4().hex[:12]
    staging = output.parent / f"{output.name}.tmp-{token}"
    try:
        staging.mkdir()
        # The marker says "digest made this folder" and which inputs it reflects.
        (staging / MARKER).write_text(f"digest\n{stamp}\n", encoding="utf-8")
        paths = sorted(rendered)
        # Every folder once, parents first (sorted order puts "a" before "a/b"),
        # with plain os.mkdir: a site has about one folder per page.
        folders = sorted({str(PurePosixPath(rel).parent) for rel in map(safe_relpath, paths)}
                         - {"."})
        made = {"."}
        for folder in folders:
            for parent in _ancestors(folder):
                if parent not in made:
                    os.mkdir(staging / parent)
                    made.add(parent)
        link_source = getattr(rendered, "link_source", None)
        for rel in paths:
            target = staging / rel
            source = link_source(rel) if link_source else None
            if source is not None and _link(source, target):
                continue  # unchanged since the last build: share the old file's bytes
            with open(target, "wb") as fh:
                fh.write(rendered[rel])
        _swap(staging, output, token, cleanup)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(Diagnostic(
            severity="error", code="write", path=str(getattr(exc, "filename", "") or output),
            message=f"could not write the site: {exc.strerror or exc}; output/ was left as it was",
            hint="check free disk space and permissions, then build again")) from None
    except BaseException:
        # SIGINT/SIGTERM (KeyboardInterrupt/SystemExit) mid-write: keep output/ as it was.
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(rendered)


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
          cleanup: list[threading.Thread] | None = None) -> None:
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
    if had_old:
        if cleanup is None:
            shutil.rmtree(old, ignore_errors=True)
        else:
            # Deleting ~one folder per page is slow on some file systems; the
            # new site is already in place, so let it overlap the rest.
            worker = threading.Thread(target=shutil.rmtree, args=(old,),
                                      kwargs={"ignore_errors": True}, name="digest-cleanup")
            worker.start()
            cleanup.append(worker)


def _ancestors(folder: str) -> list[str]:
    """'a/b/c' -> ['a', 'a/b', 'a/b/c']."""
    parts = folder.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _link(source: Path, target: Path) -> bool:
    """Hard-link an unchanged file into the staging tree (never modified in place
    afterwards: every build writes new files), or say it could not."""
    try:
        os.link(source, target)
    except OSError:
        return False  # another file system, or links not supported: write the bytes
    return True
