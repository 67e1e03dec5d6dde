"""``digest import``: new feed items become draft articles in content/.

Sources are the command's arguments (feed URLs, feed files, OPML lists) or
the ``feeds:`` of digest.yaml.  An item already in the site (its normalised
URL as ``digest check`` compares them, or its id) or imported before (the
ledger in ``.digest-cache/import.json``) is skipped, and no file is ever
overwritten, so a second run writes nothing.  One failing feed is reported
and the others are still imported; the exit status is 1 when any failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from digest import usage
from digest.site.config import SiteConfig
from digest.usage import usage_error
from digest.workflow import drafts
from digest.workflow.feedread import Feed, Item, NotAFeed, opml_feeds, read_feed
from digest.workflow.fetch import FetchError, fetch

LEDGER = "import.json"


@dataclass
class Source:
    """One feed to read: where from, and the agency its items are credited to."""

    where: str  # URL or file path as given
    agency: str | None = None
    name: str | None = None  # an OPML outline's title, for messages

    @property
    def remote(self) -> bool:
        return self.where.lower().startswith(("http://", "https://"))


@dataclass
class Run:
    site: Path
    config: SiteConfig
    args: argparse.Namespace
    now: datetime
    cutoff: datetime | None
    ledger: dict
    seen: set[str]
    index: dict
    written: int = 0
    failed: int = 0
    planned: set[Path] = field(default_factory=set)  # names a dry run would take
    remembered: set[str] = field(default_factory=set)  # keys of the drafts written

    @property
    def filters(self) -> str:
        return f"since={self.args.since or ''};limit={self.args.limit or ''}"


def cmd_import(args: argparse.Namespace) -> int:
    from digest.pipeline import build_now  # noqa: PLC0415
    from digest.site.config import load_config  # noqa: PLC0415

    site = Path(args.site)
    config = load_config(site)
    sources = [Source(s) for s in args.sources] or [
        Source(f.url, f.agency) for f in config.feeds]
    if not sources:
        raise usage_error("no feed to import: give a feed URL or file, or list feeds in "
                          "digest.yaml", "e.g. digest import https://wire.example.org/rss, "
                          "or in digest.yaml: feeds: [{url: ..., agency: Example Wire}]")
    for source in sources:
        if not source.remote and not Path(source.where).is_file():
            raise usage_error(f"{source.where!r} is neither an http(s) address nor a file",
                              "give a feed's address (https://...) or the path of a saved "
                              "feed or OPML file")
    now = build_now().astimezone(config.tz)
    run = Run(site=site, config=config, args=args, now=now,
              cutoff=usage.since(args.since, config.tz, now) if args.since else None,
              ledger=_load_ledger(site), seen=_site_keys(site / config.content_dir),
              index=drafts.vocabulary_index(config))
    run.seen |= set(run.ledger.get("seen", []))
    agencies = {f.url: f.agency for f in config.feeds}
    for source in sources:
        source.agency = source.agency or agencies.get(source.where)
        _import_source(run, source, agencies, opml_allowed=True)
    if not args.dry_run:
        run.ledger["seen"] = sorted({*run.ledger.get("seen", []), *run.remembered})
        _save_ledger(site, run.ledger)
    verb = "would write" if args.dry_run else "wrote"
    failed = f"; {run.failed} feed{'s' if run.failed != 1 else ''} failed" if run.failed else ""
    print(f"digest import: {verb} {run.written} draft{'s' if run.written != 1 else ''}{failed}")
    return 1 if run.failed else 0


def _fail(source: Source, message: str, hint: str, run: Run) -> None:
    from digest.workflow.feedread import clean  # noqa: PLC0415

    run.failed += 1
    label = source.agency or source.name
    name = f"{label} ({source.where})" if label else source.where
    # A server's reason phrase and parser messages are untrusted text too.
    print(f"{clean(name)}: error: {clean(message)}\n    hint: {hint}", file=sys.stderr)


def _import_source(run: Run, source: Source, agencies: dict, *, opml_allowed: bool) -> None:
    cached = run.ledger.setdefault("feeds", {}).get(source.where, {})
    try:
        if source.remote:
            conditional = cached if cached.get("filters") == run.filters else None
            answer = fetch(source.where, timeout=run.args.timeout, validators=conditional)
            if answer.body is None:
                print(f"{source.agency or source.name or source.where}: not changed since "
                      "the last import")
                return
            body, content_type, base = answer.body, answer.content_type, answer.url
        else:
            body, content_type, base = Path(source.where).read_bytes(), "", None
        listed = opml_feeds(body)
        if listed is not None:
            if not opml_allowed:
                raise NotAFeed("an OPML list inside an OPML list",
                               "list the feeds themselves in the outer list")
            for url, title in listed:
                inner = Source(url, agencies.get(url) or None, title)
                _import_source(run, inner, agencies, opml_allowed=False)
            return
        feed = read_feed(body, content_type, base)
    except (FetchError, NotAFeed) as exc:
        _fail(source, exc.message, exc.hint, run)
        return
    except OSError as exc:
        _fail(source, f"cannot read the file ({exc.strerror})", "check the path", run)
        return
    _write_items(run, source, feed)
    if source.remote and not run.args.dry_run:
        run.ledger["feeds"][source.where] = {**answer.validators, "filters": run.filters}


def _chosen(run: Run, feed: Feed) -> list[Item]:
    items = [i for i in feed.items
             if run.cutoff is None or i.date is None or i.date >= run.cutoff]
    # Newest first for --limit; undated items count as older than any dated one.
    items.sort(key=lambda i: (i.date.timestamp() if i.date else float("-inf")), reverse=True)
    return items[: run.args.limit] if run.args.limit else items


def _write_items(run: Run, source: Source, feed: Feed) -> None:
    content = run.site / run.config.content_dir
    agency = source.agency or _agency(run.config, feed.title) or _host(source.where)
    new = skipped = 0
    for item in _chosen(run, feed):
        keys = drafts.keys(item)
        draft_id = drafts.stable_id(item, source.where)
        keys.add("id:" + draft_id)
        if keys & run.seen:
            skipped += 1
            continue
        date = (item.date or run.now).replace(microsecond=0)
        text = drafts.draft_text(item, source=agency, draft_id=draft_id, date=date,
                                 index=run.index)
        path = _free_path(content, drafts.file_slug(item, draft_id), run)
        rel = path.relative_to(run.site).as_posix()
        if run.args.dry_run:
            print(f"would write {rel}: {item.title or '(untitled)'}")
        else:
            content.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as fh:  # "x": never clobber a file
                fh.write(text)
            print(f"wrote {rel}")
            run.remembered |= keys
        run.seen |= keys
        run.written += 1
        new += 1
    print(f"{agency}: {new} new, {skipped} already in the site or imported before")


def _free_path(content: Path, slug: str, run: Run) -> Path:
    """``content/<slug>.md``, or ``<slug>-2.md``... when the name is taken (by
    any suffix of that slug, or by an earlier item of this dry run)."""
    number = 1
    while True:
        name = slug if number == 1 else f"{slug}-{number}"
        path = content / f"{name}.md"
        if not any((content / f"{name}{suffix}").exists() for suffix in drafts.SUFFIXES) \
                and path not in run.planned:
            run.planned.add(path)
            return path
        number += 1


def _agency(config: SiteConfig, title: str) -> str | None:
    """The configured agency a feed's title names (by name or alias), if any."""
    from digest.site.vocabulary import normalize  # noqa: PLC0415

    wanted = normalize(title) if title else ""
    for agency in config.agencies:
        if wanted and wanted in {normalize(n) for n in (agency.name, *agency.aliases)}:
            return agency.name
    return title or None


def _host(where: str) -> str:
    from urllib.parse import urlsplit  # noqa: PLC0415

    return urlsplit(where).hostname or Path(where).stem


def _site_keys(content: Path) -> set[str]:
    """Normalised ``source_url`` and ``id`` of every article already in content/."""
    from digest.errors import DigestError  # noqa: PLC0415
    from digest.site.sources.frontmatter import split  # noqa: PLC0415
    from digest.workflow.links import normalize_url  # noqa: PLC0415

    found: set[str] = set()
    if not content.is_dir():
        return found
    for folder, dirs, files in os.walk(content):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.endswith(drafts.SUFFIXES) or name.startswith((".", "_")):
                continue
            try:
                text = (Path(folder) / name).read_text(encoding="utf-8-sig")
                data = split(text.replace("\r\n", "\n"), name).data
            except (OSError, UnicodeDecodeError, DigestError):
                continue  # `digest check` reports such files; they hold no keys here
            if isinstance(data.get("source_url"), str):
                found.add("url:" + normalize_url(data["source_url"]))
            if isinstance(data.get("id"), str):
                found.add("id:" + data["id"])
    return found


def _ledger_path(site: Path) -> Path | None:
    cache = site / ".digest-cache"
    return None if cache.is_symlink() else cache / LEDGER  # never write through a link


def _load_ledger(site: Path) -> dict:
    path = _ledger_path(site)
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    # A damaged ledger only costs conditional requests and remembered items.
    feeds = data.get("feeds") if isinstance(data.get("feeds"), dict) else {}
    seen = data.get("seen") if isinstance(data.get("seen"), list) else []
    return {"feeds": {url: {k: v for k, v in entry.items() if isinstance(v, str)}
                      for url, entry in feeds.items() if isinstance(entry, dict)},
            "seen": [key for key in seen if isinstance(key, str)]}


def _save_ledger(site: Path, ledger: dict) -> None:
    path = _ledger_path(site)
    if path is None:
        return
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_name(f".{LEDGER}.{os.getpid()}")
    tmp.write_text(json.dumps(ledger, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)
