"""Fast copies of :class:`~digest.site.records.Article` records.

``dataclasses.replace`` calls the generated ``__init__`` with every field
by keyword (~20 µs per article, 10,000 articles several times a build), and
pickling a slotted dataclass calls ``dataclasses.fields()`` per record.  The
records are frozen and have no ``__post_init__``: a copy only has to set the
same slots, which the slots' own descriptors do without the frozen
``__setattr__``.  Same records, field for field (tests/unit/test_recordcopy.py).
Only on records being made here: nothing sets a field of a record once it was
returned (tests/test_no_hidden_state.py).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Mapping, Sequence
from itertools import repeat
from operator import attrgetter, call
from typing import Any

from digest.site.records import Article

FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Article))
_INDEX = {name: i for i, name in enumerate(FIELDS)}
_values = attrgetter(*FIELDS)
_GETTERS = tuple(attrgetter(name) for name in FIELDS)
# Slot descriptors: setting through them skips the frozen __setattr__ check,
# as the dataclass's own __init__ does with object.__setattr__.
_SETTERS = tuple(Article.__dict__[name].__set__ for name in FIELDS)
assert not any(f.init is False for f in dataclasses.fields(Article))
assert not hasattr(Article, "__post_init__")  # a copy runs no __init__ logic


def values(article: Article) -> tuple[Any, ...]:
    """Every field of ``article``, in :data:`FIELDS` order."""
    return _values(article)


def from_values(vals: Sequence[Any]) -> Article:
    """The Article whose fields are ``vals`` (in :data:`FIELDS` order)."""
    if len(vals) != len(FIELDS):  # also how a cached Article unpickles: never half-made
        raise TypeError(f"an Article has {len(FIELDS)} fields, not {len(vals)}")
    new = Article.__new__(Article)
    deque(map(call, _SETTERS, repeat(new), vals), maxlen=0)  # runs in C
    return new


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
    return from_values(vals)


def with_columns(articles: Sequence[Article], columns: Mapping[str, Sequence[Any]]
                 ) -> tuple[Article, ...]:
    """New records: each of ``articles`` with every field in ``columns`` (field
    name -> one value per article, in order) set, as evolve() would make them.

    Made a field at a time, one pass over the new records each, in C: ~3 µs
    an article rather than evolve's ~6 (the records are only returned made).
    """
    for name, values in columns.items():
        if name not in _INDEX:
            raise TypeError(f"Article has no field {name!r}")
        if len(values) != len(articles):
            raise ValueError(f"{len(values)} values of {name!r} for {len(articles)} articles")
    made = list(map(Article.__new__, repeat(Article, len(articles))))
    for name, setter, getter in zip(FIELDS, _SETTERS, _GETTERS, strict=True):
        values = columns.get(name)
        deque(map(setter, made, map(getter, articles) if values is None else values), maxlen=0)
    return tuple(made)
