"""CLI wiring for ``digest init | new | check | clean`` (and ``import``, in importer;
``email``, in mail).

Each handler takes the parsed arguments and returns the exit status; errors
the curator can fix are raised as DigestError and printed by ``cli.main``
(exit 1; a wrong argument is a UsageError, exit 2).  Output goes to stdout, problems to stderr, except ``check``, whose
report *is* its output.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from digest import usage
from digest.cli import _add_build_flags, options_from
from digest.errors import DigestError
from digest.usage import usage_error

# Handlers import their modules lazily (PLC0415 below): cli imports this
# module on every run, and `digest build` should not pay for `check`.

_GROUPS = (  # (title, codes or code prefixes), in report order; exact codes win
    ("digest.yaml", ("config", "theme")),
    ("content files", ("front-matter", "clipping", "source", "encoding", "no-content",
                       "too-large", "symlink")),
    ("front matter keys", ("front-matter-unknown-key",)),
    ("taxonomies", ("unknown-term", "no-topic")),
    ("internal links", ("broken-link", "unpublished-link")),
    ("duplicate stories", ("duplicate-story",)),
    ("related pins", ("related-unknown",)),
    ("template syntax", ("template-syntax",)),
    ("inferred years", ("year-inferred",)),
    ("names not in the vocabulary", ("unmatched-name",)),
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``init``, ``new``, ``check`` and ``clean`` subcommands."""
    p = subparsers.add_parser("init", help="create a new site with example content",
                              description="Create a digest site in DIR (new or empty).")
    p.add_argument("dir", nargs="?", help="folder to create (default: --site)")
    p.add_argument("--title", default="My digest", help="site title")
    p.add_argument("--timezone", default="UTC", help="IANA time zone (default UTC)")
    p.add_argument("--base-url", default="https://news.example.org/",
                   help="address the site will be published at")
    p.set_defaults(handler=cmd_init)

    p = subparsers.add_parser("new", help="start a new article (a draft)",
                              description="Write content/<slug>.md with front matter filled "
                                          "in; --clipping writes a clipping skeleton (.txt).")
    p.add_argument("title", help="the headline")
    p.add_argument("--clipping", action="store_true", help="write a clipping skeleton (.txt)")
    p.add_argument("--content", metavar="DIR", help="content folder (overrides content_dir)")
    p.set_defaults(handler=cmd_new)

    p = subparsers.add_parser("check", help="validate the site without writing output",
                              description="Report every problem of the site; exit 1 on "
                                          "errors (with --strict, on warnings too).")
    _add_build_flags(p)
    p.add_argument("--strict", action="store_true", help="warnings count as errors")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="report format (default text)")
    p.set_defaults(handler=cmd_check)

    p = subparsers.add_parser("clean", help="remove output/ and .digest-cache/",
                              description="Remove the built site (only a folder digest "
                                          "built) and the cache.")
    p.set_defaults(handler=cmd_clean)
    _register_import(subparsers)
    _register_email(subparsers)


def _register_import(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "import", help="turn new items of news feeds into drafts",
        description="Read RSS, Atom and JSON feeds (URLs, files, OPML lists; default: "
                    "`feeds:` in digest.yaml) and write each new item as a draft in "
                    "content/.  Exit 1 when any feed failed (the others are imported).")
    p.add_argument("sources", nargs="*", metavar="URL|FILE",
                   help="feed or OPML addresses or files (default: feeds in digest.yaml)")
    p.add_argument("--since", metavar="AGE|DATE",
                   help="only items newer than this: 12h, 2d, or a date (2024-12-01)")
    p.add_argument("--limit", type=_limit, metavar="N", help="at most N newest items per feed")
    p.add_argument("--dry-run", action="store_true", help="print what would be written; "
                   "write nothing")
    p.add_argument("--timeout", type=_seconds, default=20.0, metavar="SECONDS",
                   help="give up on a feed that does not answer in time (default 20)")
    p.set_defaults(handler=cmd_import)


def _register_email(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "email", help="an edition as a mail: print it, save it, or send it",
        description="Make a MIME message (text and HTML) of an edition as `digest build` "
                    "wrote it and print it, write it with -o, or deliver it with --send.  "
                    "SMTP settings come from the environment only: DIGEST_SMTP_HOST, "
                    "DIGEST_SMTP_PORT (587), DIGEST_SMTP_USER, DIGEST_SMTP_PASSWORD, "
                    "DIGEST_SMTP_TO, DIGEST_SMTP_CAFILE.")
    p.add_argument("date", nargs="?", metavar="DATE", help="a day, 2024-12-20, or a week, "
                   "2024-W51 (default: the latest daily edition)")
    p.add_argument("-o", "--output", metavar="FILE.eml", help="write the message to a file")
    p.add_argument("--send", action="store_true", help="deliver it over SMTP (DIGEST_SMTP_*)")
    p.add_argument("--to", action="append", metavar="ADDRESS",
                   help="recipient (repeat for more; default: DIGEST_SMTP_TO)")
    p.set_defaults(handler=cmd_email)


def cmd_email(args: argparse.Namespace) -> int:
    from digest.workflow.mail import cmd_email as run  # noqa: PLC0415

    return run(args)


def _limit(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of items: use 1 or more")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a timeout: give seconds, "
                                         "more than 0 and at most 600 (e.g. --timeout 20)")
    return value


def cmd_import(args: argparse.Namespace) -> int:
    from digest.workflow.importer import cmd_import as run  # noqa: PLC0415

    return run(args)


def _now():
    from digest.pipeline import build_now  # noqa: PLC0415

    return build_now()


def cmd_init(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit  # noqa: PLC0415
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415

    from digest.workflow.scaffold import init_site  # noqa: PLC0415

    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise usage_error(f"--timezone {args.timezone!r} is not a known time zone",
                          "use an IANA name such as Europe/Minsk or UTC") from None
    parts = urlsplit(args.base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise usage_error(f"--base-url {args.base_url!r} is not an absolute http(s) address",
                          "give the address the site will be published at, e.g. "
                          "--base-url https://news.example.org/")
    base_url = args.base_url if args.base_url.endswith("/") else args.base_url + "/"
    target = Path(args.dir or args.site)
    written = init_site(target, _now(), title=args.title, base_url=base_url,
                        timezone=args.timezone)
    print(f"Created a digest site in {target}/ ({len(written)} files):")
    for path in written:
        print(f"  {path.relative_to(target).as_posix()}")
    site = "" if target == Path(".") else f" --site {target}"
    print(f"Next: digest{site} build   (or: digest{site} serve)")
    print("Publish: push the folder to a git host and import it in Netlify; netlify.toml "
          "installs the digest pinned in requirements.txt")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from digest.site.config import load_config  # noqa: PLC0415
    from digest.workflow.scaffold import new_article  # noqa: PLC0415

    site = Path(args.site)
    usage.content_folder(site, args.content, must_exist=False)  # new may create it
    config = load_config(site)
    content = site / (args.content or config.content_dir)
    path = new_article(content, config, args.title, _now(), clipping=args.clipping)
    print(f"Created {path}")
    if not args.clipping:
        print("It is a draft: preview with `digest serve --drafts`; set `draft: false` "
              "to publish.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from digest.workflow.check import check_site  # noqa: PLC0415

    report = check_site(Path(args.site), options_from(args))
    if args.format == "json":
        json.dump(_as_json(report), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_as_text(report))
    return 1 if report.failed(args.strict) else 0


def _group(code: str) -> str:
    for title, codes in _GROUPS:
        if code in codes:
            return title
    for title, codes in _GROUPS:
        if code.startswith(codes):
            return title
    return "build"


_SEVERITIES = ("error", "warning", "note")


def _ordered(diagnostics: list) -> list:
    """Errors, then warnings, then notes, each by file and line: the real
    problems come first however many warnings there are."""
    return sorted(diagnostics, key=lambda d: (
        _SEVERITIES.index(d.severity) if d.severity in _SEVERITIES else len(_SEVERITIES),
        d.path or "", d.line or 0))


def _by_code(report, severity: str) -> dict[str, int]:  # noqa: ANN001 - check.Report
    """How many findings of ``severity`` each code has, most first."""
    counts: dict[str, int] = {}
    for d in report.diagnostics:
        if d.severity == severity:
            counts[d.code] = counts.get(d.code, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _summary(report) -> str:  # noqa: ANN001 - check.Report
    """``2 errors (1 broken-link, 1 front-matter-yaml), 0 warnings, ... in N files``."""
    parts = []
    for severity in _SEVERITIES:
        n = report.count(severity)
        kinds = ", ".join(f"{k} {code}" for code, k in _by_code(report, severity).items())
        parts.append(f"{n} {severity}{'s' if n != 1 else ''}" + (f" ({kinds})" if kinds else ""))
    return f"{', '.join(parts)} in {report.files} file{'s' if report.files != 1 else ''}"


def _as_text(report) -> str:  # noqa: ANN001 - check.Report
    order = {title: i for i, (title, _) in enumerate(_GROUPS)}
    groups: dict[str, list] = {}
    for diag in _ordered(report.diagnostics):
        groups.setdefault(_group(diag.code), []).append(diag)
    lines = []
    # Groups holding errors first, so that warnings never bury them.
    for title in sorted(groups, key=lambda t: (groups[t][0].severity != "error",
                                               order.get(t, len(order)))):
        diags = groups[title]
        counts = {s: sum(d.severity == s for d in diags) for s in _SEVERITIES}
        said = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        lines.append(f"{title} ({said})")
        for diag in diags:
            lines.extend("  " + row for row in diag.format().split("\n"))
        lines.append("")
    lines.append(f"digest check: {_summary(report)}")
    return "\n".join(lines) + "\n"


def _as_json(report) -> dict:  # noqa: ANN001 - check.Report
    return {
        "errors": report.count("error"), "warnings": report.count("warning"),
        "notes": report.count("note"), "files": report.files,
        "summary": {severity: _by_code(report, severity) for severity in _SEVERITIES},
        "diagnostics": [
            {"severity": d.severity, "code": d.code, "group": _group(d.code),
             "message": d.message, "path": d.path, "line": d.line, "column": d.column,
             "hint": d.hint}
            for d in _ordered(report.diagnostics)],
    }


def cmd_clean(args: argparse.Namespace) -> int:
    from digest.output.lock import lock_site  # noqa: PLC0415
    from digest.site.config import load_config  # noqa: PLC0415

    site = Path(args.site)
    config = load_config(site)
    cache = site / ".digest-cache"
    had_cache = cache.exists() or cache.is_symlink()  # before the lock file makes one
    # Never while a build of this site runs: fail at once (exit 75), not later.
    with lock_site(site, wait=0):
        return _clean(site, site / config.output_dir, had_cache)


def _clean(site: Path, output: Path, had_cache: bool) -> int:
    from digest.output.write import MARKER, clean_leftovers  # noqa: PLC0415

    removed = []
    if output.is_symlink():
        raise DigestError(f"'{output}' is a symlink; not removing it or what it points at")
    if output.is_dir() and not (output / MARKER).is_file():
        raise DigestError(f"'{output}' was not built by digest (no {MARKER} marker "
                          "inside); not removing it")
    if output.parent.is_dir():
        # First: it may move an interrupted build's old tree back to output/.
        clean_leftovers(output)
    if output.is_dir() and (output / MARKER).is_file():
        shutil.rmtree(output)
        removed.append(output)
    cache = site / ".digest-cache"
    if cache.is_symlink():
        cache.unlink()  # the link only, never its target
        removed.append(cache)
    elif cache.is_dir():
        shutil.rmtree(cache)
        if had_cache:  # else it held only the lock taken above
            removed.append(cache)
    print("Removed " + ", ".join(f"{p}/" for p in removed) if removed else "Nothing to clean")
    return 0
