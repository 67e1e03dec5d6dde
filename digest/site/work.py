"""How a step spreads independent work over the machine: the engine decides.

A step with many independent items (parse each file, pick each vector, link
each article) takes a :class:`Work` and calls it at the loop, as Zola calls
``par_iter()``: it states *what* is independent, never *how* it is run.
:data:`SERIAL` runs everything here, in order (the plain engine, and the
default); the fast engine passes its forked workers (digest.engine.workers).
Either way the results come back in input order, so the output is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Work(Protocol):
    def map(self, fn: Callable[[T], R], items: Sequence[T], what: str) -> list[R]:
        """``[fn(x) for x in items]``, in input order."""
        ...

    def share(self, fn: Callable[[T], R], items: Sequence[T], what: str, *,
              pack: Callable[[list[R]], Any] | None = None,
              unpack: Callable[[Any], list[R]] | None = None) -> list[R]:
        """As :meth:`map`, with this process taking part; a chunk computed
        elsewhere travels as ``pack(results)`` and comes back through ``unpack``."""
        ...

    def alongside(self, other: Callable[[], T], here: Callable[[], R]) -> tuple[T, R]:
        """``(other(), here())``: two independent steps, maybe at the same time."""
        ...


class Serial:
    """Everything in this process, one item after another."""

    def map(self, fn: Callable[[T], R], items: Sequence[T], what: str) -> list[R]:
        return [fn(x) for x in items]

    def share(self, fn: Callable[[T], R], items: Sequence[T], what: str, *,
              pack: Callable[[list[R]], Any] | None = None,
              unpack: Callable[[Any], list[R]] | None = None) -> list[R]:
        return [fn(x) for x in items]

    def alongside(self, other: Callable[[], T], here: Callable[[], R]) -> tuple[T, R]:
        return other(), here()


SERIAL: Work = Serial()
