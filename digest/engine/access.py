"""What a page's template can read of the articles: the *level* of its fingerprint.

A term page lists a thousand articles (its weekly chart needs their dates)
but shows none of their bodies, so appending a paragraph to one article must
not re-render it.  Page fingerprints (engine/fingerprint.py) therefore come
in levels:

- ``CARD``: every field of the articles in the page's context (and of those
  it links by URL) *except* the body-derived ones (``BODY_FIELDS``: body,
  word count, reading time) and the links to other articles
  (``LINK_FIELDS``: related, earlier, later, story, also reported,
  mentions), which an edit changes for the edited article's neighbours
  (both declared on Article's fields, digest/site/records.py: ``body=True``,
  ``links=True``);
- ``LINKS``: CARD plus the links;
- ``FULL``: every field of those articles;
- ``SITE``: FULL plus every field of every article (the page reached beyond
  its context: ``site_model``, a ``by_url`` lookup of an article it does not
  link, an unknown template).

A template's level is found by reading its source and the templates it
extends, includes and imports (:func:`template_access`; static, so a branch
not taken still counts, which only costs a render): CARD unless it names a
link field (then LINKS) or a body field (``a.body``, ``a["word_count"]``, ``sort(attribute="body")``), a
helper that reads the body (``content_of``, ``article_ld``, ``article_meta``)
or reads attributes by a name computed at render time (``x[name]``,
``attr(name)``); SITE when it names ``site_model``, a ``_private`` attribute
or ``format``/``format_map`` (``"{0.body}".format(a)`` and
``"{0.__class__}"`` read in Python), or includes a template chosen at render
time.  A template naming ``now`` has ``now`` in its pages' fingerprints.

What a source cannot show is watched while the page renders (render/watch.py):

- ``by_url`` is a :class:`WatchedIndex`: looking up (or testing) a URL the
  page does not link, or iterating the index, makes the page SITE;
- an article turned into text whole (``{{ a }}``, ``a ~ ""``, ``|string``,
  ``|pprint``: all go through its repr) reads every field, and so does a
  ``by_url`` lookup inside a piece the ``memo`` filter remembers
  (render/fragments.py): another page may show that piece without running
  it.  Either *taints* the build: every page's fingerprint is then SITE, in
  this build and (since the next one starts from the levels stored) in the
  following ones, until the templates change.

Why reuse stays sound: rendering is deterministic, so a page whose recorded
inputs at the level of its last render are unchanged takes the same path,
reads nothing more, and writes the same bytes; a page's level is never lower
than what its last render needed (fingerprint.level_of).  The default theme
stays CARD for every list page and FULL for article pages, with no taint
(an edition's stories are records of their own, walked whole: its pages need
no article's links).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes

from digest.site.records import BODY_FIELDS, LINK_FIELDS, Article

# The levels (CARD < LINKS < FULL < SITE < TAINT) are render.watch's: a render is
# watched for the same levels the template's source is read for here.
from digest.site.render.watch import CARD, FULL, LINKS, SITE, TAINT  # noqa: F401

_BODY = frozenset(BODY_FIELDS)
_LINKS = frozenset(LINK_FIELDS)
# digest's own helpers (render/templates.py, render/__init__.py) that read an
# article's body, its word count or its reading time
_BODY_HELPERS = frozenset({"content_of", "article_ld", "article_meta"})
_SITE_NAMES = frozenset({"site_model"})
_PYTHON_FORMATS = frozenset({"format", "format_map"})
# built-in filters and tests whose string arguments may be attribute names
# (``map(attribute="a.b")``, ``sort(false, false, "title")``, ``map("attr", "x")``)
_BY_NAME = frozenset({"attr", "map", "sort", "groupby", "selectattr", "rejectattr",
                      "sum", "unique", "min", "max", "join", "dictsort", "select", "reject"})


@dataclass(frozen=True, slots=True)
class Access:
    """What the pages of one template may read: their fingerprint ``level`` and
    whether they show ``now``."""

    level: int
    uses_now: bool


_found: weakref.WeakKeyDictionary[jinja2.Environment, dict[str, Any]] = \
    weakref.WeakKeyDictionary()


def template_access(env: jinja2.Environment, name: str,
                    saved: dict[str, tuple[int, bool]] | None = None) -> Access:
    """The :class:`Access` of template ``name`` (with everything it extends,
    includes and imports), read from the sources once per environment (an
    environment's templates do not change: auto_reload is off).

    ``saved`` (the build cache's, whose namespace covers every template's
    bytes) holds earlier results and receives new ones: reading the default
    theme's sources costs 40 ms a build."""
    known = _found.setdefault(env, {})
    hit = known.get(name)
    if hit is None and saved is not None:
        entry = saved.get(name)
        if (isinstance(entry, tuple) and len(entry) == 2 and entry[0] in (CARD, LINKS, FULL, SITE)
                and isinstance(entry[1], bool)):
            hit = known[name] = Access(level=entry[0], uses_now=entry[1])
    if hit is None:
        total = _Facts()
        todo, seen = [name], set()
        while todo:
            one = todo.pop()
            if one in seen:
                continue
            seen.add(one)
            facts = known.get(("facts", one))
            if facts is None:
                facts = known[("facts", one)] = _Facts.of(env, one)
            total.add(facts)
            todo.extend(facts.pulled)
        hit = known[name] = total.access()
    if saved is not None and saved.get(name) != (hit.level, hit.uses_now):
        saved[name] = (hit.level, hit.uses_now)
    return hit


class _Facts:
    """What one template's source names (module docstring)."""

    def __init__(self) -> None:
        self.attrs: set[str] = set()
        self.names: set[str] = set()
        self.pulled: list[str] = []  # templates it extends, includes, imports
        self.dynamic = False  # an attribute name computed at render time
        self.unknown = False  # a template chosen at render time, or unreadable

    @classmethod
    def of(cls, env: jinja2.Environment, name: str) -> _Facts:
        facts = cls()
        try:
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            tree = env.parse(source, name)
        except (jinja2.TemplateError, OSError):
            facts.unknown = True  # rendering reports it; until then assume the worst
            return facts
        ctx = nodes.EvalContext(env)
        for node in tree.find_all(nodes.Node):
            facts.node(node, ctx)
        return facts

    def add(self, other: _Facts) -> None:
        self.attrs |= other.attrs
        self.names |= other.names
        self.dynamic |= other.dynamic
        self.unknown |= other.unknown

    def access(self) -> Access:
        attrs = self.attrs
        if (self.unknown or self.names & _SITE_NAMES or attrs & _PYTHON_FORMATS
                or any(a.startswith("_") for a in attrs)):
            level = SITE
        elif self.dynamic or attrs & _BODY or self.names & _BODY_HELPERS:
            level = FULL
        elif attrs & _LINKS:
            level = LINKS
        else:
            level = CARD
        return Access(level=level, uses_now="now" in self.names)

    def node(self, node: nodes.Node, ctx: nodes.EvalContext) -> None:
        if isinstance(node, nodes.Name):
            self.names.add(node.name)
        elif isinstance(node, nodes.Getattr):
            self.attrs.add(node.attr)
        elif isinstance(node, nodes.Getitem):
            if not isinstance(node.arg, nodes.Slice):
                self.key(node.arg, ctx)
        elif isinstance(node, nodes.Filter | nodes.Test):
            if node.name in _BY_NAME:
                if node.dyn_args is not None or node.dyn_kwargs is not None:
                    self.dynamic = True
                for arg in (*node.args, *(kw.value for kw in node.kwargs)):
                    self.key(arg, ctx)
        elif isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport):
            self.pulled_in(node.template, ctx)

    def key(self, expr: nodes.Expr, ctx: nodes.EvalContext) -> None:
        """A subscript or a name-taking filter's argument: a constant string
        counts as attributes read (a dotted one by part); other constants
        (indexes, flags) read none; anything computed is dynamic."""
        try:
            value = expr.as_const(ctx)
        except Exception:  # nodes.Impossible, or an error evaluating it
            self.dynamic = True
            return
        if isinstance(value, str):
            self.attrs.update(value.split("."))

    def pulled_in(self, expr: nodes.Expr, ctx: nodes.EvalContext) -> None:
        try:
            value = expr.as_const(ctx)
        except Exception:
            self.unknown = True
            return
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str):
                self.pulled.append(item)
            else:
                self.unknown = True  # a Template object or something odd


def linked_urls(context: Mapping[str, Any]) -> tuple[str, ...]:
    """The URLs an article page links (and may look up in ``by_url``), in a
    fixed order; none for other pages.  Their articles are part of the page's
    fingerprint."""
    article = context.get("article")
    if type(article) is not Article:
        return ()
    return (*article.related, *article.earlier, *article.later, *article.also_reported,
            *(m.url for m in article.mentions if m.url))
