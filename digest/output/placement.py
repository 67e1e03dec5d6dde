"""Edge: where the file system puts a new output tree's folders.

ext4 without a journal skips every inode deleted in the last minute or so
when it allocates a new one (``recently_deleted()``, from the scan in
``find_inode_bit``), and it scans each block group from its start: right
after ``digest clean`` or a deleted tree, every file created in the group
where the old tree lived walks past thousands of those inodes.  On a
10,000-article site that was 5 to 13 s of kernel time per cold build (perf:
``find_inode_bit`` / ``recently_deleted``), more than rendering the pages.

Two documented hints keep a new tree out of those groups:

- the staging root gets the ``T`` attribute (``chattr +T``, FS_TOPDIR_FL):
  its sub-folders are placed as top-level directories by the Orlov
  allocator, which spreads them over groups with the most free space and
  fewest folders instead of packing them next to their parent;
- the allocator starts its search for a top-level folder at a hash of the
  folder's name, so ``2024`` or ``tags`` would start where last build's did
  (the group just emptied): each is created under a fresh name and renamed.

Both are placement only: the tree, its names and bytes are the same, and on
file systems without the attribute (or platforms without the ioctl) nothing
happens.
"""

from __future__ import annotations

import contextlib
import os
import struct
import threading
import uuid
from collections.abc import Iterable

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

_GETFLAGS, _SETFLAGS = 0x80086601, 0x40086602  # FS_IOC_GETFLAGS / FS_IOC_SETFLAGS (64-bit)
_TOPDIR = 0x00020000  # FS_TOPDIR_FL, as `chattr +T` sets it
# rename() replaces an empty folder: two writer threads making the same
# top-level folder at once must not both rename theirs into place.
_MAKING = threading.Lock()


def spread_tree(folder: str | os.PathLike[str]) -> bool:
    """Mark ``folder`` as the top of a directory hierarchy (``chattr +T``).

    Returns whether the file system took the hint; failing is never an error.
    """
    if fcntl is None or struct.calcsize("l") != 8:
        return False
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        flags = struct.unpack("l", fcntl.ioctl(fd, _GETFLAGS, struct.pack("l", 0)))[0]
        if not flags & _TOPDIR:
            fcntl.ioctl(fd, _SETFLAGS, struct.pack("l", flags | _TOPDIR))
        return True
    except OSError:  # ENOTTY, EOPNOTSUPP, EPERM: another file system, or not ours
        return False
    finally:
        os.close(fd)


def make_top_folder(root: str, name: str) -> None:
    """``os.mkdir(root/name)`` for a folder directly in a tree root marked with
    :func:`spread_tree`, created under a fresh name first (see the module
    docstring) and renamed.  Raises FileExistsError as mkdir would."""
    target = os.path.join(root, name)
    with _MAKING:
        if os.path.lexists(target):
            raise FileExistsError(target)
        fresh = os.path.join(root, f".new-{uuid.uuid4().hex}")
        os.mkdir(fresh)
        try:
            os.rename(fresh, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.rmdir(fresh)
            raise


def make_folders(root: str, paths: Iterable[str]) -> None:
    """Make every folder the relative file ``paths`` need under ``root`` (a tree
    root marked with :func:`spread_tree`), each once, parents first, with
    plain os.mkdir (a site has about one folder per page) and its top-level
    folders through :func:`make_top_folder`."""
    made = {""}
    for folder in sorted({rel.rpartition("/")[0] for rel in paths} - made):
        for parent in folder_chain(folder):
            if parent not in made:
                if "/" in parent:
                    os.mkdir(os.path.join(root, parent))
                else:
                    make_top_folder(root, parent)
                made.add(parent)


def folder_chain(folder: str) -> list[str]:
    """'a/b/c' -> ['a', 'a/b', 'a/b/c'] ('' -> [])."""
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
