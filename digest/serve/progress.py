"""The page `digest serve` answers with while its first build runs.

The server listens at once (a 10,000-article site takes seconds to build), so a
page asked for before there is a site gets this one instead: what the build is
doing ("step 2 of 6: parsing 4,210 of 10,000 files"), kept current by
``progress.js`` polling :data:`STATUS_PATH`, and the usual reload script,
which reloads the tab into the real page, or into the error page if the build
failed, as soon as the epoch changes.  Scripts are files served from
``/__digest/`` (a Content-Security-Policy without 'unsafe-inline' allows them);
without JavaScript a ``<noscript>`` refresh reloads the page every 2 seconds.
"""

from __future__ import annotations

import html

from digest.serve import overlay
from digest.serve.builder import Progress

SCRIPT_PATH = "/__digest/progress.js"
STATUS_PATH = "/__digest/progress"
STATUS_ID = "digest-progress"

# Each pipeline stage, by what it is doing (pipeline.build calls progress() as a
# stage *ends*: serve records the next one).
STEPS = {
    "config": "reading the settings",
    "parse": "parsing files",
    "enrich": "finding stories, related articles and mentions",
    "assemble": "assembling pages",
    "render": "rendering pages",
    "check": "checking feeds",
}
NEXT = dict(zip(STEPS, [*list(STEPS)[1:], "done"], strict=True))
READY = "ready"


def describe(progress: Progress) -> str:
    """One line for a person: ``step 2 of 6: parsing 4,210 of 10,000 files``."""
    stage, done, total = progress
    if stage not in STEPS:
        return READY
    text = STEPS[stage]
    if stage == "parse" and done is not None and total is not None:
        text = f"parsing {done:,} of {total:,} file{'s' if total != 1 else ''}"
    return f"step {list(STEPS).index(stage) + 1} of {len(STEPS)}: {text}"


def page(progress: Progress, token: str) -> bytes:
    """The whole "building the site" page, with the reload script of epoch ``token``."""
    shell = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
             '<meta name="viewport" content="width=device-width, initial-scale=1">'
             "<title>digest: building the site</title>"
             '<noscript><meta http-equiv="refresh" content="2"></noscript>'
             f'<script src="{SCRIPT_PATH}" defer></script></head>'
             "<body><main><h1>Building the site</h1>"
             f'<p id="{STATUS_ID}" role="status">{html.escape(describe(progress))}</p>'
             "<p>This page reloads by itself when the site is ready.</p></main>"
             "</body></html>\n")
    return overlay.inject(shell.encode("utf-8"), token)


def is_page(key: str) -> bool:
    """Whether a request during the first build wants a page (not an asset):
    folders, .html files, and extensionless paths (redirected to their folder later)."""
    name = key.rsplit("/", 1)[-1]
    return name == "" or name.endswith((".html", ".htm")) or "." not in name
