"""Command line: `digest build | list | serve | check | new | init | clean`.

Errors from the stages arrive as DigestError with diagnostics; they are printed
as ``file:line: error: message`` plus a hint, with exit status 1 (2 for usage
errors).  Python tracebacks only with ``--debug``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from digest import __version__, usage
from digest.errors import DigestError, UsageError


def _add_build_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--drafts", action="store_true", help="include draft articles")
    p.add_argument("--future", action="store_true", help="include articles dated in the future")
    p.add_argument("--keep-going", action="store_true",
                   help="skip broken or unreadable content files and folders "
                        "(a warning each) instead of failing")
    p.add_argument("--content", metavar="DIR", help="content folder (overrides content_dir)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    parser.add_argument("--site", default=".", help="site folder (default: current folder)")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the site into output/")
    _add_build_flags(b)
    b.add_argument("--strict", action="store_true", help="treat warnings as errors")
    b.add_argument("--verbose", "-v", action="store_true", help="print stage timings")
    b.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    b.add_argument("--no-search", action="store_true", help="skip the search index")
    b.add_argument("--no-cache", action="store_true",
                   help="ignore and do not update .digest-cache/ (a cold build)")
    b.add_argument("--jobs", "-j", type=usage.jobs, metavar="N",
                   help="worker processes (default: one per core; 1 = no workers)")
    b.add_argument("--wait", type=float, default=WAIT, metavar="SECONDS",
                   help="while another build of this site runs, wait this long for it "
                        f"(default {WAIT:g}; 0 = fail at once with exit status 75)")

    ls = sub.add_parser("list", help="print the site model as JSON")
    _add_build_flags(ls)
    ls.add_argument("--json", action="store_true", help="JSON output (the default)")
    ls.add_argument("--term", metavar="TAXONOMY:TERM", help="only articles with this term")
    ls.add_argument("--since", metavar="DATE", help="only articles on or after DATE")
    return parser


WAIT = 120.0  # seconds a build waits for another build of the same site (--wait)
_EXIT_NOW = False  # set by a finished `digest build`: see entry()
_INTERRUPTED = False  # set once a Ctrl-C has been reported: see entry()
_RETAINED: list = []  # that build's objects, never freed one by one: see _build


def entry() -> None:
    """The ``digest`` program (console script and ``python -m digest``).

    After a build, nothing is left to do but exit; tearing down the build's
    millions of objects took the interpreter ~0.1 s at 10,000 articles, so a
    build that finished (output and cache written, every thread and worker
    joined) leaves at once.  ``main`` itself returns normally (tests call it).
    """
    status = main()
    # Not under a profiler or debugger: they report when the interpreter exits.
    if sys.getprofile() is None and sys.gettrace() is None:
        if _INTERRUPTED:
            _leave(status)
        if _EXIT_NOW:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    raise SystemExit(status)


def _leave(status: int) -> None:
    """Exit with ``status`` after a reported Ctrl-C, once what Python's own
    exit waits for is done (threads, and processes that must not be cut
    short: parallel.start), but not through the interpreter's exit.

    Under ``python -m``, a KeyboardInterrupt that once left an ``exec`` or
    ``eval`` of a string (Python makes a dataclass's methods so, when a
    module that defines one is imported) marks the run as ended by Ctrl-C,
    even when it was caught: the interpreter then kills itself with SIGINT
    once it has finished, whatever status it was to exit with.  A build
    interrupted at such a moment said "interrupted; output/ was left as it
    was" and then died of SIGINT instead of exiting 130 (one run in 15 of
    tests/integration/test_interrupted_builds.py)."""
    import multiprocessing

    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()
    for child in multiprocessing.active_children():
        if not child.daemon:
            child.join()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    _register_extensions(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help or --version (0), a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    global _PUBLISHED, _INTERRUPTED  # noqa: PLW0603 - one run's state (tests call main())
    _PUBLISHED, _INTERRUPTED = "", False
    # SIGTERM's default action kills Python without unwinding, which would leave
    # output.tmp-*/ behind; turn it into KeyboardInterrupt so write_site cleans up.
    previous = hook = None
    if threading.current_thread() is threading.main_thread():
        global _HANDLER_PID  # noqa: PLW0603 - the process that installed the handler
        _HANDLER_PID = os.getpid()
        previous = signal.signal(signal.SIGTERM, _terminate)
        global _UNRAISABLE  # noqa: PLW0603 - the hook to hand other cases to
        hook = _UNRAISABLE = sys.unraisablehook
        sys.unraisablehook = _resend_swallowed
    try:
        return _run(args)
    except _Terminated:
        _cancel_resend()
        print(_interrupted("terminated"), file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if hook is not None:
            sys.unraisablehook = hook


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every ``finally`` and cleanup runs."""


_HANDLER_PID = 0
_UNRAISABLE = None  # sys.unraisablehook as it was before main() installed its own
# The output folder once this run's site has been swapped into it: an
# interrupt after that must not claim that output/ was left as it was.
_PUBLISHED = ""


def _interrupted(what: str) -> str:
    if _PUBLISHED:
        return (f"digest: {what} after the new site was in place: {_PUBLISHED}/ holds this "
                "build; the cache's record of it may be unfinished, and the next build "
                "completes it")
    return f"digest: {what}; output/ was left as it was"


def _terminate(signum: int, frame: object) -> None:
    if os.getpid() != _HANDLER_PID:
        # A forked process inherits the handler.  digest's workers keep
        # SIGTERM blocked until they have set their own (digest.engine.crew.fork),
        # but any other fork made while the handler is installed must still
        # die as SIGTERM kills, not print a traceback of _Terminated.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise _Terminated


def _resend_swallowed(unraisable: object) -> None:
    """Send again a signal whose exception Python swallowed.

    A signal's exception (Ctrl-C's KeyboardInterrupt, SIGTERM's _Terminated)
    raised while the main thread runs a ``__del__`` or a weakref callback (the
    import system's module locks have them) is only printed as "Exception
    ignored in ...", and the build would run on.  So it is raised once more,
    from a timer's signal, where the build's own code runs."""
    exc = getattr(unraisable, "exc_value", None)
    if isinstance(exc, KeyboardInterrupt) and os.getpid() == _HANDLER_PID:
        # Not at once: a signal sent here would be handled in this hook, and
        # swallowed again.  A timer's, 50 ms on, lands in the build's code.
        again = _Terminated if isinstance(exc, _Terminated) else KeyboardInterrupt

        def resend(signum: int, frame: object) -> None:
            raise again

        signal.signal(signal.SIGALRM, resend)
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        return
    (_UNRAISABLE or sys.__unraisablehook__)(unraisable)  # type: ignore[arg-type]


def _cancel_resend() -> None:
    """The interrupt is being reported: a re-send still pending (from
    _resend_swallowed, when the signal was also swallowed once) must not
    land after it, while the interpreter exits, and kill the process by
    SIGINT instead of its exit status (seen once in a test run)."""
    if threading.current_thread() is threading.main_thread():
        signal.setitimer(signal.ITIMER_REAL, 0)


def _run(args: argparse.Namespace) -> int:
    global _INTERRUPTED  # noqa: PLW0603 - read by entry()
    closing = usage.CLOSING.get(args.command, "nothing was done")
    try:
        if args.command != "init":  # init makes the folder
            usage.site_folder(args.site)
        return int(args.handler(args) if hasattr(args, "handler") else _dispatch(args))
    except UsageError as exc:
        if args.debug:
            raise
        print_diagnostics(exc.diagnostics)
        print(f"digest {args.command}: usage error; {closing} "
              f"(see digest {args.command} --help)", file=sys.stderr)
        return 2
    except DigestError as exc:
        if args.debug:
            raise
        print_diagnostics(exc.diagnostics)
        count = len(exc.diagnostics)
        print(f"digest: {count} error{'s' if count != 1 else ''}; {closing}", file=sys.stderr)
        return getattr(exc, "exit_status", 1)  # output.lock.SiteBusy: 75, "try again later"
    except _Terminated:
        raise
    except KeyboardInterrupt:
        _cancel_resend()
        print(_interrupted("interrupted"), file=sys.stderr)
        _INTERRUPTED = True
        return 130
    except Exception as exc:  # a bug in digest, not in the site: say so, briefly
        if args.debug:
            raise
        print(f"digest: internal error: {type(exc).__name__}: {exc}\n"
              "    hint: this is a bug in digest; run again with --debug for the traceback "
              "and report it", file=sys.stderr)
        return 70


def _register_extensions(parser: argparse.ArgumentParser) -> None:
    """Subcommands that live in their own modules (serve, check, new, init, clean)."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for module_name in ("digest.serve.args", "digest.workflow.commands"):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name and not module_name.startswith(str(exc.name)):
                raise
            continue
        module.register(sub)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "build":
        return cmd_build(args)
    if args.command == "list":
        return cmd_list(args)
    raise SystemExit(2)


def options_from(args: argparse.Namespace, **extra: object):  # -> BuildOptions
    """The build options of the flags; a ``--content`` that cannot be the
    content folder is a usage error (every command reading content comes here)."""
    from digest.pipeline import BuildOptions

    usage.content_folder(Path(args.site), args.content)
    return BuildOptions(drafts=args.drafts, future=args.future,
                        keep_going=args.keep_going, content_dir=args.content,
                        strict=getattr(args, "strict", False), **extra)  # type: ignore[arg-type]


def print_diagnostics(diags: list) -> None:
    for diag in diags:
        print(diag.format(), file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from digest.output.lock import lock_site
    from digest.output.paths import check_output

    started = time.perf_counter()
    site_root = Path(args.site)
    options = options_from(args, search=False if args.no_search else None,
                           jobs=args.jobs, cache=not args.no_cache)
    config = configure_only(site_root, options)
    # Before any work: a folder digest must not replace is refused without a
    # build (which would also write the cache) and told at once.
    check_output(site_root, config)
    # Held from before anything reads the cache or tidies output/'s
    # neighbours until output/ is swapped and the cache written (output.lock).
    with lock_site(site_root, wait=max(args.wait, 0.0),
                   waiting=None if args.quiet else lambda line: print(line, file=sys.stderr)):
        return _build(args, options, config, started)


def _build(args: argparse.Namespace, options, config, started: float) -> int:  # noqa: ANN001
    """``publish(build(...))``: digest.output prepares the target and puts the result there."""
    global _EXIT_NOW, _PUBLISHED
    from digest.engine.fast import FastEngine
    from digest.output.publish import prepare, publish
    from digest.pipeline import build

    site_root = Path(args.site)
    progress = _progress_printer() if sys.stderr.isatty() and not args.quiet else None
    # The cache, workers and fingerprints; it writes the cache sections that do
    # not describe output/ while the pages render (flushed at the end here).
    engine = FastEngine(flush_early=True)
    target = prepare(site_root, config, options, engine,
                     may_skip=not (args.strict or args.verbose))
    if target.up_to_date:
        if not args.quiet:
            print(f"Nothing changed; {config.output_dir}/ is up to date "
                  f"({time.perf_counter() - started:.2f} s)")
        return 0
    engine.ahead = ahead = _ahead(args, config, target, options.jobs)
    try:
        with target:  # an error, Ctrl-C or SIGTERM before the swap: staging tree removed
            result = build(site_root, options, progress=progress, engine=engine)
            report = publish(result, target,
                             index=lambda result, staged: _search_index(args, result, staged,
                                                                        ahead))
    finally:
        _PUBLISHED = target.published  # output/ holds this build: see _interrupted
        if ahead is not None:
            ahead.close()  # no Pagefind started early outlives the build
    if progress:
        print("\r\033[K", end="", file=sys.stderr)
    _report(args, result, len(report.files) - 1, started)  # every file but digest's marker
    _EXIT_NOW = True
    # Held until the process exits at once (entry): freeing the build's objects
    # when this function returns took 0.1 s at 10,000 articles.  (Replaced by
    # the next build when main is called again, as the tests do.)
    _RETAINED[:] = [result, report, target, engine]
    return 0


def _report(args: argparse.Namespace, result, written: int, started: float) -> None:  # noqa: ANN001
    # --quiet: only problems (notes are advice, not problems)
    print_diagnostics([d for d in result.diagnostics
                       if not (args.quiet and d.severity == "note")])
    if args.verbose:
        for stage, seconds in result.timings.items():
            print(f"  {stage:<10} {seconds:7.3f} s", file=sys.stderr)
    if not args.quiet:
        site = result.site
        # web pages: not _redirects, nor the editions' email.html (mail, not pages)
        pages = sum(page.path.endswith(".html") and not page.finish for page in site.pages)
        print(f"Built {len(site.articles)} articles, {pages} pages, "
              f"{len(site.feeds)} feeds ({written} files"
              + (f", {result.rendered.reused} unchanged" if result.rendered.reused else "")
              + f") into {result.config.output_dir}/ "
              f"in {time.perf_counter() - started:.2f} s")
        if result.scheduled:
            nxt = result.scheduled[0]
            print(f"Next scheduled article: {nxt.path} becomes due at {nxt.date.isoformat()} "
                  f"({len(result.scheduled)} scheduled; build again then, or use --future)")


def _ahead(args: argparse.Namespace, config, target, jobs: int | None):  # noqa: ANN001, ANN202
    """The engine's ``ahead`` hook (digest.searchahead) when the index is
    made, the last build's output/ is there to start from and the build may
    use more than one core (``--jobs``; Pagefind would run beside it), else None."""
    from digest.engine.parallel import default_jobs

    if not config.search or args.no_search or target.last is None or target.staged \
            or (jobs or default_jobs()) <= 1:
        return None
    from digest.searchahead import Ahead

    return Ahead(target.output)


def _search_index(args: argparse.Namespace, result, staged, ahead=None):  # noqa: ANN001
    """The search index's files for the output (digest.search), or None: search
    off, or Pagefind missing (a warning).  Its files get fingerprints, so that
    a recycled tree keeps the unchanged shards' files as they are.  ``ahead``:
    the months' bundles started early (digest.searchahead)."""
    if not result.config.search or args.no_search:
        return None
    from digest.search import SKIPPED_WARNING, build_index, page_source, search_available

    if not search_available():
        print(f"warning: {SKIPPED_WARNING}", file=sys.stderr)
        return None
    if staged:
        staged.finish()  # the pages it holds are on disk from here on
        if staged.failed:
            # A page could not be written (disk full, permissions): write_site
            # reports that, and the build fails before any index would be used.
            return None
    index = build_index(result.site.articles,
                        page_source(result.rendered, staged.path if staged else None,
                                    staged.written if staged else {}),
                        result.cache, jobs=args.jobs or os.cpu_count() or 1,
                        fingerprints=result.fingerprints, ahead=ahead,
                        # each bundle into the tree as soon as it is made
                        placed=staged.link if staged else None)
    result.fingerprints = {**result.fingerprints, **index.fingerprints}
    if args.verbose:
        print(f"  {'search':<10} {index.report.seconds:7.3f} s ({index.report.line()})",
              file=sys.stderr)
    return index


def configure_only(site_root: Path, options):  # -> SiteConfig
    from digest.pipeline import configure

    return configure(site_root, options)


STAGES = ("config", "parse", "enrich", "assemble", "render", "check")


def _progress_printer():
    """A one-line progress bar on stderr, redrawn after each stage (TTY only)."""
    done: list[str] = []

    def show(stage: str) -> None:
        done.append(stage)
        filled = round(20 * len(done) / len(STAGES))
        bar = "#" * filled + "-" * (20 - filled)
        print(f"\r\033[Kdigest [{bar}] {min(len(done), len(STAGES))}/{len(STAGES)} {stage}",
              end="", file=sys.stderr, flush=True)
    return show


def cmd_list(args: argparse.Namespace) -> int:
    from digest.pipeline import build
    from digest.site.listing import article_json

    site_root = Path(args.site)
    options = options_from(args, search=False)
    # The filters are checked against the settings before the build they follow.
    config = configure_only(site_root, options)
    term = usage.term(args.term, [t.name for t in config.taxonomies]) if args.term else None
    since = usage.since(args.since, config.tz) if args.since else None
    result = build(site_root, options)
    articles = result.site.articles
    if term:
        articles = _filter_term(articles, term, result.config)
    if since:
        articles = tuple(a for a in articles if a.date >= since)
    print_diagnostics(result.diagnostics)
    json.dump([article_json(a) for a in articles], sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _filter_term(articles: tuple, wanted: tuple[str, str], config) -> tuple:  # noqa: ANN001
    """``--term TAXONOMY:TERM``: TERM matches a label (any case) or its slug."""
    from digest.site.model.urls import term_slug
    from digest.site.slugs import slugify

    tax, term = wanted
    folded = term.casefold()
    return tuple(a for a in articles
                 if any(label.casefold() == folded or term_slug(label, config, tax) == term
                        or slugify(label) == slugify(term) for label in a.terms.get(tax, ())))
