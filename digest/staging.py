"""Edge: a staging tree that a cold build fills while it still renders.

On a build with nothing to recycle (digest.spare) every file is new: writing
each batch of pages as the render workers hand it over lets the disk work
overlap the rendering instead of following it.  :func:`digest.write.write_site`
then writes the rest into the same tree and swaps it in as usual; any failure
removes it, and output/ stays as it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

from digest.spare import folder_chain
from digest.write import mark, safe_relpath


class Staging:
    """``output.tmp-<token>/`` beside ``output``, filled by :meth:`put`.

    Only bytes that will be in the site go in (the build's own rendered
    files); a write error is kept in ``failed`` for write_site to report.
    """

    def __init__(self, output: Path) -> None:
        self.output = output.absolute()
        self.token = uuid.uuid4().hex[:12]
        self.path = self.output.parent / f"{self.output.name}.tmp-{self.token}"
        self.written: dict[str, tuple[int, int]] = {}  # path -> (size, mtime ns)
        self.failed: OSError | None = None
        self._made = {"."}
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.path.mkdir()
        mark(self.path, "")  # unstamped: a half-filled tree never looks finished

    def put(self, files: Mapping[str, bytes]) -> bool:
        """Write ``files`` (output path -> bytes).  True: they are on disk and
        the caller may drop the bytes (see BuildOptions.sink).  An OSError is
        kept in ``failed``, not raised (write_site reports it), and gives False."""
        if self.failed:
            return False
        try:
            for rel, data in files.items():
                safe_relpath(rel)
                folder = rel.rpartition("/")[0] or "."
                if folder not in self._made:
                    for parent in folder_chain(folder):
                        if parent not in self._made:
                            os.mkdir(self.path / parent)
                            self._made.add(parent)
                with open(self.path / rel, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    st = os.fstat(fh.fileno())  # as scan_output records it, without a lookup
                self.written[rel] = (st.st_size, st.st_mtime_ns)
        except OSError as exc:
            self.failed = exc
            return False
        return True

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
