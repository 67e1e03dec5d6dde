"""Edge: the search index's files as part of the site (see digest.search).

``build_index`` returns a :class:`SearchIndex`: the bundle files of the
shards (links to the cached bundles) and ``pagefind/shards.json``, which
``SearchIndex.site`` adds to the rendered site so that ``write_site`` writes
them with it, before the swap.  ``page_source`` tells the indexer where a page
of this build is.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from digest.errors import Diagnostic, DigestError

if TYPE_CHECKING:
    from digest.search import SearchReport


class SearchError(DigestError):
    """The search index could not be built."""


def _error(message: str, hint: str | None = None) -> SearchError:
    return SearchError(Diagnostic(severity="error", code="search-index",
                                  message=f"search index: {message}", hint=hint))

class BundleFiles(Mapping[str, Path]):
    """Output path -> the cached bundle file it links to, without a Path object
    per file until one is asked for (an index of 24 months is 40,000 files, of
    which an edit's recycled tree asks for a few hundred)."""

    def __init__(self, folders: Mapping[str, tuple[Path, list[str]]]) -> None:
        # output folder ("pagefind/2024-05-<key>") -> (its bundle, files in it)
        self._where: dict[str, tuple[Path, str]] = {
            f"{prefix}/{rel}": (folder, rel)
            for prefix, (folder, files) in folders.items() for rel in files}

    def __getitem__(self, path: str) -> Path:
        folder, rel = self._where[path]
        return folder / rel

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, path: object) -> bool:
        return path in self._where


class SearchIndex:
    """The bundle files of the index, as a mapping to add to the site's files.

    ``files``: output path -> bytes or the file to link (a cached bundle's);
    ``fingerprints``: for the bundle files, so that a recycled tree keeps them.
    """

    def __init__(self, home: Path, linked: Mapping[str, Path], data: dict[str, bytes],
                 report: SearchReport, scratch: Path | None = None) -> None:
        self.home, self.linked, self.data, self.report = home, linked, data, report
        self._scratch = scratch
        self.fingerprints = {rel: f"search:{rel.split('/')[1]}" for rel in linked}

    def site(self, rendered: Mapping[str, bytes]) -> _WithIndex:
        return _WithIndex(rendered, self)

    def close(self) -> None:
        """Remove the scratch folder of a build without cache (nothing to keep)."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


class _WithIndex(Mapping[str, bytes]):
    """The site's files plus the index's (write_site reads ``link_source``)."""

    def __init__(self, rendered: Mapping[str, bytes], index: SearchIndex) -> None:
        self._site, self._index = rendered, index

    def __getitem__(self, path: str) -> bytes:
        if path in self._index.data:
            return self._index.data[path]
        if path in self._index.linked:
            return self._index.linked[path].read_bytes()
        return self._site[path]

    def __iter__(self) -> Iterator[str]:
        yield from self._site
        yield from self._index.data
        yield from self._index.linked

    def __len__(self) -> int:
        return len(self._site) + len(self._index.data) + len(self._index.linked)

    def __contains__(self, path: object) -> bool:
        return path in self._index.data or path in self._index.linked or path in self._site

    def link_source(self, path: str) -> Path | None:
        if path in self._index.linked:
            return self._index.linked[path]
        link = getattr(self._site, "link_source", None)
        return link(path) if link else None

    @property
    def reused(self) -> int:
        return getattr(self._site, "reused", 0)


PageSource = Callable[[str], "Path | bytes"]  # a page's file on disk, or its bytes


def page_source(rendered: Mapping[str, bytes], staged: Path | None = None,
                written: Mapping[str, object] = {}) -> PageSource:  # noqa: B006 - read only
    """Where this build's page ``rel`` is: the last build's file it reuses, its
    new bytes, or the file a cold build already wrote into its staging tree
    (``staged``; those pages are no longer in memory)."""
    link = getattr(rendered, "link_source", None)

    def source(rel: str) -> Path | bytes:
        found = link(rel) if link else None
        if found is not None:
            return found
        if rel in rendered:
            return rendered[rel]
        if staged is not None and rel in written:
            return staged / rel
        raise _error(f"page {rel} is not in the site")
    return source
