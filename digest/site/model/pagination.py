"""Pagination: slices of one sorted list, never re-filtered per page."""

from __future__ import annotations

from digest.site.records import Article, Pager


def page_url(base: str, number: int) -> str:
    """``/tags/x/`` page 1 -> itself; page 3 -> ``/tags/x/page/3/``."""
    return base if number == 1 else f"{base}page/{number}/"


def paginate(items: tuple[Article, ...], per_page: int, base: str) -> list[Pager]:
    """Split ``items`` (already sorted) into pages; an empty list still has page 1."""
    count = max(1, -(-len(items) // per_page))
    pagers = []
    for number in range(1, count + 1):
        chunk = items[(number - 1) * per_page: number * per_page]
        pagers.append(Pager(
            number=number, count=count, items=chunk, url=page_url(base, number),
            prev_url=page_url(base, number - 1) if number > 1 else None,
            next_url=page_url(base, number + 1) if number < count else None))
    return pagers
