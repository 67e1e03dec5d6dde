#!/usr/bin/env python3
"""Try digest on real sites' posts as they are, and report what happens.

A script, not part of the test run (it reads other people's repositories,
which are never committed here):

    python tests/bench/try_real_sites.py NAME=GIT_DIR:FOLDER:TARGET [...]

For each site, FOLDER of the repository at GIT_DIR (a bare clone or a
``.git``; its HEAD) is exported into a fresh site under ``--work`` (default: a
temporary folder) as ``TARGET`` (a path inside that site: ``content``,
``content/_posts``...), with a minimal digest.yaml, then built twice without
cache: as is, and with ``--keep-going``.  Printed per site: the files found,
and per build the exit status, the articles built and the errors and
warnings by kind (the message with paths, quotes and numbers blanked out).
Logs stay in each site's folder.  Example:

    python tests/bench/try_real_sites.py \\
        "grpc blog (Hugo)=/path/grpc.io.git:content/en/blog:content/blog"
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

POST_SUFFIXES = (".md", ".markdown", ".txt", ".rst", ".html", ".adoc")
DIAG = re.compile(r"^(?:\S+?:(?:\d+:)? )?(error|warning): (.*)$", re.MULTILINE)


def kind_of(message: str) -> str:
    """The message with what varies from file to file blanked out."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "…", message)
    message = re.sub(r"\S+\.(?:md|markdown|txt|rst|html)\b", "FILE", message)
    return re.sub(r"\d+", "N", message)[:110]


def export(git_dir: str, folder: str, site: Path, target: str) -> Path:
    scratch = site / ".export"
    scratch.mkdir(parents=True)
    archive = subprocess.run(["git", f"--git-dir={git_dir}", "archive", "HEAD", folder],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive, check=True)
    dest = site / target
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(scratch / folder), str(dest))
    shutil.rmtree(scratch)
    return dest


def build(site: Path, *flags: str) -> tuple[int, str, collections.Counter]:
    proc = subprocess.run([sys.executable, "-m", "digest", "--site", str(site), "build",
                           "--no-cache", *flags], capture_output=True, text=True)
    (site / f"build{''.join(flags)}.log").write_text(proc.stdout + proc.stderr, "utf-8")
    built = re.search(r"Built (\d+) articles", proc.stdout)
    kinds = collections.Counter((sev, kind_of(msg)) for sev, msg in DIAG.findall(proc.stderr)
                                if not msg.startswith(("N errors", "N warnings")))
    return proc.returncode, built.group(1) if built else "0", kinds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="+", metavar="NAME=GIT_DIR:FOLDER:TARGET")
    parser.add_argument("--work", help="build the sites here (kept); default: a temp folder")
    args = parser.parse_args(argv)
    work = Path(args.work or tempfile.mkdtemp(prefix="digest-real-sites-"))
    for spec in args.sites:
        name, _, where = spec.partition("=")
        git_dir, folder, target = where.split(":")
        site = work / re.sub(r"\W+", "-", name).strip("-")
        shutil.rmtree(site, ignore_errors=True)
        posts = export(git_dir, folder, site, target)
        (site / "digest.yaml").write_text(
            "title: Trial\nbase_url: https://example.org/\nsearch: false\n", "utf-8")
        files = sum(1 for p in posts.rglob("*") if p.is_file() and p.suffix in POST_SUFFIXES)
        print(f"\n{name}: {files} files in {folder}")
        for flags in ((), ("--keep-going",)):
            code, articles, kinds = build(site, *flags)
            label = " ".join(flags) or "as is"
            print(f"  {label:<13} exit {code}, {articles} articles built")
            for (severity, kind), count in sorted(kinds.items(), key=lambda kv: -kv[1])[:8]:
                print(f"    {count:>4} {severity}: {kind}")
    print(f"\nsites and logs in {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
