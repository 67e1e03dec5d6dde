"""Template failures as diagnostics that say what to change in the theme.

A render error becomes one :class:`~digest.errors.Diagnostic` at the template
file and line that failed.  Two mistakes get their own explanation, worded by
digest rather than by Jinja (whose messages name Python classes):

* a missing template (``{% include %}``, ``{% extends %}``, ``{% import %}``):
  which name, where digest looked, and the template names closest to it;
* an undefined name (``article.titel``): the expression as the template
  wrote it, and the closest names the value really has (a record's fields,
  a mapping's keys, the variables a page is rendered with).

Pure: the loader is asked for its template names as the build itself asks it
for templates; the failing line is the one the traceback already holds.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import sys
import traceback
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

import jinja2
from jinja2.defaults import DEFAULT_NAMESPACE
from jinja2.utils import missing

from digest.errors import Diagnostic, TemplateError
from digest.site.records import PageSpec

_TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".json")
_MANY = 20  # names listed when none is close to the one asked for
JINJA_NAMES = frozenset(DEFAULT_NAMESPACE)  # range, dict, lipsum...: not listed as the page's
_CUTOFF = 0.7  # difflib's 0.6 offers "site" for "titel"


class UndefinedName(jinja2.UndefinedError):
    """An undefined value was used; keeps what was looked up, and in what."""

    def __init__(self, message: str | None = None, *, obj: Any = missing,
                 name: Any = None) -> None:
        super().__init__(message)
        self.obj = obj
        self.name = name


class ExplainedUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose error carries the object and the missing name,
    so the report can list the names the object does have."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = missing, name: Any = None,
                 exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError) -> None:
        if hint is None and exc is jinja2.UndefinedError:
            # Jinja raises ``self._undefined_exception(message)``: a factory does too
            exc = partial(UndefinedName, obj=obj, name=name)  # type: ignore[assignment]
        super().__init__(hint, obj, name, exc)


def template_frame(exc: BaseException) -> tuple[str | None, int | None, str]:
    """File, line and source text of the innermost template frame of a render
    error (Jinja rewrites tracebacks so template frames carry the template's
    file name and line)."""
    found: tuple[str | None, int | None, str] = (None, None, "")
    for frame in traceback.extract_tb(exc.__traceback__ or sys.exc_info()[2]):
        if frame.filename.endswith(_TEMPLATE_SUFFIXES):
            found = (frame.filename, frame.lineno, frame.line or "")
    return found


def short_template_path(filename: str) -> str:
    """``/home/x/site/themes/custom/templates/a.html`` -> ``themes/custom/templates/a.html``;
    the built-in theme's files read as ``themes/default/...`` (where they live in
    the repository), so messages do not depend on where digest is installed."""
    parts = filename.replace("\\", "/").split("/")
    for marker, prefix in (("themes", []), ("default_theme", ["themes", "default"])):
        if marker in parts:
            i = len(parts) - 1 - parts[::-1].index(marker)
            return "/".join(prefix + parts[i + (0 if prefix == [] else 1):])
    return filename


def render_error(exc: BaseException, page: PageSpec, env: jinja2.Environment,
                 names: Mapping[str, Any] | None = None) -> TemplateError:
    """The diagnostic for ``exc``, raised while rendering ``page``; ``names``
    are the variables the page was rendered with (for did-you-mean)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):  # in an included template: its own line
        return template_error(exc, page, exc.filename or exc.name, exc.lineno)
    filename, line, text = template_frame(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        return missing_template(exc, page, env, filename, line)
    if isinstance(exc, UndefinedName) and isinstance(exc.name, str):
        return _undefined(exc, page, filename, line, text, names or {})
    return template_error(exc, page, filename, line)


def template_error(exc: BaseException, page: PageSpec, filename: str | None,
                   line: int | None) -> TemplateError:
    where = short_template_path(filename) if filename else page.template
    if isinstance(exc, jinja2.TemplateSyntaxError):
        hint = ("fix the template syntax: every {% block %}/{% if %}/{% for %} needs its "
                "{% end... %} and every {{ must be closed by }}")
    else:
        hint = "fix the template at this line"
    return TemplateError(Diagnostic(
        severity="error", code="template", path=where, line=line,
        message=f"{type(exc).__name__}: {exc} ({_while(page)})", hint=hint))


def _while(page: PageSpec) -> str:
    return f"while rendering {page.url} from {page.source}"


# --------------------------------------------------------------------------- missing

def missing_template(exc: jinja2.TemplateNotFound, page: PageSpec, env: jinja2.Environment,
                     filename: str | None, line: int | None) -> TemplateError:
    """``{% include "x" %}`` (or extends, import) of a template no theme has.

    Without a template frame the page's own template is the missing one."""
    wanted = [str(n) for n in exc.templates if n is not None] or [str(exc.name)]
    folders, builtin = _search_folders(env.loader)
    site_folders = [short_template_path(f) + "/" for f in folders if f not in builtin]
    looked = [*site_folders, *(["the built-in default theme"] if builtin else [])]
    where = f"; looked in {' and '.join(looked)}" if looked else ""
    known = _template_names(env)
    if len(wanted) == 1 and wanted[0] in known:
        # listed but not loaded: theme.ContainedLoader refused a symlink
        message = (f"template '{wanted[0]}' was not read: it is a symlink leaving the "
                   "theme folder")
        hint = "copy the file into the theme's templates/ folder instead of linking to it"
    else:
        if len(wanted) == 1:
            message = f"{'' if filename else 'page '}template '{wanted[0]}' not found{where}"
        else:
            message = ("none of the templates " + ", ".join(f"'{n}'" for n in wanted)
                       + f" exists{where}")
        close = _close_templates(wanted, known)
        first = site_folders[0] if site_folders else "themes/<theme>/templates/"
        hint = (f"did you mean {' or '.join(repr(c) for c in close)}?" if close else
                f"no template has a similar name: create {first}{wanted[-1]}, or fix the name")
    return TemplateError(Diagnostic(
        severity="error", code="template-missing",
        path=short_template_path(filename) if filename else page.source, line=line,
        message=f"{message} ({_while(page)})", hint=hint))


def _close_templates(wanted: list[str], known: list[str]) -> list[str]:
    """Existing names closest to the ones asked for, compared without the file
    extension every template shares (``missing.html`` is not ``index.html``).
    A name without a folder is matched against names without one: the
    built-in templates are listed both bare and as ``default/<name>``."""
    close: dict[str, None] = {}  # closest first
    for name in wanted:
        pool = known if "/" in name else [k for k in known if "/" not in k]
        stems = {os.path.splitext(k)[0]: k for k in pool}
        close.update(dict.fromkeys(stems[c] for c in difflib.get_close_matches(
            os.path.splitext(name)[0], list(stems), n=3, cutoff=_CUTOFF)))
    return list(close)


def _search_folders(loader: jinja2.BaseLoader | None) -> tuple[list[str], set[str]]:
    """Every folder a loader reads, in lookup order, and those holding the
    built-in theme (the folder behind the ``default/`` prefix)."""
    folders: list[str] = []
    builtin: set[str] = set()

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, jinja2.ChoiceLoader):
            for sub in node.loaders:
                walk(sub, prefix)
        elif isinstance(node, jinja2.PrefixLoader):
            for key in sorted(node.mapping):
                walk(node.mapping[key], f"{prefix}{key}/")
        elif isinstance(node, jinja2.FileSystemLoader):
            for path in node.searchpath:
                path = os.path.normpath(path)
                if prefix == "default/":
                    builtin.add(path)
                elif path not in folders:
                    folders.append(path)

    walk(loader, "")
    return folders, builtin


def _template_names(env: jinja2.Environment) -> list[str]:
    try:
        return sorted(n for n in env.list_templates() if n.endswith(_TEMPLATE_SUFFIXES))
    except (TypeError, OSError):  # a loader that cannot list its templates
        return []


# --------------------------------------------------------------------------- undefined

def _undefined(exc: UndefinedName, page: PageSpec, filename: str | None, line: int | None,
               text: str, names: Mapping[str, Any]) -> TemplateError:
    obj, name = exc.obj, str(exc.name)
    if obj is missing:  # a plain variable: {{ titel }}, or a record's field without the record
        expr, owner, have = name, "this page", sorted(n for n in names if n not in JINJA_NAMES)
        what = "no variable of this page has that name"
        fields = {f: f"{var}.{f}" for var, value in sorted(names.items(), reverse=True)
                  if dataclasses.is_dataclass(value) for f in _names_of(value)}
        close = [*_closest(name, have), *(fields[f] for f in _closest(name, list(fields)))]
    else:
        expr, owner = _expression(text, name, obj)
        have = _names_of(obj)
        what = (f"{owner} has no key {name!r}" if isinstance(obj, Mapping) else
                f"{type(obj).__name__} has no "
                f"{'field' if dataclasses.is_dataclass(obj) else 'attribute'} {name!r}")
        close = [f"{owner}.{c}" for c in _closest(name, have)]
    if close:
        hint = "did you mean " + " or ".join(close) + "?"
    elif have:
        shown = ", ".join(have[:_MANY]) + (", ..." if len(have) > _MANY else "")
        hint = f"{owner} has: {shown}"
    else:
        hint = f"{owner} is empty here"
    if isinstance(obj, Mapping):
        hint += f"; for a key only some have, write {{{{ {expr} | default('') }}}}"
    where = short_template_path(filename) if filename else page.template
    return TemplateError(Diagnostic(
        severity="error", code="template-undefined", path=where, line=line,
        message=f"'{expr}' is undefined: {what} ({_while(page)})", hint=hint))


def _closest(name: str, pool: list[str]) -> list[str]:
    return difflib.get_close_matches(name, pool, n=3, cutoff=_CUTOFF)


def _expression(text: str, name: str, obj: Any) -> tuple[str, str]:
    """(the whole expression, the part before the missing name) as the
    template line wrote them: ``article.titel`` -> ("article.titel", "article");
    the value's type name when the line does not show it."""
    chain = r"[A-Za-z_]\w*(?:\s*\.\s*\w+|\[[^\]\n]*\])*?"
    for pattern in (rf"({chain})\s*\.\s*{re.escape(name)}\b",
                    rf"""({chain})\s*\[\s*(['"]){re.escape(name)}\2\s*\]"""):
        found = re.search(pattern, text)
        if found:
            owner = re.sub(r"\s+", "", found.group(1))
            return f"{owner}.{name}", owner
    owner = type(obj).__name__
    return f"{owner}.{name}", owner


def _names_of(obj: Any) -> list[str]:
    """The names a template can look up on ``obj``: a mapping's keys, a
    record's fields (and its properties), an object's public attributes."""
    if isinstance(obj, Mapping):
        return sorted(str(k) for k in obj)
    found: Iterable[str]
    if dataclasses.is_dataclass(obj):
        props = [n for n, v in vars(type(obj)).items() if isinstance(v, property)]
        found = [*(f.name for f in dataclasses.fields(obj)), *props]
    else:
        found = dir(obj)
    return sorted({n for n in found if not n.startswith("_")})
