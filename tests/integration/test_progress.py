"""The progress bar: drawn on a terminal, absent when stderr is not a TTY."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.integration.conftest import child_env, small_site


def _build(site: Path, *, tty: bool) -> str:
    cmd = [sys.executable, "-m", "digest", "--site", str(site), "build", "--no-search"]
    if not tty:
        run = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stderr
    primary, secondary = pty.openpty()
    try:
        run = subprocess.run(cmd, stderr=secondary, stdout=subprocess.DEVNULL, env=child_env(),
                             timeout=120)
    finally:
        os.close(secondary)
    assert run.returncode == 0
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    return b"".join(chunks).decode()


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    text = _build(small_site(tmp_path / "s"), tty=True)
    assert "digest [####################] 6/6 check" in text
    assert "1/6 config" in text and "5/6 render" in text


def test_no_progress_output_when_not_a_tty(tmp_path: Path) -> None:
    text = _build(small_site(tmp_path / "s"), tty=False)
    assert "\r" not in text and "\033[" not in text and "6/6" not in text
