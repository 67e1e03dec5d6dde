"""A signal whose exception Python swallows (raised inside a __del__ or a
weakref callback, printed as "Exception ignored in ...") is sent again, so the
build still stops (digest.cli._resend_swallowed)."""

from __future__ import annotations

import subprocess
import sys

from tests.tools import HANG_GUARD, REPO_ROOT

CHILD = r"""
import os, signal, sys, time
from digest import cli

class Dies:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)  # its exception lands here: swallowed
        time.sleep(0.05)

def handler(args):
    Dies()  # collected at once: __del__ runs, the first _Terminated is ignored
    time.sleep(30)  # a build that would run on without the second signal
    print("RAN ON", flush=True)
    return 0

real = cli._dispatch
cli._dispatch = handler
sys.exit(cli.main(["--site", sys.argv[1], "list"]))
"""


def test_a_swallowed_sigterm_is_sent_again(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "content").mkdir()
    run = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], cwd=REPO_ROOT,
                         capture_output=True, text=True, timeout=HANG_GUARD)
    assert "RAN ON" not in run.stdout
    assert run.returncode == 143, run
    assert "terminated" in run.stderr
