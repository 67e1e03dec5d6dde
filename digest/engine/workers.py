"""The fast engine's :class:`~digest.site.work.Work`: forked worker processes.

A thin adapter from the steps' ``work.map``/``share``/``alongside`` calls to
digest.engine.parallel, which forks, hands out index ranges and brings results back
in input order (and ends its workers on any error, Ctrl-C or SIGTERM).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from digest.engine.parallel import alongside, pmap, share_map

T = TypeVar("T")
R = TypeVar("R")


class Workers:
    """Up to ``jobs`` processes (this one included) per call; one means inline."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def map(self, fn: Callable[[T], R], items: Sequence[T], what: str) -> list[R]:
        return pmap(fn, items, self.jobs, what)

    def share(self, fn: Callable[[T], R], items: Sequence[T], what: str, *,
              pack: Callable[[list[R]], Any] | None = None,
              unpack: Callable[[Any], list[R]] | None = None) -> list[R]:
        return share_map(fn, items, self.jobs, pack=pack, unpack=unpack, what=what)

    def alongside(self, other: Callable[[], T], here: Callable[[], R]) -> tuple[T, R]:
        return alongside(other, here, self.jobs)
