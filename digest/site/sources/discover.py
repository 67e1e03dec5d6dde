"""Edge: find content files, read their bytes, in a stable order.

Rules (documented in the README):
- article suffixes are ``.md``, ``.markdown`` and ``.txt`` (clippings); other
  text markup (``.rst``, ``.html``, ...) is named in one warning per format;
- files whose name starts with ``_`` or ``.`` are not articles, nor are editor
  leftovers (``x~``, ``.x.swp``, ``#x#``, vim's ``4913``);
- folders starting with ``.`` are skipped; folders starting with ``_`` (Jekyll's
  ``_posts``) are read;
- symlinks are followed only when their target stays inside the content folder,
  otherwise skipped with a warning (the target is never read); symlinked folders
  are never followed, so loops cannot hang the build.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from digest.errors import Diagnostic
from digest.site.records import SourceDoc
from digest.site.sources.excludes import is_excluded

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
# Text markup other generators read and digest does not: named in a warning,
# or a site moved from Pelican or Jekyll would lose these posts without a word.
# Images and other assets are not articles and are left alone.
OTHER_MARKUP = (".rst", ".adoc", ".asciidoc", ".org", ".textile", ".html", ".htm")
_NAMED = 3  # files named per extension in the warning
MAX_BYTES = 8 * 1024 * 1024  # far above any real article; bounds memory and parse time


def is_ignored_name(name: str) -> bool:
    """Editor temp files and hidden/underscore files: never articles, never rebuild triggers."""
    return (
        name.startswith((".", "_", "#"))
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp"))
        or name == "4913"
        or name in {"Thumbs.db", "desktop.ini"}
    )


def find_sources(site_root: Path, content_dir: str, exclude: tuple[str, ...] = ()
                 ) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """The article files under ``site_root/content_dir`` (POSIX path relative to the
    site, path), sorted, without reading them; plus warnings and errors.
    ``exclude``: the site's exclude: patterns (sources/excludes.py)."""
    found, diags = _find(site_root, content_dir, exclude)
    return [(rel, Path(path)) for rel, path in found], diags


@dataclass(frozen=True, slots=True)
class Survey:
    """The article files found by :func:`source_signatures`, for a later
    :func:`discover_changed` (the no-op check and the build then walk the
    content folder once): (POSIX path relative to the site, path,
    :func:`file_signature` or None), sorted; the walk's diagnostics; when it
    started (see :func:`settled`)."""

    entries: list[tuple[str, str, tuple[int, int, int, int] | None]]
    diags: list[Diagnostic]
    started_ns: int


def source_signatures(site_root: Path, content_dir: str, exclude: tuple[str, ...] = ()
                      ) -> tuple[list[tuple[str, str, tuple[int, int, int, int] | None]],
                                 list[Diagnostic]]:
    """(POSIX path relative to the site, path, :func:`file_signature` or None when
    it cannot be stat'ed) of every article file, sorted; nothing is read."""
    survey = survey_sources(site_root, content_dir, exclude)
    return survey.entries, survey.diags


def survey_sources(site_root: Path, content_dir: str, exclude: tuple[str, ...] = ()
                   ) -> Survey:
    """:func:`source_signatures` as a :class:`Survey`."""
    started = time.time_ns()
    found, diags = _find(site_root, content_dir, exclude)
    out = []
    for rel, path in found:
        try:
            signature: tuple[int, int, int, int] | None = file_signature(os.stat(path))
        except OSError:
            signature = None
        out.append((rel, path, signature))
    return Survey(out, diags, started)


def _find(site_root: Path, content_dir: str, exclude: tuple[str, ...] = ()
          ) -> tuple[list[tuple[str, str]], list[Diagnostic]]:
    """:func:`find_sources` with the paths as strings."""
    root = (site_root / content_dir)
    diags: list[Diagnostic] = []
    if not root.is_dir():
        diags.append(Diagnostic(
            severity="error", code="no-content", path=content_dir,
            message=f"content folder '{content_dir}' does not exist",
            hint="create it and add Markdown (.md) or clipping (.txt) files, "
                 "or set content_dir in digest.yaml"))
        return [], diags
    real_root = root.resolve()
    real_site = site_root.resolve()
    if not real_root.is_relative_to(real_site):
        # content_dir: /etc, ../.., or a symlink out of the site: never read it.
        diags.append(Diagnostic(
            severity="error", code="content-outside", path=content_dir,
            message=f"content folder '{content_dir}' is outside the site folder",
            hint="content_dir (or --content) must name a folder inside the site, "
                 "e.g. content_dir: content"))
        return [], diags
    return _walk(site_root, root, real_root, diags, exclude), diags


def _walk(site_root: Path, root: Path, real_root: Path, diags: list[Diagnostic],
          exclude: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(POSIX path relative to the site, file system path) of the article files, sorted.

    The same walk as ``os.walk(root, followlinks=False)`` with sorted folders
    (so the warnings come in the same order), but on ``os.scandir`` entries and
    plain strings: the file type comes with the directory listing, where a
    ``Path`` and an ``lstat`` per file cost more than the rest of the walk at
    10,000 files.
    """
    found: list[tuple[str, str]] = []
    other: dict[str, list[str]] = {}

    def visit(dirpath: str) -> None:
        try:
            with os.scandir(dirpath) as it:
                entries = list(it)
        except OSError as exc:
            # Never left out quietly: its articles would vanish from the site.
            diags.append(_unreadable_folder(site_root, dirpath, exc))
            return
        dirs, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry)
        here = Path(dirpath).relative_to(site_root).as_posix()
        prefix = "" if here == "." else here + "/"
        inside = prefix[len(content_prefix):]  # the path within the content folder
        keep = []
        for entry in sorted(dirs, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            if exclude and is_excluded(inside + entry.name, True, exclude):
                continue
            if entry.is_symlink():
                diags.append(_skipped(site_root, Path(entry.path), "a symlinked folder"))
                continue
            keep.append(entry.path)
        for entry in files:
            name = entry.name
            if exclude and is_excluded(inside + name, False, exclude):
                continue
            if is_ignored_name(name) or not name.lower().endswith(ARTICLE_SUFFIXES):
                _note_other(other, prefix, name)
                continue
            if entry.is_symlink() and (problem := _symlink_problem(Path(entry.path),
                                                                   real_root)):
                diags.append(_skipped(site_root, Path(entry.path), problem))
                continue
            found.append((prefix + name, entry.path))
        for path in keep:
            visit(path)

    top = root.relative_to(site_root).as_posix()
    content_prefix = "" if top == "." else top + "/"  # (content_dir: . is the site)
    visit(str(root))
    found.sort()
    diags += map(_other_markup, sorted(other.items()))
    return found


def _note_other(other: dict[str, list[str]], prefix: str, name: str) -> None:
    """Remember a file in a markup digest does not read (not a hidden or
    underscore one: those are never articles in any generator)."""
    suffix = os.path.splitext(name)[1].lower()
    if suffix in OTHER_MARKUP and not is_ignored_name(name):
        other.setdefault(suffix, []).append(prefix + name)


def _other_markup(item: tuple[str, list[str]]) -> Diagnostic:
    """One warning per markup format digest does not read, naming the first files."""
    suffix, paths = item[0], sorted(item[1])
    named = ", ".join(paths[:_NAMED]) + (f" and {len(paths) - _NAMED} more"
                                         if len(paths) > _NAMED else "")
    count = f"{len(paths)} {suffix} file" + ("s are" if len(paths) > 1 else " is")
    return Diagnostic(
        severity="warning", code="unread-format", path=paths[0],
        message=f"{count} not read (digest reads Markdown and .txt clippings): {named}",
        hint="convert them to Markdown (.md), e.g. pandoc -t gfm -o post.md post.rst, "
             "or move them out of the content folder")


def discover(site_root: Path, content_dir: str, exclude: tuple[str, ...] = ()
             ) -> tuple[list[SourceDoc], list[Diagnostic]]:
    """Read every article file under ``site_root/content_dir``, sorted by POSIX path.

    Returns the documents and warnings (skipped symlinks, oversized files are
    errors).  A missing content folder yields no documents and an error.
    """
    docs, diags = discover_changed(site_root, content_dir, {}, exclude=exclude)
    return docs, diags  # type: ignore[return-value]  # nothing is known: all were read


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A source file not read again: its signature is the one the caller knew."""

    rel: str
    stat: tuple[int, int, int, int]


def discover_changed(site_root: Path, content_dir: str,
                     known: Mapping[str, tuple[int, int, int, int]],
                     survey: Survey | None = None, exclude: tuple[str, ...] = ()
                     ) -> tuple[list[SourceDoc | Unchanged], list[Diagnostic]]:
    """As :func:`discover`, but a file whose :func:`file_signature` equals
    ``known[rel]`` is not read: it comes back as :class:`Unchanged`.

    Every file is still stat'ed, so the checks (regular file, size limit) and
    their diagnostics are the same as when it is read.  With ``survey`` (of
    this content folder, made moments ago) its walk and signatures are used:
    a file whose surveyed signature is known is Unchanged, the others are
    stat'ed and read as usual.
    """
    if survey is not None:
        diags = list(survey.diags)
        docs: list[SourceDoc | Unchanged] = []
        rest: list[tuple[str, str]] = []
        for rel, path, signature in survey.entries:
            if signature is not None and known.get(rel) == signature:
                docs.append(Unchanged(rel, signature))
            else:
                rest.append((rel, path))
        if rest:
            docs += _read(rest, diags, known, survey.started_ns)
            docs.sort(key=_doc_rel)
        return docs, diags
    started = time.time_ns()  # before any stat: see settled()
    found, diags = _find(site_root, content_dir, exclude)
    return _read(found, diags, known, started), diags


def _doc_rel(doc: SourceDoc | Unchanged) -> str:
    return doc.rel if isinstance(doc, Unchanged) else str(doc.rel_path)


def file_signature(info: os.stat_result) -> tuple[int, int, int, int]:
    """What changes whenever a file's bytes may have: size, mtime, ctime, inode."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


# A file changed less than this before it was read may change again within the
# same timestamp tick (coarse kernel clocks, 2 s on FAT, skewed network
# servers) and keep its signature: such a signature is not recorded, so the
# next build hashes the file again (git's "racy clean" rule).
SETTLE_NS = 2_000_000_000


def settled(info: os.stat_result, started_ns: int) -> bool:
    """True when the signature in ``info`` can vouch for the bytes read after it."""
    return max(info.st_mtime_ns, info.st_ctime_ns) < started_ns - SETTLE_NS


def _read(found: list[tuple[str, str]], diags: list[Diagnostic],
          known: Mapping[str, tuple[int, int, int, int]], started: int
          ) -> list[SourceDoc | Unchanged]:
    """Read regular files up to MAX_BYTES; anything else becomes a diagnostic."""
    docs: list[SourceDoc | Unchanged] = []
    for rel, path in found:
        try:
            info = os.stat(path)
        except OSError as exc:
            diags.append(_unreadable(rel, exc))
            continue
        if not stat.S_ISREG(info.st_mode):
            # a FIFO or device named x.md would block or never end: never open it
            diags.append(Diagnostic(
                severity="warning", code="not-a-file", path=rel,
                message="skipped: not a regular file (a pipe, socket or device)",
                hint="remove it from the content folder"))
            continue
        if info.st_size > MAX_BYTES:
            diags.append(Diagnostic(
                severity="error", code="too-large", path=rel,
                message=f"file is {info.st_size // (1024 * 1024)} MiB; articles are limited to "
                        f"{MAX_BYTES // (1024 * 1024)} MiB",
                hint="split it into several articles or move it out of content/"))
            continue
        signature = file_signature(info)
        if known and known.get(rel) == signature:
            docs.append(Unchanged(rel, signature))
            continue
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            diags.append(_unreadable(rel, exc))
            continue
        docs.append(SourceDoc(rel_path=PurePosixPath(rel), raw=raw,
                              stat=signature if settled(info, started) else None))
    return docs


def _symlink_problem(path: Path, real_root: Path) -> str | None:
    """Why a symlinked file must be skipped (its target is never read), or None."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop (RuntimeError before 3.13)
        return "a broken or looping symlink"
    if not target.is_relative_to(real_root):
        return "a symlink leaving the content folder"
    if not target.is_file():
        # inside the folder but a pipe, socket or device: opening it would block
        return "a symlink to something that is not a regular file (a pipe, socket or device)"
    return None


def _unreadable(rel: str, exc: OSError) -> Diagnostic:
    return Diagnostic(
        severity="error", code="unreadable", path=rel,
        message=f"cannot read file ({_reason(exc)})",
        hint=f"let digest read it (chmod a+r {rel}), or move it out of the content "
             "folder; --keep-going builds without it")


def _unreadable_folder(site_root: Path, dirpath: str, exc: OSError) -> Diagnostic:
    rel = Path(dirpath).relative_to(site_root).as_posix()
    return Diagnostic(
        severity="error", code="unreadable", path=rel,
        message=f"cannot read folder ({_reason(exc)})",
        hint=f"let digest list it (chmod a+rx {rel}), or move it out of the content "
             "folder; --keep-going builds without the articles in it")


def _reason(exc: OSError) -> str:
    """"permission denied", as the system says it, in lower case."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


def _skipped(site_root: Path, path: Path, what: str) -> Diagnostic:
    return Diagnostic(
        severity="warning", code="symlink-skipped",
        path=path.relative_to(site_root).as_posix(),
        message=f"skipped {what}",
        hint="copy the file into the content folder instead of linking to it")
