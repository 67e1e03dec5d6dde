"""Edge: what the cache knows about the build that wrote output/.

``digest build`` starts from it: the last build's stamp (for the no-op
check), its page fingerprints (pages whose fingerprint is unchanged are
reused, not rendered) and its spare tree (digest.output.spare).  Only files still as
that build wrote them count, so output/ and the spare are scanned; the scans
run in a forked process while the build goes on.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

from digest.engine.cache import BuildCache
from digest.engine.parallel import start
from digest.output.spare import PREFIX, SpareRecord, link_copy
from digest.output.write import read_stamp, scan_output


def last_build(site_root: Path, output: Path, use_cache: bool, jobs: int = 1
               ) -> LastBuild | None:
    """What the cache knows about the build that wrote output/, if it still applies."""
    stamp = read_stamp(output) if use_cache else ""
    if not stamp:
        return None
    cache = BuildCache(site_root, "")
    pages = cache.section_raw("pages")
    if not isinstance(pages, dict) or pages.get("stamp") != stamp:
        return None
    recorded, fps = pages.get("files"), pages.get("fingerprints")
    if not isinstance(recorded, dict) or not isinstance(fps, dict):
        return None
    spare = SpareRecord.from_data(pages.get("spare"))
    last = LastBuild(stamp, recorded, fps, spare, output,
                     cache.dir / spare.name if spare else None, jobs, cache.dir)
    last.digests = pages.get("digests")  # render.fingerprint.LastDigests.from_data reads it
    return last


class LastBuild:
    """The build that wrote output/: its stamp, and (once the scans are in) the
    page fingerprints limited to files still exactly as written (size and
    mtime), whether output/ is wholly intact, and what its spare tree holds.

    Scanning the two trees (stat of every file: ~28,000 at 10,000 articles) is
    a serial third of a one-article rebuild, and nothing needs it before the
    no-op check or the render stage: a forked process scans while this one
    loads the cache and parses (parallel.start).
    """

    def __init__(self, stamp: str, recorded: dict, fingerprints: dict,
                 spare: SpareRecord | None, output: Path, spare_dir: Path | None, jobs: int,
                 home: Path | None = None) -> None:
        self.stamp, self.recorded, self._spare = stamp, recorded, spare
        self._fps = fingerprints
        self._output, self._home, self._jobs = output, home, jobs
        spare_files = spare.files if spare is not None else None
        self._scans = start(lambda: (_unless(scan_output(output), recorded),
                                     _unless(scan_output(spare_dir), spare_files)
                                     if spare_dir else None), jobs,
                            what="checking the last build's output/")
        self._files: dict | None = None
        self._linking: tuple[Path, object] | None = None
        self.digests: object = None  # the article digests behind the fingerprints, as saved

    def prelink(self) -> None:
        """Without a spare tree (the first build after a cold one), start making
        one: a hard-link copy of output/ in the cache folder (spare.link_copy),
        in a forked process while this one builds.  Linking ~14,000 files is
        about a second of kernel time at 10,000 articles, which a fresh tree
        cost the write stage; here it overlaps the serial parse and enrich.
        Called once the no-op check has failed, so a no-op build never links.
        """
        if self._spare is not None or self._linking or self._home is None \
                or self._jobs <= 1 or not self._home.is_dir() or self._home.is_symlink():
            return
        import uuid

        target = self._home / f"{PREFIX}{uuid.uuid4().hex[:12]}"
        output, recorded = self._output, self.recorded
        # The files the last build recorded, not a scan of its own: the scan
        # of output/ that started with this object tells (see spare) which of
        # them are still as recorded, and so what the copy holds (the same
        # inodes).  A second scan was 0.2-0.3 s of CPU at 10,000 articles, in
        # the first edit after a cold build, when the cores are busiest.  A
        # recorded file that is gone fails the copy: a fresh tree, as before.
        self._linking = (target, start(lambda: link_copy(output, target, recorded), self._jobs,
                                       what="linking output/ into a spare copy"))

    @property
    def spare(self) -> SpareRecord | None:
        """The record of the spare tree (the prelinked copy once it is made)."""
        if self._linking is not None and self._spare is None:
            self._wait()  # before: it sets _spare_files too
            target, later = self._linking
            try:
                made = later.result()
            except Exception:  # the process died: no copy, a fresh tree as before
                made = False
            if made:
                # Links to every recorded file of output/: those still as
                # recorded hold what the record says; the others are there,
                # but nothing vouches for them (a stat no file has: replaced,
                # or removed when the new site has no such file).
                current, recorded = self.files, self.recorded
                files = present = recorded
                if current is not recorded:
                    files = {rel: st for rel, st in recorded.items() if current.get(rel) == st}
                    present = {rel: files.get(rel, UNKNOWN) for rel in recorded}
                self._spare = SpareRecord(target.name, self.stamp, self.fingerprints, files)
                self._spare_files = present
            else:
                self._linking = None
        return self._spare

    def _wait(self) -> None:
        if self._files is None:
            files, spare = self._scans.result()
            # AS_RECORDED: the tree is as its record says (the usual case):
            # the record itself stands for it (see _unless).
            # (Compared by value: the word comes back through a pipe, unpickled.)
            self._files = self.recorded if files == AS_RECORDED else files
            self._spare_files = self._spare.files if spare == AS_RECORDED \
                and self._spare is not None else spare

    @property
    def files(self) -> dict[str, tuple[int, int]]:
        """output/ as it is now: path -> (size, mtime ns)."""
        self._wait()
        return self._files  # type: ignore[return-value]

    @property
    def intact(self) -> bool:
        return self.files == self.recorded

    @property
    def spare_files(self) -> dict[str, tuple[int, int]] | None:
        """The spare tree as it is now (None: no spare), for write_site."""
        self._wait()
        self.spare  # noqa: B018 - a prelinked copy brings its own scan
        return self._spare_files

    @cached_property
    def fingerprints(self) -> dict[str, str]:
        current, recorded = self.files, self.recorded
        if current is recorded and self._fps.keys() <= recorded.keys():
            return self._fps  # every file as written: every fingerprint holds
        return {p: fp for p, fp in self._fps.items()
                if p in current and current[p] == recorded.get(p)}

    def close(self) -> None:
        """Stop the scans if they are still running (the build failed), and
        remove a copy begun by :meth:`prelink` (no record will name it)."""
        self._scans.cancel()
        if self._linking is not None:
            import shutil

            target, later = self._linking
            self._linking = None
            later.cancel()  # type: ignore[attr-defined]
            shutil.rmtree(target, ignore_errors=True)


AS_RECORDED = "as recorded"
UNKNOWN = (-1, -1)  # the (size, mtime) of a file nothing vouches for: no file has it


def _unless(found: dict[str, tuple[int, int]], recorded: Mapping | None
            ) -> dict[str, tuple[int, int]] | str:
    """In the scanning process: ``found``, or AS_RECORDED when it equals
    ``recorded``.  The scans of an untouched output/ and spare tree then
    travel back as a word, not as 28,000 entries each to unpickle (and to
    compare with the record again): ~0.06 s of a one-edit build at 10,000
    articles."""
    return AS_RECORDED if recorded is not None and found == recorded else found


class Deferred(Mapping):
    """A mapping made on first use: the last build's fingerprints are needed
    only at the render stage, long after the scans behind them started."""

    def __init__(self, make) -> None:  # noqa: ANN001 - a () -> Mapping
        self._make, self._data = make, None

    def _get(self) -> Mapping:
        if self._data is None:
            self._data = self._make()
        return self._data

    def __getitem__(self, key):  # noqa: ANN001, ANN204
        return self._get()[key]

    def get(self, key, default=None):  # noqa: ANN001, ANN201
        # Mapping.get goes through __getitem__ and a try: render asks 40,000 times
        return (self._data if self._data is not None else self._get()).get(key, default)

    def __iter__(self):  # noqa: ANN204
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())
