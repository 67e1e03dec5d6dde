"""Edge: put a RenderedSite on disk atomically.

Procedure (reliability.md, "Output swap"): write everything into
``output.tmp-<id>/`` beside ``output/`` with a marker file, then rename
``output`` -> ``output.old-<id>``, the staging dir -> ``output``, and delete the
old tree.  Any failure before the swap leaves ``output/`` exactly as it was and
removes the staging dir.  Never delete-then-rename.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
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


def write_site(rendered: Mapping[str, bytes], output: Path) -> int:
    """Write ``rendered`` so that ``output`` holds exactly it.  Returns files written.

    Raises OutputError (with the OS reason) and leaves ``output`` untouched on failure.
    """
    output = output.absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(output)
    token = uuid.uuid4().hex[:12]
    staging = output.parent / f"{output.name}.tmp-{token}"
    try:
        staging.mkdir()
        (staging / MARKER).write_bytes(b"digest\n")
        made: set[Path] = set()
        for rel in sorted(rendered):
            target = staging / safe_relpath(rel)
            parent = target.parent
            if parent not in made:
                parent.mkdir(parents=True, exist_ok=True)
                made.add(parent)
            with open(target, "wb") as fh:
                fh.write(rendered[rel])
        _swap(staging, output, token)
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


def _swap(staging: Path, output: Path, token: str) -> None:
    old = output.parent / f"{output.name}.old-{token}"
    had_old = output.exists()
    try:
        if had_old:
            os.replace(output, old)
        os.replace(staging, output)
    except BaseException:  # OSError, or a signal between the two renames
        if old.exists() and not output.exists():
            os.replace(old, output)  # roll back
        raise
    if had_old:
        shutil.rmtree(old, ignore_errors=True)
