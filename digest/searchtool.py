"""Edge: one Pagefind process (digest.search, digest.searchrun, digest.searchahead).

Finding the binary, its version, the environment and folder a run works in,
starting a run over a folder of pages, and finishing it: its bundle checked
and put in digest's canonical form (digest.searchbundle), or stopped.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

from digest.searchfiles import _error
from digest.searchfolders import seed_fragments

TIMEOUT_S = 600
UNUSED = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.",
          "pagefind-highlight.")  # 0.6 MB per bundle the theme never loads


def find_pagefind() -> Path | None:
    """Path of the Pagefind binary, or None when it is not installed."""
    env = os.environ.get("PAGEFIND_BINARY_PATH")
    if env:
        return Path(env) if Path(env).is_file() else None
    for module in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            found = __import__(module).get_executable()
        except (ImportError, FileNotFoundError):
            continue
        return Path(found)
    on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(on_path) if on_path else None


def search_available() -> bool:
    """Pagefind's binary, and cbor2 (digest.searchbundle), both of the search
    extra: a Pagefind found on PATH without the extra is not enough."""
    return find_pagefind() is not None and importlib.util.find_spec("cbor2") is not None


def pagefind_version(exe: Path, known: object = None) -> tuple[str, list]:
    """Pagefind's version, e.g. "1.5.2", and the record to pass as ``known``
    next time: the binary's path, size and mtime with it (running it takes
    a tenth of a second)."""
    try:
        st = os.stat(exe)
    except OSError as exc:
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None
    mark = [os.fspath(exe), st.st_size, st.st_mtime_ns]
    if isinstance(known, list) and len(known) == 4 and known[:3] == mark \
            and isinstance(known[3], str):
        return known[3], known
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                             timeout=60, check=False, stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None
    found = re.search(r"(\d+\.\d+[\w.\-]*)", out)
    if not found:
        raise _error(f"could not run Pagefind ({exe}): no version in {out!r}")
    return found.group(1), [*mark, found.group(1)]


def start_pagefind(exe: Path, site: Path, work: Path, threads: int = 0,
                   reuse: Path | None = None) -> subprocess.Popen:
    """Pagefind started over the pages in ``site``, writing ``work/bundle``
    (with ``threads``: at most that many of its own); what it prints goes to
    ``work/log`` (a file, not a pipe: nothing has to read it while Pagefind
    runs).  ``reuse``: the month's last bundle, made by this Pagefind
    (searchfolders.reusable), whose page fragments the new one starts from
    (searchfolders.seed_fragments).  :func:`finish_pagefind` waits for it."""
    if reuse is not None:
        seed_fragments(reuse, work / "bundle")
    cmd = [os.path.abspath(exe), "--site", os.path.abspath(site),
           "--output-path", os.path.abspath(work / "bundle")]
    try:
        with open(work / "log", "wb") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=pagefind_env(threads),
                                    cwd=work)
    except OSError as exc:
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None


def pagefind_env(threads: int = 0) -> dict[str, str]:
    """The environment of a Pagefind run: this one without PAGEFIND_*
    variables.  Pagefind takes its settings from those and from a
    pagefind.yml (.toml, .json) in its working folder too; a curator's own,
    left where digest runs by a Hugo + Pagefind setup, would reach digest's
    runs (a ``glob`` of theirs: no page indexed, the build fails; selectors
    or a forced language: another index).  So a run has none of them, and
    works in its scratch folder, which holds no settings file.  ``threads``:
    the size of Pagefind's thread pool (0: its default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    env["NO_COLOR"] = "1"
    if threads:
        env["RAYON_NUM_THREADS"] = str(threads)
    return env


def finish_pagefind(run: subprocess.Popen, work: Path) -> int:
    """Wait for the Pagefind ``run`` writing ``work/bundle``, check it and put
    the bundle in digest's canonical form; the number of pages it indexed.
    Raises SearchError when it failed."""
    try:
        run.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise _error(f"Pagefind did not finish within {TIMEOUT_S} s") from None
    log = (work / "log").read_text("utf-8", errors="replace")
    bundle = work / "bundle"
    if run.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise _error(f"Pagefind failed (exit {run.returncode}): {_tail(log)}")
    pages = _number(r"Indexed (\d+) pages?", log)
    if not pages:
        raise _error("Pagefind indexed no pages",
                     hint="the theme must mark the text of article pages with "
                          "data-pagefind-body")
    for unused in bundle.iterdir():  # the search page loads none of Pagefind's UIs
        if unused.name.startswith(UNUSED):
            unused.unlink()
    from digest.searchbundle import BundleShapeError, make_canonical  # needs cbor2

    try:
        make_canonical(bundle)  # filter values in a fixed order: the same bytes
    except (BundleShapeError, OSError) as exc:
        raise _error(f"Pagefind's bundle is not as digest expects ({exc})",
                     hint="install a Pagefind 1.x release (pip install "
                          "'pagefind[bin]>=1.1,<2'), or build with --no-search") from None
    return pages


def stop(run: subprocess.Popen) -> None:
    """Kill the Pagefind ``run`` unless it has ended, and reap it: none
    outlives the build that started it."""
    if run.poll() is None:
        run.kill()
    run.wait()


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _tail(log: str, lines: int = 12) -> str:
    kept = [line for line in log.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "no output"
