"""Issue 23: the fast engine's output equals the plain engine's cold build, byte for byte,
after any sequence of edits.

Hypothesis draws a small site (3-12 Markdown notes with front matter, a couple
of raw clippings, a digest.yaml with a small vocabulary) and then 1-6 edits of
the kinds a curator makes: body (including copying another article's text, so
stories and related links change), title, terms/tags, date, add, delete,
rename, vocabulary (add an alias or a term, remove a term), templates (a
copy of the default theme under themes/custom/ with a line changed, or a
site-level override in themes/default/templates/), a page without a date
(content/about.md, in the navigation or not) and a note's Hugo ``ref`` to
another (whose URL moves with the other's date).

After the first build and after every edit, two fast paths are compared with
the plain engine:

* ``digest build --jobs 2`` run in this process through ``digest.cli.main``,
  exactly as a user runs it: persistent cache in ``.digest-cache/``, page
  fingerprints and the previous ``output/`` reused, workers forked for every
  parallel step (``parallel.MIN_PER_WORKER`` is lowered so that even these
  small sites fork).  Its whole ``output/`` tree (the set of paths and every
  file's bytes) must equal that of ``digest build --no-cache --jobs 1`` run in a
  fresh copy of the site's sources.
* ``digest serve``'s in-memory rebuild: ``pipeline.build`` with one
  FastEngine kept across builds, told the previous build's fingerprints and
  rendered site (``engine.reuse``), the cache on and ``jobs=1``, as
  ``digest/serve/command.py``'s ``build_site`` runs it (the HTTP server and
  file watcher are left out).  Its rendered mapping must equal the plain
  engine's (digest.engine.plain: no cache, no workers, no fingerprints) cold
  build of the copy, with the same base_url.

The plain CLI build of the copy is checked against the plain engine too, so
both fast paths meet the reference.

The example count is small and fixed for CI (derandomized, no example
database); set DIGEST_DIFF_EXAMPLES=500 to hunt for more locally, and
DIGEST_DIFF_RANDOM=1 for other examples than CI's.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import note as report
from hypothesis import strategies as st

from digest.engine import FastEngine, PlainEngine, parallel
from digest.output.paths import MARKER
from digest.pipeline import BuildOptions, build
from tests.integration.conftest import EPOCH, _pinned_epoch, cli, write_files
from tests.tools import REPO_ROOT

EXAMPLES = int(os.environ.get("DIGEST_DIFF_EXAMPLES", "6"))
# DIGEST_DIFF_RANDOM=1: new examples on every run instead of CI's fixed ones.
FIXED = not os.environ.get("DIGEST_DIFF_RANDOM")
BUILTIN = REPO_ROOT / "themes" / "default"
SERVE_URL = "http://127.0.0.1:8123/"
FAST = ("build", "-q", "--no-search", "--jobs", "2")
PLAIN = ("build", "-q", "--no-search", "--no-cache", "--jobs", "1")

# ---------------------------------------------------------------------------- vocabulary
# Term label -> the aliases it may have.  The pools are disjoint, so no alias is
# ever claimed by two terms (an error digest reports, not the subject here).
TOPIC_POOL = {
    "Ferry": ["ferry", "ferries", "boats", "crossing"],
    "Market": ["market", "stalls", "vendors"],
    "Storm": ["storm", "flooding", "gale"],
    "Council": ["council", "mayor", "budget"],
    "Schools": ["school", "pupils", "teachers"],
}
PLACE_POOL = {
    "Harbour": ["harbour", "pier", "quay"],
    "Old Town": ["old town", "town square"],
    "North Shore": ["north shore", "shore road"],
}
FILLER = ["the", "a", "residents", "said", "on", "monday", "plans", "were", "announced",
          "after", "long", "talks", "with", "locals", "and", "officials", "who", "expect",
          "changes", "next", "week", "while", "others", "wait"]
ALIAS_WORDS = sorted({a for pool in (TOPIC_POOL, PLACE_POOL) for v in pool.values() for a in v})
WORDS = FILLER + ALIAS_WORDS
TAGS = ["transport", "economy", "weather", "politics", "culture", "night"]
SOURCES = ["Lake Wire", "Harbour Courier", "Valley Press"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
OFFSETS = ["Z", "+01:00", "+03:00", "-05:00"]
# en/ and fr/ are Hugo language folders once both hold a note (model/languages.py):
# adding, moving or deleting one changes the URLs and translations of others.
FOLDERS = ["", "2024/", "desk/", "en/", "fr/"]


@dataclass
class Note:
    title: str
    date: str
    body: str
    tags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # hand-added terms
    source: str | None = None
    summary: str | None = None
    related: list[str] = field(default_factory=list)
    draft: bool = False
    link: str | None = None  # another note's path: a Hugo ref to it ends the body

    def published(self) -> bool:
        return not self.draft and datetime.fromisoformat(self.date).timestamp() <= int(EPOCH)

    def text(self) -> str:
        lines = ["---", f"title: {_q(self.title)}", f"date: {self.date}"]
        if self.tags:
            lines.append("tags: [" + ", ".join(self.tags) + "]")
        if self.topics:
            lines.append("topics: [" + ", ".join(self.topics) + "]")
        if self.source:
            lines.append(f"source: {_q(self.source)}")
        if self.summary:
            lines.append(f"summary: {_q(self.summary)}")
        if self.related:
            lines.append("related: [" + ", ".join(self.related) + "]")
        if self.draft:
            lines.append("draft: true")
        return "\n".join([*lines, "---", "", self.body, ""])


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class AboutPage:
    """A page without a date (issue 25): content/about.md."""

    title: str
    body: str
    menu: bool
    weight: int

    def text(self) -> str:
        return (f"---\ntitle: {_q(self.title)}\nmenu: {str(self.menu).lower()}\n"
                f"weight: {self.weight}\n---\n\n{self.body}\n")


@dataclass
class State:
    """A site's sources as data; :meth:`files` renders them (path -> text or bytes)."""

    notes: dict[str, Note]
    clippings: dict[str, str]
    topics: dict[str, list[str]]  # label -> aliases
    places: dict[str, list[str]]
    per_page: int
    theme_files: dict[str, bytes] = field(default_factory=dict)  # themes/... -> bytes
    theme: str | None = None  # `theme:` in digest.yaml
    # A mistake that fails the build, undone before the next edit: "note:<path>"
    # (front matter with a duplicate key: fails while parsing) or "template" (a
    # template that raises while pages render, after the cache's early flush).
    broken: str | None = None
    counter: int = 0  # makes every template edit and new name unique
    about: AboutPage | None = None

    def config(self) -> str:
        lines = ["title: Differential Digest", "description: Random small sites",
                 "base_url: https://diff.example.org/", "timezone: Europe/Berlin",
                 f"per_page: {self.per_page}", "feed_size: 5", "search: false"]
        if self.theme:
            lines.append(f"theme: {self.theme}")
        lines.append("taxonomies:")
        for name, vocab, extra in (("topics", self.topics, "    min_mentions: 2\n"),
                                   ("places", self.places, "")):
            lines.append(f"  {name}:")
            if extra:
                lines.append(extra.rstrip("\n"))
            lines.append("    terms:")
            if not vocab:
                lines[-1] = "    terms: []"
            for label, aliases in vocab.items():
                lines.append(f"      - label: {label}")
                if aliases:
                    lines.append("        aliases: [" + ", ".join(aliases) + "]")
        return "\n".join(lines) + "\n"

    def files(self) -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = {"digest.yaml": self.config()}
        out.update({path: note.text() for path, note in self.notes.items()})
        for path, note in self.notes.items():
            # A note linking another by its file (issue 25): its URL changes
            # with the other's date while this file stays as it is.  Only to a
            # published note: a link to nothing is an error.
            target = self.notes.get(note.link or "")
            if target is not None and target.published() and note.link != path:
                out[path] = f'{out[path]}\nSee [the other]({{{{< ref "{Path(note.link).name}" >}}}}).\n'
        if self.about is not None:
            out["content/about.md"] = self.about.text()
        out.update(self.clippings)
        out.update(self.theme_files)
        if self.broken and self.broken.startswith("note:") and self.broken[5:] in out:
            out[self.broken[5:]] = str(out[self.broken[5:]]).replace(
                "\ndate: ", '\ntitle: "a second title"\ndate: ', 1)
        elif self.broken == "template":
            path = f"themes/{self.theme or 'default'}/templates/article.html"
            text = self.theme_files[path].decode() if path in self.theme_files \
                else (BUILTIN / "templates" / "article.html").read_text(encoding="utf-8")
            anchor = "{% block body_class %}page page-article"
            assert anchor in text
            out[path] = text.replace(anchor, "{% block body_class %}{{ article.title.nope() }}"
                                     "page page-article", 1)
        return out

    def __repr__(self) -> str:  # the strategies of edits take the state: keep them short
        return f"State({len(self.notes)} notes, {len(self.clippings)} clippings)"

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}-{self.counter}"


# ---------------------------------------------------------------------------- strategies

sentences = st.lists(st.sampled_from(WORDS), min_size=4, max_size=18).map(
    lambda ws: " ".join(ws).capitalize() + ".")
bodies = st.lists(st.lists(sentences, min_size=1, max_size=3).map(" ".join),
                  min_size=1, max_size=4).map("\n\n".join)
titles = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(
    lambda ws: " ".join(ws).capitalize())
# Dates around the pinned clock (2024-12-24T00:26:40Z); a few in 2025 are scheduled.
dates = st.builds(
    lambda y, m, d, h, mi, off: f"{y}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:00{off}",
    st.sampled_from([2023, 2024, 2024, 2024, 2025]), st.integers(1, 12), st.integers(1, 28),
    st.integers(0, 23), st.sampled_from([0, 15, 30, 59]), st.sampled_from(OFFSETS))
tag_lists = st.lists(st.sampled_from(TAGS), max_size=3, unique=True)


@st.composite
def notes(draw: st.DrawFn, slugs: list[str]) -> Note:
    return Note(
        title=draw(titles), date=draw(dates), body=draw(bodies), tags=draw(tag_lists),
        topics=draw(st.lists(st.sampled_from(sorted(TOPIC_POOL)), max_size=1)),
        source=draw(st.none() | st.sampled_from(SOURCES)),
        summary=draw(st.none() | sentences),
        related=draw(st.lists(st.sampled_from(slugs), max_size=2, unique=True)) if slugs
        else [],
        draft=draw(st.integers(0, 9)) == 7)


@st.composite
def clippings(draw: st.DrawFn, headlines: list[str]) -> str:
    """A raw clipping as in tests/fixtures/clippings/: headline, dateline, photo,
    paragraphs, then the agency's trailer of related headlines."""
    day, month = draw(st.integers(1, 28)), draw(st.sampled_from(MONTHS))
    parts = [draw(titles), f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}, "
             f"{day} {month}"]
    if draw(st.booleans()):
        parts.append("Photo: BelTA ")
    parts += draw(st.lists(sentences, min_size=1, max_size=3))
    mentions = draw(st.lists(st.sampled_from(headlines), max_size=2, unique=True)) \
        if headlines else []
    if mentions:
        parts.append("Other materials of «Union State»")
        for title in mentions:
            parts += [title, f"{draw(st.integers(0, 23)):02d}:10, {day} {month}"]
    return "\n\n".join(parts) + "\n"


def _vocab(draw: st.DrawFn, pool: dict[str, list[str]], least: int) -> dict[str, list[str]]:
    labels = draw(st.lists(st.sampled_from(sorted(pool)), min_size=least, max_size=len(pool),
                           unique=True))
    return {label: draw(st.lists(st.sampled_from(pool[label]), min_size=0, max_size=2,
                                 unique=True)) for label in labels}


@st.composite
def sites(draw: st.DrawFn) -> State:
    n = draw(st.integers(3, 12))
    names = [f"content/{draw(st.sampled_from(FOLDERS))}note-{i}.md"
             for i in range(n)]
    slugs = [Path(name).stem for name in names]
    site_notes = {name: draw(notes(slugs)) for name in names}
    for note in site_notes.values():
        note.link = draw(st.none() | st.sampled_from(names))
    headlines = [note.title for note in site_notes.values()]
    clips = {f"content/clippings/clip-{i}.txt": draw(clippings(headlines))
             for i in range(draw(st.integers(0, 2)))}
    return State(notes=site_notes, clippings=clips, topics=_vocab(draw, TOPIC_POOL, 1),
                 places=_vocab(draw, PLACE_POOL, 0), per_page=draw(st.sampled_from([2, 3, 5])),
                 about=draw(st.none() | about_pages))


about_pages = st.builds(AboutPage, title=titles, body=bodies, menu=st.booleans(),
                        weight=st.integers(0, 3))


# ---------------------------------------------------------------------------- edits
# An edit is drawn against the current state (which articles exist) and applied to it;
# its description is what a failure report shows.

TEMPLATES = {  # template -> (text to find, what to write instead; {n} is the edit's number)
    "base.html": ("</footer>", '<p class="edit-{n}">edited {n}</p></footer>'),
    "article.html": ("page page-article{% endblock %}", "page page-article edit-{n}{% endblock %}"),
    "index.html": ("page page-home{% endblock %}", "page page-home edit-{n}{% endblock %}"),
    "term.html": ("{% block body_class %}page page-term",
                  "{% block body_class %}page edit-{n} page-term"),
}


def _template_edit(state: State, folder: str, name: str) -> None:
    path = f"themes/{folder}/templates/{name}"
    text = state.theme_files[path].decode() if path in state.theme_files \
        else (BUILTIN / "templates" / name).read_text(encoding="utf-8")
    anchor, new = TEMPLATES[name]
    state.counter += 1
    assert anchor in text, (anchor, path)
    edited = text.replace(anchor, new.replace("{n}", str(state.counter)), 1)
    state.theme_files[path] = edited.encode()


@st.composite
def edits(draw: st.DrawFn, state: State) -> str:  # noqa: C901, PLR0911, PLR0912 - kinds
    paths = sorted(state.notes)
    kinds = ["body", "similar", "title", "terms", "date", "add", "rename", "vocab",
             "template", "clipping", "translate", "about", "link"]
    if len(paths) > 1:
        kinds.append("delete")
    kinds.append("break")
    kind = draw(st.sampled_from(kinds))
    if kind == "break":
        state.broken = draw(st.sampled_from(["template", *(f"note:{p}" for p in paths)]))
        return f"break {state.broken} (undone at the next edit)"
    if kind == "add":
        path = f"content/{draw(st.sampled_from(FOLDERS))}{state.fresh('added')}.md"
        state.notes[path] = draw(notes([Path(p).stem for p in paths]))
        return f"add {path}: {state.notes[path]!r}"
    if kind == "delete":
        path = draw(st.sampled_from(paths))
        del state.notes[path]
        return f"delete {path}"
    if kind == "rename":
        path = draw(st.sampled_from(paths))
        new = f"content/{draw(st.sampled_from(FOLDERS))}{state.fresh('renamed')}.md"
        state.notes[new] = state.notes.pop(path)
        return f"rename {path} -> {new}"
    if kind == "translate":  # x.ja.md beside x.md: its translation (or a new version)
        path = draw(st.sampled_from(paths))
        if ".ja." in path:
            return f"translate {path}: already a translation"
        other = path[: -len(".md")] + ".ja.md"
        state.notes[other] = Note(title=draw(titles), date=state.notes[path].date,
                                  body=draw(bodies), tags=list(state.notes[path].tags))
        return f"translate {path} -> {other}: {state.notes[other]!r}"
    if kind == "clipping":
        path = f"content/clippings/{state.fresh('clip')}.txt"
        existing = sorted(state.clippings)
        if existing and draw(st.booleans()):
            path = draw(st.sampled_from(existing))
        state.clippings[path] = draw(clippings([n.title for n in state.notes.values()]))
        return f"clipping {path}: {state.clippings[path]!r}"
    if kind == "about":  # the page without a date: added, edited or removed
        state.about = draw(st.none() | about_pages)
        return f"about page: {state.about!r}"
    if kind == "link":
        note = state.notes[draw(st.sampled_from(paths))]
        note.link = draw(st.none() | st.sampled_from(paths))
        return f"link to {note.link}"
    if kind == "vocab":
        return _vocab_edit(draw, state)
    if kind == "template":
        return _theme_edit(draw, state)
    path = draw(st.sampled_from(paths))
    note = state.notes[path]
    if kind == "body":
        note.body = draw(bodies)
        return f"body of {path}: {note.body!r}"
    if kind == "similar":  # another article's text with a sentence more: one story
        other = state.notes[draw(st.sampled_from(paths))]
        note.body = other.body + "\n\n" + draw(sentences)
        note.source = draw(st.sampled_from(SOURCES))
        return f"similar body for {path} (source {note.source}): {note.body!r}"
    if kind == "title":
        note.title = draw(titles)
        return f"title of {path}: {note.title!r}"
    if kind == "terms":
        note.tags = draw(tag_lists)
        note.topics = draw(st.lists(st.sampled_from(sorted(TOPIC_POOL)), max_size=2, unique=True))
        return f"terms of {path}: tags {note.tags}, topics {note.topics}"
    note.date = draw(dates)
    return f"date of {path}: {note.date}"


def _vocab_edit(draw: st.DrawFn, state: State) -> str:
    vocab, pool = draw(st.sampled_from([(state.topics, TOPIC_POOL),
                                        (state.places, PLACE_POOL)]))
    which = "topics" if vocab is state.topics else "places"
    missing = sorted(set(pool) - set(vocab))
    choices = ["alias"] if vocab else []
    choices += ["add-term"] if missing else []
    choices += ["remove-term"] if vocab else []
    action = draw(st.sampled_from(choices))
    if action == "alias":
        label = draw(st.sampled_from(sorted(vocab)))
        free = [a for a in pool[label] if a not in vocab[label]]
        if free:
            vocab[label].append(draw(st.sampled_from(free)))
        elif vocab[label]:
            vocab[label].pop(draw(st.integers(0, len(vocab[label]) - 1)))
        return f"{which}: aliases of {label} now {vocab[label]}"
    if action == "add-term":
        label = draw(st.sampled_from(missing))
        vocab[label] = draw(st.lists(st.sampled_from(pool[label]), max_size=2, unique=True))
        return f"{which}: add term {label} {vocab[label]}"
    label = draw(st.sampled_from(sorted(vocab)))
    del vocab[label]
    return f"{which}: remove term {label}"


def _theme_edit(draw: st.DrawFn, state: State) -> str:
    name = draw(st.sampled_from(sorted(TEMPLATES)))
    action = draw(st.sampled_from(["custom", "override", "drop-override", "default"]))
    if action == "custom":  # the default theme copied into themes/custom/, a line changed
        if state.theme != "custom":
            for path in sorted(BUILTIN.rglob("*")):
                rel = path.relative_to(BUILTIN).as_posix()
                if path.is_file() and "__pycache__" not in rel and rel != "__init__.py":
                    state.theme_files.setdefault(f"themes/custom/{rel}", path.read_bytes())
            state.theme = "custom"
        _template_edit(state, "custom", name)
        return f"theme custom: edit {name} (edit-{state.counter})"
    if action == "override":  # a site-level override of one built-in template
        _template_edit(state, "default", name)
        return f"override themes/default/templates/{name} (edit-{state.counter})"
    if action == "drop-override":
        gone = [p for p in state.theme_files if p.startswith("themes/default/")]
        for path in gone:
            del state.theme_files[path]
        return f"drop overrides {gone}"
    state.theme = None  # back to `theme: default` (the custom copy stays on disk)
    return "theme: default"


# ---------------------------------------------------------------------------- running

def sync(root: Path, old: Mapping[str, str | bytes], new: Mapping[str, str | bytes]) -> None:
    """Make the site folder hold ``new``, touching only the files that changed."""
    for rel in sorted(old.keys() - new.keys()):
        (root / rel).unlink()
    write_files(root, {rel: data for rel, data in new.items() if old.get(rel) != data})


def read_tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def mismatch(got: Mapping[str, bytes], want: Mapping[str, bytes], what: str) -> str:
    """'' when equal; else the differing paths and a shortened diff of the first one."""
    differing = [("+ " if k not in want else "- " if k not in got else "~ ") + k
                 for k in sorted(got.keys() | want.keys()) if got.get(k) != want.get(k)]
    if not differing:
        return ""
    first = differing[0][2:]
    plain_text = want.get(first, b"").decode("utf-8", "replace")
    fast_text = got.get(first, b"").decode("utf-8", "replace")
    lines = difflib.unified_diff(plain_text.splitlines(), fast_text.splitlines(),
                                 f"plain/{first}", f"fast/{first}", n=1, lineterm="")
    shown = [line[:200] for line in lines][:40]
    # Long lines (JSON, XML, minified markup) are cut above: the first difference too
    at = next((i for i, (a, b) in enumerate(zip(plain_text, fast_text, strict=False)) if a != b),
              min(len(plain_text), len(fast_text)))
    return (f"{what}: {len(differing)} paths differ from the plain cold build "
            f"(+ only fast, - only plain, ~ bytes): {differing[:30]}\n"
            + "\n".join(shown)
            + f"\nfirst difference at character {at} of {first}:\n"
            f"  plain: {plain_text[max(at - 80, 0):at + 80]!r}\n"
            f"  fast:  {fast_text[max(at - 80, 0):at + 80]!r}")


@contextlib.contextmanager
def forking() -> Iterator[None]:
    """Every parallel step forks workers, even for a dozen articles."""
    old = parallel.MIN_PER_WORKER
    parallel.MIN_PER_WORKER = 1
    try:
        yield
    finally:
        parallel.MIN_PER_WORKER = old


class Serve:
    """``digest serve``'s rebuild (serve/command.py build_site) without server or watcher."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.options = BuildOptions(base_url=SERVE_URL, jobs=1)
        self.engine = FastEngine()  # kept across rebuilds, as serve keeps it
        self.last: dict[str, object] = {}

    def rebuild(self) -> tuple[dict[str, bytes] | None, str]:
        try:
            with _pinned_epoch():
                self.engine.reuse(self.last.get("fingerprints"), None,
                                  self.last.get("rendered"))
                result = build(self.root, self.options, engine=self.engine)
        except Exception as exc:  # noqa: BLE001 - the server keeps its last site
            return None, f"{type(exc).__name__}: {exc}"
        if result.cache is not None:
            result.cache.flush()
        self.last.update(fingerprints=result.fingerprints, rendered=result.rendered)
        return dict(result.rendered), ""


def plain_engine(root: Path, base_url: str | None = SERVE_URL
                 ) -> tuple[dict[str, bytes] | None, str]:
    """The reference: the plain engine's cold build, in memory."""
    try:
        with _pinned_epoch():
            result = build(root, BuildOptions(base_url=base_url, search=False),
                           engine=PlainEngine())
    except Exception as exc:  # noqa: BLE001
        return None, f"{type(exc).__name__}: {exc}"
    return dict(result.rendered), ""


def check_step(site: Path, scratch: Path, serve: Serve, step: str) -> None:
    """Fast CLI build and serve rebuild of ``site`` against plain cold builds of a copy."""
    with forking():
        fast = cli(site, *FAST)
    served, served_error = serve.rebuild()
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir()
    for name in ("content", "themes"):
        if (site / name).exists():
            shutil.copytree(site / name, scratch / name)
    shutil.copy2(site / "digest.yaml", scratch / "digest.yaml")
    plain = cli(scratch, *PLAIN)
    assert (fast.code == 0) == (plain.code == 0), (
        f"after {step}: fast build exit {fast.code}, plain exit {plain.code}\n"
        f"fast: {fast.err[-2000:]}\nplain: {plain.err[-2000:]}")
    if plain.code == 0:
        problem = mismatch(read_tree(site / "output"), read_tree(scratch / "output"),
                           f"digest build after {step}")
        assert not problem, problem
        reference, error = plain_engine(scratch, base_url=None)
        assert reference is not None, f"after {step}: the plain engine failed: {error}"
        written = {p: b for p, b in read_tree(scratch / "output").items() if p != MARKER}
        problem = mismatch(written, reference, f"plain engine after {step}")
        assert not problem, problem
    want, want_error = plain_engine(scratch)
    assert (served is None) == (want is None), (
        f"after {step}: serve rebuild error {served_error!r}, plain {want_error!r}")
    if want is not None and served is not None:
        problem = mismatch(served, want, f"serve rebuild after {step}")
        assert not problem, problem


@settings(max_examples=EXAMPLES, deadline=None, derandomize=FIXED, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
          print_blob=True)
@given(data=st.data())
def test_fast_engine_equals_plain_cold_build(data: st.DataObject) -> None:
    state = data.draw(sites(), label="site")
    with tempfile.TemporaryDirectory(prefix="digest-diff-") as tmp:
        site, scratch = Path(tmp) / "site", Path(tmp) / "plain"
        site.mkdir()
        files = state.files()
        report("initial site:\n" + "\n".join(
            f"--- {path}\n{text if isinstance(text, str) else '<bytes>'}"
            for path, text in sorted(files.items())))
        sync(site, {}, files)
        serve = Serve(site)
        check_step(site, scratch, serve, "the first build")
        steps = ["the first build"]
        for _ in range(data.draw(st.integers(1, 6), label="edits")):
            if state.broken:
                state.broken = None
                steps.append("undo the break")
            steps.append(data.draw(edits(state)))
            new = state.files()
            sync(site, files, new)
            files = new
            check_step(site, scratch, serve, " / ".join(steps[1:]))
