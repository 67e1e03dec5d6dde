"""Edge: command-line arguments that argparse cannot judge on its own.

A wrong argument is a *usage* error (exit 2, as argparse's own), not a
problem in the site (exit 1): each raises :class:`UsageError` whose hint
says how to write the argument.  They are checked before any work, so a
typo in ``--since`` does not cost a build first.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta
from pathlib import Path

from digest.errors import Diagnostic, UsageError

# What each command's closing line can truthfully say after a failure: only
# build, new and init write anything; list and check only read.
CLOSING = {"build": "nothing was written", "list": "nothing was listed",
           "check": "the check did not finish", "serve": "the preview did not start",
           "new": "nothing was written", "init": "nothing was written",
           "clean": "nothing was removed", "import": "nothing was written",
           "email": "nothing was sent"}


def usage_error(message: str, hint: str) -> UsageError:
    return UsageError(Diagnostic(severity="error", code="usage", message=message, hint=hint))


def jobs(text: str) -> int:
    """``--jobs N``: argparse type; 0 or less would silently mean "default"."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of worker processes: use 1 or more "
            "(1 = no workers), or leave --jobs out for one per core")
    return value


def site_folder(site: str) -> None:
    if not Path(site).is_dir():
        raise usage_error(f"--site {site!r}: no such folder",
                          "give the folder that holds digest.yaml and content/ (default: "
                          "the current folder), or create a site with `digest init DIR`")


def content_folder(site_root: Path, value: str | None, *, must_exist: bool = True) -> None:
    """``--content DIR``: a folder inside the site (``digest new`` may create it).

    The setting ``content_dir`` is checked as a site problem (exit 1) where it
    is read; given on the command line, the same mistakes are usage errors."""
    if value is None:
        return
    folder = site_root / value
    inside = _is_inside(folder, site_root)
    if not inside:
        raise usage_error(f"--content {value!r} is outside the site folder",
                          "name a folder inside the site, relative to it (e.g. --content "
                          "posts); digest reads and writes only inside the site")
    if must_exist and not folder.is_dir():
        raise usage_error(f"--content {value!r}: no such folder in the site",
                          "name an existing folder relative to the site (e.g. --content "
                          "posts), or leave --content out to use content_dir")


def _is_inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


_AGO = re.compile(r"(\d+)\s*([hd])$")


def since(text: str, tz, now: datetime | None = None) -> datetime:  # noqa: ANN001 - a tzinfo
    """``--since``: an ISO date or date-time (no offset = the site time zone),
    or, given ``now``, also an age before it (``12h``, ``2d``)."""
    if now is not None and (m := _AGO.match(text.strip().lower())):
        return now - timedelta(hours=int(m.group(1)) * (24 if m.group(2) == "d" else 1))
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        what, ages = ("neither an age nor a date", "12h or 2d (hours or days before now), or "
                      ) if now is not None else ("not a date", "")
        raise usage_error(f"--since {text!r} is {what}",
                          f"write {ages}a date such as 2024-12-01, or a date and time such as "
                          "2024-12-01T09:00 (no offset = the site time zone)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def term(spec: str, taxonomies: list[str]) -> tuple[str, str]:
    """``--term TAXONOMY:TERM`` -> (taxonomy, term); the taxonomy must exist."""
    tax, sep, label = spec.partition(":")
    example = f"--term {taxonomies[0]}:energy" if taxonomies else "--term topics:energy"
    if not sep or not tax or not label:
        raise usage_error(f"--term {spec!r} is not TAXONOMY:TERM",
                          f"write the taxonomy, a colon and the term, e.g. {example}")
    if tax not in taxonomies:
        import difflib  # noqa: PLC0415 - only for this message; cli imports this module

        close = difflib.get_close_matches(tax, taxonomies, n=1, cutoff=0.6)
        raise usage_error(
            f"--term {spec!r}: this site has no taxonomy '{tax}'",
            (f"did you mean --term {close[0]}:{label}? " if close else "")
            + "taxonomies: " + ", ".join(taxonomies))
    return tax, label
