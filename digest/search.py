"""Edge: build the Pagefind search index of a written site (``output/pagefind/``).

Run after ``write_site``: Pagefind reads the HTML files on disk and writes a
static index plus its JavaScript (``/pagefind/pagefind.js``) that the theme's
search page loads.  No server is needed; the index works on any static host.

The binary comes from the ``pagefind[bin]`` PyPI package (the ``search`` extra),
found the way its Python API finds it: ``$PAGEFIND_BINARY_PATH``, the
``pagefind_bin_extended`` / ``pagefind_bin`` packages, then ``pagefind`` on PATH.
It runs offline.  The bundle is written to a staging folder inside the output
and renamed into place, so a failed run never leaves a half-written index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from digest.errors import Diagnostic, DigestError

BUNDLE_DIR = "pagefind"
TIMEOUT_S = 600
INSTALL_HINT = "pip install 'digest[search]'"
SKIPPED_WARNING = f"search index skipped: pagefind not installed ({INSTALL_HINT})"


class SearchError(DigestError):
    """The search index could not be built."""


@dataclass(frozen=True, slots=True)
class SearchReport:
    seconds: float  # wall time of the Pagefind run
    pages: int  # HTML pages indexed
    words: int  # distinct words indexed
    bundle: Path  # the folder written (output/pagefind)
    version: str  # Pagefind's version, e.g. "1.5.2"


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
    return find_pagefind() is not None


def build_search_index(output_dir: Path, *, binary: Path | None = None) -> SearchReport:
    """Index the HTML of ``output_dir`` into ``output_dir/pagefind/``.

    Raises SearchError when Pagefind is missing, fails, or indexes no page.
    """
    output_dir = Path(output_dir)
    exe = binary or find_pagefind()
    if exe is None:
        raise _error("Pagefind is not installed", hint=f"{INSTALL_HINT}, or build with "
                     "--no-search (or `search: false` in digest.yaml)")
    if not output_dir.is_dir():
        raise _error(f"cannot index '{output_dir}': not a folder")
    staging = output_dir / f".{BUNDLE_DIR}.tmp-{uuid.uuid4().hex[:8]}"
    bundle = output_dir / BUNDLE_DIR
    cmd = [str(exe), "--site", str(output_dir), "--output-path", str(staging)]
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S,
                              check=False, stdin=subprocess.DEVNULL,
                              env={**os.environ, "NO_COLOR": "1"})
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _error(f"could not run Pagefind ({exe}): {exc}") from None
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        raise _error(f"Pagefind did not finish within {TIMEOUT_S} s") from None
    seconds = time.perf_counter() - started
    log = proc.stdout + proc.stderr
    pages = _number(r"Indexed (\d+) pages?", log)
    if proc.returncode != 0 or not (staging / "pagefind.js").is_file():
        shutil.rmtree(staging, ignore_errors=True)
        raise _error(f"Pagefind failed (exit {proc.returncode}): {_tail(log)}")
    if not pages:
        shutil.rmtree(staging, ignore_errors=True)
        raise _error("Pagefind indexed no pages",
                     hint="the theme must mark indexable content (data-pagefind-body) "
                          "on pages that are written as .html files")
    if bundle.exists():
        shutil.rmtree(bundle)
    os.replace(staging, bundle)
    version = re.search(r"Pagefind v?(\d[\w.\-]*)", log)
    return SearchReport(seconds=seconds, pages=pages, words=_number(r"Indexed (\d+) words?", log),
                        bundle=bundle, version=version.group(1) if version else "")


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 0


def _tail(log: str, lines: int = 12) -> str:
    kept = [line for line in log.strip().splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "no output"


def _error(message: str, hint: str | None = None) -> SearchError:
    return SearchError(Diagnostic(severity="error", code="search-index",
                                  message=f"search index: {message}", hint=hint))
