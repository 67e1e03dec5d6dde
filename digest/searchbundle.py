"""Edge: a Pagefind bundle made byte-for-byte the same for the same pages.

Pagefind 1.x writes the values of a filter (``data-pagefind-filter``), and
the list of filters in the bundle's metadata, in the order of a Rust hash
map, which differs from run to run: the same pages gave other filter files,
so another metadata file, another ``pagefind-entry.json``.  Everything else
it writes is already deterministic.  :func:`make_canonical` rewrites those
files with the values and the filters sorted, under the names Pagefind gives
its files (the SHA-1 of the file's CBOR payload, cut to the length Pagefind
used), and points the metadata and the entry file at the new names.  Every
such file is renamed, even one already in order: Pagefind prints each byte
of the hash in hex without its leading zero, so the same content could get
its name or ours depending on the run.

The formats, as Pagefind 1.x writes them (read back by its own JavaScript,
which only fetches files by name): every ``.pf_*`` file is gzip of
``b"pagefind_dcd"`` followed by CBOR; a filter file is ``[name, [[value,
[page numbers]], ...]]``; the metadata (``pagefind.<lang>_<hash>.pf_meta``)
is ``[version, [[fragment hash, word count], ...], index chunks, [[filter
name, file hash], ...], sorts, ...]``; ``pagefind-entry.json`` names the
metadata's hash per language.  A bundle in any other shape is left as it is
and reported, so that a Pagefind release that changes it fails loudly in the
tests instead of quietly.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"
META_PAGES = 1  # position of the pages ([fragment hash, word count] each) in the metadata
META_FILTERS = 3  # position of the filter list in the metadata


class BundleShapeError(ValueError):
    """The bundle is not in the shape this module knows (another Pagefind)."""


def make_canonical(bundle: Path) -> bool:
    """Rewrite ``bundle``'s filter files, metadata and entry file so that they
    depend on the pages only, and remove the page fragments no page of the
    metadata has (left from the bundle a run started from:
    searchfolders.seed_fragments).  Returns whether the entry file changed.

    Raises BundleShapeError when the files are not as Pagefind 1.x writes them.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry_text = entry_path.read_text("utf-8")
    entry = json.loads(entry_text)
    changed = False
    pages: set[str] = set()
    for language in sorted(entry.get("languages", {})):
        old_meta = entry["languages"][language]["hash"]
        new_meta = _canonical_language(bundle, old_meta, pages)
        if new_meta != old_meta:
            entry_text = entry_text.replace(json.dumps(old_meta), json.dumps(new_meta))
            changed = True
    if changed:
        entry_path.write_text(entry_text, "utf-8")
    present = {path.name.removesuffix(".pf_fragment"): path
               for path in (bundle / "fragment").glob("*")} if pages else {}
    if pages - present.keys():  # the page list is not what this module knows
        raise BundleShapeError(f"{len(pages - present.keys())} pages without a fragment file")
    for name, path in present.items():
        if name not in pages:
            path.unlink()
    return changed


def _canonical_language(bundle: Path, meta_hash: str, pages: set[str]) -> str:
    """The metadata hash of one language once its filters are canonical; its
    pages' fragment hashes are added to ``pages``."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = _read(meta_path)
    if not isinstance(meta, list) or len(meta) <= META_FILTERS \
            or not isinstance(meta[META_FILTERS], list):
        raise BundleShapeError(f"{meta_path.name}: no filter list at position {META_FILTERS}")
    if not isinstance(meta[META_PAGES], list) or not all(
            isinstance(page, list) and page and isinstance(page[0], str)
            for page in meta[META_PAGES]):
        raise BundleShapeError(f"{meta_path.name}: no page list at position {META_PAGES}")
    pages.update(page[0] for page in meta[META_PAGES])
    prefix = meta_hash.split("_", 1)[0] + "_"
    filters = []
    for item in meta[META_FILTERS]:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise BundleShapeError(f"{meta_path.name}: a filter entry is {item!r}")
        name, file_hash = item
        filters.append([name, _canonical_filter(bundle / "filter", file_hash, prefix)])
    filters.sort()
    meta[META_FILTERS] = filters
    new_hash = _write(bundle, "pagefind.{}.pf_meta", meta, prefix,
                      len(meta_hash) - len(prefix))
    if new_hash != meta_hash:
        meta_path.unlink()
    return new_hash


def _canonical_filter(folder: Path, file_hash: str, prefix: str) -> str:
    path = folder / f"{file_hash}.pf_filter"
    data = _read(path)
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[1], list)):
        raise BundleShapeError(f"{path.name}: not [name, values]")
    values = data[1]
    if not all(isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) for v in values):
        raise BundleShapeError(f"{path.name}: a value is not [text, pages]")
    ordered = sorted(values, key=lambda v: v[0])
    new_hash = _write(folder, "{}.pf_filter", [data[0], ordered], prefix,
                      len(file_hash) - len(prefix))
    if new_hash != file_hash:
        path.unlink()
    return new_hash


def _read(path: Path) -> object:
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as exc:
        raise BundleShapeError(f"{path.name}: not gzip ({exc})") from None
    if not raw.startswith(SIGNATURE):
        raise BundleShapeError(f"{path.name}: no Pagefind signature")
    try:
        return cbor2.loads(raw[len(SIGNATURE):])
    except cbor2.CBORDecodeError as exc:
        raise BundleShapeError(f"{path.name}: not CBOR ({exc})") from None


def _write(folder: Path, pattern: str, value: object, prefix: str, digits: int) -> str:
    """Write ``value`` as Pagefind would, named by the SHA-1 of its payload;
    returns the file's hash (``en_1a2b3c4``)."""
    payload = cbor2.dumps(value)
    name = prefix + hashlib.sha1(payload).hexdigest()[:digits]  # noqa: S324 - Pagefind's naming
    # mtime=0: the same bytes on every run (Pagefind's own files carry no time)
    (folder / pattern.format(name)).write_bytes(gzip.compress(SIGNATURE + payload, mtime=0))
    return name
