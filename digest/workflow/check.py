"""``digest check``: validate a whole site without writing anything.

Two passes.  The file pass parses every content file on its own, so every
broken file is reported in one run, and looks at what only the source shows
(unknown keys, terms as written, key lines).  The site pass
runs the ordinary in-memory build with drafts and scheduled articles
included, then checks what needs every article at once: template syntax
left as text and links to nothing (render/templating.py), internal links,
duplicate stories, topics, related pins and names missing from the
vocabulary.

Severities: ``error`` (exit 1), ``warning`` (exit 1 only with ``--strict``)
and ``note`` (listed for review, never fails: inferred years, name
suggestions).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from digest.errors import ConfigError, Diagnostic, DigestError, SourceError
from digest.pipeline import BuildOptions, build, build_now, configure
from digest.site.config import SiteConfig
from digest.site.enrich.taxonomy import Matcher, compile_matcher
from digest.site.records import Article, Site
from digest.site.sources import frontmatter, parse_source
from digest.site.sources.dateline import parse_dateline
from digest.site.sources.discover import discover
from digest.site.sources.text import decode
from digest.workflow import links

_FENCED = re.compile(r"(?:[ \t]*\n)*(?:---|\+\+\+)[ \t]*\n")  # clippings: fenced only
_SHOWN = 4  # files named in one duplicate-story warning besides its own

@dataclass(slots=True)
class Source:
    """One parsed file with what the file pass learnt about it."""

    article: Article
    key_lines: Mapping[str, int]
    text: str


@dataclass(slots=True)
class Report:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    def failed(self, strict: bool) -> bool:
        return bool(self.count("error") or (strict and self.count("warning")))


def _diag(severity: str, code: str, message: str, path: str | None = None,  # noqa: PLR0913, PLR0917
          line: int | None = None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(severity=severity, code=code, message=message, path=path, line=line,
                      hint=hint)


SKIPPED = " (skipped: --keep-going)"


def check_site(site_root: Path, options: BuildOptions | None = None) -> Report:
    """Every problem of the site at ``site_root``; nothing is written."""
    options = options or BuildOptions()
    report = Report()
    try:
        config = configure(site_root, options)
    except ConfigError as exc:
        report.diagnostics.extend(exc.diagnostics)
        return report
    now = build_now(options)
    sources, bad_paths = _file_pass(site_root, config, now, report)
    report.files = len(sources) + len(bad_paths)
    try:
        result = build(site_root, replace(options, drafts=True, future=True, keep_going=True,
                                          strict=False, search=False))
    except DigestError as exc:  # collisions, templates: the site pass cannot run
        report.diagnostics.extend(d for d in exc.diagnostics if d.path not in bad_paths)
        return report
    # keep_going turned the file pass's errors into "(skipped: ...)" warnings: drop them
    seen = set(report.diagnostics)
    report.diagnostics.extend(d for d in result.diagnostics
                              if d not in seen and d.path not in bad_paths
                              and not d.message.endswith(SKIPPED))
    # ...but colliding URLs and links to nothing ({% post_url %}) are found by
    # the site pass only: errors again
    report.diagnostics.extend(replace(d, severity="error", message=d.message.removesuffix(
        SKIPPED)) for d in result.diagnostics if d.code in ("url-collision", "template-link")
        and d.message.endswith(SKIPPED) and d.path not in bad_paths)
    articles = result.site.articles
    by_path = {str(a.path): a for a in articles}
    unpublished = {a.url for a in articles
                   if (a.draft and not options.drafts) or (a.date > now and not options.future)}
    out = report.diagnostics
    out += _links(sources, {**by_path, **_pages(sources, result.site, config)}, unpublished,
                  set(result.rendered), config)
    out += _duplicate_stories(sources, by_path)
    out += _topics(sources, by_path, config)
    out += _related_pins(sources, articles)
    out += _names(articles, config)
    return report


# --------------------------------------------------------------------------- file pass

def _file_pass(site_root: Path, config: SiteConfig, now: datetime,
               report: Report) -> tuple[list[Source], set[str]]:
    docs, found = discover(site_root, config.content_dir, config.exclude)
    out = report.diagnostics
    out.extend(found)
    sources: list[Source] = []
    bad: set[str] = set()
    matcher = compile_matcher(config.taxonomies)
    for doc in docs:
        path = str(doc.rel_path)
        warnings: list[Diagnostic] = []
        try:
            art = parse_source(doc, config, now=now, warnings=warnings)
        except SourceError as exc:
            out.extend(exc.diagnostics)
            bad.add(path)
            continue
        out += warnings  # the build reports the same ones; check_site drops the repeats
        text = decode(doc.raw, path)  # cannot fail: parse_source decoded it already
        fm = (frontmatter.split(text, path) if art.kind in ("markdown", "page") or _FENCED.match(text)
              else None)
        key_lines = fm.key_lines if fm else {}
        out += _unknown_terms(art, key_lines, config, matcher)
        if art.year_inferred:
            out.append(_diag("note", "year-inferred",
                             f"year {art.date.year} was inferred for the dateline "
                             f"({art.date:%Y-%m-%d})", path, _dateline_line(text),
                             f"check it; pin it with `year: {art.date.year}` in front matter"))
        sources.append(Source(article=art, key_lines=key_lines, text=text))
    return sources, bad


def _dateline_line(text: str) -> int | None:
    for no, line in enumerate(text.split("\n"), 1):
        if parse_dateline(line):
            return no
    return None


def _unknown_terms(art: Article, key_lines: Mapping[str, int], config: SiteConfig,
                   matcher: Matcher) -> list[Diagnostic]:
    """Labels given in front matter that a taxonomy's curated vocabulary lacks."""
    out = []
    for tax in config.taxonomies:
        if not tax.terms:
            continue  # no vocabulary: every label is welcome (tags usually)
        given = art.tags if tax.name == "tags" else art.terms_add.get(tax.name, ())
        names = [n for t in tax.terms for n in (t.label, *t.aliases)]
        for label in given:
            if matcher.resolve(tax.name, label) is not None:
                continue
            close = difflib.get_close_matches(label, names, n=1, cutoff=0.6)
            hint = (f"did you mean '{close[0]}'?" if close else
                    f"add it to taxonomies.{tax.name}.terms in digest.yaml")
            out.append(_diag("warning", "unknown-term",
                             f"{tax.name}: '{label}' is not in the vocabulary", str(art.path),
                             key_lines.get(tax.name, 1), hint))
    return out


# --------------------------------------------------------------------------- site pass

def _pages(sources: list[Source], site: Site, config: SiteConfig) -> dict[str, Article]:
    """The built pages without a date as their links are checked: the parsed
    page with its URL and its body as the build resolved it."""
    from digest.site.recordcopy import evolve
    from digest.site.render.templating import Resolver

    built = {p.key: p for p in site.undated}
    resolver = Resolver((*site.articles, *site.undated), config)
    return {src.article.key: evolve(src.article, {"url": built[src.article.key].url,
                                                  "body": resolver.body(src.article)})
            for src in sources if src.article.key in built}


def _links(sources: list[Source], by_path: Mapping[str, Article], unpublished: set[str],
           rendered: set[str], config: SiteConfig) -> list[Diagnostic]:
    paths = links.site_paths(sorted(rendered))
    by_file = {str(a.path).rsplit("/", 1)[-1]: a.url for a in by_path.values()}
    out = []
    for src in sources:
        art = by_path.get(str(src.article.path))
        if art is None or art.kind not in ("markdown", "page"):
            continue  # clipping bodies are escaped text: they hold no links
        for link in links.body_links(art.body, art.body_line):
            target = links.site_path(link.href, art.url, config.base_url)
            if target is None:
                continue
            if not links.path_exists(target, paths):
                name = target.rstrip("/").rsplit("/", 1)[-1]
                hint = (f"link to the article's URL: {by_file[name]}" if name in by_file
                        else "no page of the site has this path; check the spelling or "
                             "link to the article's URL (digest list shows them)")
                out.append(_diag("error", "broken-link", f"link to {link.href} leads "
                                 "to no page of the site", str(art.path), link.line, hint))
            elif art.url not in unpublished and _canon(target) in unpublished:
                out.append(_diag("warning", "unpublished-link", f"link to {link.href}: a "
                                 "draft or scheduled article, missing from a normal build",
                                 str(art.path), link.line,
                                 "publish it first, or remove the link until then"))
    return out


def _canon(path: str) -> str:
    return path if path.endswith("/") else path + "/"


def _duplicate_stories(sources: list[Source],
                       by_path: Mapping[str, Article]) -> list[Diagnostic]:
    """Files linking the same external story (by source_url or in the body):
    one warning per story, not per pair, so that a site citing one agency
    page from hundreds of articles gets one line instead of thousands."""
    linking: dict[str, list[tuple[str, int, str]]] = {}  # story -> (path, line, url)
    for src in sources:
        art = by_path.get(str(src.article.path))
        if art is None:
            continue
        found: dict[str, tuple[str, int]] = {}
        if art.source_url and links.is_story_url(art.source_url):
            found[links.normalize_url(art.source_url)] = (
                art.source_url, src.key_lines.get("source_url", 1))
        for link in links.body_links(art.body, art.body_line):
            if links.is_external(link.href) and links.is_story_url(link.href):
                found.setdefault(links.normalize_url(link.href), (link.href, link.line))
        for key, (url, line) in found.items():
            linking.setdefault(key, []).append((str(art.path), line, url))
    out = []
    for files in (sorted(linking[key]) for key in sorted(linking) if len(linking[key]) > 1):
        (path, line, url), others = files[0], files[1:]
        shown = ", ".join(f"{p}:{n}" for p, n, _ in others[:_SHOWN])
        more = f" and {len(others) - _SHOWN} more" if len(others) > _SHOWN else ""
        out.append(_diag("warning", "duplicate-story", f"{len(files)} files link the same "
                         f"story {url}: this one, {shown}{more}", path, line,
                         "if they report one event, merge them or drop the repeats; "
                         "follow-ups may cite one source on purpose"))
    return sorted(out, key=lambda d: (d.path or "", d.line or 0))


def _topics(sources: list[Source], by_path: Mapping[str, Article],
            config: SiteConfig) -> list[Diagnostic]:
    tax = config.taxonomy("topics")
    arts = [a for s in sources if (a := by_path.get(str(s.article.path)))]
    # A site without a topic vocabulary and without any topic does not use them.
    if tax is None or not (tax.terms or any(a.terms.get("topics") for a in arts)):
        return []
    lines = {str(s.article.path): s.key_lines for s in sources}
    return [_diag("warning", "no-topic", "article has no topic", str(a.path),
                  lines[str(a.path)].get("topics", 1),
                  "add `topics: [...]` to its front matter, or an alias to the vocabulary "
                  "that its text uses")
            for a in arts if not a.terms.get("topics")]


def _related_pins(sources: list[Source], articles: tuple[Article, ...]) -> list[Diagnostic]:
    slugs = {a.slug for a in articles}
    out = []
    for src in sources:
        art = src.article
        for pin in (*art.related_pins, *art.related_exclude):
            if pin not in slugs:
                key = "related" if pin in art.related_pins else "related_exclude"
                close = difflib.get_close_matches(pin, sorted(slugs), n=1, cutoff=0.7)
                out.append(_diag("warning", "related-unknown",
                                 f"{key}: no article has the slug '{pin}'", str(art.path),
                                 src.key_lines.get(key, 1),
                                 f"did you mean '{close[0]}'?" if close else
                                 "related pins name articles by slug (digest list shows them)"))
    return out


def _names(articles: tuple[Article, ...], config: SiteConfig) -> list[Diagnostic]:
    try:
        from digest.site.enrich.names import unmatched_names  # noqa: PLC0415
    except ImportError:  # the names report is optional
        return []
    found = unmatched_names(articles, compile_matcher(config.taxonomies), limit=20)
    return [_diag("note", "unmatched-name",
                  f"'{name}' appears in {n} articles but matches no vocabulary term",
                  "digest.yaml", None, "add it (or an alias) to a taxonomy if it matters")
            for name, n in found]
