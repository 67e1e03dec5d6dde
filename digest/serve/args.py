"""The ``serve`` subcommand's arguments, apart from its implementation.

``digest`` registers every subcommand on each run; importing the dev server,
watchdog and the preview machinery (digest.serve.command) only to describe
``serve`` cost every ``digest build`` tens of milliseconds.  The handler
imports them when ``serve`` actually runs.
"""

from __future__ import annotations

import argparse

from digest.cli import _add_build_flags


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``serve`` subcommand."""
    p = subparsers.add_parser(
        "serve", help="preview the site at http://127.0.0.1:8000/, rebuilding on save",
        description="Build the site in memory (output/ is not touched), serve it locally "
                    "and reload open pages after every save.")
    _add_build_flags(p)
    p.add_argument("--port", type=_port, default=8000,
                   help="port to listen on (default 8000; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; other addresses expose the "
                        "preview to your network)")
    p.add_argument("--no-search", action="store_true",
                   help="no search index (the search page is not made)")
    p.add_argument("--poll", action="store_true",
                   help="poll for changes instead of OS notifications (network drives, VMs)")
    p.set_defaults(handler=_run)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return port


def _run(args: argparse.Namespace) -> int:
    from digest.serve.command import run  # noqa: PLC0415 - see the module docstring

    return run(args)
