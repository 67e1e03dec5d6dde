"""Edge: where digest may write: the output folder it may replace, and the
paths of the files inside it.

``output_dir`` is refused when replacing it could lose anything digest did not
make (the site folder, home, a folder of someone else's files: reliability.md,
"R"); a page's path when it could leave the tree or clash with another on a
case-insensitive file system.  Checked before anything is written.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from digest.errors import Diagnostic, OutputError

# The one pure function of the model this package uses: output paths collide
# as URL assignment says they do (tests/test_architecture.py allows it).
from digest.site.model.urls import collision_key

MARKER = ".digest-build"  # in every tree digest writes: "digest made this folder"


def check_output(site_root: Path, config: Any) -> None:  # noqa: ANN401 - a SiteConfig
    """:func:`check_output_dir` for the settings' output_dir, with the content
    and theme folders protected: before any work, and again after a build."""
    check_output_dir(site_root, site_root / config.output_dir,
                     [site_root / config.content_dir, site_root / "themes"])


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
            line=_setting_line(site_root, "output_dir"),
            message=f"refusing to write the site to '{output}': it {problem}",
            hint="set output_dir in digest.yaml to a folder digest owns (default: output)"))


def _setting_line(site_root: Path, key: str) -> int | None:
    """The line of a top-level ``key:`` in digest.yaml (None when it is not
    there: the default is in use). Read only to point an error at it."""
    try:
        text = (site_root / "digest.yaml").read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?\s*:")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def safe_relpath(path: str) -> PurePosixPath:
    """Validate an output path: relative, no '..', no NUL, no backslash."""
    pure = PurePosixPath(path)
    if (pure.is_absolute() or not pure.parts or any(p in ("..", ".", "") for p in pure.parts)
            or "\x00" in path or "\\" in path):
        raise OutputError(f"refusing to write unsafe output path {path!r}")
    return pure


def check_relpaths(paths: Iterable[str]) -> None:
    """:func:`safe_relpath` for each of ``paths`` (raises for the first unsafe one).

    Plain ``a/b/c`` paths (every page digest makes) are accepted from their
    parts as strings; only the others go through PurePosixPath, whose
    normalisation decides for them as before.  A Path per file cost ~0.1 s
    per build at 10,000 articles.
    """
    bad = ("..", ".", "")
    for path in paths:
        if (path and path[0] != "/" and "\\" not in path and "\x00" not in path
                and not any(part in bad for part in path.split("/"))):
            continue
        safe_relpath(path)


def path_conflicts(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(file, other) pairs where ``file`` is also a folder of ``other`` (``feed.xml``
    and ``feed.xml/index.html``), compared as a case-insensitive, NFC file system would."""
    files = {collision_key(p): p for p in paths}
    keys = sorted(files)
    conflicts = []
    for key in keys:
        # every path below folder ``key`` sorts from key + "/" on, before key + "0"
        below = bisect_left(keys, key + "/")
        while below < len(keys) and keys[below].startswith(key + "/"):
            conflicts.append((files[key], files[keys[below]]))
            below += 1
    return sorted(conflicts, key=lambda fo: fo[1])
