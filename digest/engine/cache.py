"""Edge: the persistent build cache in ``<site>/.digest-cache/``.

What it keeps, each keyed so that a stale entry can never be used:

- ``articles``: parsed articles per source file, keyed by the file's SHA-256
  (and, for clippings whose year was inferred, by "now" too);
- ``bodies``: Markdown -> HTML per body hash;
- ``terms``: each article's term counts (for TF-IDF) per hash of its title and body;
- ``local``: each article's own enrichment (terms, summary), by source hash;
- ``sitewide``: the snapshot of the site-wide enrichment (stories, related
  links, mentions and what they were computed from), tagged per article with
  its source hash, which the next build updates in proportion to the edit
  (digest.engine.snapshot, digest.engine.enrichcache);
- ``pages``: the fingerprint of each page and feed of the last build written
  to output/, so unchanged pages are hard-linked from it instead of rendered.

The sections in ``SHARDS`` (articles, bodies, terms, cards, local, inputs)
are split into shards by key (``articles-03.pickle``); a flush rewrites only
the shards whose entries changed.

Every section also carries the cache *namespace*: digest's version, the
settings and the theme's files.  Anything unreadable, of the wrong shape or
from another namespace is dropped and rebuilt, never trusted.  Files are signed
with a key kept in the user's cache folder (never in the site), so a
``.digest-cache`` that came with the site is ignored; and loading uses an
unpickler that only accepts digest's record types and a few standard-library
types, so even a forged file cannot run code.

What that unpickler would refuse is refused when it is written, too (by the
same allow-list, checked while pickling: digest.engine.cachepickle), never
stored to read back as an empty section: a build warns ("cache-type", naming
the section and the type; the section is not written and the build works
uncached), and with ``strict`` (the tests: ``DIGEST_CACHE_STRICT=1``) it is a
:class:`CacheTypeError`.  A section that cannot be read back is a warning
too ("cache-unreadable"), once: the next flush replaces or removes it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import zlib
from pathlib import Path
from typing import Any

from digest.engine.cachepickle import Refused, dumps, loads
from digest.errors import Diagnostic, DigestError

CACHE_DIR = ".digest-cache"
FORMAT = 1
SIGNATURE = 32  # bytes of HMAC-SHA256 before each file's body


def _schema() -> bytes:
    """The start of every cache file's body: FORMAT and the fields of the record
    types it may hold.  A file written by a digest whose records had other
    fields (an upgrade, or a commit installed from git under the same version)
    is stale: it is skipped before unpickling, without the warning a damaged
    file gets."""
    from dataclasses import fields

    from digest.errors import Diagnostic
    from digest.site.records import Article, Mention

    shape = repr([FORMAT] + [(kind.__name__, [f.name for f in fields(kind)])
                             for kind in (Article, Mention, Diagnostic)])
    return b"digest-cache:" + hashlib.sha256(shape.encode()).digest()[:16] + b"\n"


_SCHEMA = _schema()

# Big sections whose entries change a few at a time are stored in shards by
# key, so a one-article edit rewrites a sixteenth of them, not 70 MB (and an
# eighth of the per-article enrichment and source records, not 5 MB).
SHARDS = {"articles": 16, "bodies": 16, "terms": 16, "cards": 8, "local": 8, "inputs": 8}

STRICT_ENV = "DIGEST_CACHE_STRICT"  # "1": a value the cache cannot store raises (tests)


class CacheTypeError(DigestError):
    """A cache section holds a type the cache's unpickler refuses: a bug in digest."""

    def __reduce__(self) -> tuple:  # travels whole from flush_early's process
        return (type(self), (self.diagnostics,))


def _user_key() -> bytes | None:
    """This user's secret for signing cache files, kept outside every site folder.

    A ``.digest-cache`` that arrives with the site (committed by mistake, or
    planted in a pull request) was signed with someone else's key, so it is
    ignored: cached HTML is never taken from a stranger.  None (no cache) when
    no private place for the key can be made.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "digest"
    path = base / "cache-key"
    try:
        if path.is_file() and not path.is_symlink():
            key = path.read_bytes()
            if len(key) == 32:
                return key
        base.mkdir(parents=True, exist_ok=True)
        tmp = base / f".cache-key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        os.replace(tmp, path)
        return path.read_bytes()
    except OSError:
        return None


class BuildCache:
    """Sections of the cache, loaded lazily; written only by :meth:`flush`
    (and :meth:`flush_early`).

    ``namespace`` names everything a cached value depends on besides its own
    key (digest's code, settings, theme); a section written under another
    namespace reads as empty.  Writes wait for :meth:`flush`, which the CLI
    calls after output/ was written, so a failed or refused build never
    records an output/ it did not write; only sections keyed by the bytes
    they were made from may be written earlier (:meth:`flush_early`).
    """

    def __init__(self, site_root: Path, namespace: str, *, enabled: bool = True,
                 strict: bool | None = None) -> None:
        self.dir = site_root / CACHE_DIR
        self.namespace = namespace
        self.key = _user_key() if enabled else None
        self.enabled = enabled and self.key is not None
        # strict: a value the cache cannot store raises CacheTypeError (tests)
        # instead of being a warning; by default as DIGEST_CACHE_STRICT says.
        self.strict = os.environ.get(STRICT_ENV) == "1" if strict is None else strict
        self.problems: list[str] = []  # what was unreadable or refused, one line each
        self.warnings: list[Diagnostic] = []  # the same, for the user, until report_to
        self._sink: list[Diagnostic] | None = None
        self._unreadable: set[str] = set()  # files to replace or remove at the next flush
        self._loaded: dict[str, Any] = {}
        self._dirty: set[str] = set()
        self._as_read: dict[str, list[dict[Any, Any] | None]] = {}
        self.hashes: dict[str, str] = {}  # source path -> SHA-256 of this build's bytes
        # source path -> the cached (sha, now key, article, problems) of each
        # source this build parsed again (its bytes changed): the last build's
        self.replaced: dict[str, tuple] = {}
        self._early: Any = None  # a parallel.Later writing sections (flush_early)

    def _read(self, name: str, namespace: str) -> Any:
        if name in SHARDS:
            return self._read_shards(name, namespace)
        return self._read_file(name, namespace)

    def report_to(self, diagnostics: list[Diagnostic]) -> None:
        """Put this cache's warnings (what was unreadable, or refused when written)
        in ``diagnostics`` (the build's, printed after :meth:`flush`): those so
        far, and from now on those of later reads and flushes."""
        diagnostics.extend(self.warnings)
        self.warnings.clear()
        self._sink = diagnostics

    def _warn(self, diag: Diagnostic) -> None:
        (self._sink if self._sink is not None else self.warnings).append(diag)

    def problem(self, section: str, exc: BaseException) -> None:
        """A section (or a file of it) that could not be used: rebuilt, and said once."""
        self.problems.append(f"{section}: {type(exc).__name__}: {exc}")
        self._warn(Diagnostic(
            severity="warning", code="cache-unreadable", path=f"{CACHE_DIR}/{section}.pickle",
            message=f"the build cache's {section!r} could not be read "
                    f"({type(exc).__name__}: {exc}); it is rebuilt from the sources",
            hint="nothing to do: this build replaces it (if it recurs, delete "
                 f"{CACHE_DIR}/ and report it)"))

    def _read_shards(self, name: str, namespace: str) -> dict[Any, Any]:
        merged: dict[Any, Any] = {}
        kept: list[dict[Any, Any] | None] = []
        for i in range(SHARDS[name]):
            part = self._read_file(f"{name}-{i:02d}", namespace)
            if f"{name}-{i:02d}" in self._unreadable:
                kept.append(None)  # unlike any part: a flush of the section rewrites it
                continue
            # Whether each key belongs in this shard is not checked again: the
            # file is signed, and only _write_shards, which puts each key where
            # _shard says, writes shards (the check was 0.03 s of every build at
            # 10,000 articles).  A key in another shard would still be read.
            part = part if isinstance(part, dict) else {}
            kept.append(dict(part))
            merged.update(part)
        self._as_read[name] = kept  # what is on disk, to skip unchanged shards
        return merged

    def _read_file(self, name: str, namespace: str) -> Any:
        path = self.dir / f"{name}.pickle"
        if not self.enabled or not path.is_file() or path.is_symlink():
            return None
        try:
            # The whole file, not its body sliced off: slicing the ~90 MB an
            # edit reads at 10,000 articles, then copying them again into the
            # unpickler's BytesIO, cost 0.02-0.03 s and 10,000 page faults of
            # fresh memory; a BytesIO of a bytes object shares it.
            blob = path.read_bytes()
            if not hmac.compare_digest(blob[:SIGNATURE], hmac.digest(
                    self.key, memoryview(blob)[SIGNATURE:], "sha256")):
                raise ValueError("signature does not match")
            if blob[SIGNATURE:SIGNATURE + len(_SCHEMA)] != _SCHEMA:
                return None  # written by a digest with other records: stale, not damaged
            payload = loads(blob, SIGNATURE + len(_SCHEMA))
        except Exception as exc:  # any damage means: rebuild, never trust
            self._unreadable.add(name)
            self.problem(name, exc)
            return None
        if (isinstance(payload, tuple) and len(payload) == 3 and payload[0] == FORMAT
                and payload[1] == namespace):
            return payload[2]
        return None

    def section(self, name: str) -> dict[Any, Any]:
        """The section's mapping (empty when missing, stale, unsigned or corrupt)."""
        if name not in self._loaded:
            data = self._read(name, self.namespace)
            self._loaded[name] = data if isinstance(data, dict) else {}
        return self._loaded[name]

    def section_raw(self, name: str) -> Any:
        """A section that is valid whatever the namespace (it carries its own key)."""
        if name not in self._loaded:
            self._loaded[name] = self._read(name, "")
        return self._loaded[name]

    def save(self, name: str, data: Any) -> None:
        """Replace a section; written to disk by :meth:`flush`."""
        self._loaded[name] = data
        self._dirty.add(name)

    def flush(self) -> None:
        """Write the changed sections (temp file + rename: never half a file)."""
        if self._early is not None:
            early, self._early = self._early, None
            try:
                refused = early.result()
            except CacheTypeError:
                raise  # strict: a value the cache cannot store (see _write_file)
            except Exception:  # noqa: BLE001 - as a failed write below: a slower next build
                refused = []
            for diag in refused:
                self._warn(diag)
        if not self.enabled or self.dir.is_symlink():
            return  # a .digest-cache link may point anywhere: never write through it
        self._rewriting(self._dirty)
        for diag in self._write_sections(sorted(self._dirty)):
            self._warn(diag)
        self._dirty.clear()
        for name in self._unreadable:  # not rewritten: it would only be refused again
            (self.dir / f"{name}.pickle").unlink(missing_ok=True)
        self._unreadable.clear()

    def _rewriting(self, sections: set[str] | list[str]) -> None:
        """The unreadable files of ``sections``, about to be written whole (an
        unreadable shard reads as unlike any part: rewritten), need no removal."""
        for name in sections:
            self._unreadable.discard(name)
            for i in range(SHARDS.get(name, 0)):
                self._unreadable.discard(f"{name}-{i:02d}")

    def flush_early(self, jobs: int, keep: tuple[str, ...] = ("pages", "bodies")) -> None:
        """Write the changed sections but ``keep`` now, in a forked process
        (parallel.start) while the build goes on; :meth:`flush` waits for it.

        For sections whose entries are valid whatever becomes of this build
        (keyed by the bytes they were made from: parsed articles, enrichment,
        term counts, the sources' hashes): writing them before output/ is
        written cannot make a later build trust anything wrong, and it takes
        the serial tail of writing ~60 MB off a cold build.  ``pages`` (what
        output/ holds) must wait for output/.  A one-shot build only (the
        CLI): the written shards are not remembered here, so a later flush of
        the same object would rewrite those sections whole.
        """
        from digest.engine.parallel import start

        names = sorted(n for n in self._dirty if n not in keep)
        if not names or not self.enabled or self.dir.is_symlink() or self._early is not None:
            return
        self._rewriting(names)
        # Not a daemon: a build that fails meanwhile still lets it finish its files.
        self._early = start(lambda: self._write_sections(names), jobs, daemon=False,
                            what="writing the cache")
        for name in names:
            self._dirty.discard(name)
            self._as_read.pop(name, None)

    def _write_sections(self, names: list[str]) -> list[Diagnostic]:
        """Write the sections ``names``; the warnings of those refused (not
        written, and any older copy removed), or CacheTypeError when strict."""
        raw = {"pages"}
        refused: list[Diagnostic] = []
        try:
            self.dir.mkdir(exist_ok=True)
            gitignore = self.dir / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            for name in names:
                ns = "" if name in raw else self.namespace
                try:
                    if name in SHARDS and isinstance(self._loaded[name], dict):
                        self._write_shards(name, ns, self._loaded[name])
                    else:
                        self._write_file(name, ns, self._loaded[name])
                except Refused as exc:
                    diag = _refused(name, exc.args[0])
                    self._drop(name)
                    if self.strict:
                        raise CacheTypeError(diag) from None
                    self.problems.append(diag.message)
                    refused.append(diag)
        except OSError:
            pass  # a cache that cannot be written only makes the next build slower
        return refused

    def _drop(self, name: str) -> None:
        """Remove every file of section ``name``: the next build reads it as empty."""
        self._as_read.pop(name, None)
        for i in range(SHARDS.get(name, 0)):
            (self.dir / f"{name}-{i:02d}.pickle").unlink(missing_ok=True)
        (self.dir / f"{name}.pickle").unlink(missing_ok=True)

    def _write_file(self, name: str, namespace: str, data: Any) -> None:
        payload = dumps((FORMAT, namespace, data))  # raises Refused before writing
        # Signed and written in parts: joining them copied every section twice.
        mac = hmac.new(self.key, _SCHEMA, "sha256")
        mac.update(payload)
        tmp = self.dir / f".{name}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(mac.digest())
            fh.write(_SCHEMA)
            fh.write(payload)
        os.replace(tmp, self.dir / f"{name}.pickle")

    def _write_shards(self, name: str, namespace: str, data: dict[Any, Any]) -> None:
        count = SHARDS[name]
        parts: list[dict[Any, Any]] = [{} for _ in range(count)]
        for key, value in data.items():
            parts[_shard(key, count)][key] = value
        on_disk = self._as_read.get(name) if namespace == self.namespace else None
        for i, part in enumerate(parts):
            # == on dicts compares values by identity first: cheap when they
            # are the very objects read, as they are for unchanged entries.
            if on_disk is not None and on_disk[i] == part:
                continue
            self._write_file(f"{name}-{i:02d}", namespace, part)
        self._as_read[name] = [dict(part) for part in parts]
        # A cache written before this section was sharded holds it whole: stale.
        (self.dir / f"{name}.pickle").unlink(missing_ok=True)


def _refused(section: str, what: str) -> Diagnostic:
    return Diagnostic(
        severity="warning", code="cache-type", path=f"{CACHE_DIR}/{section}.pickle",
        message=f"the build cache's {section!r} holds a value of type {what}, which the "
                "cache cannot read back: it was not written, and the next build "
                "recomputes it",
        hint="this is a bug in digest, please report it with this message; the site "
             "is built as it should be, only without the cache for that part")


def _shard(key: Any, count: int) -> int:
    """The shard of a key: stable across runs and machines (not hash())."""
    return zlib.crc32(str(key).encode("utf-8", "surrogatepass")) % count


def clear_cache(site_root: Path) -> bool:
    """Delete ``.digest-cache/`` (only the link when it is a symlink)."""
    path = site_root / CACHE_DIR
    if path.is_symlink():
        path.unlink()
        return True
    if path.is_dir():
        shutil.rmtree(path)
        return True
    return False
