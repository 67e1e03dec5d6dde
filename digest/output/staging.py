"""Edge: a staging tree that a cold build fills while it still renders.

On a build with nothing to recycle (digest.output.spare) every file is new: writing
each batch of pages as the render workers hand it over lets the disk work
overlap the rendering instead of following it.  :func:`digest.output.write.write_site`
then writes the rest into the same tree and swaps it in as usual; any failure
removes it, and output/ stays as it was.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path

from digest.output.paths import check_relpaths
from digest.output.placement import folder_chain, make_top_folder, spread_tree
from digest.output.write import link_all, mark

WRITERS = 2  # threads: creating files is mostly kernel work, which then uses both cores
MAX_QUEUED = 16  # parts waiting to be written; more, and put() waits (memory stays bounded)
GIVE_UP_AFTER = 2.0  # seconds discard() waits for a writer busy with one file


class Staging:
    """``output.tmp-<token>/`` beside ``output``, filled by :meth:`put`.

    Only bytes that will be in the site go in (the build's own rendered
    files); a write error is kept in ``failed`` for write_site to report.
    Files are written on ``WRITERS`` daemon threads: on some file systems
    creating thousands of files costs seconds of kernel time, which one
    thread would spend on one core after the render workers are done.  They
    are daemons so that Ctrl-C or SIGTERM never waits for a stuck disk.
    """

    def __init__(self, output: Path) -> None:
        self.output = output.absolute()
        self.token = uuid.uuid4().hex[:12]
        self.path = self.output.parent / f"{self.output.name}.tmp-{self.token}"
        self.written: dict[str, tuple[int, int]] = {}  # path -> (size, mtime ns)
        self.failed: OSError | None = None
        self._made = {"."}
        self._tasks: queue.Queue[list[tuple[str, bytes]] | None] = queue.Queue(MAX_QUEUED)
        self._threads: list[threading.Thread] = []
        self._stop = False
        self._bug: Exception | None = None
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.path.mkdir()
        spread_tree(self.path)  # see digest.output.placement: creating files right after a delete
        mark(self.path, "")  # unstamped: a half-filled tree never looks finished

    def put(self, files: Mapping[str, bytes]) -> bool:
        """Queue ``files`` (output path -> bytes) for writing.  True: the tree has
        taken them and the caller may drop the bytes (see BuildOptions.sink);
        :meth:`finish` waits until they are on disk.  False once a write failed
        (the OSError is kept in ``failed`` for write_site to report)."""
        if self.failed:
            return False
        items = list(files.items())
        check_relpaths(files)  # an unsafe path is the caller's error: raised here
        if not self._threads:
            # Started with the first put(), after the render workers were
            # forked: no fork copies a process in the middle of a write.
            # Each is listed once started: a signal between the two would
            # otherwise leave discard() joining a thread never started.
            for k in range(WRITERS):
                thread = threading.Thread(target=self._run, daemon=True,
                                          name=f"digest-staging-{k}")
                thread.start()
                self._threads.append(thread)
        for k in range(WRITERS):  # every thread takes a share of every part
            self._tasks.put(items[k::WRITERS])
        return not self.failed

    def link(self, folder: str, source: Path, files: list[str]) -> None:
        """Hard-link ``source``'s ``files`` into the tree under ``folder``
        (e.g. a search bundle made while the build goes on), at once, in this
        thread; a failure is kept in ``failed``, as for :meth:`put`."""
        if self.failed:
            return
        links = {f"{folder}/{rel}": source / rel for rel in files}
        check_relpaths(links)
        try:
            self.written.update(link_all(self.path, links))
        except OSError as exc:
            self.failed = exc

    def finish(self) -> None:
        """Wait until everything put so far is written (or has failed: see
        ``failed``); more may be put afterwards."""
        if self._threads:
            self._tasks.join()
        if self._bug:
            raise self._bug

    def close(self) -> None:
        """Stop the writer threads once the queued parts are written."""
        for _ in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []

    def discard(self) -> None:
        """Give up: stop writing and remove the tree (a signal or an error)."""
        self._stop = True
        try:
            for _ in self._threads:
                try:
                    self._tasks.put_nowait(None)
                except queue.Full:  # they skip what is queued and meet a None soon
                    break
            for thread in self._threads:
                thread.join(GIVE_UP_AFTER)  # a writer stuck in the kernel is left behind:
            self._threads = []              # with the tree gone it cannot recreate it
        finally:  # even when a second signal cuts the wait short
            shutil.rmtree(self.path, ignore_errors=True)

    def _run(self) -> None:
        while True:
            items = self._tasks.get()
            try:
                if items is None:
                    return
                if not (self._stop or self.failed or self._bug):
                    self._write(items)
            except Exception as exc:  # a bug, not a disk problem: finish() raises it
                self._bug = self._bug or exc
            finally:
                self._tasks.task_done()  # the thread goes on: put() and finish() never hang
            if self._stop:
                return

    def _write(self, items: list[tuple[str, bytes]]) -> None:
        try:
            for rel, data in items:
                if self._stop:
                    return
                folder = rel.rpartition("/")[0] or "."
                if folder not in self._made:
                    for parent in folder_chain(folder):
                        if parent not in self._made:
                            try:
                                if "/" in parent:
                                    os.mkdir(self.path / parent)
                                else:
                                    make_top_folder(str(self.path), parent)
                            except FileExistsError:  # the other thread made it first
                                if not (self.path / parent).is_dir():
                                    raise
                            self._made.add(parent)
                with open(self.path / rel, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    st = os.fstat(fh.fileno())  # as scan_output records it, without a lookup
                self.written[rel] = (st.st_size, st.st_mtime_ns)
        except OSError as exc:
            if self.failed is None:
                self.failed = exc
