"""Edge: one build's output, from the last build's record to the swapped-in tree.

``digest build`` is ``publish(build(...))``::

    with lock_site(site_root):
        engine = FastEngine(flush_early=True)
        target = prepare(site_root, config, options, engine)
        if target.up_to_date:               # nothing changed: output/ already is this build
            return
        with target:                        # an error or a signal before the swap: tree removed
            result = build(site_root, options, engine=engine)
            report = publish(result, target, index=...)

:func:`prepare` tidies what an interrupted build left beside output/, reads
the record of the last build (digest.output.record) and makes the no-op
check (with the engine's probe); otherwise it tells the engine what that
build left (its fingerprints, and output/ to reuse unchanged pages from) or,
with nothing to reuse, gives it a staging tree's sink that the render fills
as it goes (digest.output.staging).  The engine is any object with
``probe``, ``reuse`` and ``sink`` (digest.engine.fast.FastEngine), handed
in: this package never imports the site's stages, nor the engine's build.
:func:`publish` writes the result, with the search index made from it, into
the staging tree, swaps it in (digest.output.write, recycling the spare tree
of digest.output.spare), and only then saves the record of what output/ now
holds in the cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.engine.parallel import default_jobs
from digest.errors import DigestError
from digest.output.paths import check_output
from digest.output.record import Deferred, LastBuild, last_build
from digest.output.spare import Recycle
from digest.output.staging import Staging
from digest.output.write import WriteReport, clean_leftovers, read_stamp, write_site


@dataclass(eq=False)
class Target:
    """Where a build goes: output/, what the last build left there, and the
    staging tree a cold build fills.  As a context manager: an exception (an
    error, Ctrl-C or SIGTERM) before the new tree is in place removes the
    staging tree and stops the last build's scans; ``published`` tells
    whether output/ holds this build all the same (a signal just after the
    swap)."""

    site_root: Path
    output: Path
    output_dir: str                      # as in the settings: for messages
    last: LastBuild | None = None        # the record of the build that wrote output/
    staged: Staging | None = None        # a cold build's tree, filled while rendering
    up_to_date: bool = False             # nothing changed since the last build
    published: str = ""                  # the output folder once this build is in it
    result: Any = None                   # the build being published

    def __enter__(self) -> Target:
        return self

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> None:
        if kind is None or self.published:
            return
        if self.staged:
            self.staged.discard()  # the tree the build began to fill (gone once swapped in)
        if self.last:
            self.last.close()
        result = self.result
        if isinstance(exc, KeyboardInterrupt) and result is not None and result.input_key \
                and read_stamp(self.output) == result.input_key:
            self.published = self.output_dir  # the signal came just after the swap


def prepare(site_root: Path, config: Any, options: Any, engine: Any, *,  # noqa: ANN401
            may_skip: bool = True) -> Target:
    """The target of a build of ``site_root`` with ``options`` by ``engine``:
    ``up_to_date`` when the engine's probe finds the inputs of the last build
    and output/ is as that build left it (only with ``may_skip``)."""
    output = site_root / config.output_dir
    # A build interrupted at an unlucky moment may have left a staging or a
    # replaced tree beside output/: tidied now, so even a no-op build
    # (which writes nothing) does not keep a stale copy of the site.
    clean_leftovers(output)
    last = last_build(site_root, output, options.cache, options.jobs or default_jobs())
    target = Target(site_root, output, config.output_dir, last=last)
    probed = engine.probe(site_root, options) if options.cache else None
    if last and probed and may_skip and probed.input_key(options) == last.stamp \
            and last.intact:
        # Nothing the output depends on changed, and output/ is as that build
        # left it: it already is this build.
        target.up_to_date = True
        return target
    if last:
        last.prelink()
        engine.reuse(Deferred(lambda: last.fingerprints), last.digests, output)
    else:
        # Every file is new: write each batch while the next ones render.
        target.staged = _staging(site_root, output, config)
        if target.staged:
            engine.sink = target.staged.put
    return target


def publish(result: Any, target: Target,  # noqa: ANN401 - a BuildResult
            index: Callable[[Any, Staging | None], Any] | None = None) -> WriteReport:
    """Put ``result`` (a build by the engine ``target`` was prepared with) into output/.

    ``index(result, staged)``: the search index of the site (digest.search),
    or None; its files are written with the site's, before the swap.  Once
    the new tree is in place, ``target.published`` is set, the cache's record
    of this build is saved and the replaced tree is gone.
    """
    target.result = result
    config = result.config
    target.output = output = target.site_root / config.output_dir
    target.output_dir = config.output_dir
    check_output(target.site_root, config)
    cleanup: list = []
    made = None
    try:
        made = index(result, target.staged) if index else None
        rendered = made.site(result.rendered) if made else result.rendered
        started = time.perf_counter()
        report = write_site(rendered, output, stamp=result.input_key, cleanup=cleanup,
                            recycle=_recycle(result, target.last), staged=target.staged)
    finally:
        if made:
            made.close()
    target.published = config.output_dir
    result.timings["write"] = time.perf_counter() - started
    if result.cache is not None:
        # Only now, with output/ complete, does the cache learn about this build.
        spare = report.spare.to_data() if report.spare else None
        fps, files, *spared = shared(result.fingerprints, report.files,
                                     *((spare["fingerprints"], spare["files"]) if spare else ()))
        if spare:
            spare["fingerprints"], spare["files"] = spared
        result.cache.save("pages", {"stamp": result.input_key, "fingerprints": fps,
                                    "files": files, "spare": spare,
                                    "digests": result.digests.to_data() if result.digests
                                    else None})
        result.cache.flush()
    for worker in cleanup:
        worker.join()  # the old tree is gone before digest exits
    return report


def shared(*maps: Mapping[Any, Any]) -> list[dict[Any, Any]]:
    """Copies of ``maps`` in which equal keys and equal values are one object.

    The record of a build names each file four times (its fingerprint and its
    size and mtime, and the same for the spare tree, which is the build
    before's), and most fingerprints and stamps are the spare's too.  Pickle
    writes an object it has seen as a reference: at 10,000 articles the
    record was 8.6 MB written and read by every build, about half of it again."""
    one: dict[Any, Any] = {}
    same = one.setdefault
    return [{same(k, k): same(v, v) for k, v in m.items()} for m in maps]


def _recycle(result: Any, last: LastBuild | None) -> Recycle | None:  # noqa: ANN401
    """Write into the tree the last build retired, and keep the one replaced now
    for the next build (digest.output.spare): an edit then touches a few files
    instead of creating and deleting a whole tree."""
    cache = result.cache
    if cache is None or not cache.enabled or cache.dir.is_symlink():
        return None
    return Recycle(home=cache.dir, fingerprints=result.fingerprints,
                   spare=last.spare if last else None,
                   spare_files=last.spare_files if last else None,
                   retired_stamp=last.stamp if last else "",
                   retired_fingerprints=last.fingerprints if last else None,
                   retired_files=last.files if last else None)


def _staging(site_root: Path, output: Path, config: Any) -> Staging | None:  # noqa: ANN401
    """A staging tree to fill during the build, when output/ may be written at all
    (otherwise the check after the build reports why, as without one)."""
    try:
        check_output(site_root, config)
        return Staging(output)
    except (DigestError, OSError):
        return None
