"""Fast copies of :class:`~digest.site.records.Article` records.

``dataclasses.replace`` calls the generated ``__init__`` with every field
by keyword (~20 µs per article, 10,000 articles several times a build), and
pickling a slotted dataclass calls ``dataclasses.fields()`` per record.  The
records are frozen and have no ``__post_init__``: a copy only has to set the
same slots.  Same records, field for field (tests/unit/test_recordcopy.py).
Only on records being made here: nothing sets a field of a record once it was
returned (tests/test_no_hidden_state.py).

How: a copy is made as a :class:`_Draft`, a class with exactly Article's
slots but no frozen ``__setattr__``, by a function generated here (as
dataclasses generates ``__init__``) that stores every slot with plain
attribute stores, and then becomes an Article (``__class__`` assignment,
which Python allows between classes of the same slots).  That is ~1.5 µs an
article; setting the 41 slots through their descriptors took ~5 µs, and a
build copies all its articles about four times (unpickling the cache,
URLs, enrichment), at 10,000 articles 0.15 s of a one-edit build.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Any

from digest.site.records import Article

FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Article))
_INDEX = {name: i for i, name in enumerate(FIELDS)}
_values = attrgetter(*FIELDS)
assert not any(f.init is False for f in dataclasses.fields(Article))
assert not hasattr(Article, "__post_init__")  # a copy runs no __init__ logic


class _Draft:
    """An Article being made: the same slots, settable (see the module docstring)."""

    __slots__ = Article.__slots__


def _generated(name: str, params: tuple[str, ...], prologue: str,
               source: Mapping[str, str]) -> Callable[..., Article]:
    """A function ``name(*params)`` that sets each field from ``source`` (field
    -> expression; by default ``o.<field>``) on a new _Draft and returns it
    made an Article."""
    lines = [f"def {name}({', '.join(params)}):", *prologue.splitlines(),
             "    n = _new(_Draft)"]
    lines += [f"    n.{field} = {source.get(field, 'o.' + field)}" for field in FIELDS]
    lines += ["    n.__class__ = _Article", "    return n"]
    scope = {"_new": object.__new__, "_Draft": _Draft, "_Article": Article}
    exec("\n".join(lines), scope)  # noqa: S102 - field names of a dataclass, nothing else
    return scope[name]


# Unpacking checks the count: a cached Article never unpickles half-made.
_from_values = _generated(
    "from_values", ("vals",), f"    ({', '.join(FIELDS)},) = vals",
    {field: field for field in FIELDS})


def values(article: Article) -> tuple[Any, ...]:
    """Every field of ``article``, in :data:`FIELDS` order."""
    return _values(article)


def from_values(vals: Sequence[Any]) -> Article:
    """The Article whose fields are ``vals`` (in :data:`FIELDS` order)."""
    if len(vals) != len(FIELDS):  # also how a cached Article unpickles: never half-made
        raise TypeError(f"an Article has {len(FIELDS)} fields, not {len(vals)}")
    return _from_values(vals)


def evolve(article: Article, changes: Mapping[str, Any]) -> Article:
    """``dataclasses.replace(article, **changes)``, without calling ``__init__``.

    Raises TypeError for a name that is not a field, as replace() does.
    """
    vals = list(_values(article))
    for name, value in changes.items():
        i = _INDEX.get(name)
        if i is None:
            raise TypeError(f"Article has no field {name!r}")
        vals[i] = value
    return _from_values(vals)


@lru_cache(maxsize=64)
def _copier(names: tuple[str, ...]) -> Callable[..., Article]:
    """``copy(o, *values)``: a copy of ``o`` with the fields ``names`` set to ``values``."""
    params = tuple(f"v{i}" for i in range(len(names)))
    return _generated("copy", ("o", *params), "", dict(zip(names, params, strict=True)))


def with_columns(articles: Sequence[Article], columns: Mapping[str, Sequence[Any]]
                 ) -> tuple[Article, ...]:
    """New records: each of ``articles`` with every field in ``columns`` (field
    name -> one value per article, in order) set, as evolve() would make them."""
    for name, values in columns.items():
        if name not in _INDEX:
            raise TypeError(f"Article has no field {name!r}")
        if len(values) != len(articles):
            raise ValueError(f"{len(values)} values of {name!r} for {len(articles)} articles")
    names = tuple(sorted(columns))
    return tuple(map(_copier(names), articles, *(columns[name] for name in names)))
