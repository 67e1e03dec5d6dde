"""paths.check_relpaths and paths.path_conflicts: the string fast paths decide
exactly as the PurePosixPath check and the folder-by-folder walk they replace."""

from __future__ import annotations

import random
import unicodedata

import pytest

from digest.errors import OutputError
from digest.output.paths import check_relpaths, path_conflicts, safe_relpath


def _accepted(check, path: str) -> bool:  # noqa: ANN001
    try:
        check(path)
    except OutputError:
        return False
    return True


def test_check_relpaths_agrees_with_safe_relpath() -> None:
    pieces = ["a", "b", "/", "//", ".", "..", "\\", "\x00", "É", "e\u0301", "-", "x.html"]
    rng = random.Random(1)
    for _ in range(20_000):
        path = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert _accepted(lambda p: check_relpaths([p]), path) == _accepted(safe_relpath, path), \
            repr(path)


@pytest.mark.parametrize("path", ["", "/etc/passwd", "../x", "a/../../x", "a\\b", "a\x00b", "."])
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(OutputError):
        check_relpaths(["ok/index.html", path])


def _walked_conflicts(paths: list[str]) -> list[tuple[str, str]]:
    """The former path_conflicts: every parent folder of every path looked up."""
    def key(p: str) -> str:
        return unicodedata.normalize("NFC", p).casefold()

    files = {key(p): p for p in paths}
    out = []
    for p in sorted(files.values()):
        parts = key(p).split("/")
        out += [(files["/".join(parts[:i])], p) for i in range(1, len(parts))
                if "/".join(parts[:i]) in files]
    return out


def test_path_conflicts_agrees_with_the_folder_walk() -> None:
    rng = random.Random(2)
    for _ in range(5_000):
        paths = ["".join(rng.choice(["a", "b", "/", "-", ".", "É", "e\u0301", "A"])
                         for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 8))]
        paths = [p for p in paths if not p.startswith("/")]
        assert path_conflicts(paths) == _walked_conflicts(paths), paths
